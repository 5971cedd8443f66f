package ledger

import (
	"bufio"
	"strings"
	"testing"
	"time"

	"dibao/backend/internal/platform/civil"
)

func TestYuanToFen(t *testing.T) {
	ok := map[string]int64{
		"": 0, "0": 0, "1234.56": 123456, "1234.5": 123450, "1234": 123400, "0.01": 1, ".5": -1, "00012.30": 1230,
		"1,234.56": 123456, "￥88": 8800, "88元": 8800, " 350.50 ": 35050,
		// Excel's binary noise on a computed value: rounded to 15 significant digits first.
		"1234.5599999999999": 123456, "0.30000000000000004": 30, "1800.0000000000002": 180000,
		"99999999999.99": 9999999999999,
	}
	for in, want := range ok {
		got, p := yuanToFen(in)
		if want == -1 {
			if p == nil {
				t.Errorf("yuanToFen(%q) = %d, want a problem", in, got)
			}
			continue
		}
		if p != nil || got != want {
			t.Errorf("yuanToFen(%q) = %d, %v; want %d", in, got, p, want)
		}
	}
	for _, in := range []string{"-5", "−5", "12.345", "0.001", "abc", "1e5", "1.2.3", "100000000000", "12.3456789"} {
		if got, p := yuanToFen(in); p == nil {
			t.Errorf("yuanToFen(%q) = %d, want a problem", in, got)
		}
	}
	if _, p := yuanToFen("-5"); !strings.Contains(p.ZH, "负数") || !strings.Contains(p.EN, "negative") {
		t.Errorf("negative: %+v", p)
	}
	if _, p := yuanToFen("12.345"); !strings.Contains(p.ZH, "不足一分") || !strings.Contains(p.EN, "fraction of a fen") {
		t.Errorf("fraction of a fen: %+v", p)
	}
}

func TestRoundSignificant(t *testing.T) {
	for _, c := range []struct{ whole, frac, w, f string }{
		{"1234", "5599999999999", "1234", "56000000000"},
		{"", "30000000000000004", "", "300000000000000"},
		{"999", "99999999999999", "1000", "000000000000"},
		{"", "99999999999999999", "1", "000000000000000"},
		{"12", "345", "12", "345"},
	} {
		w, f := roundSignificant(c.whole, c.frac, 15)
		if w != c.w || f != c.f {
			t.Errorf("roundSignificant(%s.%s) = %s.%s, want %s.%s", c.whole, c.frac, w, f, c.w, c.f)
		}
	}
}

func TestParseDate(t *testing.T) {
	want := civil.Date{Year: 1962, Month: time.March, Day: 15}
	for _, in := range []string{"1962-03-15", "1962/3/15", "1962.3.15", "1962年3月15日", "19620315", "22720", "1962-03-15 00:00:00"} {
		got, ok := parseDate(in)
		if !ok || got != want {
			t.Errorf("parseDate(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"1962-02-30", "15/03/1962", "abc", "60", "1962-13-01"} {
		if got, ok := parseDate(in); ok {
			t.Errorf("parseDate(%q) = %v, want no date", in, got)
		}
	}
}

func TestNormaliseHeader(t *testing.T) {
	for title, key := range map[string]string{
		"户编号": colHouseholdKey, "村（社区）代码": colVillage, "工资性收入（元/月）": colIncomeWages, "工资性收入(元)": colIncomeWages,
		" 姓 名 ": colName, "身份证号码*": colIDNumber, "ID_Number": colIDNumber, "household_no": colHouseholdKey,
		"与户主关系": colRelation, "income_wages": colIncomeWages, "Village_Code": colVillage,
	} {
		if got := headerIndex[normaliseHeader(title)]; got != key {
			t.Errorf("header %q → %q, want %q", title, got, key)
		}
	}
	// Every title the template writes is found again.
	for _, c := range columns {
		for _, title := range []string{c.ZH, c.EN} {
			if got := headerIndex[normaliseHeader(title)]; got != c.Key {
				t.Errorf("template title %q → %q, want %q", title, got, c.Key)
			}
		}
	}
}

func TestScanRows(t *testing.T) {
	xml := `<worksheet><sheetData><row r="1" spans="1:3"><c r="A1"/></row><row r="2"></row><row r="7"><c/></row>` +
		`</sheetData><rowBreaks count="1"/></worksheet>`
	n, err := scanRows(bufio.NewReader(strings.NewReader(xml)))
	if err != nil || n != 7 {
		t.Errorf("scanRows = %d, %v; want 7", n, err)
	}
	n, _ = scanRows(bufio.NewReader(strings.NewReader(`<x:sheetData><x:row><x:c/></x:row><x:row/><x:row></x:row></x:sheetData>`)))
	if n != 2 { // <x:row/> is not counted: a self-closed row holds nothing
		t.Errorf("scanRows without r = %d, want 2", n)
	}
}

func TestExamplesAreValid(t *testing.T) {
	l := layout{pos: map[string]int{}}
	for i, c := range columns {
		l.pos[c.Key] = i
	}
	for r := 0; r < 3; r++ {
		cells := make([]string, len(columns))
		for i, c := range columns {
			cells[i] = c.Example[r]
		}
		rec := checkRow(&l, sheetRow{Line: r + 2, Cells: cells}, time.Now())
		if len(rec.Problems) > 0 {
			t.Errorf("template example %d: %+v", r+1, rec.Problems)
		}
	}
}
