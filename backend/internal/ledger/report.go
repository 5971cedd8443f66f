package ledger

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// XLSXContentType is the media type of .xlsx files.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// report is the workbook of a job's refused rows, written row by row with excelize's
// stream writer (which spills to a temporary file), so a large report stays out of memory.
type report struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	rows  int
	width int // the file's columns
	text  int // the style keeping every cell text (long numbers stay whole)
}

// ReportFile is a finished report to send.
type ReportFile struct {
	Name string
	rep  *report
}

// WriteTo writes the .xlsx.
func (r *ReportFile) WriteTo(w io.Writer) (int64, error) {
	n, err := r.rep.f.WriteTo(w)
	if err != nil {
		return n, fmt.Errorf("ledger: write report: %w", err)
	}
	return n, nil
}

// Close lets go of the report's temporary files.
func (r *ReportFile) Close() { r.rep.Close() }

// newReport starts a report whose columns are 行号, 问题 and then the file's own header.
func newReport(header []string, en bool) (*report, error) {
	f := excelize.NewFile()
	sheet := "未导入的行"
	head := []string{"行号", "未导入的原因"}
	if en {
		sheet, head = "Rows not imported", []string{"Row", "Why it was not imported"}
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: report: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: report: %w", err)
	}
	hs, err := headerStyle(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: report style: %w", err)
	}
	_ = sw.SetColWidth(1, 1, 8)
	_ = sw.SetColWidth(2, 2, 60)
	if len(header) > 0 {
		_ = sw.SetColWidth(3, 2+len(header), 16)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: report panes: %w", err)
	}
	values := make([]any, 0, 2+len(header))
	for _, h := range append(head, header...) {
		values = append(values, excelize.Cell{StyleID: hs, Value: h})
	}
	if err := sw.SetRow("A1", values); err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: report: %w", err)
	}
	return &report{f: f, sw: sw, width: len(header), text: text}, nil
}

// add writes one refused row: its number, its reasons, its cells (as text).
func (r *report) add(row int, ps []ProblemOutput, cells []string) error {
	reasons := make([]string, len(ps))
	for i, p := range ps {
		if p.Column != "" {
			reasons[i] = p.ColumnLabel + "：" + p.Message
		} else {
			reasons[i] = p.Message
		}
	}
	values := make([]any, 0, 2+r.width)
	values = append(values, row, strings.Join(reasons, "；"))
	for i := 0; i < r.width; i++ {
		v := ""
		if i < len(cells) {
			v = cells[i]
		}
		values = append(values, excelize.Cell{StyleID: r.text, Value: v})
	}
	r.rows++
	cell, _ := excelize.CoordinatesToCellName(1, r.rows+1)
	if err := r.sw.SetRow(cell, values); err != nil {
		return fmt.Errorf("ledger: report row %d: %w", row, err)
	}
	return nil
}

func (r *report) finish() error {
	if err := r.sw.Flush(); err != nil {
		return fmt.Errorf("ledger: report: %w", err)
	}
	return nil
}

func (r *report) Close() { r.f.Close() }

func reportName(j Job, en bool) string {
	if en {
		return fmt.Sprintf("ledger-import-%d-rows-not-imported.xlsx", j.ID)
	}
	return fmt.Sprintf("台账导入%d-未导入的行.xlsx", j.ID)
}

func headerStyle(f *excelize.File) (int, error) {
	id, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	})
	if err != nil {
		return 0, fmt.Errorf("ledger: header style: %w", err)
	}
	return id, nil
}
