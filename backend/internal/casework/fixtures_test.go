package casework_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

const (
	meixi  = "330523101201" // 梅溪村
	county = "330523"
)

// world is a server with the demo data, the county's standards and the demo staff signed in.
type world struct {
	env                             *apptest.Env
	village, clerk, leader, approve *apptest.Client
	numbers                         map[int64][]string // members' ID numbers by household
}

func newWorld(t *testing.T) *world {
	t.Helper()
	env := apptest.New(t)
	// 安吉县's standards since 2020 (enrolment's tables): urban 1300 yuan, rural 1250 yuan.
	env.DB.Super.MustExec(`INSERT INTO benefit_standards (county_code, division_code, category, monthly_fen, effective_month)
		VALUES ('330523', '330523', 'urban', 130000, '2020-01-01'), ('330523', '330523', 'rural', 125000, '2020-01-01')`)
	return &world{env: env, village: env.SignIn(t, "ax.village"), clerk: env.SignIn(t, "ax.clerk"),
		leader: env.SignIn(t, "ax.leader"), approve: env.SignIn(t, "ax.approver"), numbers: map[int64][]string{}}
}

var personSeq atomic.Int64

// idNumber is a fresh valid ID number of someone born in year.
func idNumber(year int) string {
	n := personSeq.Add(1)
	return household.MakeIDNumber("330523", civil.Date{Year: year, Month: time.Month(1 + n%12), Day: 1 + int(n%27)}, int(n%900)+10)
}

// register registers a household in 梅溪村 through the registry's API as the caseworker: a
// head of household (and a wife) with a small counted income, an address, a phone and a
// bank account, so that a notice can be checked for what it must not show.
func (w *world) register(t *testing.T, head string, members int) household.Household {
	t.Helper()
	people := []map[string]any{{"name": head, "id_number": idNumber(1958), "relation": "self", "labour_capacity": "partial"}}
	if members > 1 {
		people = append(people, map[string]any{"name": head + "妻", "id_number": idNumber(1960), "relation": "spouse",
			"labour_capacity": "none"})
	}
	for i := 2; i < members; i++ {
		people = append(people, map[string]any{"name": fmt.Sprintf("%s子%d", head, i), "id_number": idNumber(2012), "relation": "child"})
	}
	body := map[string]any{"division_code": meixi, "category": "rural", "address": "梅溪村幸福路88号",
		"phone": "13857201234", "bank_name": "安吉农商银行", "bank_holder": head, "bank_account": "6228480012345678901",
		"members": people,
		"incomes": []map[string]any{{"kind": "farming", "source": "茶园", "monthly_fen": 60000}},
		"assets":  []map[string]any{{"kind": "house", "description": "自建砖混房两间", "value_fen": 8000000}}}
	r := w.clerk.Do(http.MethodPost, "/api/v1/households", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", head, r.Status, r.Body)
	}
	var h household.Household
	r.JSON(t, &h)
	for _, p := range people {
		w.numbers[h.ID] = append(w.numbers[h.ID], p["id_number"].(string))
	}
	return h
}

// call sends a request and decodes a case detail, failing unless the status is want.
func call(t *testing.T, c *apptest.Client, want int, method, path string, body any) casework.Detail {
	t.Helper()
	r := c.Do(method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s as %s: %d %s (want %d)", method, path, c.Username, r.Status, r.Body, want)
	}
	var d casework.Detail
	if want < 300 {
		r.JSON(t, &d)
	}
	return d
}

// refuse sends a request that must fail with status and code and change nothing.
func refuse(t *testing.T, env *apptest.Env, c *apptest.Client, status int, code, method, path string, body any) string {
	t.Helper()
	before := env.TenantDigest(t)
	r := c.Do(method, path, body)
	if r.Status != status || r.ErrorCode() != code {
		t.Fatalf("%s %s as %s: %d %s (want %d %s)", method, path, c.Username, r.Status, r.Body, status, code)
	}
	if env.TenantDigest(t) != before {
		t.Fatalf("%s %s as %s was refused but changed the database", method, path, c.Username)
	}
	return r.ErrorMessage()
}

