package civil

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDateArithmetic(t *testing.T) {
	d, err := ParseDate("2026-02-27")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.AddDays(2).String(); got != "2026-03-01" {
		t.Fatalf("AddDays = %s", got)
	}
	if d.Weekday() != time.Friday {
		t.Fatalf("2026-02-27 is a %s", d.Weekday())
	}
	if d.DaysUntil(d.AddDays(30)) != 30 || d.AddDays(-1).DaysUntil(d) != 1 {
		t.Fatal("DaysUntil")
	}
	if _, err := ParseDate("2026-02-30"); err == nil {
		t.Fatal("accepted 30 February")
	}
}

func TestTodayIsInShanghai(t *testing.T) {
	// 16:30 UTC on 31 December is already 1 January in Shanghai.
	utc := time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)
	if got := Today(utc).String(); got != "2026-01-01" {
		t.Fatalf("Today = %s", got)
	}
}

func TestDateJSONAndScan(t *testing.T) {
	var v struct{ D Date }
	if err := json.Unmarshal([]byte(`{"D":"2026-10-01"}`), &v); err != nil || v.D.String() != "2026-10-01" {
		t.Fatalf("%v %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"01/10/2026"}`), &v); err == nil {
		t.Fatal("accepted a foreign date format")
	}
	var d Date
	if err := d.Scan(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)); err != nil || d.String() != "2026-05-01" {
		t.Fatalf("scan %v %v", d, err)
	}
}
