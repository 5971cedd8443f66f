package enrolment

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// StandardsView is GET /standards: a county's standards as one of its staff sees them.
type StandardsView struct {
	CountyCode   string    `json:"county_code"`
	CountyName   string    `json:"county_name"`
	CurrentMonth Month     `json:"current_month"`
	Urban        *Standard `json:"urban"` // in force this month; null when none yet
	Rural        *Standard `json:"rural"`
	// History is every standard, newest effective month first, upcoming ones included.
	History []Standard `json:"history"`
	// CanManage: the caller may add standards (standard:manage).
	CanManage bool `json:"can_manage"`
	// ActiveBeneficiaries per category (county-wide): what a new standard would recompute.
	// Only for callers who may manage standards.
	ActiveBeneficiaries map[string]int `json:"active_beneficiaries,omitempty"`
}

// StandardRequest is the body of POST /standards.
type StandardRequest struct {
	CountyCode     string `json:"county_code,omitempty"` // the caller's county when empty
	Category       string `json:"category"`              // urban, rural
	MonthlyFen     int64  `json:"monthly_fen"`           // per person per month, in fen
	EffectiveMonth string `json:"effective_month"`       // 2026-12
	Note           string `json:"note,omitempty"`        // e.g. the document that set it
}

// StandardCreated is the answer of POST /standards.
type StandardCreated struct {
	Standard Standard `json:"standard"`
	Recomputed
}

var codePattern = regexp.MustCompile(`^[0-9]{6}([0-9]{3}){0,2}$`)

func errDivisionNotFound(field, code string) error {
	return httpx.Msg(http.StatusNotFound, "division_not_found", "区划 "+code+" 不存在或不在您的管辖范围内",
		"Division "+code+" does not exist or is outside your area").WithDetails(map[string]any{"field": field})
}

func errCountyNotFound() error {
	return httpx.Msg(http.StatusNotFound, "county_not_found", "县（区）不存在或不在您的管辖范围内",
		"No such county, or it is outside your area")
}

// Standards shows the standards of the county of division (the caller's area by default).
func (s *Service) Standards(ctx context.Context, p access.Principal, division string) (StandardsView, error) {
	if division != "" && !codePattern.MatchString(division) {
		return StandardsView{}, httpx.Invalid("division", "区划代码须为 6、9 或 12 位数字", "A division code has 6, 9 or 12 digits")
	}
	div, ok := access.WorkingDivision(p, division)
	if !ok || p.CountyCode == access.PlatformDomain || access.CountyOf(div) != p.CountyCode {
		return StandardsView{}, errDivisionNotFound("division", division)
	}
	county := access.CountyOf(div)
	if err := s.guard.Require(ctx, p, div, "standard", county, "read"); err != nil {
		return StandardsView{}, err
	}
	month := MonthOf(s.today())
	out := StandardsView{CountyCode: county, CurrentMonth: month, History: []Standard{},
		CanManage: access.Sees(p, county) && s.guard.Allowed(ctx, p, county, "standard", "manage")}
	err := db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &out.CountyName, `SELECT name FROM divisions WHERE code = $1`, county); err != nil {
			return fmt.Errorf("enrolment: name of county %s: %w", county, err)
		}
		var err error
		if out.History, err = listStandards(ctx, tx, county); err != nil {
			return err
		}
		for i := range out.History {
			st := &out.History[i]
			if st.EffectiveMonth.After(month) {
				continue
			}
			switch {
			case st.Category == Urban && out.Urban == nil:
				out.Urban = st
			case st.Category == Rural && out.Rural == nil:
				out.Rural = st
			}
		}
		if out.CanManage && div == county {
			out.ActiveBeneficiaries, err = countActive(ctx, tx, county)
		}
		return err
	})
	return out, err
}

// countActive counts the county's active beneficiaries per category.
func countActive(ctx context.Context, tx *sqlx.Tx, county string) (map[string]int, error) {
	var rows []struct {
		Category string `db:"category"`
		N        int    `db:"n"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT category, count(*) AS n FROM beneficiaries
		WHERE county_code = $1 AND status = 'active' GROUP BY category`, county); err != nil {
		return nil, err
	}
	out := map[string]int{Urban: 0, Rural: 0}
	for _, r := range rows {
		out[r.Category] = r.N
	}
	return out, nil
}

