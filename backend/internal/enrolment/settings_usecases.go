package enrolment

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/benefit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// SettingsUpdate is the body of PUT /counties/:code/benefit-settings; absent fields stay
// as they are, and each supplement given replaces that class's whole.
type SettingsUpdate struct {
	ElderlyAge          *int                                       `json:"elderly_age,omitempty"`
	Supplements         map[benefit.MemberClass]benefit.Supplement `json:"supplements,omitempty"`
	Rounding            *benefit.Rounding                          `json:"rounding,omitempty"`
	MinimumPaymentFen   *int64                                     `json:"minimum_payment_fen,omitempty"`
	IndividualCeilingBP *int64                                     `json:"individual_ceiling_bp,omitempty"`
	IndividualShareBP   *int64                                     `json:"individual_share_bp,omitempty"`
	GradualExitMonths   *int                                       `json:"gradual_exit_months,omitempty"`
	// Version, when given, must be the version read: a change made meanwhile is not overwritten.
	Version *int `json:"version,omitempty"`
}

// settingsScope: the county must be one the caller sees as a whole (404 otherwise); then
// the caller needs act on setting (manage) or, for reading, standard:read.
func (s *Service) settingsScope(ctx context.Context, p access.Principal, county string, write bool) error {
	if len(county) != 6 || !codePattern.MatchString(county) || county == access.PlatformDomain || !access.Sees(p, county) {
		return errCountyNotFound()
	}
	if !write && s.guard.Allowed(ctx, p, county, "standard", "read") {
		return nil
	}
	return s.guard.Require(ctx, p, county, "setting", county, "manage")
}

// BenefitSettings reads a county's benefit settings (the defaults until it saves its own).
func (s *Service) BenefitSettings(ctx context.Context, p access.Principal, county string) (Settings, error) {
	if err := s.settingsScope(ctx, p, county, false); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		var err error
		out, err = loadSettings(ctx, tx, county, false)
		return err
	})
	return out, err
}

// UpdateBenefitSettings changes a county's benefit settings (county administrators,
// setting:manage), audited with before and after. They apply to computations from now on;
// amounts already decided change with the next standard or re-check.
func (s *Service) UpdateBenefitSettings(ctx context.Context, p access.Principal, county string, req SettingsUpdate,
	meta identity.Meta) (Settings, error) {
	if err := s.settingsScope(ctx, p, county, true); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		before, err := loadSettings(ctx, tx, county, true)
		if err != nil {
			return err
		}
		if req.Version != nil && *req.Version != before.Version {
			return httpx.Msg(http.StatusConflict, "version_conflict", "施保设置已被他人修改，请刷新后重试",
				"The settings were changed meanwhile; reload and try again")
		}
		after, err := applySettings(before, req)
		if err != nil {
			return err
		}
		detail := audit.Changes(before.auditView(), after.auditView())
		if detail == nil {
			out = before
			return nil
		}
		if err := saveSettings(ctx, tx, after, p.UserID); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: county,
			DivisionCode: county, Action: "benefit_settings.update", ObjectType: "benefit_settings", ObjectID: county,
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail}); err != nil {
			return err
		}
		out, err = loadSettings(ctx, tx, county, false)
		return err
	})
	return out, err
}

