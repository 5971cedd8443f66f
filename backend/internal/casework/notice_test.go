package casework_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"dibao/backend/internal/calendar"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/identity"
)

// A denial: the township proposes to deny, no notice is posted, the county denies with a
// written reason and the letter can be printed. The household leaves the person index.
func TestDenialAndLetter(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h := w.register(t, "钱满仓", 2)
	d := w.review(t, w.investigate(t, w.submit(t, h)), "deny")
	if d.State != casework.TownshipReviewed || d.Proposal.Recommendation != "deny" || d.Proposal.AmountFen != nil {
		t.Fatalf("reviewed %s %+v", d.State, d.Proposal)
	}
	if got := call(t, w.village, 200, http.MethodGet, path(d.ID, ""), nil); len(got.AllowedActions) != 0 {
		t.Fatalf("the village worker may %v on a case proposed for denial", got.AllowedActions)
	}
	refuse(t, env, w.village, http.StatusConflict, "notice_not_needed", http.MethodPost, path(d.ID, "notices"), map[string]any{"version": d.Version})
	refuse(t, env, w.approve, http.StatusConflict, "case_state", http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version})
	refuse(t, env, w.approve, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "deny"),
		map[string]any{"version": d.Version, "reason": "   "})
	refuse(t, env, w.approve, http.StatusConflict, "no_letter", http.MethodGet, path(d.ID, "letter"), nil)
	d = call(t, w.approve, 200, http.MethodPost, path(d.ID, "deny"), map[string]any{"version": d.Version,
		"reason": "经核实，家庭人均月收入高于本县农村低保标准。"})
	if d.State != casework.Denied || d.Decision.DenialReason == "" || d.Decision.CertificateNo != "" {
		t.Fatalf("denied %+v", d.Decision)
	}
	if n := count(t, env, `SELECT count(*) FROM person_index WHERE household_id = $1`, h.ID); n != 0 {
		t.Fatalf("%d members still in the person index", n)
	}
	if n := count(t, env, `SELECT count(*) FROM households WHERE id = $1 AND status = 'registered'`, h.ID); n != 1 {
		t.Fatal("the household did not return to the registry")
	}
	var l casework.Letter
	r := w.clerk.Do(http.MethodGet, path(d.ID, "letter"), nil)
	r.JSON(t, &l)
	if r.Status != 200 || l.Kind != casework.Denied || l.Reason != "经核实，家庭人均月收入高于本县农村低保标准。" ||
		l.Issuer != "安吉县民政局" || l.VillageName != "梅溪村" || l.TownshipName != "梅溪镇" || l.HeadName != "钱满仓" ||
		l.DecidedOn != today(env) || !l.DeliverBy.After(l.DecidedOn) {
		t.Fatalf("letter %d %+v", r.Status, l)
	}
	// A closed case lets the household apply again.
	w.submit(t, h)
}

// Refusing to accept: a written reason, a letter in the township's name, nothing left open.
func TestNotAccepted(t *testing.T) {
	w := newWorld(t)
	h := w.register(t, "周二狗", 1)
	d := w.submit(t, h)
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "not-accept"), map[string]any{"version": d.Version,
		"reason": "申请人户籍不在本乡镇"})
	if d.State != casework.NotAccepted || d.NotAcceptedReason != "申请人户籍不在本乡镇" || len(d.AllowedActions) != 0 {
		t.Fatalf("not accepted %+v", d)
	}
	var l casework.Letter
	w.village.Do(http.MethodGet, path(d.ID, "letter"), nil).JSON(t, &l)
	if l.Kind != casework.NotAccepted || l.Issuer != "梅溪镇人民政府" || l.Reason != "申请人户籍不在本乡镇" {
		t.Fatalf("letter %+v", l)
	}
}