// CreateStandard adds a standard (county administrators, standard:manage) and, in the
// same transaction, recomputes every active beneficiary of the county and category from
// its effective month. A new standard takes effect after the category's latest one (no
// rewriting of history), and at most 12 months back or ahead.
func (s *Service) CreateStandard(ctx context.Context, p access.Principal, req StandardRequest, meta identity.Meta) (StandardCreated, error) {
	county := req.CountyCode
	if county == "" {
		county = p.CountyCode
	}
	if len(county) != 6 || !codePattern.MatchString(county) || county == access.PlatformDomain || !access.Sees(p, county) {
		return StandardCreated{}, errCountyNotFound()
	}
	if err := s.guard.Require(ctx, p, county, "standard", county, "manage"); err != nil {
		return StandardCreated{}, err
	}
	std, err := s.validateStandard(req)
	if err != nil {
		return StandardCreated{}, err
	}
	std.CountyCode, std.CreatedBy = county, p.DisplayName
	var out StandardCreated
	err = db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		if err := lockStandards(ctx, tx, county, true); err != nil {
			return err
		}
		latest, ok, err := latestStandard(ctx, tx, county, std.Category)
		if err != nil {
			return err
		}
		if ok && !std.EffectiveMonth.After(latest.EffectiveMonth) {
			return httpx.Msg(http.StatusConflict, "standard_not_later",
				"已有自 "+latest.EffectiveMonth.String()+" 起执行的标准，新标准的执行月份须晚于它",
				"A standard from "+latest.EffectiveMonth.String()+" exists; a new one must take effect after it").
				WithDetails(map[string]any{"field": "effective_month"})
		}
		settings, err := loadSettings(ctx, tx, county, false)
		if err != nil {
			return err
		}
		if out.Standard, err = insertStandard(ctx, tx, std, p.UserID); err != nil {
			return err
		}
		if out.Recomputed, err = recompute(ctx, tx, out.Standard, settings, p.UserID); err != nil {
			return err
		}
		after := map[string]any{"category": std.Category, "monthly_fen": std.MonthlyFen,
			"effective_month": std.EffectiveMonth.String(), "note": std.Note}
		detail := map[string]any{"after": after, "recomputed": out.Recomputed.Recomputed, "changed": out.Changed,
			"not_eligible": out.NotEligible}
		if ok {
			detail["before"] = map[string]any{"category": latest.Category, "monthly_fen": latest.MonthlyFen,
				"effective_month": latest.EffectiveMonth.String()}
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: county,
			DivisionCode: county, Action: "benefit_standard.create", ObjectType: "benefit_standard",
			ObjectID: strings.Join([]string{std.Category, std.EffectiveMonth.String()}, "/"), Outcome: audit.Success,
			RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail})
	})
	return out, err
}

func (s *Service) validateStandard(req StandardRequest) (Standard, error) {
	if req.Category != Urban && req.Category != Rural {
		return Standard{}, httpx.Invalid("category", "类别须为 urban（城镇）或 rural（农村）", "category must be urban or rural")
	}
	if req.MonthlyFen <= 0 || req.MonthlyFen > 10000000 {
		return Standard{}, httpx.Invalid("monthly_fen", "月保障标准须大于 0 元、不超过 100000 元（以分为单位的整数）",
			"The monthly standard must be above 0 and at most 100000 yuan (an integer number of fen)")
	}
	month, err := ParseMonth(strings.TrimSpace(req.EffectiveMonth))
	if err != nil {
		return Standard{}, httpx.Invalid("effective_month", "执行月份须为 2026-12 这样的年月", "effective_month must be a month such as 2026-12")
	}
	now := MonthOf(s.today())
	if month.Before(now.Add(-12)) || month.After(now.Add(12)) {
		return Standard{}, httpx.Invalid("effective_month", "执行月份须在当前月份前后 12 个月之内",
			"effective_month must be within 12 months of the current month")
	}
	note := strings.TrimSpace(req.Note)
	if len([]rune(note)) > 200 {
		return Standard{}, httpx.Invalid("note", "备注最多 200 个字", "The note is at most 200 characters")
	}
	return Standard{Category: req.Category, MonthlyFen: req.MonthlyFen, EffectiveMonth: month, Note: note}, nil
}
