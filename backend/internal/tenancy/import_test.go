package tenancy

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const goodCSV = "区划代码,名称,级别,上级代码,城乡分类代码\n" +
	"330599101,新安镇,乡镇,330599,\n" +
	"330599101201,新安村,村,330599101,220\n" +
	"330599101001,新安社区,社区,330599101,111\n"

func TestReadCSVInEveryEncoding(t *testing.T) {
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(goodCSV))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"utf-8":          []byte(goodCSV),
		"utf-8 with BOM": append([]byte("\xEF\xBB\xBF"), goodCSV...),
		"gb18030":        gbk,
		"tabs":           []byte(strings.ReplaceAll(goodCSV, ",", "\t")),
		"english header, other order": []byte("name,code,urban_rural_type,parent,level\n" +
			"新安镇,330599101,,330599,township\n新安村,330599101201,220,330599101,village\n新安社区,330599101001,111,330599101,village\n"),
	}
	for name, data := range files {
		rows, problems, err := readImportFile(data)
		if err != nil || len(problems) > 0 {
			t.Errorf("%s: %v %v", name, err, problems)
			continue
		}
		if len(rows) != 3 || rows[1].Code != "330599101201" || rows[1].Name != "新安村" || rows[1].UrbanRural != "220" ||
			rows[0].Line != 2 || rows[2].Line != 4 {
			t.Errorf("%s: rows %+v", name, rows)
		}
	}
}

func TestReadXLSXWithNumericCells(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"区划代码", "名称", "级别", "上级代码", "城乡分类代码"},
		{330599101, "新安镇", "乡镇", 330599, nil},
		{nil, nil, nil, nil, nil}, // an empty row is skipped but keeps the numbering
		{330599101201, "新安村", "村", 330599101, 220},
		{"330599101001", "新安社区", "社区", "330599101", "111"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, problems, err := readImportFile(buf.Bytes())
	if err != nil || len(problems) > 0 {
		t.Fatalf("%v %v", err, problems)
	}
	if len(got) != 3 || got[0].Code != "330599101" || got[0].Parent != "330599" || got[1].Code != "330599101201" ||
		got[1].Line != 4 || got[1].UrbanRural != "220" || got[2].Code != "330599101001" {
		t.Fatalf("rows %+v", got)
	}
}

func TestReadRefusesWhatIsNotACodeList(t *testing.T) {
	if _, _, err := readImportFile([]byte("  \n")); err == nil {
		t.Error("empty file accepted")
	}
	if _, _, err := readImportFile([]byte{0xD0, 0xCF, 0x11, 0xE0, 0, 0}); err == nil || !strings.Contains(err.Error(), "import_format") {
		t.Errorf("old xls: %v", err)
	}
	_, problems, err := readImportFile([]byte("代码名称,别的\n330599101,新安镇\n"))
	if err != nil || len(problems) != 2 || problems[0].Row != 1 || problems[0].Field != "header" {
		t.Errorf("missing header columns: %v %+v", err, problems)
	}
	_, problems, err = readImportFile([]byte("区划代码,名称\n"))
	if err != nil || len(problems) != 1 {
		t.Errorf("header only: %v %+v", err, problems)
	}
	if got := numberText("3.30599101201E+11"); got != "330599101201" {
		t.Errorf("numberText = %q", got)
	}
}

func TestCheckImportReportsEveryProblem(t *testing.T) {
	existing := map[string]Division{
		"330599":    {Code: "330599", Level: LevelCounty, Status: StatusActive, Name: "新县"},
		"330599102": {Code: "330599102", Level: LevelTownship, Status: StatusActive, Name: "老镇"},
		"330599103": {Code: "330599103", Level: LevelTownship, Status: StatusRetired, Name: "撤镇"},
	}
	rows := []rawRow{
		{Line: 2, Code: "330599000000", Name: "新县", Level: "县"},                                          // the county itself: skipped
		{Line: 3, Code: "330599101000", Name: "新安镇", Level: "乡镇", Parent: "330599000000"},                // fine (12-digit form)
		{Line: 4, Code: "330599101201", Name: "新安村", Level: "村", Parent: "330599101", UrbanRural: "220"}, // fine, parent in file
		{Line: 5, Code: "330599102201", Name: "老镇村", UrbanRural: "210"},                                  // fine, parent in DB
		{Line: 6, Code: "3305991012", Name: "坏代码"},                                                       // malformed
		{Line: 7, Code: "330599101201", Name: "重复村", UrbanRural: "220"},                                  // duplicate in file
		{Line: 8, Code: "330599102", Name: "老镇"},                                                         // exists in DB
		{Line: 9, Code: "330599104201", Name: "孤儿村", UrbanRural: "220"},                                  // parent nowhere
		{Line: 10, Code: "330599103201", Name: "撤镇村", UrbanRural: "220"},                                 // parent retired
		{Line: 11, Code: "330599101202", Name: "错级村", Parent: "330599", UrbanRural: "220"},               // parent of the wrong level
		{Line: 12, Code: "330599101203", Name: "", UrbanRural: "999"},                                    // no name, bad type
		{Line: 13, Code: "330522101203", Name: "外县村", UrbanRural: "220"},                                 // another county
		{Line: 14, Code: "330599105", Name: "有类型的镇", UrbanRural: "220"},                                  // township with a type
		{Line: 15, Code: "330599101204", Name: "缺类型村", Level: "乡镇"},                                      // level contradicts, no type
		{Line: 16, Code: "33059910120x", Name: "字母"},                                                     // not digits
		{Line: 17, Code: "330599101205", Name: "错上级村", Parent: "330599102", UrbanRural: "220"},           // prefix does not match parent
	}
	plan, problems := checkImport(rows, "330599", existing)
	type key struct {
		row   int
		field string
	}
	got := map[key]bool{}
	for _, p := range problems {
		got[key{p.Row, p.Field}] = true
		if p.Message.ZH == "" || p.Message.EN == "" {
			t.Errorf("row %d: message missing in a language: %+v", p.Row, p)
		}
	}
	want := []key{{6, "code"}, {7, "code"}, {8, "code"}, {9, "parent"}, {10, "parent"}, {11, "parent"}, {12, "name"},
		{12, "urban_rural_type"}, {13, "code"}, {14, "urban_rural_type"}, {15, "level"}, {15, "urban_rural_type"}, {16, "code"},
		{17, "parent"}}
	for _, k := range want {
		if !got[k] {
			t.Errorf("no problem reported for row %d column %s", k.row, k.field)
		}
	}
	for k := range got {
		if k.row <= 5 {
			t.Errorf("a good row reported: %+v", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d problems, want %d: %+v", len(got), len(want), problems)
	}
	for i := 1; i < len(problems); i++ {
		if problems[i].Row < problems[i-1].Row {
			t.Fatal("problems are not in row order")
		}
	}
	if plan.skipped != 1 || len(plan.townships) < 1 || plan.townships[0].Code != "330599101" {
		t.Errorf("plan %+v", plan)
	}
}
