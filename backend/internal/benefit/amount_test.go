package benefit

import (
	"math/rand"
	"reflect"
	"testing"
)

// Anji-like rules: standard 1,200 yuan a month; the elderly and minors get 10% of the
// standard, the severely disabled and seriously ill 30%; 30 yuan fixed for no one here.
func rules() Rules {
	return Rules{
		StandardFen: 120000,
		Supplements: map[MemberClass]Supplement{
			Elderly:          {ShareBP: 1000},
			Minor:            {ShareBP: 1000},
			SevereDisability: {ShareBP: 3000},
			SeriousIllness:   {FixedFen: 20000},
		},
		Rounding:            RoundHalfUp,
		MinimumPaymentFen:   5000,
		IndividualCeilingBP: 15000,
		IndividualShareBP:   10000,
	}
}

func members(classes ...[]MemberClass) []Member {
	out := make([]Member, len(classes))
	for i, c := range classes {
		out[i] = Member{ID: string(rune('A' + i)), Covered: true, Classes: c}
	}
	return out
}

func TestComputeWorkedExamples(t *testing.T) {
	cases := []struct {
		name      string
		h         Household
		r         Rules
		amount    int64
		gap       int64
		supp      int64
		perCapita int64
		reason    string
	}{
		{
			name: "three people, 1,500 yuan income: gap (1200-500)x3 = 2,100",
			h:    Household{Members: members(nil, nil, nil), MonthlyIncomeFen: 150000},
			r:    rules(), amount: 210000, gap: 210000, perCapita: 50000, reason: ReasonEligible,
		},
		{
			name: "per-capita income with a third of a fen: 1,000 yuan over 3 people",
			// gap = (1200 - 333.333…) x 3 = 2,600.00 exactly, with no rounding error carried
			h: Household{Members: members(nil, nil, nil), MonthlyIncomeFen: 100000},
			r: rules(), amount: 260000, gap: 260000, perCapita: 33333, reason: ReasonEligible,
		},
		{
			name: "an elderly severely disabled member earns the higher supplement only",
			// gap (1200-400)x2 = 1,600; supplements: 30% of 1,200 = 360 (not 360+120); minor 120
			h: Household{Members: members([]MemberClass{Elderly, SevereDisability}, []MemberClass{Minor}), MonthlyIncomeFen: 80000},
			r: rules(), amount: 208000, gap: 160000, supp: 48000, perCapita: 40000, reason: ReasonEligible,
		},
		{
			name: "rounded to whole yuan, half up: 1,200 - 1,199.50 = 0.50 -> minimum 50",
			h:    Household{Members: members(nil, nil), MonthlyIncomeFen: 239900},
			r:    rules(), amount: 5000, gap: 100, perCapita: 119950, reason: ReasonEligible,
		},
		{
			name: "only covered members count toward the gap, everyone toward per-capita income",
			h: Household{Members: []Member{{ID: "head", Covered: true}, {ID: "son", Covered: false, Classes: []MemberClass{Minor}}},
				MonthlyIncomeFen: 100000},
			// per capita 500; gap (1200-500) x 1 = 700; the son is not covered, so no supplement
			r: rules(), amount: 70000, gap: 70000, perCapita: 50000, reason: ReasonEligible,
		},
		{
			name: "income at the standard: not eligible without a disabled or ill member",
			h:    Household{Members: members(nil, nil), MonthlyIncomeFen: 240000},
			r:    rules(), amount: 0, perCapita: 120000, reason: ReasonAboveStandard,
		},
		{
			name: "individual coverage: a seriously ill member of a household at 140% of the standard",
			// per capita 1,680 <= 1.5 x 1,200; the ill member alone: 100% of the standard + 200 fixed
			h: Household{Members: members(nil, []MemberClass{SeriousIllness}), MonthlyIncomeFen: 336000},
			r: rules(), amount: 140000, gap: 120000, supp: 20000, perCapita: 168000, reason: ReasonIndividual,
		},
		{
			name: "above the individual coverage ceiling: nothing",
			h:    Household{Members: members(nil, []MemberClass{SeriousIllness}), MonthlyIncomeFen: 360100},
			r:    rules(), amount: 0, perCapita: 180050, reason: ReasonAboveStandard,
		},
		{
			name:   "no individual coverage where the county has none",
			h:      Household{Members: members(nil, []MemberClass{SeriousIllness}), MonthlyIncomeFen: 300000},
			r:      func() Rules { r := rules(); r.IndividualCeilingBP = 0; return r }(),
			amount: 0, perCapita: 150000, reason: ReasonAboveStandard,
		},
		{
			name:   "rounding down and up",
			h:      Household{Members: members(nil), MonthlyIncomeFen: 19950}, // gap 1,000.50
			r:      func() Rules { r := rules(); r.Rounding = RoundDown; return r }(),
			amount: 100000, gap: 100050, perCapita: 19950, reason: ReasonEligible,
		},
		{
			name:   "rounding up",
			h:      Household{Members: members(nil), MonthlyIncomeFen: 19999}, // gap 1,000.01
			r:      func() Rules { r := rules(); r.Rounding = RoundUp; return r }(),
			amount: 100100, gap: 100001, perCapita: 19999, reason: ReasonEligible,
		},
		{
			name: "nobody covered",
			h:    Household{Members: []Member{{ID: "a"}}, MonthlyIncomeFen: 0},
			r:    rules(), reason: ReasonNobodyCovered,
		},
		{
			name: "an empty household",
			h:    Household{}, r: rules(), reason: ReasonEmptyHousehold,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Compute(c.h, c.r)
			if err != nil {
				t.Fatal(err)
			}
			if res.AmountFen != c.amount || res.GapFen != c.gap || res.SupplementFen != c.supp ||
				res.PerCapitaIncomeFen != c.perCapita || res.Reason != c.reason {
				t.Fatalf("got amount %d gap %d supplements %d per-capita %d reason %s; want %d %d %d %d %s",
					res.AmountFen, res.GapFen, res.SupplementFen, res.PerCapitaIncomeFen, res.Reason,
					c.amount, c.gap, c.supp, c.perCapita, c.reason)
			}
			if res.Eligible != (c.amount > 0) {
				t.Fatalf("eligible = %v with amount %d", res.Eligible, res.AmountFen)
			}
		})
	}
}