// An objection sends the case back to investigation in a new round that must be evaluated;
// a second notice follows. The evaluation panel's composition is checked rule by rule.
func TestObjectionAndSecondNotice(t *testing.T) {
	w := newWorld(t)
	env := w.env
	d := w.notice(t, w.review(t, w.investigate(t, w.submit(t, w.register(t, "吴春生", 2))), "approve"))
	notice1 := d.Notices[0].ID
	refuse(t, env, w.village, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "objections"),
		map[string]any{"version": d.Version, "received_on": today(env).String(), "content": ""})
	d = call(t, w.village, 200, http.MethodPost, path(d.ID, "objections"), map[string]any{"version": d.Version,
		"received_on": today(env).String(), "content": "反映该户儿子在外务工，收入未如实申报", "objector": ""})
	if d.State != casework.Investigating || d.Round != 2 || !d.EvaluationRequired || d.Proposal != nil ||
		d.Notices[0].Status != "objected" || len(d.Objections) != 1 || d.Objections[0].Source != "village" {
		t.Fatalf("after the objection: %s round %d eval %v proposal %+v notices %+v", d.State, d.Round, d.EvaluationRequired,
			d.Proposal, d.Notices)
	}
	// Round 2 needs its own check and visit before anything else.
	refuse(t, env, w.clerk, http.StatusConflict, "check_missing", http.MethodPost, path(d.ID, "refer-evaluation"), map[string]any{"version": d.Version})
	d = w.investigate(t, d)
	refuse(t, env, w.clerk, http.StatusConflict, "evaluation_required", http.MethodPost, path(d.ID, "proposal"),
		map[string]any{"version": d.Version, "recommendation": "approve"})
	got := call(t, w.clerk, 200, http.MethodGet, path(d.ID, ""), nil)
	if !has(got.AllowedActions, casework.ActReferEvaluation) || has(got.AllowedActions, casework.ActPropose) {
		t.Fatalf("the caseworker may %v in round 2", got.AllowedActions)
	}
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "refer-evaluation"), map[string]any{"version": d.Version, "opinion": "因公示异议提交评议"})
	if d.State != casework.Evaluating {
		t.Fatalf("state %s", d.State)
	}
	panel := func(kinds ...string) []map[string]any {
		var out []map[string]any
		for i, k := range kinds {
			out = append(out, map[string]any{"name": fmt.Sprintf("评议员%d", i+1), "kind": k})
		}
		return out
	}
	const rep, cadre, party = "villager_representative", "cadre", "party_member"
	eval := func(members []map[string]any, f, a, ab int) map[string]any {
		return map[string]any{"version": d.Version, "held_on": today(env).String(), "members": members, "votes_for": f,
			"votes_against": a, "votes_abstain": ab, "minutes": "评议会议记录：经无记名投票……"}
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
		words string
	}{
		{eval(panel(rep, rep, cadre, party), 4, 0, 0), "members", "奇数"},
		{eval(panel(rep, party, party, cadre, party), 5, 0, 0), "members", "村民代表"},
		{eval(panel(rep, rep, cadre, cadre, party), 5, 0, 0), "members", "村干部"},
		{eval(panel(rep, rep, cadre), 2, 0, 0), "votes_for", "之和"},
		{eval(append(panel(rep, rep), map[string]any{"name": "评议员1", "kind": cadre}), 3, 0, 0), "members[2].name", "重复"},
		{eval(panel(rep, rep, "boss"), 3, 0, 0), "members[2].kind", "类别"},
	} {
		r := w.village.Do(http.MethodPost, path(d.ID, "evaluations"), bad.body)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+bad.field+`"`) || !strings.Contains(r.ErrorMessage(), bad.words) {
			t.Fatalf("panel %v: %d %s (want 400 on %s saying %s)", bad.body["members"], r.Status, r.Body, bad.field, bad.words)
		}
	}
	refuse(t, env, w.clerk, http.StatusForbidden, "forbidden", http.MethodPost, path(d.ID, "evaluations"), eval(panel(rep, rep, cadre), 3, 0, 0))
	d = call(t, w.village, 200, http.MethodPost, path(d.ID, "evaluations"), eval(panel(rep, rep, cadre, party, rep), 3, 1, 1))
	if e := d.Evaluations[0]; !e.Passed || e.PanelSize != 5 || len(e.Members) != 5 || e.Round != 2 {
		t.Fatalf("evaluation %+v", e)
	}
	refuse(t, env, w.village, http.StatusConflict, "evaluation_recorded", http.MethodPost, path(d.ID, "evaluations"), eval(panel(rep, rep, cadre), 3, 0, 0))
	d = w.review(t, d, "approve")
	d = w.notice(t, d)
	if len(d.Notices) != 2 || d.Notices[1].Round != 2 || d.Notices[1].Status != "open" || d.Notices[1].ID == notice1 {
		t.Fatalf("second notice %+v", d.Notices)
	}

	// An objection from the public portal (no account) to the second notice does the same.
	svc := casework.NewService(env.DB.App, nil, calendar.NewService(env.DB.App, nil), env.Box, nil, nil, env.Clock.Now)
	if _, err := svc.RecordObjection(context.Background(), casework.PublicObjection{County: county, NoticeID: notice1,
		Content: "旧公示"}, identity.Meta{}); err == nil {
		t.Fatal("an objection to the closed first notice was taken")
	}
	receipt, err := svc.RecordObjection(context.Background(), casework.PublicObjection{County: county, NoticeID: d.Notices[1].ID,
		Content: "匿名反映：该户有车辆"}, identity.Meta{RequestID: "public-1"})
	if err != nil || receipt.ObjectionID == 0 {
		t.Fatalf("public objection: %+v %v", receipt, err)
	}
	// The village worker's view was of the old version: refused, not lost.
	refuse(t, env, w.village, http.StatusConflict, "case_version_conflict", http.MethodPost, path(d.ID, "objections"),
		map[string]any{"version": d.Version, "received_on": today(env).String(), "content": "又一条"})
	d = call(t, w.clerk, 200, http.MethodGet, path(d.ID, ""), nil)
	last := d.Timeline[len(d.Timeline)-1]
	if d.State != casework.Investigating || d.Round != 3 || last.ActorID != nil || last.Action != "record_objection" ||
		d.Objections[1].Source != "public" {
		t.Fatalf("after the public objection: %s round %d last event %+v", d.State, d.Round, last)
	}
}

