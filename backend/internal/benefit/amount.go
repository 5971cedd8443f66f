// Package benefit computes the monthly dibao amount of a household (DESIGN.md 3.3):
// (standard − per-capita income) × covered members, plus classified supplements per
// member (分类施保), rounded to whole yuan and never below the county's minimum payment;
// a severely disabled or seriously ill member of a household just above the line may be
// covered alone (单人保). Money is in fen throughout; there is no float anywhere.
package benefit

import (
	"errors"
	"fmt"
	"sort"
)

// MemberClass is a group that earns a classified supplement.
type MemberClass string

// The classes of DESIGN.md 3.3.
const (
	Elderly          MemberClass = "elderly"
	Minor            MemberClass = "minor"
	SevereDisability MemberClass = "severe_disability"
	SeriousIllness   MemberClass = "serious_illness"
)

// Supplement is what one member of a class adds per month: a share of the standard in
// basis points (10000 = the whole standard) or a fixed sum in fen.
type Supplement struct {
	ShareBP  int64 `json:"share_bp"`
	FixedFen int64 `json:"fixed_fen"`
}

// Rounding says how the monthly amount becomes whole yuan.
type Rounding string

// Rounding modes (a county setting).
const (
	RoundHalfUp Rounding = "half_up" // 四舍五入
	RoundUp     Rounding = "up"      // 进位
	RoundDown   Rounding = "down"    // 舍去
)

// Rules are the county's parameters in force for the household's category and month.
type Rules struct {
	StandardFen       int64                      `json:"standard_fen"`        // monthly standard per person
	Supplements       map[MemberClass]Supplement `json:"supplements"`         // per class
	Rounding          Rounding                   `json:"rounding"`            // to whole yuan
	MinimumPaymentFen int64                      `json:"minimum_payment_fen"` // never pay less (when eligible)
	// Individual coverage (单人保): when the household's per-capita income is at or above
	// the standard but at most IndividualCeilingBP of it, its severely disabled or seriously
	// ill members are covered alone, each receiving IndividualShareBP of the standard.
	IndividualCeilingBP int64 `json:"individual_ceiling_bp"` // 0: no individual coverage
	IndividualShareBP   int64 `json:"individual_share_bp"`
}

// Member is one person living in the household.
type Member struct {
	ID      string        `json:"id"`
	Covered bool          `json:"covered"` // counted as a beneficiary (保障对象)
	Classes []MemberClass `json:"classes"`
}

// Household is what the computation needs to know of a household.
type Household struct {
	Members          []Member `json:"members"`            // everyone living together (共同生活家庭成员)
	MonthlyIncomeFen int64    `json:"monthly_income_fen"` // sum of the counted income items
}

// SupplementLine is one member's classified supplement.
type SupplementLine struct {
	MemberID  string      `json:"member_id"`
	Class     MemberClass `json:"class"`
	AmountFen int64       `json:"amount_fen"`
}

// Result is the amount with its working, for the case page and the audit trail.
type Result struct {
	Eligible           bool             `json:"eligible"`
	Individual         bool             `json:"individual"` // covered alone (单人保)
	Reason             string           `json:"reason"`     // why not eligible, or how covered
	StandardFen        int64            `json:"standard_fen"`
	HouseholdSize      int              `json:"household_size"`
	HouseholdIncomeFen int64            `json:"household_income_fen"`
	PerCapitaIncomeFen int64            `json:"per_capita_income_fen"` // rounded half up to the fen, for display
	CoveredMembers     []string         `json:"covered_members"`
	GapFen             int64            `json:"gap_fen"` // (standard − per-capita income) × covered, to the fen
	Supplements        []SupplementLine `json:"supplements"`
	SupplementFen      int64            `json:"supplement_fen"`
	UnroundedFen       int64            `json:"unrounded_fen"`
	AmountFen          int64            `json:"amount_fen"` // whole yuan, at least the minimum when eligible
}

// Reasons a result gives.
const (
	ReasonEligible       = "gap"                   // per-capita income below the standard
	ReasonIndividual     = "individual_coverage"   // 单人保
	ReasonAboveStandard  = "income_above_standard" // not eligible
	ReasonNobodyCovered  = "no_covered_member"     // not eligible
	ReasonEmptyHousehold = "no_member"             // not eligible
)

