package enrolment

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/benefit"
	"dibao/backend/internal/platform/db"
)

// Settings are a county's benefit settings (施保设置): the parameters of benefit.Compute
// besides the standard, the elderly age, and the gradual-exit months for later.
type Settings struct {
	CountyCode          string                                     `json:"county_code"`
	ElderlyAge          int                                        `json:"elderly_age"`
	Supplements         map[benefit.MemberClass]benefit.Supplement `json:"supplements"`
	Rounding            benefit.Rounding                           `json:"rounding"`
	MinimumPaymentFen   int64                                      `json:"minimum_payment_fen"`
	IndividualCeilingBP int64                                      `json:"individual_ceiling_bp"` // 0: no individual coverage (单人保)
	IndividualShareBP   int64                                      `json:"individual_share_bp"`
	GradualExitMonths   int                                        `json:"gradual_exit_months"` // 渐退期
	Version             int                                        `json:"version"`             // 0 while the county uses the defaults
	UpdatedAt           *time.Time                                 `json:"updated_at,omitempty"`
}

// Classes are the supplement classes in the order screens list them.
var Classes = []benefit.MemberClass{benefit.Elderly, benefit.Minor, benefit.SevereDisability, benefit.SeriousIllness}

// DefaultSettings are what a county uses until its administrator saves its own: no
// supplements, no individual coverage, rounding half up, no minimum.
func DefaultSettings(county string) Settings {
	s := Settings{CountyCode: county, ElderlyAge: 60, Rounding: benefit.RoundHalfUp,
		Supplements: map[benefit.MemberClass]benefit.Supplement{}}
	for _, c := range Classes {
		s.Supplements[c] = benefit.Supplement{}
	}
	return s
}

// Rules are the rules of benefit.Compute under these settings and a standard.
func (s Settings) Rules(standardFen int64) benefit.Rules {
	r := benefit.Rules{StandardFen: standardFen, Supplements: map[benefit.MemberClass]benefit.Supplement{},
		Rounding: s.Rounding, MinimumPaymentFen: s.MinimumPaymentFen,
		IndividualCeilingBP: s.IndividualCeilingBP, IndividualShareBP: s.IndividualShareBP}
	for c, sup := range s.Supplements {
		if sup.ShareBP > 0 || sup.FixedFen > 0 {
			r.Supplements[c] = sup
		}
	}
	return r
}

// auditView is what the audit log records of a change of settings.
func (s Settings) auditView() map[string]any {
	out := map[string]any{"elderly_age": s.ElderlyAge, "rounding": s.Rounding, "minimum_payment_fen": s.MinimumPaymentFen,
		"individual_ceiling_bp": s.IndividualCeilingBP, "individual_share_bp": s.IndividualShareBP,
		"gradual_exit_months": s.GradualExitMonths}
	for _, c := range Classes {
		sup := s.Supplements[c]
		out[string(c)+"_share_bp"], out[string(c)+"_fixed_fen"] = sup.ShareBP, sup.FixedFen
	}
	return out
}

type settingsRow struct {
	CountyCode          string    `db:"county_code"`
	ElderlyAge          int       `db:"elderly_age"`
	ElderlyShareBP      int64     `db:"elderly_share_bp"`
	ElderlyFixedFen     int64     `db:"elderly_fixed_fen"`
	MinorShareBP        int64     `db:"minor_share_bp"`
	MinorFixedFen       int64     `db:"minor_fixed_fen"`
	DisabilityShareBP   int64     `db:"severe_disability_share_bp"`
	DisabilityFixedFen  int64     `db:"severe_disability_fixed_fen"`
	IllnessShareBP      int64     `db:"serious_illness_share_bp"`
	IllnessFixedFen     int64     `db:"serious_illness_fixed_fen"`
	Rounding            string    `db:"rounding"`
	MinimumPaymentFen   int64     `db:"minimum_payment_fen"`
	IndividualCeilingBP int64     `db:"individual_ceiling_bp"`
	IndividualShareBP   int64     `db:"individual_share_bp"`
	GradualExitMonths   int       `db:"gradual_exit_months"`
	Version             int       `db:"version"`
	UpdatedAt           time.Time `db:"updated_at"`
}

