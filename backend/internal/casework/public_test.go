package casework_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/casework"
)

const publicNotices = "/api/public/v1/counties/330523/notices"

func objectionsPath(county string, notice int64) string {
	return fmt.Sprintf("/api/public/v1/counties/%s/notices/%d/objections", county, notice)
}

// publicPage is GET .../notices with every item kept as raw JSON, to check its keys.
type publicPage struct {
	County   casework.PublicCounty     `json:"county"`
	Villages []casework.PublicDivision `json:"villages"`
	Items    []map[string]any          `json:"items"`
}

func listPublic(t *testing.T, c *apptest.Client, path string) (publicPage, string) {
	t.Helper()
	r := c.Do(http.MethodGet, path, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var p publicPage
	r.JSON(t, &p)
	return p, string(r.Body)
}

func listed(p publicPage, notice int64) bool {
	for _, it := range p.Items {
		if id, _ := it["id"].(float64); int64(id) == notice {
			return true
		}
	}
	return false
}

// publicRefuse sends an anonymous request that must fail with status, code and (for a
// validation failure) field, and change nothing; it answers the message.
func publicRefuse(t *testing.T, env *apptest.Env, c *apptest.Client, status int, code, field, method, path string, body any) string {
	t.Helper()
	before := env.TenantDigest(t)
	r := c.Do(method, path, body)
	var got struct {
		Error struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &got)
	if r.Status != status || got.Error.Code != code || (field != "" && got.Error.Details["field"] != field) {
		t.Fatalf("%s %s (%s): %d %s (want %d %s on %q)", method, path, c.Lang, r.Status, r.Body, status, code, field)
	}
	if env.TenantDigest(t) != before {
		t.Fatalf("%s %s was refused but changed the database", method, path)
	}
	return got.Error.Message
}

// The public portal: anyone reads the notices running in a county, with only what a notice
// may publish, and objects to one; the case goes back to investigation with the objection
// on its timeline. Malformed objections are refused field by field in both languages, and
// an address gets a handful of objections an hour.
func TestPublicNoticesAndObjections(t *testing.T) {
	w := newWorld(t)
	env := w.env
	running := w.notice(t, w.review(t, w.investigate(t, w.submit(t, w.register(t, "冯公开", 2))), "approve"))
	// A notice that starts in three days is not running yet; one whose period has passed is
	// not running any more; a case only reviewed has no notice.
	later := w.review(t, w.investigate(t, w.submit(t, w.register(t, "蒋待公", 2))), "approve")
	later = call(t, w.village, 200, http.MethodPost, path(later.ID, "notices"), map[string]any{"version": later.Version,
		"starts_on": today(env).AddDays(3).String()})
	ended := w.notice(t, w.review(t, w.investigate(t, w.submit(t, w.register(t, "沈已过", 2))), "approve"))
	env.DB.Super.MustExec(`UPDATE case_notices SET starts_on = starts_on - 10, ends_on = ends_on - 10 WHERE id = $1`, ended.Notices[0].ID)
	w.review(t, w.investigate(t, w.submit(t, w.register(t, "韩审核", 2))), "approve")
	notice := running.Notices[0].ID

	anon := env.Client(t)
	page, body := listPublic(t, anon, publicNotices)
	if page.County.Name != "安吉县" || !listed(page, notice) || listed(page, later.Notices[0].ID) || listed(page, ended.Notices[0].ID) ||
		len(page.Items) != 1 || len(page.Villages) != 1 || page.Villages[0].Name != "梅溪村" {
		t.Fatalf("public notices: %s", body)
	}
	// Exactly the published fields and the period: nothing else about the case.
	allowed := []string{"category", "covered_people", "division_code", "ends_on", "head_name", "id", "monthly_amount_fen",
		"starts_on", "text", "township_name", "village_name"}
	var keys []string
	for k := range page.Items[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != fmt.Sprint(allowed) {
		t.Fatalf("a public notice has the fields %v, want %v", keys, allowed)
	}
	it := page.Items[0]
	if it["head_name"] != "冯公开" || it["village_name"] != "梅溪村" || it["township_name"] != "梅溪镇" || it["covered_people"] != 2.0 ||
		it["monthly_amount_fen"] != 190000.0 || it["category"] != "rural" || it["starts_on"] != today(env).String() {
		t.Fatalf("public notice %v", it)
	}
	var forbidden []string
	for _, numbers := range w.numbers {
		for _, n := range numbers {
			forbidden = append(forbidden, n)
		}
	}
	forbidden = append(forbidden, "id_number", "phone", "address", "income", "asset", "bank", "case_id", "case_no", "household",
		"幸福路", "13857201234", "138****1234", "6228480012345678901", "茶园", "60000", "8000000", "安吉农商银行", "砖混")
	if s := contains(body, forbidden...); s != "" {
		t.Fatalf("the public notices show %q: %s", s, body)
	}

	// Narrowed to a village or township of the county; another county has none of these.
	if p, _ := listPublic(t, anon, publicNotices+"?division="+meixi); !listed(p, notice) {
		t.Fatal("not listed in its village")
	}
	if p, _ := listPublic(t, anon, publicNotices+"?division=330523101202"); len(p.Items) != 0 {
		t.Fatalf("another village lists %v", p.Items)
	}
	if p, _ := listPublic(t, anon, "/api/public/v1/counties/330522/notices"); len(p.Items) != 0 || p.County.Name != "长兴县" {
		t.Fatalf("长兴县 lists %v", p.Items)
	}
	var counties []casework.PublicCounty
	anon.Do(http.MethodGet, "/api/public/v1/counties", nil).JSON(t, &counties)
	if fmt.Sprint(counties) != "[{330522 长兴县} {330523 安吉县}]" {
		t.Fatalf("counties %v", counties)
	}
	msg := publicRefuse(t, env, anon, 404, "county_not_found", "", http.MethodGet, "/api/public/v1/counties/999999/notices", nil)
	if !strings.Contains(msg, "999999") || !strings.Contains(msg, "县") {
		t.Fatalf("unknown county: %s", msg)
	}
	publicRefuse(t, env, anon, 400, "validation_failed", "division", http.MethodGet, publicNotices+"?division=330522101", nil)
	publicRefuse(t, env, anon, 404, "division_not_found", "", http.MethodGet, publicNotices+"?division=330523199", nil)
	en := env.Client(t)
	en.Lang = "en"
	if msg := publicRefuse(t, env, en, 404, "county_not_found", "", http.MethodGet, "/api/public/v1/counties/999999/notices", nil); msg != "There is no county with the code 999999" {
		t.Fatalf("unknown county in English: %s", msg)
	}

	// Malformed objections, field by field, in both languages; they are not counted
	// against the address's limit (below).
	long := strings.Repeat("长", 2001)
	for _, bad := range []struct {
		body         map[string]any
		field, zh, e string
	}{
		{map[string]any{"content": "   "}, "content", "异议内容不能为空", "content is required"},
		{map[string]any{"content": long}, "content", "2000", "2000"},
		{map[string]any{"content": "有异议", "name": strings.Repeat("名", 51)}, "name", "姓名最多 50 个字", "name is at most 50"},
		{map[string]any{"content": "有异议", "phone": "12345"}, "phone", "联系电话", "phone must be"},
	} {
		if msg := publicRefuse(t, env, anon, 400, "validation_failed", bad.field, http.MethodPost, objectionsPath(county, notice), bad.body); !strings.Contains(msg, bad.zh) {
			t.Fatalf("%s: %q, want %q", bad.field, msg, bad.zh)
		}
		if msg := publicRefuse(t, env, en, 400, "validation_failed", bad.field, http.MethodPost, objectionsPath(county, notice), bad.body); !strings.Contains(msg, bad.e) {
			t.Fatalf("%s in English: %q, want %q", bad.field, msg, bad.e)
		}
	}
	publicRefuse(t, env, anon, 400, "unknown_field", "", http.MethodPost, objectionsPath(county, notice),
		map[string]any{"content": "有异议", "id_number": "330523195801010011"})

	// Counted from here: a notice not running yet, one that does not exist, and one of
	// another county asked for through this county's address (RLS: it is not there).
	attempts := 0
	objection := map[string]any{"content": "反映该户家中有小轿车一辆，经营茶叶生意", "phone": "139 5720 1111"}
	publicRefuse(t, env, anon, 409, "notice_closed", "", http.MethodPost, objectionsPath(county, later.Notices[0].ID), objection)
	publicRefuse(t, env, anon, 404, "notice_not_found", "", http.MethodPost, objectionsPath(county, 999999), objection)
	publicRefuse(t, env, anon, 404, "notice_not_found", "", http.MethodPost, objectionsPath("330522", notice), objection)
	publicRefuse(t, env, anon, 404, "county_not_found", "", http.MethodPost, objectionsPath("999999", notice), objection)
	attempts += 2 // 330522's count is its own; an unknown county is not counted

	r := anon.Do(http.MethodPost, objectionsPath(county, notice), objection)
	attempts++
	var receipt struct {
		ReceiptCode string `json:"receipt_code"`
		ReceivedOn  string `json:"received_on"`
	}
	r.JSON(t, &receipt)
	if r.Status != http.StatusCreated || !regexp.MustCompile(`^YY[0-9]{8}-[0-9A-Z]{6}$`).MatchString(receipt.ReceiptCode) ||
		receipt.ReceivedOn != today(env).String() || strings.Contains(string(r.Body), "objection_id") {
		t.Fatalf("objection: %d %s", r.Status, r.Body)
	}

	// The caseworker finds the case back in investigation, the objection on its timeline.
	d := call(t, w.clerk, 200, http.MethodGet, path(running.ID, ""), nil)
	last := d.Timeline[len(d.Timeline)-1]
	if d.State != casework.Investigating || d.Round != 2 || !d.EvaluationRequired || d.Notices[0].Status != "objected" ||
		last.Action != "record_objection" || last.ActorID != nil || last.Opinion != objection["content"] || last.ToState != casework.Investigating {
		t.Fatalf("after the public objection: %s round %d, last event %+v", d.State, d.Round, last)
	}
	if len(d.Objections) != 1 || d.Objections[0].Source != "public" || d.Objections[0].PhoneMasked != "139****1111" ||
		d.Objections[0].ReceiptCode == nil || *d.Objections[0].ReceiptCode != receipt.ReceiptCode || d.Objections[0].Objector != "" {
		t.Fatalf("objections %s", jsonOf(t, d.Objections))
	}
	// The phone is stored sealed, never as written.
	var enc []byte
	if err := env.DB.Super.Get(&enc, `SELECT phone_enc FROM case_objections WHERE case_id = $1`, running.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(enc), "13957201111") {
		t.Fatal("the objector's phone is stored in the clear")
	}
	if got, err := env.Box.Open(casework.PhoneField, enc); err != nil || got != "13957201111" {
		t.Fatalf("sealed phone opens to %q, %v", got, err)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'case.public_objection' AND object_id = $1 AND client_ip <> ''`,
		strconv.FormatInt(running.ID, 10)); n != 1 {
		t.Fatalf("%d audit rows of the public objection", n)
	}
	// It is no longer running, so no longer listed, and a second objection is refused.
	if p, _ := listPublic(t, anon, publicNotices); listed(p, notice) {
		t.Fatal("an objected notice is still listed")
	}
	for attempts < casework.ObjectionsPerHour {
		publicRefuse(t, env, anon, 409, "notice_closed", "", http.MethodPost, objectionsPath(county, notice), objection)
		attempts++
	}

	// Past the limit: 429 with Retry-After and the reason in both languages, nothing done.
	r = anon.Do(http.MethodPost, objectionsPath(county, notice), objection)
	retry, _ := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "rate_limited" || retry < 3500 || retry > 3600 ||
		!strings.Contains(r.ErrorMessage(), "每小时最多提交 5 条异议") {
		t.Fatalf("over the limit: %d %v %s", r.Status, r.Header, r.Body)
	}
	if msg := publicRefuse(t, env, en, 429, "rate_limited", "", http.MethodPost, objectionsPath(county, notice), objection); !strings.Contains(msg, "at most 5 an hour") {
		t.Fatalf("over the limit in English: %s", msg)
	}
	// A malformed form is still answered as such; another county's count is its own.
	publicRefuse(t, env, anon, 400, "validation_failed", "content", http.MethodPost, objectionsPath(county, notice), map[string]any{"content": ""})
	publicRefuse(t, env, anon, 404, "notice_not_found", "", http.MethodPost, objectionsPath("330522", notice), objection)
	// Reading is limited separately.
	listPublic(t, anon, publicNotices)
}

// The case's own staff answers never leak a public objector's phone in full.
func TestPublicObjectorPhoneMaskedForStaff(t *testing.T) {
	w := newWorld(t)
	d := w.notice(t, w.review(t, w.investigate(t, w.submit(t, w.register(t, "杨来电", 1))), "approve"))
	r := w.env.Client(t).Do(http.MethodPost, objectionsPath(county, d.Notices[0].ID),
		map[string]any{"name": "村民杨某", "phone": "0572-5012345", "content": "该户有经营性收入"})
	if r.Status != http.StatusCreated {
		t.Fatalf("objection: %d %s", r.Status, r.Body)
	}
	got := w.clerk.Do(http.MethodGet, path(d.ID, ""), nil)
	if strings.Contains(string(got.Body), "5012345") || !strings.Contains(string(got.Body), `"objector":"村民杨某"`) ||
		!strings.Contains(string(got.Body), `"phone_masked":"057*****2345"`) {
		t.Fatalf("case detail: %s", got.Body)
	}
}

// The caseworker may open the objector's phone to call back: in full, audited with the
// masked number only; the leader, who opens no personal number, may not; an objection
// without a phone and one of another case are answered as such.
func TestObjectorPhoneRevealedToCallBack(t *testing.T) {
	w := newWorld(t)
	object := func(head string, body map[string]any) (casework.Detail, casework.Objection) {
		d := w.notice(t, w.review(t, w.investigate(t, w.submit(t, w.register(t, head, 1))), "approve"))
		if r := w.env.Client(t).Do(http.MethodPost, objectionsPath(county, d.Notices[0].ID), body); r.Status != http.StatusCreated {
			t.Fatalf("objection: %d %s", r.Status, r.Body)
		}
		d = call(t, w.clerk, http.StatusOK, http.MethodGet, path(d.ID, ""), nil)
		if len(d.Objections) != 1 {
			t.Fatalf("objections %+v", d.Objections)
		}
		return d, d.Objections[0]
	}
	d, withPhone := object("杨回电", map[string]any{"name": "村民杨某", "phone": "0572-5012345", "content": "该户有经营性收入"})
	d2, without := object("无电话", map[string]any{"content": "该户家中有小轿车"})
	phonePath := func(d casework.Detail, o casework.Objection) string {
		return path(d.ID, fmt.Sprintf("objections/%d/phone", o.ID))
	}

	r := w.clerk.Do(http.MethodPost, phonePath(d, withPhone), nil)
	var shown casework.ObjectionPhone
	r.JSON(t, &shown)
	if r.Status != http.StatusOK || shown.Value != "0572-5012345" || shown.Masked != "057*****2345" || shown.ShowSeconds != 30 {
		t.Fatalf("reveal: %d %s", r.Status, r.Body)
	}
	if n := count(t, w.env, `SELECT count(*) FROM audit_log WHERE action = 'case.objection_phone_reveal' AND object_id = $1
		AND actor_name = 'ax.clerk' AND detail::text LIKE '%057*****2345%' AND detail::text NOT LIKE '%5012345%'`, fmt.Sprint(d.ID)); n != 1 {
		t.Fatalf("%d audit rows", n)
	}
	before := w.env.TenantDigest(t)
	refuse(t, w.env, w.leader, http.StatusForbidden, "forbidden", http.MethodPost, phonePath(d, withPhone), nil)
	refuse(t, w.env, w.clerk, http.StatusNotFound, "no_phone", http.MethodPost, phonePath(d2, without), nil)
	refuse(t, w.env, w.clerk, http.StatusNotFound, "objection_not_found", http.MethodPost, phonePath(d2, withPhone), nil)
	if w.env.TenantDigest(t) != before {
		t.Fatal("a refused reveal changed the data")
	}
}
