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
	// Only this test's cases count: the demo data may hold others in 梅溪村.
	mine := map[int64]bool{x.ID: true, z.ID: true, y.ID: true, e.ID: true}
	ids := func(p casework.Page) string {
		var out []int64
		for _, it := range p.Items {
			if mine[it.ID] {
				out = append(out, it.ID)
			}
		}
		return fmt.Sprint(out)
	}
	item := func(p casework.Page, id int64) casework.Summary {
		for _, it := range p.Items {
			if it.ID == id {
				return it
			}
		}
		t.Fatalf("case %d not listed", id)
		return casework.Summary{}
	}
	if p := list("/api/v1/cases/overdue?limit=200"); ids(p) != fmt.Sprint([]int64{x.ID}) || !item(p, x.ID).Overdue ||
		*item(p, x.ID).WorkdaysLeft >= 0 {
		t.Fatalf("overdue %s %+v", ids(p), p.Items)
	}
	if p := list("/api/v1/cases/due-soon?limit=200&division=" + meixi); ids(p) != fmt.Sprint([]int64{z.ID}) ||
		!item(p, z.ID).DueSoon || *item(p, z.ID).WorkdaysLeft > 5 || *item(p, z.ID).WorkdaysLeft < 0 {
		t.Fatalf("due soon %s %+v", ids(p), p.Items)
	}
	for _, p := range []casework.Page{list("/api/v1/cases/overdue?limit=200"), list("/api/v1/cases/due-soon?limit=200")} {
		for _, it := range p.Items {
			if it.WorkdaysLeft == nil || (it.Overdue != (*it.WorkdaysLeft < 0)) {
				t.Fatalf("listed %+v", it)
			}
		}
	}
	refuse(t, env, w.clerk, http.StatusConflict, "deadline_passed", http.MethodPost, path(x.ID, "extend"),
		map[string]any{"version": x.Version, "reason": "超期补延"})
	// The work list: by deadline, those without one last, a page at a time.
	all := list("/api/v1/cases?limit=200")
	if ids(all) != fmt.Sprint([]int64{x.ID, z.ID, e.ID, y.ID}) {
		t.Fatalf("work list %s, want x z e y", ids(all))
	}
	var paged casework.Page
	cursor := ""
	for i := 0; i < 500; i++ {
		p := list("/api/v1/cases?limit=2&after=" + cursor)
		paged.Items = append(paged.Items, p.Items...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if ids(paged) != ids(all) || len(paged.Items) != len(all.Items) {
		t.Fatalf("paged %s (%d), want %s (%d)", ids(paged), len(paged.Items), ids(all), len(all.Items))
	}
	for i := 1; i < len(all.Items); i++ {
		a, b := all.Items[i-1], all.Items[i]
		if b.DueOn != nil && (a.DueOn == nil || a.DueOn.After(*b.DueOn)) {
			t.Fatalf("not by deadline: %+v before %+v", a, b)
		}
	}
	if p := list("/api/v1/cases?state=submitted&limit=200"); ids(p) != fmt.Sprint([]int64{y.ID}) {
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