func TestComputeRefusesBadRules(t *testing.T) {
	h := Household{Members: members(nil), MonthlyIncomeFen: 0}
	bad := []Rules{
		{StandardFen: 0},
		{StandardFen: 100, MinimumPaymentFen: -1},
		{StandardFen: 100, Rounding: "bankers"},
		{StandardFen: 100, Supplements: map[MemberClass]Supplement{Minor: {ShareBP: 100, FixedFen: 100}}},
		{StandardFen: 100, IndividualCeilingBP: 9000},
	}
	for i, r := range bad {
		if _, err := Compute(h, r); err == nil {
			t.Errorf("rules %d accepted: %+v", i, r)
		}
	}
	if _, err := Compute(Household{Members: members(nil), MonthlyIncomeFen: -1}, rules()); err == nil {
		t.Error("negative income accepted")
	}
}

// Properties over random households: whole yuan, at least the minimum when eligible,
// never more for a household with more income, and the same answer every time.
func TestComputeProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(2026))
	classes := []MemberClass{Elderly, Minor, SevereDisability, SeriousIllness}
	for i := 0; i < 5000; i++ {
		var ms []Member
		for j := 0; j < 1+rng.Intn(6); j++ {
			m := Member{ID: string(rune('a' + j)), Covered: rng.Intn(8) != 0}
			if rng.Intn(3) == 0 {
				m.Classes = []MemberClass{classes[rng.Intn(len(classes))]}
			}
			ms = append(ms, m)
		}
		h := Household{Members: ms, MonthlyIncomeFen: rng.Int63n(120000 * int64(len(ms)) * 2)}
		r := rules()
		a, err := Compute(h, r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Compute(h, r)
		if !reflect.DeepEqual(a, b) {
			t.Fatal("not deterministic")
		}
		if a.AmountFen%100 != 0 {
			t.Fatalf("amount %d is not whole yuan", a.AmountFen)
		}
		if a.Eligible && a.AmountFen < r.MinimumPaymentFen {
			t.Fatalf("amount %d below the minimum", a.AmountFen)
		}
		if !a.Eligible && a.AmountFen != 0 {
			t.Fatalf("ineligible household paid %d", a.AmountFen)
		}
		richer := h
		richer.MonthlyIncomeFen += 1 + rng.Int63n(50000)
		c, _ := Compute(richer, r)
		if !c.Individual && !a.Individual && c.GapFen > a.GapFen {
			t.Fatalf("more income gave a larger gap: %d -> %d", a.GapFen, c.GapFen)
		}
	}
}
