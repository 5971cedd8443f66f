package ledger

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Template builds the import template in one language: the ledger sheet (the columns, text
// formatted so that ID numbers and accounts keep every digit, and three example rows: one
// household of three) and a sheet explaining every column and the rules.
func Template(en bool) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	data, help := "台账", "填写说明"
	if en {
		data, help = "Ledger", "How to fill it in"
	}
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return nil, fmt.Errorf("ledger: template: %w", err)
	}
	hs, err := headerStyle(f)
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text, never 3.3E+17
	if err != nil {
		return nil, fmt.Errorf("ledger: template style: %w", err)
	}
	last, _ := excelize.ColumnNumberToName(len(columns))
	for i, c := range columns {
		title := c.ZH
		if en {
			title = c.EN
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(data, cell, title); err != nil {
			return nil, fmt.Errorf("ledger: template: %w", err)
		}
		for r := 0; r < 3; r++ {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			if err := f.SetCellStr(data, cell, c.Example[r]); err != nil {
				return nil, fmt.Errorf("ledger: template: %w", err)
			}
		}
	}
	_ = f.SetColStyle(data, "A:"+last, text)
	_ = f.SetCellStyle(data, "A1", last+"1", hs)
	_ = f.SetColWidth(data, "A", last, 14)
	_ = f.SetColWidth(data, "B", "C", 21)
	_ = f.SetColWidth(data, "L", "L", 21)
	_ = f.SetColWidth(data, "J", "J", 22)
	_ = f.SetPanes(data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	if _, err := f.NewSheet(help); err != nil {
		return nil, fmt.Errorf("ledger: template: %w", err)
	}
	notes := [][]string{{"列", "是否必填", "说明", "英文列名"}}
	if en {
		notes = [][]string{{"Column", "Required", "What to write", "Chinese title"}}
	}
	for _, c := range columns {
		req := map[string][2]string{"": {"选填", "optional"}, "row": {"必填", "required"}, "head": {"户主行必填", "on the head's row"}}[c.Required]
		if c.Key == colHouseholdKey || c.Key == colHeadIDNumber {
			req = [2]string{"二者至少填一项", "one of the two"}
		}
		if en {
			notes = append(notes, []string{c.EN, req[1], c.NoteEN, c.ZH})
		} else {
			notes = append(notes, []string{c.ZH, req[0], c.NoteZH, c.EN})
		}
	}
	rules := [][2]string{
		{"一行一人：每位家庭成员一行。同一户的行连续排列，户编号相同；整户的信息（村、类别、住址、电话、银行）填在户主（“本人”）那一行。",
			"One row per person. The rows of a household are consecutive and carry the same household number; the household's details (village, category, address, phone, bank) go on the head's (self) row."},
		{"整户导入：一户中只要有一行有错，这一户的所有行都不导入；其余正确的户照常导入。一户要么完整导入，要么完全不导入。",
			"Whole households: when any row of a household is wrong, none of its rows is imported; the other, correct households are. A household is imported whole or not at all."},
		{"导入后可在页面上看到进度和结果；未导入的行及原因可下载为 Excel 报告，报告中含被拒户的全部行，改正后可直接上传该报告重新导入（“行号”“原因”两列会被忽略）。",
			"The page shows progress and the result; the rows not imported and why can be downloaded as an Excel report, corrected, and uploaded again as it is: it holds every row of each refused household, and its Row and Why columns are ignored."},
		{"重复：同一身份证号在文件中只能出现一次；已登记在您辖区内的人、已在任何县的在办或在保案件中的人不能导入。",
			"Duplicates: an ID number appears once in the file; a person already registered in your area, or in an open case or enrolment in any county, is not imported."},
		{fmt.Sprintf("文件：.xlsx，读取第一个含“姓名”“身份证号”等表头的工作表；表头可在前 %d 行内，列的顺序不限，表头也可用英文列名。一次最多 %d 行、%d MB。",
			headerSearch, MaxDataRows, MaxFileBytes>>20),
			fmt.Sprintf("File: .xlsx; the first sheet whose header names columns such as 姓名 (name) and 身份证号 (id_number) is read; the header may be within the first %d rows, columns in any order, titles in Chinese or English. At most %d rows and %d MB at a time.",
				headerSearch, MaxDataRows, MaxFileBytes>>20)},
		{"同一县同一时间只能进行一项导入。", "One import runs in a county at a time."},
	}
	notes = append(notes, []string{"", "", "", ""})
	for i, r := range rules {
		label := fmt.Sprintf("规则 %d", i+1)
		text := r[0]
		if en {
			label, text = fmt.Sprintf("Rule %d", i+1), r[1]
		}
		notes = append(notes, []string{label, "", text, ""})
	}
	for i, r := range notes {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = f.SetCellStr(help, cell, v)
		}
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, fmt.Errorf("ledger: template style: %w", err)
	}
	_ = f.SetCellStyle(help, "A2", fmt.Sprintf("D%d", len(notes)), wrap)
	_ = f.SetCellStyle(help, "A1", "D1", hs)
	_ = f.SetColWidth(help, "A", "A", 20)
	_ = f.SetColWidth(help, "B", "B", 14)
	_ = f.SetColWidth(help, "C", "C", 90)
	_ = f.SetColWidth(help, "D", "D", 20)
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("ledger: template: %w", err)
	}
	return buf.Bytes(), nil
}