// loadSettings reads a county's settings, or the defaults when it has saved none.
func loadSettings(ctx context.Context, q sqlx.QueryerContext, county string, forUpdate bool) (Settings, error) {
	query := `SELECT county_code, elderly_age, elderly_share_bp, elderly_fixed_fen, minor_share_bp, minor_fixed_fen,
		severe_disability_share_bp, severe_disability_fixed_fen, serious_illness_share_bp, serious_illness_fixed_fen,
		rounding, minimum_payment_fen, individual_ceiling_bp, individual_share_bp, gradual_exit_months, version, updated_at
		FROM benefit_settings WHERE county_code = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var r settingsRow
	err := sqlx.GetContext(ctx, q, &r, query, county)
	if db.IsNotFound(err) {
		return DefaultSettings(county), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("enrolment: load settings of %s: %w", county, err)
	}
	updated := r.UpdatedAt
	return Settings{CountyCode: r.CountyCode, ElderlyAge: r.ElderlyAge,
		Supplements: map[benefit.MemberClass]benefit.Supplement{
			benefit.Elderly:          {ShareBP: r.ElderlyShareBP, FixedFen: r.ElderlyFixedFen},
			benefit.Minor:            {ShareBP: r.MinorShareBP, FixedFen: r.MinorFixedFen},
			benefit.SevereDisability: {ShareBP: r.DisabilityShareBP, FixedFen: r.DisabilityFixedFen},
			benefit.SeriousIllness:   {ShareBP: r.IllnessShareBP, FixedFen: r.IllnessFixedFen},
		},
		Rounding: benefit.Rounding(r.Rounding), MinimumPaymentFen: r.MinimumPaymentFen,
		IndividualCeilingBP: r.IndividualCeilingBP, IndividualShareBP: r.IndividualShareBP,
		GradualExitMonths: r.GradualExitMonths, Version: r.Version, UpdatedAt: &updated}, nil
}

// saveSettings writes a county's settings, creating its row the first time.
func saveSettings(ctx context.Context, tx *sqlx.Tx, s Settings, actorID int64) error {
	sup := func(c benefit.MemberClass) benefit.Supplement { return s.Supplements[c] }
	_, err := tx.ExecContext(ctx, `INSERT INTO benefit_settings (county_code, division_code, elderly_age,
		elderly_share_bp, elderly_fixed_fen, minor_share_bp, minor_fixed_fen,
		severe_disability_share_bp, severe_disability_fixed_fen, serious_illness_share_bp, serious_illness_fixed_fen,
		rounding, minimum_payment_fen, individual_ceiling_bp, individual_share_bp, gradual_exit_months, updated_by)
		VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (county_code) DO UPDATE SET elderly_age = EXCLUDED.elderly_age,
			elderly_share_bp = EXCLUDED.elderly_share_bp, elderly_fixed_fen = EXCLUDED.elderly_fixed_fen,
			minor_share_bp = EXCLUDED.minor_share_bp, minor_fixed_fen = EXCLUDED.minor_fixed_fen,
			severe_disability_share_bp = EXCLUDED.severe_disability_share_bp,
			severe_disability_fixed_fen = EXCLUDED.severe_disability_fixed_fen,
			serious_illness_share_bp = EXCLUDED.serious_illness_share_bp,
			serious_illness_fixed_fen = EXCLUDED.serious_illness_fixed_fen,
			rounding = EXCLUDED.rounding, minimum_payment_fen = EXCLUDED.minimum_payment_fen,
			individual_ceiling_bp = EXCLUDED.individual_ceiling_bp, individual_share_bp = EXCLUDED.individual_share_bp,
			gradual_exit_months = EXCLUDED.gradual_exit_months, updated_by = EXCLUDED.updated_by,
			version = benefit_settings.version + 1, updated_at = now()`,
		s.CountyCode, s.ElderlyAge,
		sup(benefit.Elderly).ShareBP, sup(benefit.Elderly).FixedFen, sup(benefit.Minor).ShareBP, sup(benefit.Minor).FixedFen,
		sup(benefit.SevereDisability).ShareBP, sup(benefit.SevereDisability).FixedFen,
		sup(benefit.SeriousIllness).ShareBP, sup(benefit.SeriousIllness).FixedFen,
		string(s.Rounding), s.MinimumPaymentFen, s.IndividualCeilingBP, s.IndividualShareBP, s.GradualExitMonths, actorID)
	if err != nil {
		return fmt.Errorf("enrolment: save settings of %s: %w", s.CountyCode, err)
	}
	return nil
}
