package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/casework"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
)

// A caseworker registers his sister-in-law; her household's case is flagged, he is refused
// every action on it, and the county decides only after its own visit.
func TestRelativesRegisterAndRecusal(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h := w.register(t, "陈阿四", 2)
	wife := w.numbers[h.ID][1]
	d := w.submit(t, h)
	if d.RelativeFlag {
		t.Fatal("flagged before any registration")
	}

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "", "relation": "sibling_in_law", "id_number": wife}, "name"},
		{map[string]any{"name": "陈妻", "relation": "neighbour", "id_number": wife}, "relation"},
		{map[string]any{"name": "陈妻", "relation": "sibling_in_law", "id_number": wrongCheckDigit(wife)}, "id_number"},
		{map[string]any{"name": "陈妻", "relation": "sibling_in_law", "id_number": "330523209901010011"}, "id_number"},
	} {
		r := w.clerk.Do(http.MethodPost, "/api/v1/relatives", bad.body)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+bad.field+`"`) {
			t.Fatalf("relative %v: %d %s", bad.body, r.Status, r.Body)
		}
	}
	refuse(t, env, env.SignIn(t, "ax.finance"), http.StatusForbidden, "forbidden", http.MethodPost, "/api/v1/relatives",
		map[string]any{"name": "陈妻", "relation": "sibling_in_law", "id_number": wife})
	var rel casework.Relative
	r := w.clerk.Do(http.MethodPost, "/api/v1/relatives", map[string]any{"name": "陈妻", "relation": "sibling_in_law",
		"id_number": strings.ToLower(wife)})
	r.JSON(t, &rel)
	if r.Status != 201 || rel.IDNumberMasked == "" || strings.Contains(string(r.Body), wife) {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	refuse(t, env, w.clerk, http.StatusConflict, "relative_exists", http.MethodPost, "/api/v1/relatives",
		map[string]any{"name": "陈妻", "relation": "sibling_in_law", "id_number": wife})
	if n := count(t, env, `SELECT count(*) FROM cases WHERE id = $1 AND relative_flag`, d.ID); n != 1 {
		t.Fatal("registering did not flag the open case")
	}
	var mine []casework.Relative
	w.clerk.Do(http.MethodGet, "/api/v1/relatives", nil).JSON(t, &mine)
	var theirs []casework.Relative
	w.village.Do(http.MethodGet, "/api/v1/relatives", nil).JSON(t, &theirs)
	if len(mine) != 1 || mine[0].ID != rel.ID || len(theirs) != 0 {
		t.Fatalf("registers: mine %+v, the village worker's %+v", mine, theirs)
	}
	if dump := jsonOf(t, mine); strings.Contains(dump, wife) {
		t.Fatal("the register shows the ID number in full")
	}

	// Recused: he sees the case read-only and every action is refused, audited.
	got := call(t, w.clerk, 200, http.MethodGet, path(d.ID, ""), nil)
	if !got.Recused || !got.RelativeFlag || len(got.AllowedActions) != 0 {
		t.Fatalf("recused view: recused %v flag %v actions %v", got.Recused, got.RelativeFlag, got.AllowedActions)
	}
	msg := refuse(t, env, w.clerk, http.StatusForbidden, "case_recusal", http.MethodPost, path(d.ID, "accept"), map[string]any{"version": d.Version})
	if !strings.Contains(msg, "回避") {
		t.Fatalf("recusal message %q", msg)
	}
	refuse(t, env, w.clerk, http.StatusForbidden, "case_recusal", http.MethodPost, path(d.ID, "not-accept"),
		map[string]any{"version": d.Version, "reason": "x"})
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND detail->>'reason' = 'recusal'`); n != 2 {
		t.Fatalf("%d recusals audited", n)
	}

	// Another caseworker handles it; the recused one cannot even be named an investigator.
	env.AddUser(t, "ax.clerk2", "township_caseworker", "330523101")
	w.clerk = env.SignIn(t, "ax.clerk2")
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "accept"), map[string]any{"version": d.Version})
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "start-investigation"), map[string]any{"version": d.Version})
	var cands []casework.Candidate
	w.clerk.Do(http.MethodGet, path(d.ID, "investigators"), nil).JSON(t, &cands)
	for _, c := range cands {
		if c.UserID == userID(t, env, "ax.clerk") {
			t.Fatalf("the recused caseworker is offered as an investigator: %+v", cands)
		}
	}
	if len(cands) != 3 { // ax.clerk2, ax.leader, ax.village
		t.Fatalf("investigator candidates %+v", cands)
	}
	r = w.clerk.Do(http.MethodPost, path(d.ID, "visits"), map[string]any{"version": d.Version, "visited_on": today(env).String(),
		"findings": "入户", "investigator_ids": []int64{userID(t, env, "ax.clerk"), userID(t, env, "ax.village")}})
	if r.Status != 400 || !strings.Contains(r.ErrorMessage(), "回避") {
		t.Fatalf("naming the recused caseworker: %d %s", r.Status, r.Body)
	}
	d = w.notice(t, w.review(t, w.investigate(t, d), "approve"))
	w.days(t, 8)
	w.clerk = env.SignIn(t, "ax.clerk2")

	// The decision needs the county's own visit, made by county staff who then do not decide.
	got = call(t, w.approve, 200, http.MethodGet, path(d.ID, ""), nil)
	if has(got.AllowedActions, casework.ActApprove) || !has(got.AllowedActions, casework.ActCountyVisit) {
		t.Fatalf("the approver may %v on a relative's case without the county visit", got.AllowedActions)
	}
	refuse(t, env, w.approve, http.StatusConflict, "county_visit_required", http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version})
	env.AddUser(t, "ax.approver2", "county_approver", county)
	env.AddUser(t, "ax.approver3", "county_approver", county)
	a2, a3 := env.SignIn(t, "ax.approver2"), env.SignIn(t, "ax.approver3")
	refuse(t, env, w.clerk, http.StatusForbidden, "forbidden", http.MethodPost, path(d.ID, "county-visits"), map[string]any{"version": d.Version})
	r = a2.Do(http.MethodPost, path(d.ID, "county-visits"), map[string]any{"version": d.Version, "visited_on": today(env).String(),
		"findings": "县级核查", "investigator_ids": []int64{userID(t, env, "ax.approver2"), userID(t, env, "ax.clerk2")}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "investigator_ids") {
		t.Fatalf("a township caseworker on the county's visit: %d %s", r.Status, r.Body)
	}
	d = call(t, a2, 200, http.MethodPost, path(d.ID, "county-visits"), map[string]any{"version": d.Version,
		"visited_on": today(env).String(), "findings": "县级入户核查，情况属实",
		"investigator_ids": []int64{userID(t, env, "ax.approver2"), userID(t, env, "ax.approver3")}})
	refuse(t, env, w.approve, http.StatusConflict, "county_visit_required", http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version})
	county := d.Visits[len(d.Visits)-1]
	d = call(t, a3, 200, http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/visits/%d/sign", d.ID, county.ID), map[string]any{"version": d.Version})
	if !d.CountyVisitDone {
		t.Fatal("the county visit is not done after both signed")
	}
	refuse(t, env, a2, http.StatusForbidden, "decider_investigated", http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version})
	d = call(t, w.approve, 200, http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version})
	if d.State != casework.Approved {
		t.Fatalf("state %s", d.State)
	}

	// Removing an entry is the registrant's alone.
	refuse(t, env, w.village, http.StatusNotFound, "relative_not_found", http.MethodDelete, fmt.Sprintf("/api/v1/relatives/%d", rel.ID), nil)
	if r := env.SignIn(t, "ax.clerk").Do(http.MethodDelete, fmt.Sprintf("/api/v1/relatives/%d", rel.ID), nil); r.Status != 204 {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
}

// A person active in another county's case blocks acceptance with a message naming that
// county, never the household; nothing is written.
func TestAcceptanceRefusedForAPersonActiveElsewhere(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h := w.register(t, "林跨县", 2)
	d := w.submit(t, h)
	wife := w.numbers[h.ID][1]
	// The wife is in an open case in 长兴县 (written behind the app's back).
	err := db.WithScope(context.Background(), env.DB.Owner, db.CountyScope("330522"), func(tx *sqlx.Tx) error {
		var other int64
		if err := tx.Get(&other, `INSERT INTO households (county_code, division_code, category, head_name)
			VALUES ('330522', '330522101201', 'rural', '长兴户') RETURNING id`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO person_index (id_number_index, county_code, household_id, member_id) VALUES ($1, '330522', $2, 1)`,
			env.Box.Index(household.IDNumberField, wife), other)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := refuse(t, env, w.clerk, http.StatusConflict, "person_active_elsewhere", http.MethodPost, path(d.ID, "accept"),
		map[string]any{"version": d.Version})
	if !strings.Contains(msg, "长兴县") || strings.Contains(msg, "长兴户") {
		t.Fatalf("message %q", msg)
	}
	if got := call(t, w.clerk, 200, http.MethodGet, path(d.ID, ""), nil); got.State != casework.Submitted || got.Version != d.Version {
		t.Fatalf("the case moved: %s v%d", got.State, got.Version)
	}
}

