package enrolment

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/benefit"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Computation is one computation of a household's amount with everything it used: the
// working that the case page, the beneficiary page and the audit trail show.
type Computation struct {
	Reason         string            `json:"reason"`      // enrolment, standard_change (stored); quote (not stored)
	ComputedOn     civil.Date        `json:"computed_on"` // the date whose rules and ages were used
	EffectiveMonth Month             `json:"effective_month"`
	StandardID     int64             `json:"standard_id"`
	Household      benefit.Household `json:"household"`
	Members        []MemberView      `json:"members"`
	Rules          benefit.Rules     `json:"rules"`
	Result         benefit.Result    `json:"result"`
}

// Quote is household householdID's monthly amount under the rules in force on date on,
// with its working, in the caller's transaction (whose scope must cover the household).
// It is casework's AmountQuoter.
func (s *Service) Quote(ctx context.Context, tx *sqlx.Tx, county string, householdID int64, on civil.Date) (benefit.Result, error) {
	c, err := s.QuoteWorking(ctx, tx, county, householdID, on)
	return c.Result, err
}

// QuoteWorking is Quote with the members and rules it used, for screens that show them.
func (s *Service) QuoteWorking(ctx context.Context, tx *sqlx.Tx, county string, householdID int64, on civil.Date) (Computation, error) {
	h, err := household.Load(ctx, tx, county, householdID)
	if err != nil {
		return Computation{}, err
	}
	c, err := computeFor(ctx, tx, h, on)
	if err != nil {
		return Computation{}, err
	}
	c.Reason = "quote"
	return c, nil
}

// computeFor computes a registry household's amount under the rules of its county and
// category in force on date on, with the members' ages and classes on that date.
func computeFor(ctx context.Context, tx *sqlx.Tx, h household.Household, on civil.Date) (Computation, error) {
	settings, err := loadSettings(ctx, tx, h.CountyCode, false)
	if err != nil {
		return Computation{}, err
	}
	std, err := standardAt(ctx, tx, h.CountyCode, h.Category, on)
	if err != nil {
		return Computation{}, err
	}
	bh, members := BuildHousehold(h, on, settings.ElderlyAge)
	rules := settings.Rules(std.MonthlyFen)
	res, err := benefit.Compute(bh, rules)
	if err != nil {
		return Computation{}, fmt.Errorf("enrolment: compute household %s/%d: %w", h.CountyCode, h.ID, err)
	}
	return Computation{ComputedOn: on, EffectiveMonth: MonthOf(on), StandardID: std.ID,
		Household: bh, Members: members, Rules: rules, Result: res}, nil
}

// insertComputation records a beneficiary's computation and returns its id.
func insertComputation(ctx context.Context, tx *sqlx.Tx, county, division string, beneficiaryID int64, c Computation,
	actorID int64) (int64, error) {
	hh, err1 := json.Marshal(c.Household)
	members, err2 := json.Marshal(c.Members)
	rules, err3 := json.Marshal(c.Rules)
	result, err4 := json.Marshal(c.Result)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			return 0, fmt.Errorf("enrolment: encode computation of beneficiary %d: %w", beneficiaryID, err)
		}
	}
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO amount_computations (county_code, beneficiary_id, division_code, reason,
		computed_on, effective_month, standard_id, household, members, rules, result, amount_fen, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		county, beneficiaryID, division, c.Reason, c.ComputedOn, c.EffectiveMonth, c.StandardID,
		db.JSONB(hh), db.JSONB(members), db.JSONB(rules), db.JSONB(result), c.Result.AmountFen, nullID(actorID))
	if err != nil {
		return 0, fmt.Errorf("enrolment: record computation of beneficiary %d: %w", beneficiaryID, err)
	}
	return id, nil
}

// errNotEligible says why the formula does not support an enrolment.
func errNotEligible(res benefit.Result) error {
	zh, en := "按保障标准计算，该户不符合低保条件", "Under the standard the household is not eligible"
	switch res.Reason {
	case benefit.ReasonAboveStandard:
		zh, en = fmt.Sprintf("家庭月人均收入 %s 元不低于保障标准 %s 元，不能纳入低保", Yuan(res.PerCapitaIncomeFen), Yuan(res.StandardFen)),
			fmt.Sprintf("The household's monthly income per person (%s yuan) is not below the standard (%s yuan)",
				Yuan(res.PerCapitaIncomeFen), Yuan(res.StandardFen))
	case benefit.ReasonNobodyCovered:
		zh, en = "户内没有列为保障对象的成员", "No member of the household is marked as covered"
	case benefit.ReasonEmptyHousehold:
		zh, en = "户内没有成员", "The household has no members"
	}
	return httpx.Msg(http.StatusConflict, "not_eligible", zh, en).WithDetails(map[string]any{"reason": res.Reason})
}

// Yuan formats fen as yuan with two decimals, exactly ("1234.50").
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// nullID is NULL for a zero id (no actor, e.g. a batch job).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
