package household_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

const meixi = "330523101201" // 梅溪村

// person makes a valid ID number: seq odd for a man, even for a woman.
func person(year, seq int) string {
	return household.MakeIDNumber("330523", civil.Date{Year: year, Month: 3, Day: 15}, seq)
}

// twoMembers is a valid registration: 张建国 and his wife, with incomes and assets.
func twoMembers(head string, headSeq int) map[string]any {
	return map[string]any{
		"division_code": meixi, "category": "rural", "address": "梅溪村 3 组 12 号", "hukou_place": "安吉县梅溪镇梅溪村",
		"phone": "13857200001", "bank_name": "安吉农商银行", "bank_holder": head, "bank_account": "6228480012345678901",
		"members": []map[string]any{
			{"name": head, "id_number": person(1962, headSeq), "relation": "self", "labour_capacity": "partial", "chronic_illness": true},
			{"name": "李秀英", "id_number": person(1965, headSeq+1), "relation": "spouse", "disability_grade": 2, "disability_type": "肢体"},
		},
		"incomes": []map[string]any{
			{"member": 0, "kind": "farming", "source": "茶园", "monthly_fen": 45000},
			{"kind": "transfer", "source": "养老金", "monthly_fen": 18000, "counted": true},
		},
		"assets": []map[string]any{{"kind": "house", "description": "自建房 120 平方米", "value_fen": 0}},
	}
}

type created struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
	Members []struct {
		ID             int64  `json:"id"`
		Name           string `json:"name"`
		IDNumberMasked string `json:"id_number_masked"`
		Sex            string `json:"sex"`
		BirthDate      string `json:"birth_date"`
	} `json:"members"`
	Incomes []struct {
		ID         int64  `json:"id"`
		MemberID   *int64 `json:"member_id"`
		MonthlyFen int64  `json:"monthly_fen"`
	} `json:"incomes"`
	PhoneMasked       string `json:"phone_masked"`
	BankAccountMasked string `json:"bank_account_masked"`
	HeadName          string `json:"head_name"`
	DivisionName      string `json:"division_name"`
	Attachments       []struct {
		ID int64 `json:"id"`
	} `json:"attachments"`
}

func register(t *testing.T, c *apptest.Client, body map[string]any) created {
	t.Helper()
	r := c.Do(http.MethodPost, "/api/v1/households", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var h created
	r.JSON(t, &h)
	return h
}

func TestRegisterSearchAndRead(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	h := register(t, clerk, twoMembers("张建国", 101))
	if h.HeadName != "张建国" || h.DivisionName != "梅溪村" || len(h.Members) != 2 || h.Version != 1 {
		t.Fatalf("created %+v", h)
	}
	head := h.Members[0]
	if head.IDNumberMasked != "330523********1011" && !strings.HasPrefix(head.IDNumberMasked, "330523********") {
		t.Fatalf("masked %q", head.IDNumberMasked)
	}
	if head.Sex != "male" || head.BirthDate != "1962-03-15" || h.Members[1].Sex != "female" {
		t.Fatalf("sex and birth date from the ID number: %+v", h.Members)
	}
	if h.PhoneMasked != "138****0001" || h.BankAccountMasked != "***************8901" {
		t.Fatalf("masked phone %q account %q", h.PhoneMasked, h.BankAccountMasked)
	}
	if h.Incomes[0].MemberID == nil || *h.Incomes[0].MemberID != head.ID || h.Incomes[1].MemberID != nil {
		t.Fatalf("incomes %+v", h.Incomes)
	}
	// Nothing in clear in the database.
	var clear int
	env.DB.Super.Get(&clear, `SELECT count(*) FROM household_members WHERE id_number_enc::text LIKE '%' || $1 || '%' OR id_number_masked = $1`, person(1962, 101))
	var phoneEnc []byte
	env.DB.Super.Get(&phoneEnc, `SELECT phone_enc FROM households WHERE id = $1`, h.ID)
	if clear != 0 || bytes.Contains(phoneEnc, []byte("13857200001")) || len(phoneEnc) == 0 {
		t.Fatal("a sensitive value is stored in clear")
	}

	other := register(t, clerk, twoMembers("王明", 201))
	for _, q := range []string{
		"q=" + "%E5%BC%A0", // 张
		"q=" + person(1962, 101),
		"id_number=" + person(1965, 102), // the wife finds the household too
		"division=" + meixi + "&q=%E5%BC%A0%E5%BB%BA",
	} {
		var page household.Page
		r := clerk.Do(http.MethodGet, "/api/v1/households?"+q, nil)
		r.JSON(t, &page)
		if r.Status != http.StatusOK || len(page.Items) != 1 || page.Items[0].ID != h.ID {
			t.Fatalf("search %s: %d %s", q, r.Status, r.Body)
		}
		it := page.Items[0]
		if it.MemberCount != 2 || !strings.HasPrefix(it.HeadIDNumberMasked, "330523****") || it.PhoneMasked != "138****0001" {
			t.Fatalf("item %+v", it)
		}
	}
	// Keyset pages through the village.
	var p1, p2 household.Page
	clerk.Do(http.MethodGet, "/api/v1/households?division="+meixi+"&limit=1", nil).JSON(t, &p1)
	if len(p1.Items) != 1 || p1.NextCursor == "" {
		t.Fatalf("page 1 %+v", p1)
	}
	clerk.Do(http.MethodGet, "/api/v1/households?division="+meixi+"&limit=1&after="+p1.NextCursor, nil).JSON(t, &p2)
	if len(p2.Items) != 1 || p2.Items[0].ID != other.ID || p2.NextCursor != "" {
		t.Fatalf("page 2 %+v (page 1 %+v)", p2, p1)
	}
	// The village worker of 梅溪村 reads it; the county's finance officer may not.
	if r := env.SignIn(t, "ax.village").Do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d", h.ID), nil); r.Status != http.StatusOK {
		t.Fatalf("village worker: %d %s", r.Status, r.Body)
	}
	if r := env.SignIn(t, "ax.finance").Do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d", h.ID), nil); r.Status != http.StatusForbidden {
		t.Fatalf("finance officer: %d", r.Status)
	}
	var n int
	env.DB.Super.Get(&n, `SELECT count(*) FROM household_history WHERE household_id = $1 AND action = 'create'`, h.ID)
	var a int
	env.DB.Super.Get(&a, `SELECT count(*) FROM audit_log WHERE action = 'household.create' AND object_id = $1`, fmt.Sprint(h.ID))
	if n != 1 || a != 1 {
		t.Fatalf("history rows %d, audit rows %d", n, a)
	}
}