// The spot check draws the county's share of approved cases decided in a period, other
// than relatives' cases, and records the seed so the draw can be repeated.
func TestSpotCheck(t *testing.T) {
	w := newWorld(t)
	env := w.env
	admin := env.SignIn(t, "ax.admin")
	call(t, admin, 200, http.MethodPut, "/api/v1/counties/330523/settings/cases", map[string]any{"spotcheck_percent": 50})
	decided := today(env)
	var approved []int64
	var flagged int64
	for i := 0; i < 5; i++ {
		hh := env.AddHousehold(t, meixi, fmt.Sprintf("抽查户%d", i))
		var id int64
		err := db.WithScope(context.Background(), env.DB.Owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
			return tx.Get(&id, `INSERT INTO cases (county_code, division_code, household_id, state, channel, applicant_name,
				authorisation_signed_on, submitted_at, accepted_on, due_on, decided_on, certificate_no, relative_flag, closed_at, updated_at)
				VALUES ('330523', $1, $2, 'approved', 'village', $3, $4, now(), $4, $4, $4, $5, $6, now(), now()) RETURNING id`,
				meixi, hh, fmt.Sprintf("抽查户%d", i), decided, fmt.Sprintf("X%d", i), i == 4)
		})
		if err != nil {
			t.Fatal(err)
		}
		if i < 4 {
			approved = append(approved, id)
		} else {
			flagged = id
		}
	}
	body := map[string]any{"decided_from": decided.AddDays(-1).String(), "decided_to": decided.String()}
	refuse(t, env, w.clerk, http.StatusForbidden, "forbidden", http.MethodPost, "/api/v1/spot-checks", body)
	refuse(t, env, w.approve, http.StatusBadRequest, "validation_failed", http.MethodPost, "/api/v1/spot-checks",
		map[string]any{"decided_from": decided.String(), "decided_to": decided.AddDays(-1).String()})
	var sc casework.SpotCheck
	r := w.approve.Do(http.MethodPost, "/api/v1/spot-checks", body)
	r.JSON(t, &sc)
	inPopulation := map[int64]bool{}
	for _, id := range sc.Population {
		inPopulation[id] = true
	}
	for _, id := range approved {
		if !inPopulation[id] {
			t.Fatalf("approved case %d is not in the population %v", id, sc.Population)
		}
	}
	if r.Status != 201 || inPopulation[flagged] || len(sc.Drawn) != (len(sc.Population)+1)/2 || sc.Percent != 50 {
		t.Fatalf("draw %d %s", r.Status, r.Body)
	}
	if again := casework.Draw(sc.Population, sc.Percent, sc.Seed); fmt.Sprint(again) != fmt.Sprint([]int64(sc.Drawn)) {
		t.Fatalf("repeating the draw gives %v, recorded %v", again, sc.Drawn)
	}
	if len(sc.Cases) != len(sc.Drawn) || sc.Cases[0].SpotCheckID == nil || *sc.Cases[0].SpotCheckID != sc.ID {
		t.Fatalf("drawn cases %+v", sc.Cases)
	}
	got := call(t, w.approve, 200, http.MethodGet, path(sc.Drawn[0], ""), nil)
	if !has(got.AllowedActions, casework.ActCountyVisit) || got.SpotCheckID == nil {
		t.Fatalf("a drawn case offers %v", got.AllowedActions)
	}
	// The county visits a drawn case; it stays approved and closed as it was.
	var closedBefore string
	env.DB.Super.Get(&closedBefore, `SELECT closed_at::text FROM cases WHERE id = $1`, got.ID)
	env.AddUser(t, "ax.approver2", "county_approver", county)
	got = call(t, w.approve, 200, http.MethodPost, path(got.ID, "county-visits"), map[string]any{"version": got.Version,
		"visited_on": today(env).String(), "findings": "抽查入户，情况属实",
		"investigator_ids": []int64{userID(t, env, "ax.approver"), userID(t, env, "ax.approver2")}})
	got = call(t, env.SignIn(t, "ax.approver2"), 200, http.MethodPost,
		fmt.Sprintf("/api/v1/cases/%d/visits/%d/sign", got.ID, got.Visits[0].ID), map[string]any{"version": got.Version})
	var closedAfter string
	env.DB.Super.Get(&closedAfter, `SELECT closed_at::text FROM cases WHERE id = $1`, got.ID)
	if got.State != casework.Approved || !got.Visits[0].Complete || closedAfter != closedBefore {
		t.Fatalf("after the spot-check visit: %s complete %v closed %s (was %s)", got.State, got.Visits[0].Complete, closedAfter, closedBefore)
	}

	var page casework.SpotCheckPage
	w.approve.Do(http.MethodGet, "/api/v1/spot-checks", nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != sc.ID || page.SpotcheckPercent != 50 {
		t.Fatalf("draws %+v", page)
	}
	// A second draw takes from what is left.
	var sc2 casework.SpotCheck
	w.approve.Do(http.MethodPost, "/api/v1/spot-checks", body).JSON(t, &sc2)
	if len(sc2.Population) != len(sc.Population)-len(sc.Drawn) || len(sc2.Drawn) != (len(sc2.Population)+1)/2 {
		t.Fatalf("second draw %+v", sc2)
	}
}

