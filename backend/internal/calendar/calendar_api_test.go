package calendar_test

import (
	"net/http"
	"testing"

	"dibao/backend/internal/app/apptest"
)

func TestCalendarAPI(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	var year struct {
		Year int
		Days []struct{ Date, Kind, Name string }
	}
	r := clerk.Do(http.MethodGet, "/api/v1/calendar?year=2026", nil)
	r.JSON(t, &year)
	if r.Status != 200 || year.Year != 2026 || len(year.Days) != 39 || year.Days[0].Date != "2026-01-01" || year.Days[0].Name != "元旦" {
		t.Fatalf("2026: %d %.300s", r.Status, r.Body)
	}
	var due struct{ Due string }
	r = clerk.Do(http.MethodGet, "/api/v1/calendar/deadline?from=2026-09-30&workdays=30", nil)
	r.JSON(t, &due)
	if due.Due != "2026-11-17" {
		t.Fatalf("deadline: %s", r.Body)
	}
	for _, bad := range []string{"?from=2026-13-01&workdays=3", "?from=2026-01-01&workdays=-1", "?from=&workdays=1"} {
		if r := clerk.Do(http.MethodGet, "/api/v1/calendar/deadline"+bad, nil); r.Status != 400 || r.ErrorCode() != "validation_failed" {
			t.Errorf("deadline%s: %d %s", bad, r.Status, r.Body)
		}
	}

	// A clerk may not edit the calendar; the platform administrator may.
	if r := clerk.Do(http.MethodPut, "/api/v1/calendar/days/2027-01-01", map[string]string{"kind": "holiday", "name": "元旦"}); r.Status != 403 {
		t.Fatalf("clerk edits the calendar: %d", r.Status)
	}
	admin := env.SignIn(t, "platform")
	if r := admin.Do(http.MethodPut, "/api/v1/calendar/days/2027-01-01", map[string]string{"kind": "holiday", "name": "元旦"}); r.Status != 200 {
		t.Fatalf("platform sets a holiday: %d %s", r.Status, r.Body)
	}
	// 2026-12-31 is a Thursday: the next working day is Monday 2027-01-04 now that 1 January is a holiday.
	r = clerk.Do(http.MethodGet, "/api/v1/calendar/deadline?from=2026-12-31&workdays=1", nil)
	r.JSON(t, &due)
	if due.Due != "2027-01-04" {
		t.Fatalf("deadline across the new holiday: %s", r.Body)
	}
	admin.Lang = "en"
	cases := []struct {
		path string
		body map[string]string
		code string
	}{
		{"/api/v1/calendar/days/2027-01-05", map[string]string{"kind": "workday", "name": "调休"}, "validation_failed"}, // a Tuesday
		{"/api/v1/calendar/days/2027-01-09", map[string]string{"kind": "vacation", "name": "x"}, "validation_failed"},
		{"/api/v1/calendar/days/2027-01-09", map[string]string{"kind": "holiday", "name": " "}, "validation_failed"},
		{"/api/v1/calendar/days/2027-02-30", map[string]string{"kind": "holiday", "name": "x"}, "validation_failed"},
	}
	for _, c := range cases {
		if r := admin.Do(http.MethodPut, c.path, c.body); r.Status != 400 || r.ErrorCode() != c.code {
			t.Errorf("%s %v: %d %s", c.path, c.body, r.Status, r.Body)
		}
	}
	var n int
	if err := env.DB.Super.Get(&n, `SELECT count(*) FROM calendar_days WHERE day >= '2027-01-01'`); err != nil || n != 1 {
		t.Fatalf("bad input wrote rows: %d %v", n, err)
	}
	if r := admin.Do(http.MethodDelete, "/api/v1/calendar/days/2027-01-01", nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := admin.Do(http.MethodDelete, "/api/v1/calendar/days/2027-01-01", nil); r.Status != 404 {
		t.Fatalf("delete twice: %d %s", r.Status, r.Body)
	}
	if err := env.DB.Super.Get(&n, `SELECT count(*) FROM audit_log WHERE action LIKE 'calendar.%' AND actor_name = 'platform'`); err != nil || n != 2 {
		t.Fatalf("audit rows: %d %v", n, err)
	}
}
