package tenancy_test

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/tenancy"
)

func TestProvisionCounty(t *testing.T) {
	env := apptest.New(t)
	platform := env.SignIn(t, "platform")

	// Province and city exist already: only the county is created, in its own scope.
	r := platform.Do(http.MethodPost, "/api/v1/counties", map[string]any{"code": "330599", "name": "测试县"})
	if r.Status != 201 || !strings.Contains(string(r.Body), `"created_city":false`) {
		t.Fatalf("provision: %d %s", r.Status, r.Body)
	}
	var county string
	if err := env.DB.Super.Get(&county, `SELECT county_code FROM divisions WHERE code = '330599' AND level = 'county' AND parent_code = '3305'`); err != nil || county != "330599" {
		t.Fatalf("county row: %q %v", county, err)
	}
	var n int
	if err := env.DB.Super.Get(&n, `SELECT (SELECT count(*) FROM audit_log WHERE action = 'county.provision' AND county_code IN ('000000', '330599'))
		+ (SELECT count(*) FROM division_history WHERE division_code = '330599' AND action = 'provision')`); err != nil || n != 3 {
		t.Fatalf("audit and history rows: %d %v", n, err)
	}
	// Again: 409, nothing written.
	expectBad(t, env, platform, http.MethodPost, "/api/v1/counties", map[string]any{"code": "330599", "name": "测试县"}, 409, "code", "已开通")

	// A county in a new province needs the province's and the city's names.
	expectBad(t, env, platform, http.MethodPost, "/api/v1/counties", map[string]any{"code": "110101", "name": "东城区"}, 400, "province_name", "11")
	expectBad(t, env, platform, http.MethodPost, "/api/v1/counties", map[string]any{"code": "110101", "name": "东城区", "province_name": "北京市"}, 400, "city_name", "1101")
	r = platform.Do(http.MethodPost, "/api/v1/counties", map[string]any{"code": "110101", "name": "东城区", "province_name": "北京市", "city_name": "市辖区"})
	if r.Status != 201 || !strings.Contains(string(r.Body), `"created_province":true`) || !strings.Contains(string(r.Body), `"created_city":true`) {
		t.Fatalf("provision in a new province: %d %s", r.Status, r.Body)
	}
	if err := env.DB.Super.Get(&n, `SELECT count(*) FROM divisions WHERE code IN ('11', '1101', '110101')`); err != nil || n != 3 {
		t.Fatalf("new province rows: %d %v", n, err)
	}

	// Malformed codes and names.
	for _, code := range []string{"33059", "330500", "3305991", "33a599", "000000", ""} {
		expectBad(t, env, platform, http.MethodPost, "/api/v1/counties", map[string]any{"code": code, "name": "坏县"}, 400, "code", "")
	}
	expectBad(t, env, platform, http.MethodPost, "/api/v1/counties", map[string]any{"code": "330598", "name": ""}, 400, "name", "名称不能为空")
	// County staff may not provision (403, whatever the body).
	expectBad(t, env, env.SignIn(t, "ax.admin"), http.MethodPost, "/api/v1/counties", map[string]any{"code": "330597", "name": "县"}, 403, "", "")
}

// upload posts a file as multipart/form-data.
func upload(t *testing.T, c *apptest.Client, path, filename string, data []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return c.Do(http.MethodPost, path, body.Bytes(), "Content-Type", mw.FormDataContentType())
}

