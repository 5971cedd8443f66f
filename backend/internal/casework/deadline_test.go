package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"dibao/backend/internal/calendar"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/platform/civil"
)

// The decision deadline counts working days from acceptance; it is extended once, with a
// reason, to the longer limit; the lists show what is due within 5 working days and what
// is overdue, by deadline, page by page.
func TestDeadlinesAndLists(t *testing.T) {
	w := newWorld(t)
	env := w.env
	cal, err := calendar.NewService(env.DB.App, nil).Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	moveTo := func(d civil.Date) { w.days(t, today(env).DaysUntil(d)) }
	day0 := today(env)
	accept := func(head string) casework.Detail {
		d := w.submit(t, w.register(t, head, 1))
		return call(t, w.clerk, 200, http.MethodPost, path(d.ID, "accept"), map[string]any{"version": d.Version})
	}
	x := accept("甲")
	if x.Deadline.DueOn != cal.AddWorkdays(day0, 30) || x.Deadline.OriginalDueOn != x.Deadline.DueOn || x.Deadline.Extended {
		t.Fatalf("deadline %+v, want %s", x.Deadline, cal.AddWorkdays(day0, 30))
	}
	moveTo(cal.AddWorkdays(day0, 3))
	z := accept("乙")
	y := w.submit(t, w.register(t, "丙", 1)) // not accepted: no deadline, listed last
	e := accept("丁")
	refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(e.ID, "extend"),
		map[string]any{"version": e.Version, "reason": ""})
	refuse(t, env, w.village, http.StatusForbidden, "forbidden", http.MethodPost, path(e.ID, "extend"),
		map[string]any{"version": e.Version, "reason": "需补充公积金核对"})
	e = call(t, w.clerk, 200, http.MethodPost, path(e.ID, "extend"), map[string]any{"version": e.Version, "reason": "需补充公积金核对"})
	if !e.Deadline.Extended || e.Deadline.DueOn != cal.AddWorkdays(e.Deadline.AcceptedOn, 45) ||
		e.Deadline.OriginalDueOn != cal.AddWorkdays(e.Deadline.AcceptedOn, 30) || e.Deadline.ExtensionReason != "需补充公积金核对" {
		t.Fatalf("extended %+v", e.Deadline)
	}
	refuse(t, env, w.clerk, http.StatusConflict, "already_extended", http.MethodPost, path(e.ID, "extend"),
		map[string]any{"version": e.Version, "reason": "再延"})

	// The day after x's deadline: x is overdue, z (3 working days later) due soon.
	moveTo(x.Deadline.DueOn.AddDays(1))
	list := func(route string) casework.Page {
		t.Helper()
		r := w.clerk.Do(http.MethodGet, route, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", route, r.Status, r.Body)
		}
		var p casework.Page
		r.JSON(t, &p)
		return p
	}
	ids := func(p casework.Page) string {
		var out []int64
		for _, it := range p.Items {
			out = append(out, it.ID)
		}
		return fmt.Sprint(out)
	}
	if p := list("/api/v1/cases/overdue"); ids(p) != fmt.Sprint([]int64{x.ID}) || !p.Items[0].Overdue || *p.Items[0].WorkdaysLeft >= 0 {
		t.Fatalf("overdue %s %+v", ids(p), p.Items)
	}
	if p := list("/api/v1/cases/due-soon?division=" + meixi); ids(p) != fmt.Sprint([]int64{z.ID}) || !p.Items[0].DueSoon ||
		*p.Items[0].WorkdaysLeft > 5 || *p.Items[0].WorkdaysLeft < 0 {
		t.Fatalf("due soon %s %+v", ids(p), p.Items)
	}
	refuse(t, env, w.clerk, http.StatusConflict, "deadline_passed", http.MethodPost, path(x.ID, "extend"),
		map[string]any{"version": x.Version, "reason": "超期补延"})
	// The work list: by deadline, those without one last, a page at a time.
	all := list("/api/v1/cases")
	if ids(all) != fmt.Sprint([]int64{x.ID, z.ID, e.ID, y.ID}) {
		t.Fatalf("work list %s, want x z e y", ids(all))
	}
	var paged []int64
	cursor := ""
	for i := 0; i < 10; i++ {
		p := list("/api/v1/cases?limit=1&after=" + cursor)
		for _, it := range p.Items {
			paged = append(paged, it.ID)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if fmt.Sprint(paged) != ids(all) {
		t.Fatalf("paged %v, want %s", paged, ids(all))
	}
	if p := list("/api/v1/cases?state=submitted"); ids(p) != fmt.Sprint([]int64{y.ID}) {
		t.Fatalf("submitted %s", ids(p))
	}
	if p := list("/api/v1/cases?state=accepted,submitted&limit=2"); len(p.Items) != 2 || p.NextCursor == "" {
		t.Fatalf("two states %+v", p)
	}
	// The village worker of a sibling village sees none of them.
	env.AddUser(t, "sib.village", "village_worker", "330523101202")
	var sib casework.Page
	env.SignIn(t, "sib.village").Do(http.MethodGet, "/api/v1/cases", nil).JSON(t, &sib)
	if len(sib.Items) != 0 {
		t.Fatalf("a sibling village sees %d cases", len(sib.Items))
	}
	for _, bad := range []string{"limit=0", "limit=500", "state=maybe", "after=yesterday", "queue=mine", "division=33"} {
		refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodGet, "/api/v1/cases?"+bad, nil)
	}
	refuse(t, env, w.clerk, http.StatusNotFound, "division_not_found", http.MethodGet, "/api/v1/cases?division=330522101", nil)
	refuse(t, env, env.SignIn(t, "ax.finance"), http.StatusForbidden, "forbidden", http.MethodGet, "/api/v1/cases/overdue", nil)
}