func TestVillageWorkerSeesOnlyTheirVillage(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	mine := register(t, clerk, twoMembers("钱一", 301))
	elsewhere := twoMembers("钱二", 303)
	elsewhere["division_code"] = "330523101202" // 荆湾村
	theirs := register(t, clerk, elsewhere)

	village := env.SignIn(t, "ax.village")
	var page household.Page
	village.Do(http.MethodGet, "/api/v1/households", nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != mine.ID {
		t.Fatalf("village worker lists %+v", page.Items)
	}
	if r := village.Do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d", theirs.ID), nil); r.Status != http.StatusNotFound {
		t.Fatalf("another village's household: %d", r.Status)
	}
	if r := village.Do(http.MethodGet, "/api/v1/households?division=330523101202", nil); r.Status != http.StatusNotFound {
		t.Fatalf("another village's list: %d", r.Status)
	}
}

// Bad input: a 4xx naming the field and the problem in the caller's language, nothing written.
func TestBadInputWritesNothing(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	wrongCheck := person(1962, 401)
	wrongCheck = wrongCheck[:17] + map[bool]string{true: "1", false: "0"}[wrongCheck[17] == '0']
	future := household.MakeIDNumber("330523", civil.Today(env.Clock.Now()).AddDays(40), 401)

	cases := []struct {
		name   string
		edit   func(b map[string]any)
		field  string
		zh, en string
	}{
		{"wrong check digit", func(b map[string]any) { member(b, 0)["id_number"] = wrongCheck },
			"members[0].id_number", "校验位错误", "check digit"},
		{"birth date in the future (ID number)", func(b map[string]any) { member(b, 1)["id_number"] = future },
			"members[1].id_number", "晚于今天", "in the future"},
		{"birth date in the future (field)", func(b map[string]any) {
			member(b, 1)["birth_date"] = civil.Today(env.Clock.Now()).AddDays(3).String()
		}, "members[1].birth_date", "晚于今天", "in the future"},
		{"negative income", func(b map[string]any) { income(b, 1)["monthly_fen"] = -100 },
			"incomes[1].monthly_fen", "不能为负数", "cannot be negative"},
		{"income in fractions of a fen", func(b map[string]any) { income(b, 0)["monthly_fen"] = 450.5 },
			"incomes[0].monthly_fen", "须为整数分", "whole number of fen"},
		{"member listed twice", func(b map[string]any) { member(b, 1)["id_number"] = member(b, 0)["id_number"] },
			"members[1].id_number", "重复登记", "listed twice"},
		{"unknown village code", func(b map[string]any) { b["division_code"] = "330523101299" },
			"division_code", "不存在", "no village"},
		{"sex against the ID number", func(b map[string]any) { member(b, 0)["sex"] = "female" },
			"members[0].sex", "不符", "does not match"},
		{"bad phone", func(b map[string]any) { b["phone"] = "12345" }, "phone", "联系电话", "Phone"},
		{"bad bank account", func(b map[string]any) { b["bank_account"] = "6228-48" }, "bank_account", "银行账号", "bank account"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{"zh-CN", "en"} {
				b := twoMembers("赵大", 401)
				c.edit(b)
				before := env.TenantDigest(t)
				r := clerk.Do(http.MethodPost, "/api/v1/households", b, "Accept-Language", lang)
				if r.Status != http.StatusBadRequest || r.ErrorCode() != "validation_failed" {
					t.Fatalf("%s: %d %s", lang, r.Status, r.Body)
				}
				var env2 struct {
					Error struct {
						Message string
						Details struct {
							Field  string
							Errors []struct{ Field, Message string }
						}
					}
				}
				r.JSON(t, &env2)
				want := c.zh
				if lang == "en" {
					want = c.en
				}
				found := false
				for _, e := range env2.Error.Details.Errors {
					if e.Field == c.field && strings.Contains(e.Message, want) {
						found = true
					}
				}
				if !found || !strings.Contains(env2.Error.Message, want) {
					t.Fatalf("%s: want %s ~ %q in %s", lang, c.field, want, r.Body)
				}
				if env.TenantDigest(t) != before {
					t.Fatal("a refused registration changed the database")
				}
			}
		})
	}
	// Every problem at once.
	b := twoMembers("赵大", 401)
	member(b, 0)["id_number"] = wrongCheck
	income(b, 0)["monthly_fen"] = -1
	b["division_code"] = "330523101299"
	r := clerk.Do(http.MethodPost, "/api/v1/households", b)
	var all struct {
		Error struct {
			Message string
			Details struct{ Errors []struct{ Field string } }
		}
	}
	r.JSON(t, &all)
	if len(all.Error.Details.Errors) != 3 || !strings.Contains(all.Error.Message, "有 3 处") {
		t.Fatalf("all problems: %s", r.Body)
	}
	// A village outside the caller's area does not exist for them.
	b = twoMembers("赵大", 401)
	b["division_code"] = "330522101201"
	if r := clerk.Do(http.MethodPost, "/api/v1/households", b); r.Status != http.StatusNotFound {
		t.Fatalf("another county's village: %d %s", r.Status, r.Body)
	}
}

