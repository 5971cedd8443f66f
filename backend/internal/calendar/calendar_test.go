package calendar

import (
	"encoding/csv"
	"os"
	"testing"

	"dibao/backend/internal/platform/civil"
)

func d(s string) civil.Date {
	v, err := civil.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// cal2026 reads the State Council schedule the migration was seeded from.
func cal2026(t *testing.T) *Calendar {
	t.Helper()
	f, err := os.Open("testdata/holidays-2026.csv") // a copy of shared/data/holidays-2026.csv
	if err != nil {
		t.Fatalf("the 2026 schedule is needed for this test: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var days []Day
	for _, r := range recs[1:] {
		days = append(days, Day{Date: d(r[0]), Kind: r[1], Name: r[2]})
	}
	return New(days)
}

func TestWorkdays2026(t *testing.T) {
	c := cal2026(t)
	cases := map[string]bool{
		"2026-01-01": false, // 元旦
		"2026-01-04": true,  // a Sunday worked in exchange
		"2026-01-05": true,  // an ordinary Monday
		"2026-01-10": false, // an ordinary Saturday
		"2026-02-14": true,  // Saturday worked before 春节
		"2026-02-18": false, // 春节
		"2026-10-08": true,  // after 国庆
		"2026-10-10": true,  // Saturday worked after 国庆
	}
	for day, want := range cases {
		if got := c.IsWorkday(d(day)); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", day, got, want)
		}
	}
}

func TestAddWorkdaysAcrossGoldenWeek(t *testing.T) {
	c := cal2026(t)
	// Accepted on Wednesday 30 September: 1-7 October are holidays, 10 October is worked.
	// Working days after it: 9/30 excluded; 10/8 (1), 10/9 (2), 10/10 Sat worked (3), 10/12 (4) ...
	if got := c.AddWorkdays(d("2026-09-30"), 3).String(); got != "2026-10-10" {
		t.Fatalf("3 working days after 2026-09-30 = %s", got)
	}
	// 30 working days after 2026-09-30.
	got := c.AddWorkdays(d("2026-09-30"), 30)
	if n := c.WorkdaysBetween(d("2026-09-30"), got); n != 30 {
		t.Fatalf("WorkdaysBetween disagrees with AddWorkdays: %d", n)
	}
	if got.String() != "2026-11-17" { // 10/8-10/10 (3), five full weeks (28), 11/16 (29), 11/17 (30)
		t.Fatalf("30 working days after 2026-09-30 = %s, want 2026-11-17", got)
	}
	if n := c.WorkdaysBetween(got, d("2026-09-30")); n != -30 {
		t.Fatalf("reverse = %d", n)
	}
}
