package ledger_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/household"
	"dibao/backend/internal/ledger"
	"dibao/backend/internal/platform/civil"
)

// Integration tests of the ledger import against the whole server (real PostgreSQL and
// Redis): the template, an import of good and bad households, every kind of bad row the
// issue names, duplicates against the registry and the platform-wide person index, a
// household the database refuses midway, the one-import-per-county lock and bad files.

// header is the template's column titles in Chinese, in a shorter order than the template:
// columns are found by title.
var header = []any{"户编号", "村（社区）代码", "城乡类别", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "残疾等级",
	"重病", "劳动能力", "联系电话", "开户银行", "银行账号", "工资性收入（元/月）", "转移性收入（元/月）"}

// id makes a valid ID number of 安吉县: n distinguishes people, male picks the sex digit.
func id(n int, birth civil.Date, male bool) string {
	seq := 2 * (n % 500)
	if male {
		seq++
	}
	return household.MakeIDNumber("330523", birth.AddDays(n/500), seq)
}

func date(y, m, d int) civil.Date { return civil.Date{Year: y, Month: time.Month(m), Day: d} }

// person is one row: household key, village, category, name, ID, sex, birth, relation,
// disability, illness, labour, phone, bank, account, wages, transfers.
func person(key, village, name, idn, relation string, extra ...any) []any {
	r := []any{key, village, "", name, idn, "", "", relation, "", "", "", "", "", "", "", ""}
	for i := 0; i+1 < len(extra); i += 2 {
		r[extra[i].(int)] = extra[i+1]
	}
	return r
}

// Column positions in header, for person's extras.
const (
	cVillage, cCategory, cSex, cBirth = 1, 2, 5, 6
	cPhone, cBank, cAccount, cWages   = 11, 12, 13, 14
	cTransfer                         = 15
)

func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		r := r
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a file as multipart/form-data.
func upload(c *apptest.Client, path, name string, data []byte) *apptest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return c.Do(http.MethodPost, path, body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// importFile uploads data as c and waits for the job to end.
func importFile(t *testing.T, c *apptest.Client, data []byte) ledger.Job {
	t.Helper()
	r := upload(c, "/api/v1/households/import", "台账.xlsx", data)
	if r.Status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var st ledger.Started
	r.JSON(t, &st)
	return waitJob(t, c, st.JobID)
}

func waitJob(t *testing.T, c *apptest.Client, job int64) ledger.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var j ledger.Job
		r := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/import-jobs/%d", job), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("job %d: %d %s", job, r.Status, r.Body)
		}
		r.JSON(t, &j)
		if j.Status == ledger.StatusDone || j.Status == ledger.StatusFailed {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s after a minute", job, j.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func rejected(t *testing.T, c *apptest.Client, job int64) []ledger.Rejected {
	t.Helper()
	var page ledger.RejectedPage
	r := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/import-jobs/%d/rejected?limit=200", job), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("rejected rows: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &page)
	return page.Items
}

// reasons joins a refused row's messages.
func reasons(r ledger.Rejected) string {
	var s []string
	for _, p := range r.Problems {
		s = append(s, p.Column+": "+p.Message)
	}
	return strings.Join(s, " | ")
}

func byRow(rs []ledger.Rejected) map[int]ledger.Rejected {
	m := map[int]ledger.Rejected{}
	for _, r := range rs {
		m[r.Row] = r
	}
	return m
}

// householdsNamed counts the registered households headed by name, and their members.
func householdsNamed(t *testing.T, env *apptest.Env, name string) (households, members int) {
	t.Helper()
	if err := env.DB.Super.Get(&households, `SELECT count(*) FROM households WHERE head_name = $1`, name); err != nil {
		t.Fatal(err)
	}
	if err := env.DB.Super.Get(&members, `SELECT count(*) FROM household_members m JOIN households h
		ON h.county_code = m.county_code AND h.id = m.household_id WHERE h.head_name = $1`, name); err != nil {
		t.Fatal(err)
	}
	return households, members
}

const (
	meixi   = "330523101201" // 梅溪村, rural (220)
	shequ   = "330523101001" // 梅溪社区, urban (121)
	xiaoshu = "330523101206" // 晓墅村
)