// County settings: the county administrator sets them; delegation lets the township leader
// decide; evaluation for every case.
func TestSettingsAndDelegation(t *testing.T) {
	w := newWorld(t)
	env := w.env
	admin := env.SignIn(t, "ax.admin")
	const url = "/api/v1/counties/330523/settings/cases"
	var st casework.Settings
	admin.Do(http.MethodGet, url, nil).JSON(t, &st)
	if st.DecisionWorkdays != 30 || st.ExtendedWorkdays != 45 || st.NoticeDays != 7 || st.DecisionDelegated {
		t.Fatalf("defaults %+v", st)
	}
	for _, bad := range []map[string]any{{"extended_workdays": 20}, {"notice_days": 0}, {"spotcheck_percent": 101}, {"decision_workdays": "30"}} {
		r := admin.Do(http.MethodPut, url, bad)
		if r.Status != 400 {
			t.Fatalf("settings %v: %d %s", bad, r.Status, r.Body)
		}
	}
	refuse(t, env, w.approve, http.StatusForbidden, "forbidden", http.MethodGet, url, nil)
	r := admin.Do(http.MethodPut, url, map[string]any{"notice_days": 10, "evaluation_always": true, "decision_delegated": true})
	r.JSON(t, &st)
	if r.Status != 200 || st.NoticeDays != 10 || !st.EvaluationAlways || !st.DecisionDelegated || st.DecisionWorkdays != 30 {
		t.Fatalf("updated %d %s", r.Status, r.Body)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'case.settings_update'`); n != 1 {
		t.Fatalf("%d settings audits", n)
	}

	d := w.investigate(t, w.submit(t, w.register(t, "黄授权", 1)))
	if !d.EvaluationRequired || !d.DecisionDelegated {
		t.Fatalf("evaluation required %v, delegated %v", d.EvaluationRequired, d.DecisionDelegated)
	}
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "refer-evaluation"), map[string]any{"version": d.Version})
	d = call(t, w.village, 200, http.MethodPost, path(d.ID, "evaluations"), map[string]any{"version": d.Version,
		"held_on": today(env).String(), "votes_for": 1, "votes_against": 2, "votes_abstain": 0, "minutes": "多数反对",
		"members": []map[string]any{{"name": "甲", "kind": "villager_representative"}, {"name": "乙", "kind": "party_member"},
			{"name": "丙", "kind": "cadre"}}})
	if d.Evaluations[0].Passed {
		t.Fatal("1 of 3 passed")
	}
	refuse(t, env, w.clerk, http.StatusConflict, "evaluation_failed", http.MethodPost, path(d.ID, "proposal"),
		map[string]any{"version": d.Version, "recommendation": "approve"})
	d = w.review(t, d, "deny")
	// Delegated: the township leader decides; the decision is the township's.
	got := call(t, w.leader, 200, http.MethodGet, path(d.ID, ""), nil)
	if !has(got.AllowedActions, casework.ActDeny) {
		t.Fatalf("the delegated leader may %v", got.AllowedActions)
	}
	d = call(t, w.leader, 200, http.MethodPost, path(d.ID, "deny"), map[string]any{"version": d.Version, "reason": "民主评议未通过"})
	if d.Decision.Level != "township" {
		t.Fatalf("decision %+v", d.Decision)
	}
	var l casework.Letter
	w.clerk.Do(http.MethodGet, path(d.ID, "letter"), nil).JSON(t, &l)
	if l.Issuer != "梅溪镇人民政府" {
		t.Fatalf("letter issuer %q", l.Issuer)
	}
	// A notice runs for the county's 10 days; the delegated leader approves after it.
	e := w.investigate(t, w.submit(t, w.register(t, "黄十天", 1)))
	e = call(t, w.clerk, 200, http.MethodPost, path(e.ID, "refer-evaluation"), map[string]any{"version": e.Version})
	e = call(t, w.village, 200, http.MethodPost, path(e.ID, "evaluations"), map[string]any{"version": e.Version,
		"held_on": today(env).String(), "votes_for": 3, "votes_against": 0, "votes_abstain": 0, "minutes": "一致同意",
		"members": []map[string]any{{"name": "甲", "kind": "villager_representative"}, {"name": "乙", "kind": "party_member"},
			{"name": "丙", "kind": "cadre"}}})
	e = w.notice(t, w.review(t, e, "approve"))
	if e.Notices[0].EndsOn != today(env).AddDays(9) {
		t.Fatalf("notice %s to %s, want 10 days", e.Notices[0].StartsOn, e.Notices[0].EndsOn)
	}
	w.days(t, 9)
	refuse(t, env, w.leader, http.StatusConflict, "notice_running", http.MethodPost, path(e.ID, "approve"), map[string]any{"version": e.Version})
	w.days(t, 1)
	e = call(t, w.leader, 200, http.MethodPost, path(e.ID, "approve"), map[string]any{"version": e.Version})
	if e.Decision.Level != "township" || e.Decision.CertificateNo == "" {
		t.Fatalf("delegated approval %+v", e.Decision)
	}
	_ = civil.Date{}
}

func wrongCheckDigit(n string) string {
	if n[17] == '0' {
		return n[:17] + "1"
	}
	return n[:17] + "0"
}
