package enrolment

import (
	"slices"
	"testing"

	"dibao/backend/internal/benefit"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

func date(s string) civil.Date {
	d, err := civil.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAgeOnCountsWholeYears(t *testing.T) {
	for _, c := range []struct {
		birth, on string
		want      int
	}{
		{"1966-12-01", "2026-11-30", 59}, // the day before the 60th birthday
		{"1966-12-01", "2026-12-01", 60}, // on it
		{"2008-02-29", "2026-02-28", 17}, // a leap-day birthday counts from 1 March
		{"2008-02-29", "2026-03-01", 18},
		{"2026-06-01", "2026-05-01", 0}, // never negative
	} {
		if got := AgeOn(date(c.birth), date(c.on)); got != c.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", c.birth, c.on, got, c.want)
		}
	}
}

func TestClassesOfMembers(t *testing.T) {
	on := date("2026-12-01")
	for _, c := range []struct {
		name string
		m    household.Member
		age  int
		want []benefit.MemberClass
	}{
		{"elderly at the county's age", household.Member{BirthDate: date("1966-12-01")}, 60, []benefit.MemberClass{benefit.Elderly}},
		{"not yet elderly where the age is 65", household.Member{BirthDate: date("1962-01-01")}, 65, []benefit.MemberClass{}},
		{"minor the day before 18", household.Member{BirthDate: date("2008-12-02")}, 60, []benefit.MemberClass{benefit.Minor}},
		{"adult at 18", household.Member{BirthDate: date("2008-12-01")}, 60, []benefit.MemberClass{}},
		{"grade 2 disability is severe", household.Member{BirthDate: date("1980-01-01"), DisabilityGrade: 2}, 60,
			[]benefit.MemberClass{benefit.SevereDisability}},
		{"grade 3 is not", household.Member{BirthDate: date("1980-01-01"), DisabilityGrade: 3}, 60, []benefit.MemberClass{}},
		{"several at once", household.Member{BirthDate: date("1950-01-01"), DisabilityGrade: 1, SeriousIllness: true}, 60,
			[]benefit.MemberClass{benefit.Elderly, benefit.SevereDisability, benefit.SeriousIllness}},
	} {
		if got := ClassesOf(c.m, on, c.age); !slices.Equal(got, c.want) {
			t.Errorf("%s: classes %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBuildHouseholdCountsOnlyCountedIncome(t *testing.T) {
	h := household.Household{
		Members: []household.Member{
			{ID: 11, Name: "甲", Relation: "self", BirthDate: date("1950-03-01"), Covered: true, IDNumberMasked: "330523********0011"},
			{ID: 12, Name: "乙", Relation: "grandchild", BirthDate: date("2015-03-01"), Covered: false},
		},
		Incomes: []household.Income{{Kind: "transfer", MonthlyFen: 30000, Counted: true}, {Kind: "other", MonthlyFen: 9999, Counted: false}},
	}
	bh, views := BuildHousehold(h, date("2026-12-01"), 60)
	if bh.MonthlyIncomeFen != 30000 {
		t.Fatalf("income %d, want only the counted 30000", bh.MonthlyIncomeFen)
	}
	if len(bh.Members) != 2 || bh.Members[0].ID != "11" || !bh.Members[0].Covered || bh.Members[1].Covered {
		t.Fatalf("members %+v", bh.Members)
	}
	if views[0].Age != 76 || views[1].Age != 11 || views[0].IDNumberMasked != "330523********0011" {
		t.Fatalf("views %+v", views)
	}
	if !slices.Equal(views[1].Classes, []benefit.MemberClass{benefit.Minor}) {
		t.Fatalf("grandchild classes %v", views[1].Classes)
	}
}

func TestRecheckClass(t *testing.T) {
	on := date("2026-12-01")
	elderly := household.Member{BirthDate: date("1950-01-01"), LabourCapacity: "none"}
	child := household.Member{BirthDate: date("2016-01-01"), LabourCapacity: "full"}
	worker := household.Member{BirthDate: date("1985-01-01"), LabourCapacity: "partial"}
	disabled := household.Member{BirthDate: date("1985-01-01"), LabourCapacity: "full", DisabilityGrade: 1}
	invalid := household.Member{BirthDate: date("1985-01-01"), LabourCapacity: "none"}
	for _, c := range []struct {
		name    string
		members []household.Member
		incomes []household.Income
		want    string
	}{
		{"elderly living on a pension", []household.Member{elderly}, []household.Income{{Kind: "transfer", MonthlyFen: 20000, Counted: true}}, RecheckA},
		{"a child and a severely disabled parent", []household.Member{disabled, child}, nil, RecheckA},
		{"no one can work but rent comes in", []household.Member{elderly, invalid}, []household.Income{{Kind: "property", MonthlyFen: 50000, Counted: true}}, RecheckB},
		{"uncounted wages do not count", []household.Member{invalid}, []household.Income{{Kind: "wages", MonthlyFen: 50000, Counted: false}}, RecheckA},
		{"a member of working age who can work partly", []household.Member{elderly, worker}, nil, RecheckC},
		{"an elderly member able to work is not of working age", []household.Member{{BirthDate: date("1950-01-01"), LabourCapacity: "full"}}, nil, RecheckA},
	} {
		h := household.Household{Members: c.members, Incomes: c.incomes}
		if got := RecheckClassOf(h, on, 60); got != c.want {
			t.Errorf("%s: class %s, want %s", c.name, got, c.want)
		}
	}
}

func TestMonths(t *testing.T) {
	m, err := ParseMonth("2026-12")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Add(1).String(); got != "2027-01" {
		t.Fatalf("2026-12 + 1 = %s", got)
	}
	if got := m.Add(-12).String(); got != "2025-12" {
		t.Fatalf("2026-12 - 12 = %s", got)
	}
	if MonthOf(date("2026-11-30")).Add(1) != m || !m.After(MonthOf(date("2026-11-01"))) || m.Before(m) {
		t.Fatal("month order")
	}
	for _, bad := range []string{"2026-13", "2026-1", "202612", "2026-12-01", ""} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
	if Yuan(362550) != "3625.50" || Yuan(5) != "0.05" {
		t.Fatalf("Yuan: %s %s", Yuan(362550), Yuan(5))
	}
}

func TestSettingsRulesAndValidation(t *testing.T) {
	s := DefaultSettings("330523")
	r := s.Rules(125000)
	if len(r.Supplements) != 0 || r.Rounding != benefit.RoundHalfUp || r.StandardFen != 125000 {
		t.Fatalf("default rules %+v", r)
	}
	age := 65
	share := int64(3000)
	out, err := applySettings(s, SettingsUpdate{ElderlyAge: &age, IndividualCeilingBP: ptr(int64(15000)), IndividualShareBP: &share,
		Supplements: map[benefit.MemberClass]benefit.Supplement{benefit.Elderly: {ShareBP: 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ElderlyAge != 65 || out.Rules(125000).Supplements[benefit.Elderly].ShareBP != 1000 || s.Supplements[benefit.Elderly].ShareBP != 0 {
		t.Fatalf("applied %+v (original changed: %v)", out, s.Supplements[benefit.Elderly])
	}
	for name, bad := range map[string]SettingsUpdate{
		"both share and fixed":  {Supplements: map[benefit.MemberClass]benefit.Supplement{benefit.Minor: {ShareBP: 1, FixedFen: 1}}},
		"unknown class":         {Supplements: map[benefit.MemberClass]benefit.Supplement{"orphan": {FixedFen: 100}}},
		"elderly age":           {ElderlyAge: ptr(90)},
		"rounding":              {Rounding: ptr(benefit.Rounding("bankers"))},
		"minimum in fen":        {MinimumPaymentFen: ptr(int64(1050))},
		"ceiling below 100%":    {IndividualCeilingBP: ptr(int64(9000))},
		"ceiling without share": {IndividualCeilingBP: ptr(int64(12000))},
		"gradual exit":          {GradualExitMonths: ptr(13)},
	} {
		if _, err := applySettings(s, bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func ptr[T any](v T) *T { return &v }
