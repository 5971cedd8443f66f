package casework_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/casework"
)

// One application from submission to approval, each step by its role, with the buttons
// each user is offered along the way and the timeline it leaves.
func TestApplicationToApproval(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h := w.register(t, "李大山", 2)

	d := w.submit(t, h)
	if d.State != casework.Submitted || d.Version != 1 || d.ApplicantName != "李大山" || d.Deadline != nil ||
		!strings.HasPrefix(d.CaseNo, "330523-") || d.Household.ID != h.ID {
		t.Fatalf("submitted %+v", d)
	}
	wantActions(t, "the village worker", d)
	if got := call(t, w.clerk, 200, http.MethodGet, path(d.ID, ""), nil); !has(got.AllowedActions, casework.ActAccept) ||
		!has(got.AllowedActions, casework.ActNotAccept) {
		t.Fatalf("the caseworker may %v on a submitted case", got.AllowedActions)
	}
	if got := call(t, w.approve, 200, http.MethodGet, path(d.ID, ""), nil); len(got.AllowedActions) != 0 {
		t.Fatalf("the approver may %v on a submitted case", got.AllowedActions)
	}
	if n := count(t, env, `SELECT count(*) FROM households WHERE id = $1 AND status = 'applying'`, h.ID); n != 1 {
		t.Fatal("the household is not marked as applying")
	}

	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "accept"), map[string]any{"version": 1, "opinion": "材料齐全，予以受理"})
	if d.State != casework.Accepted || d.Deadline == nil || d.Deadline.WorkdaysLeft == nil || *d.Deadline.WorkdaysLeft != 30 {
		t.Fatalf("accepted %+v deadline %+v", d.State, d.Deadline)
	}
	if n := count(t, env, `SELECT count(*) FROM person_index WHERE household_id = $1`, h.ID); n != 2 {
		t.Fatalf("%d members in the person index after acceptance, want 2", n)
	}
	wantActions(t, "the caseworker", d, casework.ActStartInvestigation, casework.ActExtendDeadline)

	d = w.investigate(t, d)
	if d.State != casework.Investigating || len(d.Visits) != 1 || !d.Visits[0].Complete || len(d.Checks) != 1 {
		t.Fatalf("investigated %+v visits %+v", d.State, d.Visits)
	}
	if d.Income.HouseholdSize != 2 || d.Income.CountedMonthlyFen != 60000 || d.Income.PerCapitaMonthlyFen != 30000 {
		t.Fatalf("income figures %+v", d.Income)
	}
	got := call(t, w.clerk, 200, http.MethodGet, path(d.ID, ""), nil)
	wantActions(t, "the caseworker", got, casework.ActRecordCheck, casework.ActRecordVisit, casework.ActPropose, casework.ActExtendDeadline)

	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "proposal"), map[string]any{"version": d.Version,
		"recommendation": "approve", "opinion": "符合条件，拟纳入农村低保"})
	if d.Proposal == nil || d.Proposal.AmountFen == nil || *d.Proposal.AmountFen != 190000 || d.Proposal.ProposedBy != "王丽" {
		t.Fatalf("proposal %+v", d.Proposal)
	}
	if got := call(t, w.leader, 200, http.MethodGet, path(d.ID, ""), nil); fmt.Sprint(got.AllowedActions) != "[sign_off return_review]" {
		t.Fatalf("the leader may %v", got.AllowedActions)
	}
	d = call(t, w.leader, 200, http.MethodPost, path(d.ID, "sign-off"), map[string]any{"version": d.Version, "opinion": "同意"})
	if d.State != casework.TownshipReviewed || d.Proposal.SignedOffBy != "周海燕" {
		t.Fatalf("signed off %s %+v", d.State, d.Proposal)
	}
	if got := call(t, w.village, 200, http.MethodGet, path(d.ID, ""), nil); fmt.Sprint(got.AllowedActions) != "[post_notice]" {
		t.Fatalf("the village worker may %v", got.AllowedActions)
	}

	d = w.notice(t, d)
	n := d.Notices[0]
	if d.State != casework.Noticed || n.CoveredPeople != 2 || n.MonthlyAmountFen != 190000 || n.HeadName != "李大山" ||
		n.VillageName != "梅溪村" || n.EndsOn != today(env).AddDays(6) {
		t.Fatalf("notice %+v", n)
	}
	refuse(t, env, w.approve, http.StatusConflict, "notice_running", http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version})
	if got := call(t, w.approve, 200, http.MethodGet, path(d.ID, ""), nil); fmt.Sprint(got.AllowedActions) != "[extend_deadline]" {
		t.Fatalf("the approver may %v while the notice runs", got.AllowedActions)
	}

	w.days(t, 7)
	got = call(t, w.approve, 200, http.MethodGet, path(d.ID, ""), nil)
	wantActions(t, "the approver", got, casework.ActApprove, casework.ActDeny, casework.ActExtendDeadline)
	d = call(t, w.approve, 200, http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version, "opinion": "同意纳入"})
	if d.State != casework.Approved || d.Decision == nil || d.Decision.CertificateNo == "" || d.Decision.Level != "county" ||
		d.Decision.DecidedBy != "李文华" || d.Decision.AmountFen == nil || d.Deadline.WorkdaysLeft != nil {
		t.Fatalf("approved %+v decision %+v", d.State, d.Decision)
	}
	if len(d.AllowedActions) != 0 || d.Notices[0].Status != "completed" {
		t.Fatalf("after approval: actions %v notice %s", d.AllowedActions, d.Notices[0].Status)
	}
	if n := count(t, env, `SELECT count(*) FROM beneficiaries WHERE household_id = $1 AND case_id = $2`, h.ID, d.ID); n != 1 {
		t.Fatal("the household was not enrolled")
	}
	var steps []string
	for _, e := range d.Timeline {
		steps = append(steps, e.Action+":"+e.ActorName)
	}
	want := "submit:钱国平 accept:王丽 start_investigation:王丽 record_check:王丽 record_visit:王丽 sign_visit:钱国平 " +
		"propose:王丽 sign_off:周海燕 post_notice:钱国平 approve:李文华"
	if strings.Join(steps, " ") != want {
		t.Fatalf("timeline\n %s\nwant\n %s", strings.Join(steps, " "), want)
	}
	if d.Timeline[1].Opinion != "材料齐全，予以受理" || d.Timeline[1].FromState != casework.Submitted || d.Timeline[1].ToState != casework.Accepted {
		t.Fatalf("accept event %+v", d.Timeline[1])
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE object_type = 'case' AND object_id = $1 AND outcome = 'success'`,
		fmt.Sprint(d.ID)); n != len(d.Timeline) {
		t.Fatalf("%d audit rows for %d steps", n, len(d.Timeline))
	}
	// One open case per household: closed now, a new application is a new case, but the
	// household is a beneficiary.
	refuse(t, env, w.village, http.StatusConflict, "household_enrolled", http.MethodPost, "/api/v1/cases", map[string]any{
		"household_id": h.ID, "channel": "village", "authorisation_signed_on": today(env).String()})
}

// The wrong role, the wrong order, a stale version and bad input are each refused with a
// message naming the problem, in the caller's language, and write nothing.
func TestRefusals(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h := w.register(t, "赵小河", 2)
	d := w.submit(t, h)
	refuse(t, env, w.village, http.StatusConflict, "case_already_open", http.MethodPost, "/api/v1/cases", map[string]any{
		"household_id": h.ID, "channel": "village", "authorisation_signed_on": today(env).String()})

	msg := refuse(t, env, w.village, http.StatusForbidden, "forbidden", http.MethodPost, path(d.ID, "accept"), map[string]any{"version": 1})
	if !strings.Contains(msg, "受理申请") || !strings.Contains(msg, "乡镇民政专职工作人员") {
		t.Fatalf("wrong-role message %q", msg)
	}
	w.village.Lang = "en"
	if msg := refuse(t, env, w.village, http.StatusForbidden, "forbidden", http.MethodPost, path(d.ID, "accept"),
		map[string]any{"version": 1}); !strings.Contains(msg, "township caseworker") {
		t.Fatalf("English wrong-role message %q", msg)
	}
	w.village.Lang = ""
	refuse(t, env, w.leader, http.StatusForbidden, "forbidden", http.MethodPost, path(d.ID, "accept"), map[string]any{"version": 1})
	refuse(t, env, w.leader, http.StatusConflict, "case_state", http.MethodPost, path(d.ID, "sign-off"), map[string]any{"version": 1})
	refuse(t, env, w.approve, http.StatusForbidden, "forbidden", http.MethodPost, path(d.ID, "accept"), map[string]any{"version": 1})
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND object_type = 'case'`); n < 4 {
		t.Fatalf("%d refusals audited", n)
	}
	msg = refuse(t, env, w.clerk, http.StatusConflict, "case_state", http.MethodPost, path(d.ID, "start-investigation"), map[string]any{"version": 1})
	if !strings.Contains(msg, "已申请") || !strings.Contains(msg, "开始调查核实") {
		t.Fatalf("out-of-order message %q", msg)
	}
	refuse(t, env, w.clerk, http.StatusConflict, "case_state", http.MethodPost, path(d.ID, "proposal"),
		map[string]any{"version": 1, "recommendation": "approve"})
	refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "not-accept"), map[string]any{"version": 1})
	refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "accept"), map[string]any{})
	refuse(t, env, w.clerk, http.StatusBadRequest, "unknown_field", http.MethodPost, path(d.ID, "accept"), map[string]any{"version": 1, "state": "approved"})
	refuse(t, env, w.clerk, http.StatusNotFound, "case_not_found", http.MethodPost, path(d.ID+1000, "accept"), map[string]any{"version": 1})
	refuse(t, env, env.SignIn(t, "cx.clerk"), http.StatusNotFound, "case_not_found", http.MethodGet, path(d.ID, ""), nil)

	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "accept"), map[string]any{"version": 1})
	msg = refuse(t, env, w.clerk, http.StatusConflict, "case_version_conflict", http.MethodPost, path(d.ID, "start-investigation"), map[string]any{"version": 1})
	if !strings.Contains(msg, "第 1 版") || !strings.Contains(msg, "第 2 版") {
		t.Fatalf("stale-version message %q", msg)
	}
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "start-investigation"), map[string]any{"version": d.Version})

	// Investigation: the visit needs two different staff of the village; a proposal needs
	// the check and a signed visit.
	v := d.Version
	visit := func(ids []int64) map[string]any {
		return map[string]any{"version": v, "visited_on": today(env).String(), "findings": "入户", "investigator_ids": ids}
	}
	clerk, village := userID(t, env, "ax.clerk"), userID(t, env, "ax.village")
	for _, ids := range [][]int64{{clerk}, {clerk, clerk}, {clerk, userID(t, env, "cx.clerk")}, {clerk, userID(t, env, "ax.finance")}} {
		r := w.clerk.Do(http.MethodPost, path(d.ID, "visits"), visit(ids))
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"investigator_ids"`) {
			t.Fatalf("visit by %v: %d %s", ids, r.Status, r.Body)
		}
	}
	future := visit([]int64{clerk, village})
	future["visited_on"] = today(env).AddDays(1).String()
	refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "visits"), future)
	msg = refuse(t, env, w.clerk, http.StatusConflict, "check_missing", http.MethodPost, path(d.ID, "proposal"),
		map[string]any{"version": v, "recommendation": "approve"})
	for _, bad := range []map[string]any{
		{"version": v, "department": "", "result": "consistent", "checked_on": today(env).String()},
		{"version": v, "department": "人社", "result": "maybe", "checked_on": today(env).String()},
		{"version": v, "department": "人社", "result": "discrepancy", "checked_on": today(env).String()}, // findings required
		{"version": v, "department": "人社", "result": "consistent"},
	} {
		refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "checks"), bad)
	}
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "checks"), map[string]any{"version": v, "department": "人社",
		"result": "consistent", "checked_on": today(env).String()})
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "visits"), map[string]any{"version": d.Version,
		"visited_on": today(env).String(), "findings": "入户", "investigator_ids": []int64{clerk, village}})
	refuse(t, env, w.clerk, http.StatusConflict, "visit_incomplete", http.MethodPost, path(d.ID, "proposal"),
		map[string]any{"version": d.Version, "recommendation": "approve"})
	sign := fmt.Sprintf("/api/v1/cases/%d/visits/%d/sign", d.ID, d.Visits[0].ID)
	refuse(t, env, w.clerk, http.StatusConflict, "already_signed", http.MethodPost, sign, map[string]any{"version": d.Version})
	refuse(t, env, w.leader, http.StatusForbidden, "not_investigator", http.MethodPost, sign, map[string]any{"version": d.Version})
	d = call(t, w.village, 200, http.MethodPost, sign, map[string]any{"version": d.Version})
	refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "proposal"),
		map[string]any{"version": d.Version, "recommendation": "maybe"})
	refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "proposal"),
		map[string]any{"version": d.Version, "recommendation": "deny"}) // a denial needs its reason
	refuse(t, env, w.village, http.StatusConflict, "case_state", http.MethodPost, path(d.ID, "notices"), map[string]any{"version": d.Version})
	refuse(t, env, w.clerk, http.StatusConflict, "evaluation_not_required", http.MethodPost, path(d.ID, "refer-evaluation"),
		map[string]any{"version": d.Version})
}

// Two approving officers approve the same case at once: exactly one succeeds, the other
// is told someone else acted, and there is one certificate.
func TestConcurrentApprovals(t *testing.T) {
	w := newWorld(t)
	env := w.env
	env.AddUser(t, "ax.approver2", "county_approver", county)
	h := w.register(t, "孙有福", 1)
	d := w.notice(t, w.review(t, w.investigate(t, w.submit(t, h)), "approve"))
	w.days(t, 8)
	second := env.SignIn(t, "ax.approver2")
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	codes := make([]string, 2)
	for i, c := range []*apptest.Client{w.approve, second} {
		wg.Add(1)
		go func(i int, c *apptest.Client) {
			defer wg.Done()
			r := c.Do(http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version})
			statuses[i], codes[i] = r.Status, r.ErrorCode()
		}(i, c)
	}
	wg.Wait()
	ok, conflict := 0, 0
	for i := range statuses {
		switch {
		case statuses[i] == 200:
			ok++
		case statuses[i] == 409 && codes[i] == "case_version_conflict":
			conflict++
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("concurrent approvals answered %v %v", statuses, codes)
	}
	if n := count(t, env, `SELECT count(*) FROM certificates WHERE county_code = '330523' AND household_id = $1`, h.ID); n != 1 {
		t.Fatalf("%d certificates", n)
	}
	if n := count(t, env, `SELECT count(*) FROM case_events WHERE case_id = $1 AND action = 'approve'`, d.ID); n != 1 {
		t.Fatalf("%d approvals on the timeline", n)
	}
}