// A notice publishes only the head's name, the village, the covered people, the monthly
// amount and the category: never the ID number, address, income, assets, phone or bank
// account, neither in its text nor anywhere in the API's answers about it.
func TestNoticePublishesOnlyWhatIsAllowed(t *testing.T) {
	w := newWorld(t)
	h := w.register(t, "郑秋菊", 2)
	d := w.notice(t, w.review(t, w.investigate(t, w.submit(t, h)), "approve"))
	n := d.Notices[0]
	if !strings.Contains(n.Text, "郑秋菊") || !strings.Contains(n.Text, "梅溪村") || !strings.Contains(n.Text, "2 人") ||
		!strings.Contains(n.Text, "1900 元") || !strings.Contains(n.Text, "农村") {
		t.Fatalf("notice text %q", n.Text)
	}
	var numbers []string
	if err := w.env.DB.Super.Select(&numbers, `SELECT id_number_masked FROM household_members WHERE household_id = $1`, h.ID); err != nil {
		t.Fatal(err)
	}
	forbidden := append(numbers, "幸福路", "13857201234", "138****1234", "6228480012345678901", "8901", "600", "60000",
		"茶园", "砖混", "8000000", "安吉农商银行", "330523195", "330523196")
	if s := contains(n.Text, forbidden...); s != "" {
		t.Fatalf("the notice text shows %q: %s", s, n.Text)
	}
	r := w.village.Do(http.MethodGet, "/api/v1/notices?limit=200&division="+meixi, nil)
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	r.JSON(t, &page)
	var listed string
	for _, raw := range page.Items {
		var it casework.NoticeItem
		if err := json.Unmarshal(raw, &it); err != nil {
			t.Fatal(err)
		}
		if it.ID == n.ID && it.CaseNo == d.CaseNo {
			listed = withoutSystemFields(t, raw)
		}
	}
	if r.Status != 200 || listed == "" {
		t.Fatalf("notices %d %s", r.Status, r.Body)
	}
	if s := contains(listed, forbidden...); s != "" {
		t.Fatalf("the notices API shows %q: %s", s, listed)
	}
	for _, cn := range d.Notices {
		if s := contains(withoutSystemFields(t, json.RawMessage(jsonOf(t, cn))), forbidden...); s != "" {
			t.Fatalf("the case's notices show %q", s)
		}
	}
	// The approver's queue holds it once the notice has run.
	var q casework.Page
	w.approve.Do(http.MethodGet, "/api/v1/cases?queue=decision&limit=200", nil).JSON(t, &q)
	queued := false
	for _, it := range q.Items {
		queued = queued || it.ID == d.ID
		if it.State != casework.Noticed && !(it.State == casework.TownshipReviewed && it.Recommendation != nil && *it.Recommendation == "deny") {
			t.Fatalf("the decision queue holds %+v", it)
		}
	}
	if !queued {
		t.Fatalf("decision queue %+v", q)
	}
}

// withoutSystemFields drops what the system makes up (ids, the case number, the posting
// time): short forbidden numbers such as "600" could turn up in a timestamp's fraction
// of a second and fail the test for nothing.
func withoutSystemFields(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "case_id", "case_no", "posted_at"} {
		delete(m, k)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
