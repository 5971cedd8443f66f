package tenancy

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"dibao/backend/internal/platform/httpx"
)

// Reading an uploaded code list: CSV (UTF-8 with or without BOM, or GB18030 as Excel
// saves it on Chinese Windows; comma or tab separated) or .xlsx (first sheet, streamed row
// by row). The first non-empty row is the header; columns are found by name in Chinese or
// English, in any order.

// Limits on an import file.
const (
	MaxImportBytes = 8 << 20 // the server's body limit may be lower
	MaxImportRows  = 20000   // a county has a few thousand villages at most
)

// rawRow is one data row as written in the file, with its row number there (1 = header).
type rawRow struct {
	Line                                  int
	Code, Name, Level, Parent, UrbanRural string
}

// Column keys and the header names each is known by (compared without spaces, case-folded).
const (
	colCode       = "code"
	colName       = "name"
	colLevel      = "level"
	colParent     = "parent"
	colUrbanRural = "urban_rural_type"
)

var headerNames = map[string][]string{
	colCode:       {"区划代码", "统计用区划代码", "代码", "code", "division_code"},
	colName:       {"名称", "区划名称", "name"},
	colLevel:      {"级别", "层级", "区划级别", "level"},
	colParent:     {"上级代码", "上级区划代码", "parent", "parent_code"},
	colUrbanRural: {"城乡分类代码", "城乡分类", "urban_rural_type", "urban_rural"},
}

// ImportColumns are the template's headers, in order.
var ImportColumns = []struct{ Key, ZH, EN string }{
	{colCode, "区划代码", "code"},
	{colName, "名称", "name"},
	{colLevel, "级别", "level"},
	{colParent, "上级代码", "parent"},
	{colUrbanRural, "城乡分类代码", "urban_rural_type"},
}

// readImportFile reads every data row of data. A file that cannot be read as a code list
// gives a 4xx error; a header missing a required column gives a problem on row 1.
func readImportFile(data []byte) ([]rawRow, []Problem, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, nil, httpx.Invalid("file", "上传的文件是空的", "The uploaded file is empty")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, nil, httpx.Msg(http.StatusUnsupportedMediaType, "import_format",
			"不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传",
			"Old Excel (.xls) files are not supported; save the file as .xlsx or CSV and upload it again")
	}
	return readCSV(data)
}

func readCSV(data []byte) ([]rawRow, []Problem, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		// Excel on Chinese Windows saves CSV as GB18030 (GBK); anything not UTF-8 is tried as that.
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(decoded) {
			return nil, nil, httpx.Msg(http.StatusUnsupportedMediaType, "import_encoding",
				"无法识别文件的字符编码，请保存为 UTF-8 编码的 CSV 或 .xlsx 文件",
				"The file's character encoding is not recognised; save it as UTF-8 CSV or .xlsx")
		}
		data = decoded
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	firstLine, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(firstLine, []byte("\t")) > bytes.Count(firstLine, []byte(",")) {
		r.Comma = '\t'
	}
	var sheet sheetReader
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, httpx.Invalid("file",
				fmt.Sprintf("第 %d 行无法按 CSV 读取：%v", line, err), fmt.Sprintf("Row %d cannot be read as CSV: %v", line, err))
		}
		if err := sheet.add(line, rec); err != nil {
			return nil, nil, err
		}
	}
	return sheet.finish()
}

func readXLSX(data []byte) ([]rawRow, []Problem, error) {
	unreadable := httpx.Invalid("file", "无法读取 Excel 文件，请确认文件是 .xlsx 格式且未损坏",
		"The Excel file cannot be read; check that it is an undamaged .xlsx file")
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true, UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, nil, unreadable
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, unreadable
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, nil, unreadable
	}
	defer rows.Close()
	var sheet sheetReader
	for line := 1; rows.Next(); line++ {
		cols, err := rows.Columns()
		if err != nil {
			return nil, nil, unreadable
		}
		if err := sheet.add(line, cols); err != nil {
			return nil, nil, err
		}
	}
	if rows.Error() != nil {
		return nil, nil, unreadable
	}
	return sheet.finish()
}

// sheetReader turns records into rows: it finds the header, then maps each record.
type sheetReader struct {
	columns    map[string]int // column key -> index
	headerLine int
	rows       []rawRow
	problems   []Problem
}

func (s *sheetReader) add(line int, rec []string) error {
	empty := true
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	if s.columns == nil {
		s.header(line, rec)
		return nil
	}
	if len(s.rows) >= MaxImportRows {
		return httpx.Msg(http.StatusRequestEntityTooLarge, "import_too_many_rows",
			fmt.Sprintf("文件超过 %d 行，请分批导入", MaxImportRows),
			fmt.Sprintf("The file has more than %d rows; import it in parts", MaxImportRows))
	}
	cell := func(key string) string {
		i, ok := s.columns[key]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	s.rows = append(s.rows, rawRow{Line: line, Code: numberText(cell(colCode)), Name: cell(colName),
		Level: cell(colLevel), Parent: numberText(cell(colParent)), UrbanRural: numberText(cell(colUrbanRural))})
	return nil
}

func (s *sheetReader) header(line int, rec []string) {
	s.headerLine = line
	s.columns = map[string]int{}
	for i, h := range rec {
		h = strings.ToLower(strings.Join(strings.Fields(h), ""))
		for key, names := range headerNames {
			for _, n := range names {
				if h == n {
					if _, dup := s.columns[key]; !dup {
						s.columns[key] = i
					}
				}
			}
		}
	}
	for _, c := range ImportColumns {
		if c.Key != colCode && c.Key != colName {
			continue // level, parent and urban-rural type may be left out; they follow from the codes
		}
		if _, ok := s.columns[c.Key]; !ok {
			s.problems = append(s.problems, Problem{Row: line, Field: "header", Message: httpx.Text{
				ZH: fmt.Sprintf("表头缺少「%s」列（表头须包含：区划代码、名称、级别、上级代码、城乡分类代码）", c.ZH),
				EN: fmt.Sprintf("The header has no %q column (expected: code, name, level, parent, urban_rural_type)", c.EN)}})
		}
	}
}

func (s *sheetReader) finish() ([]rawRow, []Problem, error) {
	if s.columns == nil {
		return nil, nil, httpx.Invalid("file", "上传的文件是空的", "The uploaded file is empty")
	}
	if len(s.problems) > 0 {
		return nil, s.problems, nil
	}
	if len(s.rows) == 0 {
		return nil, []Problem{{Row: s.headerLine, Field: "file", Message: httpx.Text{
			ZH: "文件只有表头，没有区划数据", EN: "The file has a header but no divisions"}}}, nil
	}
	return s.rows, nil, nil
}

// numberText undoes what spreadsheets do to long digit strings: 330523101201.0 and
// 3.30523101201E+11 become 330523101201 again.
func numberText(v string) string {
	if v == "" || allDigits(v) {
		return v
	}
	if strings.HasSuffix(v, ".0") && allDigits(strings.TrimSuffix(v, ".0")) {
		return strings.TrimSuffix(v, ".0")
	}
	if strings.ContainsAny(v, "eE") {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 1e13 && f == float64(int64(f)) {
			return strconv.FormatInt(int64(f), 10)
		}
	}
	return v
}
