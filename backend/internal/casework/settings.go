package casework

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Settings are a county's workflow parameters (case_settings; defaults when it has none).
type Settings struct {
	// DecisionWorkdays: a decision is due this many working days after acceptance (30).
	DecisionWorkdays int `json:"decision_workdays" db:"decision_workdays"`
	// ExtendedWorkdays: the deadline after its one extension, counted from acceptance (45).
	ExtendedWorkdays int `json:"extended_workdays" db:"extended_workdays"`
	// NoticeDays: how long a public notice runs, in calendar days (7).
	NoticeDays int `json:"notice_days" db:"notice_days"`
	// EvaluationAlways: every case goes to democratic evaluation, not only after objections.
	EvaluationAlways bool `json:"evaluation_always" db:"evaluation_always"`
	// DecisionDelegated: township leaders decide (the county delegated 审核确认).
	DecisionDelegated bool `json:"decision_delegated" db:"decision_delegated"`
	// SpotcheckPercent: the share of approved cases a spot-check draw takes.
	SpotcheckPercent int        `json:"spotcheck_percent" db:"spotcheck_percent"`
	UpdatedAt        *time.Time `json:"updated_at,omitempty" db:"updated_at"`
}

// DefaultSettings are the values of DESIGN.md 3.2.
func DefaultSettings() Settings {
	return Settings{DecisionWorkdays: 30, ExtendedWorkdays: 45, NoticeDays: 7, SpotcheckPercent: 5}
}

// SettingsUpdate is PUT /counties/:code/settings/cases; absent fields stay as they are.
type SettingsUpdate struct {
	DecisionWorkdays  *int  `json:"decision_workdays,omitempty"`
	ExtendedWorkdays  *int  `json:"extended_workdays,omitempty"`
	NoticeDays        *int  `json:"notice_days,omitempty"`
	EvaluationAlways  *bool `json:"evaluation_always,omitempty"`
	DecisionDelegated *bool `json:"decision_delegated,omitempty"`
	SpotcheckPercent  *int  `json:"spotcheck_percent,omitempty"`
}

func loadSettings(ctx context.Context, q sqlx.QueryerContext, county string) (Settings, error) {
	var rows []Settings
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT decision_workdays, extended_workdays, notice_days, evaluation_always,
		decision_delegated, spotcheck_percent, updated_at FROM case_settings WHERE county_code = $1`, county); err != nil {
		return Settings{}, fmt.Errorf("casework: settings of %s: %w", county, err)
	}
	if len(rows) == 0 {
		return DefaultSettings(), nil
	}
	return rows[0], nil
}

var countyPattern = regexp.MustCompile(`^[0-9]{6}$`)

// settingsScope: 404 for a county the caller does not see as a whole, 403 without
// setting:manage.
func (s *Service) settingsScope(ctx context.Context, p access.Principal, county string) error {
	if !countyPattern.MatchString(county) || !access.Sees(p, county) || p.CountyCode != county {
		return httpx.Msg(http.StatusNotFound, "county_not_found", "县（区）不存在或不在您的管辖范围内",
			"No such county, or it is outside your area")
	}
	return s.guard.Require(ctx, p, county, "setting", county, "manage")
}

// Settings reads a county's workflow settings (county administrators).
func (s *Service) Settings(ctx context.Context, p access.Principal, county string) (Settings, error) {
	if err := s.settingsScope(ctx, p, county); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		var err error
		out, err = loadSettings(ctx, tx, county)
		return err
	})
	return out, err
}

// UpdateSettings changes a county's workflow settings. New deadlines apply to cases
// accepted from now on; a running clock keeps the deadline it was given.
func (s *Service) UpdateSettings(ctx context.Context, p access.Principal, county string, req SettingsUpdate,
	meta identity.Meta) (Settings, error) {
	if err := s.settingsScope(ctx, p, county); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		before, err := loadSettings(ctx, tx, county)
		if err != nil {
			return err
		}
		after := before
		setInt := func(dst *int, v *int) {
			if v != nil {
				*dst = *v
			}
		}
		setInt(&after.DecisionWorkdays, req.DecisionWorkdays)
		setInt(&after.ExtendedWorkdays, req.ExtendedWorkdays)
		setInt(&after.NoticeDays, req.NoticeDays)
		setInt(&after.SpotcheckPercent, req.SpotcheckPercent)
		if req.EvaluationAlways != nil {
			after.EvaluationAlways = *req.EvaluationAlways
		}
		if req.DecisionDelegated != nil {
			after.DecisionDelegated = *req.DecisionDelegated
		}
		if err := validateSettings(after); err != nil {
			return err
		}
		after.UpdatedAt, before.UpdatedAt = nil, nil
		detail := audit.Changes(before, after)
		if detail == nil {
			out, err = loadSettings(ctx, tx, county)
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_settings (county_code, division_code, decision_workdays,
				extended_workdays, notice_days, evaluation_always, decision_delegated, spotcheck_percent, updated_by, updated_at)
			VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (county_code) DO UPDATE SET decision_workdays = EXCLUDED.decision_workdays,
				extended_workdays = EXCLUDED.extended_workdays, notice_days = EXCLUDED.notice_days,
				evaluation_always = EXCLUDED.evaluation_always, decision_delegated = EXCLUDED.decision_delegated,
				spotcheck_percent = EXCLUDED.spotcheck_percent, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			county, after.DecisionWorkdays, after.ExtendedWorkdays, after.NoticeDays, after.EvaluationAlways,
			after.DecisionDelegated, after.SpotcheckPercent, p.UserID, s.now()); err != nil {
			return fmt.Errorf("casework: save settings of %s: %w", county, err)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: county,
			DivisionCode: county, Action: "case.settings_update", ObjectType: "case_settings", ObjectID: county,
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail}); err != nil {
			return err
		}
		out, err = loadSettings(ctx, tx, county)
		return err
	})
	return out, err
}

func validateSettings(s Settings) error {
	switch {
	case s.DecisionWorkdays < 1 || s.DecisionWorkdays > 120:
		return invalid("decision_workdays", "办理期限须在 1 至 120 个工作日之间", "decision_workdays must be between 1 and 120")
	case s.ExtendedWorkdays < 1 || s.ExtendedWorkdays > 180:
		return invalid("extended_workdays", "延长后的期限须在 1 至 180 个工作日之间", "extended_workdays must be between 1 and 180")
	case s.ExtendedWorkdays < s.DecisionWorkdays:
		return invalid("extended_workdays", "延长后的期限不能短于办理期限", "extended_workdays cannot be shorter than decision_workdays")
	case s.NoticeDays < 1 || s.NoticeDays > 30:
		return invalid("notice_days", "公示天数须在 1 至 30 天之间", "notice_days must be between 1 and 30")
	case s.SpotcheckPercent < 0 || s.SpotcheckPercent > 100:
		return invalid("spotcheck_percent", "抽查比例须在 0 至 100 之间", "spotcheck_percent must be between 0 and 100")
	}
	return nil
}