type importProblems struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details struct {
			ErrorCount int `json:"error_count"`
			Errors     []struct {
				Row     int    `json:"row"`
				Code    string `json:"code"`
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"errors"`
			Report struct {
				Filename string `json:"filename"`
				Base64   string `json:"base64"`
			} `json:"report"`
		} `json:"details"`
	} `json:"error"`
}

func TestImportIsAllOrNothing(t *testing.T) {
	env := apptest.New(t)
	platform := env.SignIn(t, "platform")
	if r := platform.Do(http.MethodPost, "/api/v1/counties", map[string]any{"code": "330599", "name": "测试县"}); r.Status != 201 {
		t.Fatalf("provision: %d %s", r.Status, r.Body)
	}
	const path = "/api/v1/counties/330599/divisions/import"
	bad := "区划代码,名称,级别,上级代码,城乡分类代码\n" +
		"330599101,新安镇,乡镇,330599,\n" +
		"330599101201,新安村,村,330599101,220\n" +
		"330599101202,坏村,村,330599101,999\n" +
		"330599102201,孤村,村,330599102,220\n"
	before := env.TenantDigest(t)
	r := upload(t, platform, path, "bad.csv", []byte(bad))
	if r.Status != 422 {
		t.Fatalf("bad file: %d %s", r.Status, r.Body)
	}
	var p importProblems
	r.JSON(t, &p)
	if p.Error.Code != "import_invalid" || p.Error.Details.ErrorCount != 2 || len(p.Error.Details.Errors) != 2 ||
		p.Error.Details.Errors[0].Row != 4 || p.Error.Details.Errors[0].Field != "urban_rural_type" ||
		!strings.Contains(p.Error.Details.Errors[0].Message, "999 无效") ||
		p.Error.Details.Errors[1].Row != 5 || p.Error.Details.Errors[1].Field != "parent" || !strings.Contains(p.Error.Message, "未导入任何数据") {
		t.Fatalf("report: %s", r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("a refused import wrote something")
	}
	// The same report as an .xlsx file.
	raw, err := base64.StdEncoding.DecodeString(p.Error.Details.Report.Base64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("report xlsx: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) != 3 || rows[1][0] != "4" || rows[1][1] != "330599101202" || rows[1][2] != "城乡分类代码" {
		t.Fatalf("report rows: %v %v", rows, err)
	}
	// In English for English callers.
	platform.Lang = "en"
	r = upload(t, platform, path, "bad.csv", []byte(bad))
	r.JSON(t, &p)
	if r.Status != 422 || !strings.Contains(p.Error.Details.Errors[0].Message, "999 is not valid") || !strings.Contains(p.Error.Message, "nothing was imported") {
		t.Fatalf("English report: %s", r.Body)
	}
	platform.Lang = ""

	// A good file, saved by Excel on Chinese Windows (GB18030), with the official 12-digit
	// form of the township code and the county's own row.
	good := "区划代码,名称,级别,上级代码,城乡分类代码\n" +
		"330599000000,测试县,县,3305,\n" +
		"330599101000,新安镇,乡镇,330599,\n" +
		"330599101201,新安村,村,330599101,220\n" +
		"330599101001,新安社区,社区,330599101,111\n" +
		"330599102,东坡乡,乡镇,330599,\n"
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(good))
	r = upload(t, platform, path, "新县.csv", gbk)
	if r.Status != 200 || string(r.Body) != `{"rows":5,"townships":2,"villages":2,"skipped":1}` {
		t.Fatalf("good file: %d %s", r.Status, r.Body)
	}
	var kids list
	get(t, platform, "/api/v1/divisions/330599101/children", 200).JSON(t, &kids)
	if codes(kids.Items) != "330599101001,330599101201" || kids.Items[1].Name != "新安村" || kids.Items[1].UrbanRuralType != "220" {
		t.Fatalf("imported villages: %+v", kids)
	}
	var d detail
	get(t, platform, "/api/v1/divisions/330599101201", 200).JSON(t, &d)
	if len(d.History) != 1 || d.History[0].Action != "import" || d.History[0].Reason != "新县.csv" {
		t.Fatalf("history of an imported village: %+v", d.History)
	}

	// An .xlsx file adding villages under a township already in the database; one code
	// repeats the database, so nothing is added.
	xlsx := func(rows [][]any) []byte {
		f := excelize.NewFile()
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		f.Write(&buf)
		return buf.Bytes()
	}
	before = env.TenantDigest(t)
	r = upload(t, platform, path, "more.xlsx", xlsx([][]any{{"code", "name", "urban_rural_type"},
		{330599102201, "东坡村", 220}, {330599101201, "新安村", 220}}))
	r.JSON(t, &p)
	if r.Status != 422 || len(p.Error.Details.Errors) != 1 || p.Error.Details.Errors[0].Row != 3 || !strings.Contains(p.Error.Details.Errors[0].Message, "已存在") {
		t.Fatalf("xlsx with a duplicate: %d %s", r.Status, r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("a refused xlsx import wrote something")
	}
	r = upload(t, platform, path, "more.xlsx", xlsx([][]any{{"code", "name", "urban_rural_type"}, {330599102201, "东坡村", 220}}))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"villages":1`) {
		t.Fatalf("xlsx: %d %s", r.Status, r.Body)
	}

	// Not a code list, not provisioned, not the platform.
	expectBad(t, env, platform, http.MethodPost, path, map[string]any{}, 415, "", "multipart")
	if r := upload(t, platform, path, "old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 1, 2, 3}); r.Status != 415 {
		t.Fatalf("old xls: %d %s", r.Status, r.Body)
	}
	if r := upload(t, platform, "/api/v1/counties/330598/divisions/import", "x.csv", []byte(good)); r.Status != 404 || r.ErrorCode() != "county_not_provisioned" {
		t.Fatalf("unprovisioned county: %d %s", r.Status, r.Body)
	}
	if r := upload(t, platform, path, "big.csv", bytes.Repeat([]byte("x"), tenancy.MaxImportBytes+1)); r.Status != 413 {
		t.Fatalf("too large: %d %s", r.Status, r.Body)
	}
	if r := upload(t, env.SignIn(t, "ax.admin"), path, "x.csv", []byte(good)); r.Status != 403 {
		t.Fatalf("county admin imports: %d %s", r.Status, r.Body)
	}

	// The template is an .xlsx file whose first sheet the importer reads as a header.
	r = get(t, platform, "/api/v1/divisions/import-template", 200)
	if r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("template headers: %v", r.Header)
	}
	tf, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := tf.GetRows("区划导入")
	if len(head) < 2 || strings.Join(head[0], ",") != "区划代码,名称,级别,上级代码,城乡分类代码" {
		t.Fatalf("template: %v", head)
	}
	if sheets := tf.GetSheetList(); len(sheets) != 2 || sheets[1] != "填写说明" {
		t.Fatalf("template sheets: %v", sheets)
	}
}
