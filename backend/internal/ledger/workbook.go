package ledger

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"dibao/backend/internal/platform/httpx"
)

// Limits of one ledger file.
const (
	MaxFileBytes = 60 << 20 // a 100,000-row ledger is about 6 MB; the server's upload limit may be lower
	MaxDataRows  = 200_000  // a county's whole ledger fits several times over
	headerSearch = 10       // the header is within the first rows (a title row may come first)
)

// xlsxOptions keep the workbook on disk: worksheets and shared strings larger than 1 MB are
// unzipped to temporary files and read from there, so memory does not grow with the file.
var xlsxOptions = excelize.Options{UnzipXMLSizeLimit: 1 << 20, UnzipSizeLimit: 4 << 30, RawCellValue: true}

// workbook is an opened ledger file positioned after its header row.
type workbook struct {
	f      *excelize.File
	sheet  string
	rows   *excelize.Rows
	layout layout
	line   int // the sheet row number of the last row read
}

// openWorkbook opens the upload at path, finds the sheet holding the ledger (the first one
// whose header names the person columns) and reads its header. A file that is no ledger
// gives a 4xx error that says why.
func openWorkbook(p string) (*workbook, error) {
	head := make([]byte, 8)
	if fh, err := os.Open(p); err == nil {
		n, _ := io.ReadFull(fh, head)
		fh.Close()
		head = head[:n]
	}
	switch {
	case len(head) == 0:
		return nil, httpx.Invalid("file", "上传的文件是空的", "The uploaded file is empty")
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, httpx.Msg(http.StatusUnsupportedMediaType, "import_format",
			"不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后上传", "Old Excel (.xls) files are not supported; save the file as .xlsx and upload it again").
			WithDetails(map[string]any{"field": "file"})
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, httpx.Msg(http.StatusUnsupportedMediaType, "import_format",
			"文件不是 Excel 工作簿（.xlsx），请使用导入模板", "The file is not an Excel workbook (.xlsx); use the import template").
			WithDetails(map[string]any{"field": "file"})
	}
	f, err := excelize.OpenFile(p, xlsxOptions)
	if err != nil {
		return nil, httpx.Msg(http.StatusUnprocessableEntity, "import_format",
			"无法读取该 Excel 文件（可能已损坏或设置了密码）", "The Excel file cannot be read (it may be damaged or password-protected)").
			WithDetails(map[string]any{"field": "file"})
	}
	var firstErr error
	for _, sheet := range f.GetSheetList() {
		w, err := openSheet(f, sheet)
		if err == nil {
			return w, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	f.Close()
	if firstErr == nil {
		firstErr = errNoHeader()
	}
	return nil, firstErr
}

func errNoHeader() error {
	return httpx.Msg(http.StatusUnprocessableEntity, "import_header",
		"找不到台账的表头：表头行应含“姓名”“身份证号”等列名，请使用导入模板",
		"The ledger's header row was not found: it names columns such as 姓名 (name) and 身份证号 (id_number); use the import template").
		WithDetails(map[string]any{"field": "header"})
}

// openSheet reads sheet up to its header. A sheet whose first rows name neither the name nor
// the ID number column is not the ledger (the template's explanation sheet, for one).
func openSheet(f *excelize.File, sheet string) (*workbook, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, errNoHeader()
	}
	w := &workbook{f: f, sheet: sheet, rows: rows}
	for w.line < headerSearch && rows.Next() {
		w.line++
		cells, err := rows.Columns(xlsxOptions)
		if err != nil {
			rows.Close()
			return nil, errNoHeader()
		}
		l, found, err := readHeader(cells)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if found {
			w.layout = l
			return w, nil
		}
	}
	rows.Close()
	return nil, errNoHeader()
}

// readHeader maps a header row's titles to columns. found is false when the row is not a
// header; a header that lacks a required column, or names one twice, is an error.
func readHeader(cells []string) (layout, bool, error) {
	l := layout{pos: map[string]int{}, header: make([]string, len(cells))}
	var twice []string
	for i, c := range cells {
		l.header[i] = strings.TrimSpace(c)
		key, ok := headerIndex[normaliseHeader(c)]
		if !ok || c == "" {
			continue
		}
		if _, dup := l.pos[key]; dup {
			twice = append(twice, l.header[i])
			continue
		}
		l.pos[key] = i
	}
	_, hasName := l.pos[colName]
	_, hasID := l.pos[colIDNumber]
	if !hasName && !hasID {
		return l, false, nil
	}
	if len(twice) > 0 {
		return l, true, httpx.Msg(http.StatusUnprocessableEntity, "import_header",
			fmt.Sprintf("表头中有重复的列：%s", strings.Join(twice, "、")),
			fmt.Sprintf("The header names a column twice: %s", strings.Join(twice, ", "))).
			WithDetails(map[string]any{"field": "header", "columns": twice})
	}
	var missingZH, missingEN []string
	for _, c := range columns {
		if _, ok := l.pos[c.Key]; c.Required != "" && !ok {
			missingZH, missingEN = append(missingZH, c.ZH), append(missingEN, c.EN)
		}
	}
	_, hasKey := l.pos[colHouseholdKey]
	_, hasHeadID := l.pos[colHeadIDNumber]
	if !hasKey && !hasHeadID {
		missingZH, missingEN = append(missingZH, "户编号（或户主身份证号）"), append(missingEN, "household_no (or head_id_number)")
	}
	if len(missingZH) > 0 {
		return l, true, httpx.Msg(http.StatusUnprocessableEntity, "import_header",
			fmt.Sprintf("表头缺少必需的列：%s。请使用导入模板", strings.Join(missingZH, "、")),
			fmt.Sprintf("The header lacks required columns: %s. Use the import template", strings.Join(missingEN, ", "))).
			WithDetails(map[string]any{"field": "header", "missing": missingEN})
	}
	return l, true, nil
}

// next reads the next row that is not blank; ok is false at the end of the sheet.
func (w *workbook) next() (sheetRow, bool, error) {
	for w.rows.Next() {
		w.line++
		cells, err := w.rows.Columns(xlsxOptions)
		if err != nil {
			return sheetRow{}, false, fmt.Errorf("ledger: read row %d: %w", w.line, err)
		}
		r := sheetRow{Line: w.line, Cells: cells}
		if len(cells) == 0 || w.layout.blank(r) {
			continue
		}
		return r, true, nil
	}
	if err := w.rows.Error(); err != nil {
		return sheetRow{}, false, fmt.Errorf("ledger: read rows: %w", err)
	}
	return sheetRow{}, false, nil
}

// Close lets go of the workbook and its temporary files.
func (w *workbook) Close() {
	w.rows.Close()
	w.f.Close()
}

// lastRow finds the number of the sheet's last row by scanning its XML once, unzipped as a
// stream (no parsing; a fraction of a second for 100,000 rows), so that progress can be
// told in per cent.
func lastRow(p, sheet string) (int, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return 0, fmt.Errorf("ledger: count rows: %w", err)
	}
	defer zr.Close()
	target, err := sheetPart(&zr.Reader, sheet)
	if err != nil {
		return 0, err
	}
	for _, zf := range zr.File {
		if zf.Name != target {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return 0, fmt.Errorf("ledger: count rows: %w", err)
		}
		defer rc.Close()
		return scanRows(bufio.NewReaderSize(rc, 64<<10))
	}
	return 0, fmt.Errorf("ledger: count rows: %s not in the workbook", target)
}