func member(b map[string]any, i int) map[string]any { return b["members"].([]map[string]any)[i] }
func income(b map[string]any, i int) map[string]any { return b["incomes"].([]map[string]any)[i] }

// A person in an active case anywhere is refused, naming the county and not the household.
func TestPersonActiveInAnotherCounty(t *testing.T) {
	env := apptest.New(t)
	h := register(t, env.SignIn(t, "ax.clerk"), twoMembers("孙平", 501))
	err := db.WithScope(context.Background(), env.DB.App, db.Scope{County: "330523", Division: "330523101"}, func(tx *sqlx.Tx) error {
		if err := household.ActivatePersons(context.Background(), tx, "330523", h.ID); err != nil {
			return err
		}
		return household.ActivatePersons(context.Background(), tx, "330523", h.ID) // idempotent
	})
	if err != nil {
		t.Fatal(err)
	}
	b := twoMembers("孙平", 501)
	b["division_code"] = "330522101201" // 长兴县新川村
	before := env.TenantDigest(t)
	cx := env.SignIn(t, "cx.clerk")
	r := cx.Do(http.MethodPost, "/api/v1/households", b)
	if r.Status != http.StatusConflict || r.ErrorCode() != "person_active_elsewhere" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	msg := r.ErrorMessage()
	if !strings.Contains(msg, "安吉县") || strings.Contains(msg, fmt.Sprint(h.ID)) || strings.Contains(msg, "梅溪") {
		t.Fatalf("message %q must name the county and nothing of the household", msg)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("the refused registration changed the database")
	}
	// Out of the case, the person may be registered elsewhere.
	err = db.WithScope(context.Background(), env.DB.App, db.Scope{County: "330523", Division: "330523"}, func(tx *sqlx.Tx) error {
		return household.DeactivatePersons(context.Background(), tx, "330523", h.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	register(t, cx, b)
	// And activating the 长兴 household now, while 安吉 activates again, names 长兴县.
	err = db.WithScope(context.Background(), env.DB.App, db.Scope{County: "330523", Division: "330523"}, func(tx *sqlx.Tx) error {
		return household.ActivatePersons(context.Background(), tx, "330523", h.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	var other household.Page
	cx.Do(http.MethodGet, "/api/v1/households?q=%E5%AD%99", nil).JSON(t, &other)
	if len(other.Items) != 1 {
		t.Fatalf("长兴 list %+v", other)
	}
	err = db.WithScope(context.Background(), env.DB.App, db.Scope{County: "330522", Division: "330522"}, func(tx *sqlx.Tx) error {
		return household.ActivatePersons(context.Background(), tx, "330522", other.Items[0].ID)
	})
	var he *httpx.Error
	if !errors.As(err, &he) || he.Status != http.StatusConflict || !strings.Contains(fmt.Sprint(he.Args), "安吉县") {
		t.Fatalf("activating a person active elsewhere: %v", err)
	}
}

func TestUpdateVersionHistoryAndReveal(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	h := register(t, clerk, twoMembers("周福", 601))
	path := fmt.Sprintf("/api/v1/households/%d", h.ID)

	// Change the wife's name, drop the pension, add a child; keep ID numbers and phone.
	b := twoMembers("周福", 601)
	delete(b, "phone")
	delete(b, "bank_account")
	ms := b["members"].([]map[string]any)
	ms[0]["id"], ms[0]["id_number"] = h.Members[0].ID, ""
	ms[1]["id"], ms[1]["id_number"], ms[1]["name"] = h.Members[1].ID, "", "李秀兰"
	b["members"] = append(ms, map[string]any{"name": "周小宝", "id_number": person(2012, 602), "relation": "child", "school": "梅溪小学"})
	b["incomes"] = []map[string]any{{"id": h.Incomes[0].ID, "member": 0, "kind": "farming", "source": "茶园", "monthly_fen": 50000}}
	b["version"] = 1
	r := clerk.Do(http.MethodPut, path, b)
	if r.Status != http.StatusOK {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	var u created
	r.JSON(t, &u)
	if u.Version != 2 || len(u.Members) != 3 || u.Members[1].Name != "李秀兰" || u.PhoneMasked != "138****0001" || len(u.Incomes) != 1 {
		t.Fatalf("updated %+v", u)
	}
	// Without a version, or with the same version again (stale), nothing is written.
	noVersion := map[string]any{}
	for k, v := range b {
		noVersion[k] = v
	}
	delete(noVersion, "version")
	if r := clerk.Do(http.MethodPut, path, noVersion); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"field":"version"`) {
		t.Fatalf("no version: %d %s", r.Status, r.Body)
	}
	before := env.TenantDigest(t)
	if r := clerk.Do(http.MethodPut, path, b); r.Status != http.StatusConflict || r.ErrorCode() != "stale_version" {
		t.Fatalf("stale: %d %s", r.Status, r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("a stale update changed the database")
	}
	var hist household.HistoryPage
	clerk.Do(http.MethodGet, path+"/history", nil).JSON(t, &hist)
	if len(hist.Items) != 2 || hist.Items[0].Action != "update" || hist.Items[0].ActorUsername != "ax.clerk" {
		t.Fatalf("history %+v", hist)
	}
	upd := hist.Items[0]
	wifeName := fmt.Sprintf("members[%d].name", h.Members[1].ID)
	if upd.Before[wifeName] != "李秀英" || upd.After[wifeName] != "李秀兰" {
		t.Fatalf("history of the name: %v → %v", upd.Before, upd.After)
	}
	pension := fmt.Sprintf("incomes[%d].monthly_fen", h.Incomes[1].ID)
	if _, ok := upd.Before[pension]; !ok {
		t.Fatalf("the removed income is not in the history: %v", upd.Before)
	}
	if _, ok := upd.After[pension]; ok {
		t.Fatal("a removed income shows as after")
	}
	for k, v := range upd.After {
		if strings.HasSuffix(k, ".id_number") && !strings.Contains(fmt.Sprint(v), "****") {
			t.Fatalf("history holds an ID number in clear: %s=%v", k, v)
		}
	}
	if upd.Labels[fmt.Sprintf("members[%d]", h.Members[1].ID)]["name"] == "" {
		t.Fatalf("labels %v", upd.Labels)
	}

	// Reveal: the caseworker may, and is audited; the village worker and the leader may not.
	rv := clerk.Do(http.MethodPost, path+"/reveal", map[string]any{"field": "id_number", "member_id": h.Members[0].ID})
	var shown household.Revealed
	rv.JSON(t, &shown)
	if rv.Status != http.StatusOK || shown.Value != person(1962, 601) || shown.ShowSeconds != 30 {
		t.Fatalf("reveal: %d %s", rv.Status, rv.Body)
	}
	clerk.Do(http.MethodPost, path+"/reveal", map[string]any{"field": "bank_account"}).JSON(t, &shown)
	if shown.Value != "6228480012345678901" {
		t.Fatalf("reveal account %+v", shown)
	}
	var audits int
	env.DB.Super.Get(&audits, `SELECT count(*) FROM audit_log WHERE action = 'household.reveal' AND object_id = $1 AND detail::text NOT LIKE '%6228480012345678901%'`, fmt.Sprint(h.ID))
	if audits != 2 {
		t.Fatalf("reveal audit rows %d", audits)
	}
	for _, u := range []string{"ax.village", "ax.leader"} {
		if r := env.SignIn(t, u).Do(http.MethodPost, path+"/reveal", map[string]any{"field": "phone"}); r.Status != http.StatusForbidden {
			t.Fatalf("%s reveal: %d", u, r.Status)
		}
	}
	if r := clerk.Do(http.MethodPost, path+"/reveal", map[string]any{"field": "id_number", "member_id": 999999}); r.Status != http.StatusNotFound {
		t.Fatalf("someone else's member: %d", r.Status)
	}
}

func upload(t *testing.T, c *apptest.Client, id int64, kind, name string, content []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	return c.Do(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/attachments", id), buf.Bytes(), "Content-Type", w.FormDataContentType())
}

var png = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0}

func TestAttachments(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	h := register(t, clerk, twoMembers("吴强", 701))
	r := upload(t, clerk, h.ID, "photo", "门前 照片.png", png)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var a household.Attachment
	r.JSON(t, &a)
	if a.ContentType != "image/png" || a.SizeBytes != int64(len(png)) || len(a.SHA256) != 64 || a.FileName != "门前 照片.png" {
		t.Fatalf("attachment %+v", a)
	}
	dl := env.SignIn(t, "ax.village").Do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, a.ID), nil)
	if dl.Status != http.StatusOK || !bytes.Equal(dl.Body, png) || dl.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") || dl.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %d %v", dl.Status, dl.Header)
	}
	// Wrong type (told by the content, whatever the name says) and too large: nothing kept.
	before := env.TenantDigest(t)
	for _, c := range []struct {
		name    string
		content []byte
		status  int
		code    string
	}{
		{"假装.png", []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType, "attachment_type"},
		{"scan.pdf", []byte("MZ\x90\x00 an executable"), http.StatusUnsupportedMediaType, "attachment_type"},
		{"big.png", append(append([]byte{}, png...), make([]byte, household.MaxAttachmentBytes)...), http.StatusRequestEntityTooLarge, "attachment_too_large"},
	} {
		r := upload(t, clerk, h.ID, "photo", c.name, c.content)
		if r.Status != c.status || r.ErrorCode() != c.code || !strings.Contains(string(r.Body), `"field":"file"`) {
			t.Fatalf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if r := upload(t, clerk, h.ID, "selfie", "a.png", png); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown kind: %d %s", r.Status, r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("a refused upload changed the database")
	}
	// A PDF is fine; then remove the photo (soft delete).
	if r := upload(t, clerk, h.ID, "authorisation", "授权书.pdf", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")); r.Status != http.StatusCreated {
		t.Fatalf("pdf: %d %s", r.Status, r.Body)
	}
	apath := fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, a.ID)
	if r := env.SignIn(t, "ax.village").Do(http.MethodDelete, apath, nil); r.Status != http.StatusForbidden {
		t.Fatalf("village worker deletes: %d", r.Status)
	}
	if r := clerk.Do(http.MethodDelete, apath, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := clerk.Do(http.MethodGet, apath, nil); r.Status != http.StatusNotFound {
		t.Fatalf("deleted attachment served: %d", r.Status)
	}
	var got created
	clerk.Do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d", h.ID), nil).JSON(t, &got)
	if len(got.Attachments) != 1 {
		t.Fatalf("attachments %+v", got.Attachments)
	}
	var kept int
	env.DB.Super.Get(&kept, `SELECT count(*) FROM household_attachments WHERE household_id = $1 AND deleted_at IS NOT NULL`, h.ID)
	var hist household.HistoryPage
	clerk.Do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/history", h.ID), nil).JSON(t, &hist)
	if kept != 1 || len(hist.Items) != 4 || hist.Items[0].Action != "attachment_delete" {
		t.Fatalf("soft-deleted rows %d, history %+v", kept, hist.Items)
	}
}