// Compute is the monthly amount of a household under rules. It is pure: the same input
// always gives the same result, and it reads nothing else.
func Compute(h Household, r Rules) (Result, error) {
	if err := r.validate(); err != nil {
		return Result{}, err
	}
	if h.MonthlyIncomeFen < 0 {
		return Result{}, errors.New("benefit: household income cannot be negative")
	}
	res := Result{StandardFen: r.StandardFen, HouseholdSize: len(h.Members), HouseholdIncomeFen: h.MonthlyIncomeFen,
		CoveredMembers: []string{}, Supplements: []SupplementLine{}}
	if len(h.Members) == 0 {
		res.Reason = ReasonEmptyHousehold
		return res, nil
	}
	size := int64(len(h.Members))
	res.PerCapitaIncomeFen = divRoundHalfUp(h.MonthlyIncomeFen, size)

	// Compare income × 1 with standard × size to avoid rounding the per-capita figure.
	switch {
	case h.MonthlyIncomeFen < r.StandardFen*size:
		covered := coveredMembers(h.Members)
		if len(covered) == 0 {
			res.Reason = ReasonNobodyCovered
			return res, nil
		}
		n := int64(len(covered))
		// (standard − income/size) × n, kept exact until one rounding to the fen.
		res.GapFen = divRoundHalfUp(r.StandardFen*size*n-h.MonthlyIncomeFen*n, size)
		res.Eligible, res.Reason = true, ReasonEligible
		for _, m := range covered {
			res.CoveredMembers = append(res.CoveredMembers, m.ID)
		}
		res.Supplements = supplements(covered, r)
	case r.IndividualCeilingBP > 0 && h.MonthlyIncomeFen*10000 <= r.StandardFen*size*r.IndividualCeilingBP:
		var alone []Member
		for _, m := range h.Members {
			if m.Covered && (has(m, SevereDisability) || has(m, SeriousIllness)) {
				alone = append(alone, m)
			}
		}
		if len(alone) == 0 {
			res.Reason = ReasonAboveStandard
			return res, nil
		}
		res.Eligible, res.Individual, res.Reason = true, true, ReasonIndividual
		for _, m := range alone {
			res.CoveredMembers = append(res.CoveredMembers, m.ID)
		}
		res.GapFen = divRoundHalfUp(r.StandardFen*r.IndividualShareBP*int64(len(alone)), 10000)
		res.Supplements = supplements(alone, r)
	default:
		res.Reason = ReasonAboveStandard
		return res, nil
	}
	for _, s := range res.Supplements {
		res.SupplementFen += s.AmountFen
	}
	res.UnroundedFen = res.GapFen + res.SupplementFen
	res.AmountFen = roundYuan(res.UnroundedFen, r.Rounding)
	if res.AmountFen < r.MinimumPaymentFen {
		res.AmountFen = r.MinimumPaymentFen
	}
	return res, nil
}

func (r Rules) validate() error {
	switch {
	case r.StandardFen <= 0:
		return errors.New("benefit: the standard must be positive")
	case r.MinimumPaymentFen < 0:
		return errors.New("benefit: the minimum payment cannot be negative")
	case r.IndividualCeilingBP < 0 || r.IndividualShareBP < 0:
		return errors.New("benefit: individual coverage shares cannot be negative")
	case r.IndividualCeilingBP > 0 && r.IndividualCeilingBP < 10000:
		return errors.New("benefit: the individual coverage ceiling is a share of the standard of at least 100%")
	}
	switch r.Rounding {
	case RoundHalfUp, RoundUp, RoundDown, "":
	default:
		return fmt.Errorf("benefit: unknown rounding %q", r.Rounding)
	}
	for c, s := range r.Supplements {
		if s.ShareBP < 0 || s.FixedFen < 0 || (s.ShareBP > 0 && s.FixedFen > 0) {
			return fmt.Errorf("benefit: supplement for %s must be a share or a fixed sum, not negative", c)
		}
	}
	return nil
}

func coveredMembers(ms []Member) []Member {
	var out []Member
	for _, m := range ms {
		if m.Covered {
			out = append(out, m)
		}
	}
	return out
}

// supplements gives each member the highest supplement of their classes: a member who is
// both elderly and severely disabled receives one supplement, not two (不重复享受).
func supplements(ms []Member, r Rules) []SupplementLine {
	out := []SupplementLine{}
	for _, m := range ms {
		best := SupplementLine{MemberID: m.ID}
		classes := append([]MemberClass(nil), m.Classes...)
		sort.Slice(classes, func(i, j int) bool { return classes[i] < classes[j] }) // ties resolve the same way every time
		for _, c := range classes {
			s, ok := r.Supplements[c]
			if !ok {
				continue
			}
			amount := s.FixedFen
			if s.ShareBP > 0 {
				amount = divRoundHalfUp(r.StandardFen*s.ShareBP, 10000)
			}
			if amount > best.AmountFen {
				best.Class, best.AmountFen = c, amount
			}
		}
		if best.AmountFen > 0 {
			out = append(out, best)
		}
	}
	return out
}

func has(m Member, c MemberClass) bool {
	for _, x := range m.Classes {
		if x == c {
			return true
		}
	}
	return false
}

// divRoundHalfUp divides non-negative a by positive b, rounding halves up.
func divRoundHalfUp(a, b int64) int64 { return (2*a + b) / (2 * b) }

// roundYuan rounds fen to whole yuan.
func roundYuan(fen int64, mode Rounding) int64 {
	switch mode {
	case RoundUp:
		return (fen + 99) / 100 * 100
	case RoundDown:
		return fen / 100 * 100
	default:
		return divRoundHalfUp(fen, 100) * 100
	}
}
