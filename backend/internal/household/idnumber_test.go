package household

import (
	"errors"
	"strings"
	"testing"
	"time"

	"dibao/backend/internal/platform/civil"
)

var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// Numbers of the real form: the GB 11643-1999 standard's own example (11010519491231002X)
// and numbers of 安吉县 and elsewhere made for these tests, their check characters worked out
// independently of this code (weighted sums 202, 289, 214, 167: mod 11 = 4, 3, 5, 2).
func TestParseIDNumberValid(t *testing.T) {
	cases := []struct {
		id, birth, sex string
	}{
		{"11010519491231002X", "1949-12-31", "female"}, // the standard's example
		{"330523199001011238", "1990-01-01", "male"},   // 安吉县, sum 202 → 8
		{"330523198502284029", "1985-02-28", "female"}, // sum 289 → 9
		{"330523200002292217", "2000-02-29", "male"},   // a leap day, sum 214 → 7
	}
	for _, c := range cases {
		got, err := ParseIDNumber(c.id, testNow)
		if err != nil {
			t.Errorf("%s: %v", c.id, err)
			continue
		}
		if got.BirthDate.String() != c.birth || got.Sex != c.sex || got.Number != c.id {
			t.Errorf("%s: got %+v, want %s %s", c.id, got, c.birth, c.sex)
		}
	}
}

func TestIDCheckChar(t *testing.T) {
	// Worked by hand for 11010519491231002: weighted sum 167, 167 mod 11 = 2 → X.
	if c := IDCheckChar("11010519491231002"); c != 'X' {
		t.Fatalf("check char = %c, want X", c)
	}
	for _, id := range []string{"330523199001011238", "330523198502284029", "330523200002292217", "440524188001010014"} {
		if c := IDCheckChar(id[:17]); c != id[17] {
			t.Errorf("%s: check char %c", id, c)
		}
	}
}

func TestParseIDNumberInvalid(t *testing.T) {
	future := "33052320270101123" // 2027-01-01, after testNow
	future += string(IDCheckChar(future))
	cases := []struct {
		id, want string
	}{
		{"330523199001011237", "check digit"},      // wrong check digit (8 is right)
		{"440524188001010014", "before 1900"},      // right check digit, born 1880
		{"11010519491231002x", "17 digits"},        // lower-case x (callers normalise first)
		{"33052319900101123", "18 characters"},     // 17 characters
		{"3305231990010112366", "18 characters"},   // 19
		{"330523199002301234", "not a valid date"}, // 30 February
		{future, "future"},
		{"990523199001011234", "region code"},
		{"330000199001011234", "region code"},
		{"33052319900101123A", "17 digits"},
	}
	for _, c := range cases {
		_, err := ParseIDNumber(c.id, testNow)
		var p *idProblem
		if !errors.As(err, &p) {
			t.Errorf("%s: accepted", c.id)
			continue
		}
		if !strings.Contains(p.en, c.want) || p.zh == "" {
			t.Errorf("%s: %q, want it to mention %q", c.id, p.en, c.want)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	if got := NormalizeIDNumber(" 11010519491231002x "); got != "11010519491231002X" {
		t.Fatal(got)
	}
}

func TestMakeIDNumber(t *testing.T) {
	bd := civil.Date{Year: 1990, Month: 1, Day: 1}
	if got := MakeIDNumber("330523", bd, 123); got != "330523199001011238" {
		t.Fatalf("MakeIDNumber = %s", got)
	}
	id, err := ParseIDNumber(MakeIDNumber("330523", bd, 124), testNow)
	if err != nil || id.Sex != "female" || id.BirthDate != bd {
		t.Fatalf("%+v %v", id, err)
	}
}