func TestImportGoodAndBadHouseholds(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	b := date(1960, 5, 1)
	data := workbook(t,
		// Household 1: a couple with a son; incomes in yuan with decimals.
		person("1", meixi, "赵大山", id(1, b, true), "本人", cPhone, "13857200011", cBank, "安吉农商银行", cAccount, "6217000012345678901", cTransfer, "120.5"),
		person("1", "", "钱桂英", id(2, b, false), "配偶"),
		person("1", "", "赵小山", id(3, date(1990, 2, 3), true), "子女", cWages, "1800.00"),
		// Household 2: one person in a community (urban by the village's type), income as a number cell.
		person("2", shequ, "孙一", id(4, b, true), "本人", cWages, 1234.56),
		// Household 3: wrong check digit on the second member: the whole household is refused.
		person("3", xiaoshu, "李坏户", id(5, b, true), "本人"),
		person("3", "", "李错号", id(6, b, false)[:17]+"0", "配偶"),
		// Household 4: two members, fine; category written out.
		person("4", xiaoshu, "周四", id(7, b, true), "户主", cCategory, "城镇"),
		person("4", "", "周小四", id(8, date(2010, 1, 1), false), "女儿"),
		// Household 5: a head with a negative income: refused.
		person("5", meixi, "吴负数", id(9, b, true), "本人", cWages, "-5"),
	)
	job := importFile(t, clerk, data)
	if job.Status != ledger.StatusDone || job.HouseholdsImported != 3 || job.HouseholdsRejected != 2 ||
		job.RowsImported != 6 || job.RowsRejected != 3 || job.RowsTotal != 9 || job.Percent == nil || *job.Percent != 100 {
		t.Fatalf("job = %+v", job)
	}

	// Accepted households are whole, with the right fields; refused ones left nothing.
	for name, want := range map[string][2]int{"赵大山": {1, 3}, "孙一": {1, 1}, "周四": {1, 2}, "李坏户": {0, 0}, "吴负数": {0, 0}} {
		if h, m := householdsNamed(t, env, name); h != want[0] || m != want[1] {
			t.Errorf("%s: %d households with %d members, want %v", name, h, m, want)
		}
	}
	// The list's summary (0015), written by the import with each household.
	var summaries []string
	env.DB.Super.Select(&summaries, `SELECT h.head_name || ' ' || h.member_count || ' ' || h.head_id_number_masked FROM households h
		WHERE h.member_count <> (SELECT count(*) FROM household_members m WHERE m.county_code = h.county_code AND m.household_id = h.id)
			OR h.head_id_number_masked IS DISTINCT FROM (SELECT m.id_number_masked FROM household_members m
				WHERE m.county_code = h.county_code AND m.household_id = h.id AND m.relation = 'self')`)
	if len(summaries) != 0 {
		t.Errorf("households whose member count or head disagree with their members: %v", summaries)
	}
	var h struct {
		Category, Division, PhoneMasked, AccountMasked string
		PhoneEnc, AccountIndex                         []byte
	}
	if err := env.DB.Super.QueryRow(`SELECT category, division_code, phone_masked, bank_account_masked, phone_enc, bank_account_index
		FROM households WHERE head_name = '赵大山'`).Scan(&h.Category, &h.Division, &h.PhoneMasked, &h.AccountMasked, &h.PhoneEnc, &h.AccountIndex); err != nil {
		t.Fatal(err)
	}
	if h.Category != "rural" || h.Division != meixi || h.PhoneMasked != "138****0011" || h.AccountMasked == "" ||
		len(h.AccountIndex) == 0 || bytes.Contains(h.PhoneEnc, []byte("13857200011")) {
		t.Errorf("household 1 = %+v", h)
	}
	if phone, err := env.Box.Open(household.PhoneField, h.PhoneEnc); err != nil || phone != "13857200011" {
		t.Errorf("phone opens to %q, %v", phone, err)
	}
	var cats []string
	env.DB.Super.Select(&cats, `SELECT category FROM households WHERE head_name IN ('孙一', '周四') ORDER BY head_name`)
	if strings.Join(cats, ",") != "urban,urban" {
		t.Errorf("categories of 孙一, 周四 = %v, want urban (community type 121; written 城镇)", cats)
	}
	var fen []int64
	env.DB.Super.Select(&fen, `SELECT monthly_fen FROM household_incomes ORDER BY monthly_fen`)
	if fmt.Sprint(fen) != "[12050 123456 180000]" {
		t.Errorf("incomes in fen = %v, want [12050 123456 180000]", fen)
	}
	var idx []byte
	env.DB.Super.Get(&idx, `SELECT id_number_index FROM household_members WHERE name = '赵小山'`)
	if !bytes.Equal(idx, env.Box.Index(household.IDNumberField, id(3, date(1990, 2, 3), true))) {
		t.Error("the member's blind index is not the registry's")
	}
	var history int
	env.DB.Super.Get(&history, `SELECT count(*) FROM household_history WHERE action = 'import'`)
	if history != 3 {
		t.Errorf("%d import history rows, want 3", history)
	}

	// The refused rows, with row numbers and reasons, in Chinese …
	rows := byRow(rejected(t, clerk, job.ID))
	if len(rows) != 3 {
		t.Fatalf("refused rows = %+v", rows)
	}
	if r := rows[7]; !strings.Contains(reasons(r), "id_number: 李错号") && !strings.Contains(reasons(r), "校验位") {
		t.Errorf("row 7: %s", reasons(r))
	}
	if r := rows[6]; !strings.Contains(reasons(r), "本户其他行有错误") {
		t.Errorf("row 6 (the head of the refused household): %s", reasons(r))
	}
	if r := rows[10]; !strings.Contains(reasons(r), "income_wages") || !strings.Contains(reasons(r), "负数") ||
		r.HouseholdKey != "5" || r.MemberName != "吴负数" || !strings.Contains(r.IDNumberMasked, "****") {
		t.Errorf("row 10: %+v", r)
	}
	// … and in English.
	clerk.Lang = "en"
	en := byRow(rejected(t, clerk, job.ID))
	if !strings.Contains(reasons(en[7]), "check digit") || !strings.Contains(reasons(en[10]), "negative") ||
		!strings.Contains(reasons(en[6]), "another row of this household") {
		t.Errorf("English reasons: %s / %s / %s", reasons(en[7]), reasons(en[10]), reasons(en[6]))
	}

	// Live progress stays in Redis a while, under the county's hash tag.
	if ttl := env.Redis.TTL(t.Context(), fmt.Sprintf("%s{c330523}:ledger:job:%d", env.Prefix, job.ID)).Val(); ttl <= 0 {
		t.Errorf("progress key TTL = %s", ttl)
	}

	// The report: the same rows with their cells as uploaded, in the caller's language.
	var reportZH []byte
	for _, lang := range []string{"zh-CN", "en"} {
		clerk.Lang = lang
		r := clerk.Do(http.MethodGet, fmt.Sprintf("/api/v1/import-jobs/%d/report", job.ID), nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != ledger.XLSXContentType {
			t.Fatalf("report (%s): %d %s", lang, r.Status, r.Body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(got) != 4 || got[1][0] != "6" || got[2][0] != "7" || got[3][0] != "10" || got[2][4+2] != id(6, b, false)[:17]+"0" {
			t.Fatalf("report (%s) rows = %q", lang, got)
		}
		if lang == "zh-CN" {
			reportZH = r.Body
		}
		want := map[string][2]string{"zh-CN": {"行号", "校验位"}, "en": {"Row", "check digit"}}[lang]
		if got[0][0] != want[0] || !strings.Contains(got[2][1], want[1]) {
			t.Errorf("report (%s): header %q, row 7 reasons %q", lang, got[0][:2], got[2][1])
		}
	}

	// The report goes back in as it is (its row-number and reason columns are ignored): the
	// same households are refused for the same reasons.
	clerk.Lang = ""
	back := importFile(t, clerk, reportZH)
	if back.Status != ledger.StatusDone || back.HouseholdsImported != 0 || back.HouseholdsRejected != 2 || back.RowsRejected != 3 {
		t.Errorf("re-importing the report = %+v", back)
	}
	if r := byRow(rejected(t, clerk, back.ID))[3]; !strings.Contains(reasons(r), "校验位") { // row 7 is row 3 of the report
		t.Errorf("row 3 of the report: %s", reasons(r))
	}

	// One audit row for the job, with its counts; each report download is audited too.
	var detail string
	if err := env.DB.Super.Get(&detail, `SELECT detail::text FROM audit_log WHERE action = 'household.import' AND object_id = $1`,
		fmt.Sprint(job.ID)); err != nil {
		t.Fatalf("audit row of the job: %v", err)
	}
	for _, want := range []string{`"households_imported": 3`, `"households_rejected": 2`, `"rows_rejected": 3`} {
		if !strings.Contains(detail, want) {
			t.Errorf("audit detail %s lacks %s", detail, want)
		}
	}
	var reports int
	env.DB.Super.Get(&reports, `SELECT count(*) FROM audit_log WHERE action = 'household.import_report'`)
	if reports != 2 {
		t.Errorf("%d report downloads audited, want 2", reports)
	}

	// The jobs are listed for the township, newest first.
	var list ledger.JobPage
	r := clerk.Do(http.MethodGet, "/api/v1/import-jobs", nil)
	r.JSON(t, &list)
	if len(list.Items) != 2 || list.Items[1].ID != job.ID || list.Items[0].ID != back.ID || list.Items[1].CreatedBy != "ax.clerk" {
		t.Errorf("job list = %s", r.Body)
	}

	// Importing the same file again refuses every household: all are registered already.
	again := importFile(t, clerk, data)
	if again.HouseholdsImported != 0 || again.HouseholdsRejected != 5 {
		t.Errorf("second import = %+v", again)
	}
	rows = byRow(rejected(t, clerk, again.ID))
	if !strings.Contains(reasons(rows[2]), "已登记在户档案中") || !strings.Contains(reasons(rows[2]), "梅溪村") {
		t.Errorf("row 2 of the second import: %s", reasons(rows[2]))
	}
}

// Every kind of bad row of the issue refuses its household with a reason naming the column.
func TestImportBadRows(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	b := date(1970, 7, 7)
	future := civil.Today(time.Now()).AddDays(30)
	rows := [][]any{
		person("1", meixi, "校验位", id(1, b, true)[:17]+"9", "本人"),                // 2: wrong check digit (9 is never right here… checked below)
		person("2", meixi, "未来", id(2, b, true), "本人", cBirth, future.String()), // 3: birth date in the future
		person("3", meixi, "负收入", id(3, b, true), "本人", cWages, "-100"),         // 4: negative income
		person("4", meixi, "厘", id(4, b, true), "本人", cWages, "10.005"),         // 5: a fraction of a fen
		person("5", meixi, "重复甲", id(5, b, true), "本人"),                         // 6
		person("5", meixi, "重复乙", id(5, b, true), "子女"),                         // 7: listed twice
		person("6", "330523101299", "无此村", id(6, b, true), "本人"),                // 8: unknown village
		person("7", "330522101201", "外县村", id(7, b, true), "本人"),                // 9: a village of another county
		person("8", meixi, "性别错", id(8, b, true), "本人", cSex, "女"),              // 10: sex against the ID number
		person("9", meixi, "无户主", id(9, b, true), "配偶"),                         // 11: no head
		person("10", meixi, "关系怪", id(10, b, true), "邻居"),                       // 12: unknown relation
		person("11", meixi, "电话错", id(11, b, true), "本人", cPhone, "12345"),      // 13: bad phone
		person("12", meixi, "科学计数", "3.30523196E+17", "本人"),                     // 14: ID number Excel made a number
		person("13", meixi, "好人", id(13, b, true), "本人"),                        // 15: fine
	}
	// Make sure row 2's check digit really is wrong.
	if good := id(1, b, true); good[17] == '9' {
		rows[0][4] = good[:17] + "8"
	}
	job := importFile(t, env.SignIn(t, "ax.clerk"), workbook(t, rows...))
	if job.HouseholdsImported != 1 || job.HouseholdsRejected != 12 {
		t.Fatalf("job = %+v", job)
	}
	got := byRow(rejected(t, clerk, job.ID))
	for row, want := range map[int][]string{
		2: {"id_number", "校验位"}, 3: {"birth_date", "晚于今天"}, 4: {"income_wages", "负数"}, 5: {"income_wages", "不足一分"},
		7: {"id_number", "第 6 行"}, 6: {"本户其他行有错误"}, 8: {"village", "330523101299"}, 9: {"village", "330522101201"},
		10: {"sex", "不符"}, 11: {"relation", "本人"}, 12: {"relation", "邻居"}, 13: {"phone", "手机号"}, 14: {"id_number", "文本"},
	} {
		for _, w := range want {
			if !strings.Contains(reasons(got[row]), w) {
				t.Errorf("row %d: %q lacks %q", row, reasons(got[row]), w)
			}
		}
	}
	if _, ok := got[15]; ok {
		t.Error("row 15 is fine but was refused")
	}
	var n int
	env.DB.Super.Get(&n, `SELECT count(*) FROM households`)
	if n != 1 {
		t.Errorf("%d households written, want 1", n)
	}
}

// A person in an open case or enrolment in another county is refused, naming that county
// and nothing else; a household the database refuses midway is refused whole while the
// rest of its batch is written.
func TestImportPersonIndexAndDatabaseRefusal(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	b := date(1955, 3, 3)
	active := id(1, b, true)
	// 长兴县 has an enrolled household with that person (behind the app's back).
	if _, err := env.DB.Super.Exec(`WITH h AS (INSERT INTO households (county_code, division_code, category, head_name, status)
			VALUES ('330522', '330522101201', 'rural', '长兴户', 'enrolled') RETURNING id),
		m AS (INSERT INTO household_members (county_code, household_id, division_code, name, id_number_enc, id_number_index,
			id_number_masked, sex, birth_date, relation) SELECT '330522', id, '330522101201', '长兴人', '\x00', $1, 'x', 'male', '1955-03-03', 'self' FROM h RETURNING household_id, id)
		INSERT INTO person_index (id_number_index, county_code, household_id, member_id) SELECT $1, '330522', household_id, id FROM m`,
		env.Box.Index(household.IDNumberField, active)); err != nil {
		t.Fatal(err)
	}
	// The database refuses one member (as a failing disk or a constraint would, midway).
	if _, err := env.DB.Super.Exec(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.name = '故障' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER test_refuse BEFORE INSERT ON household_members FOR EACH ROW EXECUTE FUNCTION test_refuse()`); err != nil {
		t.Fatal(err)
	}
	job := importFile(t, clerk, workbook(t,
		person("1", meixi, "甲", id(2, b, true), "本人"),
		person("1", "", "长兴人", active, "配偶"),
		person("2", meixi, "乙", id(3, b, true), "本人"),
		person("3", meixi, "丙", id(4, b, true), "本人"),
		person("3", "", "故障", id(5, b, false), "配偶"),
		person("4", meixi, "丁", id(6, b, true), "本人"),
	))
	if job.Status != ledger.StatusDone || job.HouseholdsImported != 2 || job.HouseholdsRejected != 2 || job.RowsRejected != 4 {
		t.Fatalf("job = %+v", job)
	}
	got := byRow(rejected(t, clerk, job.ID))
	if r := reasons(got[3]); !strings.Contains(r, "长兴县") || strings.Contains(r, "长兴户") {
		t.Errorf("row 3: %s", r)
	}
	if r := reasons(got[6]) + reasons(got[5]); !strings.Contains(r, "数据库拒绝") {
		t.Errorf("rows 5–6: %s", r)
	}
	for name, want := range map[string][2]int{"甲": {0, 0}, "乙": {1, 1}, "丙": {0, 0}, "丁": {1, 1}} {
		if h, m := householdsNamed(t, env, name); h != want[0] || m != want[1] {
			t.Errorf("%s: %d households with %d members, want %v", name, h, m, want)
		}
	}
}

func TestImportRefusesBadFilesAndWritesNothing(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	before := env.TenantDigest(t)
	good := workbook(t, person("1", meixi, "甲", id(1, date(1960, 1, 1), true), "本人"))
	noHeader := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		f.SetSheetRow("Sheet1", "A1", &[]any{"序号", "姓名", "身份证号"})
		var buf bytes.Buffer
		f.Write(&buf)
		return buf.Bytes()
	}()
	for _, c := range []struct {
		name, path, file string
		data             []byte
		status           int
		code, message    string
	}{
		{"not a workbook", "/api/v1/households/import", "a.xlsx", []byte("姓名,身份证号\n"), 415, "import_format", "不是 Excel"},
		{"old Excel", "/api/v1/households/import", "a.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0}, 415, "import_format", ".xls"},
		{"empty", "/api/v1/households/import", "a.xlsx", nil, 400, "validation_failed", "空"},
		{"missing columns", "/api/v1/households/import", "a.xlsx", noHeader, 422, "import_header", "与户主关系"},
		{"another county's division", "/api/v1/households/import?division=330522101", "a.xlsx", good, 404, "division_not_found", "330522101"},
		{"malformed division", "/api/v1/households/import?division=33052310", "a.xlsx", good, 404, "division_not_found", ""},
	} {
		r := upload(clerk, c.path, c.file, c.data)
		if r.Status != c.status || r.ErrorCode() != c.code || !strings.Contains(r.ErrorMessage(), c.message) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	r := clerk.Do(http.MethodPost, "/api/v1/households/import", map[string]any{})
	if r.Status != http.StatusUnsupportedMediaType || r.ErrorCode() != "upload_required" {
		t.Errorf("JSON body: %d %s", r.Status, r.Body)
	}
	clerk.Lang = "en"
	r = upload(clerk, "/api/v1/households/import", "a.xlsx", noHeader)
	if !strings.Contains(r.ErrorMessage(), "relation") {
		t.Errorf("English header error: %s", r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Error("a refused upload changed the database")
	}
	// A village worker may not import (403), and the refusal is audited.
	r = upload(env.SignIn(t, "ax.village"), "/api/v1/households/import", "a.xlsx", good)
	if r.Status != http.StatusForbidden {
		t.Errorf("village worker: %d %s", r.Status, r.Body)
	}
}

// A job whose server stopped mid-way (no batch for minutes) is shown as interrupted.
func TestInterruptedJob(t *testing.T) {
	env := apptest.New(t)
	var id int64
	if err := env.DB.Super.Get(&id, `INSERT INTO import_jobs (county_code, division_code, file_name, status, started_at, heartbeat_at)
		VALUES ('330523', '330523101', 'a.xlsx', 'running', now() - interval '10 minutes', now() - interval '10 minutes') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	clerk := env.SignIn(t, "ax.clerk")
	clerk.Lang = "en"
	var j ledger.Job
	clerk.Do(http.MethodGet, fmt.Sprintf("/api/v1/import-jobs/%d", id), nil).JSON(t, &j)
	if j.Status != ledger.StatusFailed || !strings.Contains(j.Error, "interrupted") {
		t.Errorf("job = %+v", j)
	}
}

func TestOneImportPerCounty(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	key := env.Prefix + "{c330523}:ledger:import-lock"
	if err := env.Redis.Set(t.Context(), key, "someone-else", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	r := upload(clerk, "/api/v1/households/import", "a.xlsx", workbook(t, person("1", meixi, "甲", id(1, date(1960, 1, 1), true), "本人")))
	if r.Status != http.StatusConflict || r.ErrorCode() != "import_running" {
		t.Fatalf("while locked: %d %s", r.Status, r.Body)
	}
	// 长兴县 is another county: its import runs.
	cx := env.SignIn(t, "cx.clerk")
	cxid := household.MakeIDNumber("330522", date(1961, 1, 1), 3)
	job := importFile(t, cx, workbook(t, person("1", "330522101201", "长兴甲", cxid, "本人")))
	if job.HouseholdsImported != 1 {
		t.Fatalf("长兴县 import = %+v", job)
	}
	env.Redis.Del(t.Context(), key)
	job = importFile(t, clerk, workbook(t, person("1", meixi, "甲", id(1, date(1960, 1, 1), true), "本人")))
	if job.HouseholdsImported != 1 {
		t.Fatalf("after the lock = %+v", job)
	}
	if n, _ := env.Redis.Exists(t.Context(), key).Result(); n != 0 {
		t.Error("the lock was not released")
	}
	// Other people's jobs: a clerk of 长兴县 cannot see 安吉县's job.
	if r := cx.Do(http.MethodGet, fmt.Sprintf("/api/v1/import-jobs/%d", job.ID), nil); r.Status != http.StatusNotFound {
		t.Errorf("another county's job: %d", r.Status)
	}
}

// The template downloads in both languages, and importing it as it is registers its
// example household.
func TestTemplateImportsItsExample(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	for _, lang := range []string{"zh-CN", "en"} {
		clerk.Lang = lang
		r := clerk.Do(http.MethodGet, "/api/v1/households/import-template", nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("template (%s): %d %s", lang, r.Status, r.Body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		sheets := f.GetSheetList()
		rows, _ := f.GetRows(sheets[0])
		f.Close()
		if len(sheets) != 2 || len(rows) != 4 {
			t.Fatalf("template (%s): sheets %v, %d rows", lang, sheets, len(rows))
		}
		if lang == "zh-CN" && (rows[0][0] != "户编号" || rows[0][10] != "姓名") {
			t.Errorf("Chinese header: %q", rows[0])
		}
		if lang == "en" && rows[0][10] != "name" {
			t.Errorf("English header: %q", rows[0])
		}
		if lang == "en" {
			// The example is 安吉县 梅溪村: import it, in English titles.
			job := importFile(t, clerk, r.Body)
			if job.HouseholdsImported != 1 || job.RowsImported != 3 {
				t.Fatalf("importing the template: %+v %+v", job, rejected(t, clerk, job.ID))
			}
		}
	}
	if r := env.SignIn(t, "ax.leader").Do(http.MethodGet, "/api/v1/households/import-template", nil); r.Status != http.StatusForbidden {
		t.Errorf("township leader (no household:import): %d", r.Status)
	}
}