// applySettings checks an update field by field and applies it to s.
func applySettings(s Settings, req SettingsUpdate) (Settings, error) {
	out := s
	out.Supplements = map[benefit.MemberClass]benefit.Supplement{}
	for c, v := range s.Supplements {
		out.Supplements[c] = v
	}
	if req.ElderlyAge != nil {
		if *req.ElderlyAge < 50 || *req.ElderlyAge > 80 {
			return s, httpx.Invalid("elderly_age", "老年人年龄须在 50 至 80 岁之间", "elderly_age must be between 50 and 80")
		}
		out.ElderlyAge = *req.ElderlyAge
	}
	for c, sup := range req.Supplements {
		field := "supplements." + string(c)
		if !isClass(c) {
			return s, httpx.Invalid(field, "未知的施保类别："+string(c),
				"Unknown supplement class "+string(c)+" (elderly, minor, severe_disability, serious_illness)")
		}
		switch {
		case sup.ShareBP < 0 || sup.ShareBP > 10000:
			return s, httpx.Invalid(field+".share_bp", "按标准比例发放的比例须在 0 至 100% 之间（万分比 0–10000）",
				"share_bp must be between 0 and 10000 (0–100% of the standard)")
		case sup.FixedFen < 0 || sup.FixedFen > 1000000:
			return s, httpx.Invalid(field+".fixed_fen", "固定金额须在 0 至 10000 元之间（以分为单位）",
				"fixed_fen must be between 0 and 1000000 (0–10000 yuan)")
		case sup.ShareBP > 0 && sup.FixedFen > 0:
			return s, httpx.Invalid(field, "每类施保只能按标准比例或固定金额其中一种发放",
				"A supplement is a share of the standard or a fixed sum, not both")
		}
		out.Supplements[c] = sup
	}
	if req.Rounding != nil {
		switch *req.Rounding {
		case benefit.RoundHalfUp, benefit.RoundUp, benefit.RoundDown:
			out.Rounding = *req.Rounding
		default:
			return s, httpx.Invalid("rounding", "取整方式须为 half_up（四舍五入）、up（进位）或 down（舍去）",
				"rounding must be half_up, up or down")
		}
	}
	if req.MinimumPaymentFen != nil {
		if *req.MinimumPaymentFen < 0 || *req.MinimumPaymentFen > 1000000 {
			return s, httpx.Invalid("minimum_payment_fen", "最低发放金额须在 0 至 10000 元之间（以分为单位）",
				"minimum_payment_fen must be between 0 and 1000000 (0–10000 yuan)")
		}
		if *req.MinimumPaymentFen%100 != 0 {
			return s, httpx.Invalid("minimum_payment_fen", "最低发放金额须为整元（金额按元取整发放）",
				"minimum_payment_fen must be whole yuan (amounts are paid in whole yuan)")
		}
		out.MinimumPaymentFen = *req.MinimumPaymentFen
	}
	if req.IndividualCeilingBP != nil {
		if v := *req.IndividualCeilingBP; v != 0 && (v < 10000 || v > 30000) {
			return s, httpx.Invalid("individual_ceiling_bp", "单人保收入上限须为 0（不实行）或标准的 100%–300%（万分比 10000–30000）",
				"individual_ceiling_bp must be 0 (none) or 10000–30000 (100–300% of the standard)")
		}
		out.IndividualCeilingBP = *req.IndividualCeilingBP
	}
	if req.IndividualShareBP != nil {
		if v := *req.IndividualShareBP; v < 0 || v > 10000 {
			return s, httpx.Invalid("individual_share_bp", "单人保发放比例须在 0 至 100% 之间（万分比 0–10000）",
				"individual_share_bp must be between 0 and 10000 (0–100% of the standard)")
		}
		out.IndividualShareBP = *req.IndividualShareBP
	}
	if out.IndividualCeilingBP > 0 && out.IndividualShareBP == 0 {
		return s, httpx.Invalid("individual_share_bp", "实行单人保时须设置发放比例", "Individual coverage needs a share of the standard")
	}
	if req.GradualExitMonths != nil {
		if *req.GradualExitMonths < 0 || *req.GradualExitMonths > 12 {
			return s, httpx.Invalid("gradual_exit_months", "渐退期须在 0 至 12 个月之间", "gradual_exit_months must be between 0 and 12")
		}
		out.GradualExitMonths = *req.GradualExitMonths
	}
	// The rules must be ones benefit.Compute accepts (any positive standard will do here).
	if _, err := benefit.Compute(benefit.Household{}, out.Rules(1)); err != nil {
		return s, fmt.Errorf("enrolment: settings the amount cannot use: %w", err)
	}
	return out, nil
}

func isClass(c benefit.MemberClass) bool {
	for _, x := range Classes {
		if x == c {
			return true
		}
	}
	return false
}