func path(id int64, step string) string {
	if step == "" {
		return fmt.Sprintf("/api/v1/cases/%d", id)
	}
	return fmt.Sprintf("/api/v1/cases/%d/%s", id, step)
}

func today(env *apptest.Env) civil.Date { return civil.Today(env.Clock.Now()) }

func userID(t *testing.T, env *apptest.Env, username string) int64 {
	t.Helper()
	var id int64
	if err := env.DB.Super.Get(&id, `SELECT id FROM users WHERE username = $1`, username); err != nil {
		t.Fatal(err)
	}
	return id
}

func has(actions []casework.Action, a casework.Action) bool {
	for _, x := range actions {
		if x == a {
			return true
		}
	}
	return false
}

func wantActions(t *testing.T, who string, d casework.Detail, want ...casework.Action) {
	t.Helper()
	got := fmt.Sprint(d.AllowedActions)
	if fmt.Sprint(want) != got && !(len(want) == 0 && len(d.AllowedActions) == 0) {
		t.Fatalf("%s may %s in %s, want %v", who, got, d.State, want)
	}
}

// submit has the village worker submit an application of household h.
func (w *world) submit(t *testing.T, h household.Household) casework.Detail {
	t.Helper()
	return call(t, w.village, http.StatusCreated, http.MethodPost, "/api/v1/cases", map[string]any{
		"household_id": h.ID, "channel": "village", "application_reason": "丈夫患病，家庭收入微薄",
		"authorisation_signed_on": today(w.env).String()})
}

// investigate takes a case from submission through a signed home visit: accepted, an
// economic check result, a visit by the caseworker and the village worker, both signed.
func (w *world) investigate(t *testing.T, d casework.Detail) casework.Detail {
	t.Helper()
	if d.State == casework.Submitted {
		d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "accept"), map[string]any{"version": d.Version, "opinion": "材料齐全，予以受理"})
	}
	if d.State == casework.Accepted {
		d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "start-investigation"), map[string]any{"version": d.Version})
	}
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "checks"), map[string]any{"version": d.Version,
		"department": "公安（车辆）", "result": "consistent", "checked_on": today(w.env).String()})
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "visits"), map[string]any{"version": d.Version,
		"visited_on": today(w.env).String(), "findings": "家中陈设简陋，户主患慢性病，劳动能力弱。",
		"investigator_ids": []int64{userID(t, w.env, w.clerk.Username), userID(t, w.env, "ax.village")}})
	visit := d.Visits[len(d.Visits)-1].ID
	return call(t, w.village, 200, http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/visits/%d/sign", d.ID, visit),
		map[string]any{"version": d.Version})
}

// review has the caseworker propose and the leader sign off.
func (w *world) review(t *testing.T, d casework.Detail, recommendation string) casework.Detail {
	t.Helper()
	body := map[string]any{"version": d.Version, "recommendation": recommendation, "opinion": "经调查核实"}
	if recommendation == "deny" {
		body["reason"] = "家庭人均收入高于当地保障标准"
	}
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "proposal"), body)
	return call(t, w.leader, 200, http.MethodPost, path(d.ID, "sign-off"), map[string]any{"version": d.Version, "opinion": "同意"})
}

// notice has the village worker post the notice from today.
func (w *world) notice(t *testing.T, d casework.Detail) casework.Detail {
	t.Helper()
	return call(t, w.village, 200, http.MethodPost, path(d.ID, "notices"), map[string]any{"version": d.Version})
}

// days moves the clock on by n calendar days; the staff sign in again (sessions end after
// 30 idle minutes).
func (w *world) days(t *testing.T, n int) {
	t.Helper()
	w.env.Clock.Advance(time.Duration(n) * 24 * time.Hour)
	w.village, w.clerk = w.env.SignIn(t, "ax.village"), w.env.SignIn(t, "ax.clerk")
	w.leader, w.approve = w.env.SignIn(t, "ax.leader"), w.env.SignIn(t, "ax.approver")
}

func count(t *testing.T, env *apptest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.DB.Super.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func contains(s string, subs ...string) string {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return sub
		}
	}
	return ""
}
