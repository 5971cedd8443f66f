package tenancy

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/xuri/excelize/v2"
)

// The import template and the error report, as .xlsx files.

// XLSXContentType is the media type of .xlsx files.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Template builds the import template: the columns with two example rows, and a sheet
// explaining every column, the accepted level words and the urban-rural type codes.
func Template() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const data, help = "区划导入", "填写说明"
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return nil, fmt.Errorf("tenancy: template: %w", err)
	}
	header, err := headerStyle(f)
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": codes stay text, never 3.3E+11
	if err != nil {
		return nil, fmt.Errorf("tenancy: template style: %w", err)
	}
	rows := [][]string{
		{"区划代码", "名称", "级别", "上级代码", "城乡分类代码"},
		{"330599101", "示例镇", "乡镇", "330599", ""},
		{"330599101201", "示例村", "村", "330599101", "220"},
		{"330599101001", "示例社区", "社区", "330599101", "121"},
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(data, cell, v); err != nil {
				return nil, fmt.Errorf("tenancy: template: %w", err)
			}
		}
	}
	_ = f.SetColStyle(data, "A:E", text)
	_ = f.SetCellStyle(data, "A1", "E1", header)
	_ = f.SetColWidth(data, "A", "A", 18)
	_ = f.SetColWidth(data, "B", "B", 24)
	_ = f.SetColWidth(data, "C", "E", 14)
	_ = f.SetPanes(data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	if _, err := f.NewSheet(help); err != nil {
		return nil, fmt.Errorf("tenancy: template: %w", err)
	}
	notes := [][]string{
		{"列", "是否必填", "说明"},
		{"区划代码", "必填", "统计用区划代码。乡镇（街道）9 位，如 330523101；村（社区）12 位，如 330523101201。也可填写官方 12 位形式（乡镇末尾补 000，如 330523101000）。必须属于导入的县。"},
		{"名称", "必填", "区划名称，最多 100 个字。"},
		{"级别", "选填", "乡镇、街道、村 或 社区（也可填 township、village，或统计级别 4、5）。不填时按代码位数判断。"},
		{"上级代码", "选填", "乡镇的上级是县（6 位），村（社区）的上级是乡镇（9 位）。填写时必须与区划代码的前几位一致；不填时按代码推出。"},
		{"城乡分类代码", "村（社区）必填", "111 主城区、112 城乡结合区、121 镇中心区、122 镇乡结合区、123 特殊区域、210 乡中心区、220 村庄。乡镇不填。"},
		{"", "", ""},
		{"规则", "", "先检查全部行：只要有一行有错，整个文件都不导入，并列出每一行的问题；全部正确才一次性导入。已存在的区划代码、文件内重复的代码都算错误。县本身及其上级的行会被跳过。"},
		{"文件", "", "支持 .xlsx（读取第一个工作表）和 CSV（UTF-8 或 GBK/GB18030 编码，逗号或制表符分隔）。第一行为表头，列的顺序不限，表头也可用英文：code, name, level, parent, urban_rural_type。"},
	}
	for i, r := range notes {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = f.SetCellStr(help, cell, v)
		}
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, fmt.Errorf("tenancy: template style: %w", err)
	}
	_ = f.SetCellStyle(help, "A2", fmt.Sprintf("C%d", len(notes)), wrap)
	_ = f.SetCellStyle(help, "A1", "C1", header)
	_ = f.SetColWidth(help, "A", "A", 14)
	_ = f.SetColWidth(help, "B", "B", 16)
	_ = f.SetColWidth(help, "C", "C", 90)
	return write(f)
}

// Report builds the per-row error report of a refused import in the caller's language.
func Report(problems []Problem, en bool) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "导入错误"
	head := []string{"行号", "区划代码", "列", "问题"}
	if en {
		sheet, head = "Import errors", []string{"Row", "Code", "Column", "Problem"}
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("tenancy: report: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("tenancy: report: %w", err)
	}
	header, err := headerStyle(f)
	if err != nil {
		return nil, err
	}
	_ = sw.SetColWidth(1, 1, 8)
	_ = sw.SetColWidth(2, 2, 18)
	_ = sw.SetColWidth(3, 3, 16)
	_ = sw.SetColWidth(4, 4, 80)
	values := make([]any, len(head))
	for i, h := range head {
		values[i] = excelize.Cell{StyleID: header, Value: h}
	}
	if err := sw.SetRow("A1", values); err != nil {
		return nil, fmt.Errorf("tenancy: report: %w", err)
	}
	ps := append([]Problem(nil), problems...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Row < ps[j].Row })
	for i, p := range ps {
		msg := p.Message.ZH
		if en {
			msg = p.Message.EN
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		// The code is written as a string so that Excel keeps all its digits.
		if err := sw.SetRow(cell, []any{p.Row, p.Code, FieldLabel(p.Field, en), msg}); err != nil {
			return nil, fmt.Errorf("tenancy: report: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("tenancy: report: %w", err)
	}
	return write(f)
}

// FieldLabel names an import column for people.
func FieldLabel(field string, en bool) string {
	for _, c := range ImportColumns {
		if c.Key == field {
			if en {
				return c.EN
			}
			return c.ZH
		}
	}
	labels := map[string][2]string{"header": {"表头", "header"}, "file": {"文件", "file"}}
	if l, ok := labels[field]; ok {
		if en {
			return l[1]
		}
		return l[0]
	}
	return field
}

func headerStyle(f *excelize.File) (int, error) {
	id, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	})
	if err != nil {
		return 0, fmt.Errorf("tenancy: header style: %w", err)
	}
	return id, nil
}

func write(f *excelize.File) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("tenancy: write xlsx: %w", err)
	}
	return buf.Bytes(), nil
}