// scanRows returns the largest r="n" of the row elements read from rd (or their count,
// for writers that leave r out).
func scanRows(rd *bufio.Reader) (int, error) {
	last, count := 0, 0
	var tag []byte
	for {
		if _, err := rd.ReadSlice('<'); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				break
			}
			return 0, fmt.Errorf("ledger: count rows: %w", err)
		}
		peek, _ := rd.Peek(64)
		if len(peek) == 0 || peek[0] == '/' {
			continue // an end tag
		}
		name := peek
		if i := bytes.IndexByte(name, ':'); i >= 0 && i < bytes.IndexAny(name, " >") {
			name = name[i+1:] // x:row
		}
		if !bytes.HasPrefix(name, []byte("row")) || len(name) < 4 || (name[3] != ' ' && name[3] != '>') {
			continue
		}
		count++
		tag = peek
		if i := bytes.IndexByte(tag, '>'); i >= 0 {
			tag = tag[:i]
		}
		if i := bytes.Index(tag, []byte(` r="`)); i >= 0 {
			rest := tag[i+4:]
			if j := bytes.IndexByte(rest, '"'); j > 0 {
				if n, err := strconv.Atoi(string(rest[:j])); err == nil && n > last {
					last = n
				}
			}
		}
	}
	return max(last, count), nil
}

// sheetPart finds the zip entry of the named sheet through the workbook and its relations.
func sheetPart(zr *zip.Reader, sheet string) (string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readZipXML(zr, "xl/workbook.xml", &wb); err != nil {
		return "", err
	}
	if err := readZipXML(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", err
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID == s.RID {
				if strings.HasPrefix(r.Target, "/") {
					return strings.TrimPrefix(r.Target, "/"), nil
				}
				return path.Join("xl", r.Target), nil
			}
		}
	}
	return "", fmt.Errorf("ledger: count rows: sheet %q not found", sheet)
}

func readZipXML(zr *zip.Reader, name string, v any) error {
	for _, zf := range zr.File {
		if !strings.EqualFold(zf.Name, name) {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("ledger: read %s: %w", name, err)
		}
		defer rc.Close()
		if err := xml.NewDecoder(io.LimitReader(rc, 8<<20)).Decode(v); err != nil {
			return fmt.Errorf("ledger: read %s: %w", name, err)
		}
		return nil
	}
	return fmt.Errorf("ledger: %s not in the workbook", name)
}
