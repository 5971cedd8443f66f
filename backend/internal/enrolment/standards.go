package enrolment

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Categories of dibao (城镇/农村), as households.category has them.
const (
	Urban = "urban"
	Rural = "rural"
)

// Standard is a county's monthly standard (保障标准) per person for one category, in force
// from the first day of EffectiveMonth until the next standard of that category.
type Standard struct {
	ID             int64     `json:"id" db:"id"`
	CountyCode     string    `json:"county_code" db:"county_code"`
	Category       string    `json:"category" db:"category"`
	MonthlyFen     int64     `json:"monthly_fen" db:"monthly_fen"`
	EffectiveMonth Month     `json:"effective_month" db:"effective_month"`
	Note           string    `json:"note" db:"note"`
	CreatedBy      string    `json:"created_by" db:"created_name"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

const selectStandard = `SELECT id, county_code, category, monthly_fen, effective_month, note, created_name, created_at
	FROM benefit_standards`

// standardAt is the standard of a category in force on a date.
func standardAt(ctx context.Context, q sqlx.QueryerContext, county, category string, on civil.Date) (Standard, error) {
	var s Standard
	err := sqlx.GetContext(ctx, q, &s, selectStandard+` WHERE county_code = $1 AND category = $2 AND effective_month <= $3
		ORDER BY effective_month DESC LIMIT 1`, county, category, on)
	if db.IsNotFound(err) {
		return Standard{}, errNoStandard(category, on)
	}
	if err != nil {
		return Standard{}, fmt.Errorf("enrolment: standard of %s/%s on %s: %w", county, category, on, err)
	}
	return s, nil
}

// latestStandard is the category's standard with the latest effective month, if any.
func latestStandard(ctx context.Context, q sqlx.QueryerContext, county, category string) (Standard, bool, error) {
	var s Standard
	err := sqlx.GetContext(ctx, q, &s, selectStandard+` WHERE county_code = $1 AND category = $2
		ORDER BY effective_month DESC LIMIT 1`, county, category)
	if db.IsNotFound(err) {
		return Standard{}, false, nil
	}
	if err != nil {
		return Standard{}, false, fmt.Errorf("enrolment: latest standard of %s/%s: %w", county, category, err)
	}
	return s, true, nil
}

// listStandards is every standard of a county, newest first.
func listStandards(ctx context.Context, q sqlx.QueryerContext, county string) ([]Standard, error) {
	out := []Standard{}
	if err := sqlx.SelectContext(ctx, q, &out, selectStandard+` WHERE county_code = $1
		ORDER BY effective_month DESC, category`, county); err != nil {
		return nil, fmt.Errorf("enrolment: list standards of %s: %w", county, err)
	}
	return out, nil
}

func insertStandard(ctx context.Context, tx *sqlx.Tx, s Standard, actorID int64) (Standard, error) {
	var out Standard
	err := tx.GetContext(ctx, &out, `INSERT INTO benefit_standards (county_code, division_code, category, monthly_fen,
		effective_month, note, created_by, created_name) VALUES ($1, $1, $2, $3, $4, $5, $6, $7)
		RETURNING id, county_code, category, monthly_fen, effective_month, note, created_name, created_at`,
		s.CountyCode, s.Category, s.MonthlyFen, s.EffectiveMonth, s.Note, actorID, s.CreatedBy)
	if err != nil {
		return Standard{}, fmt.Errorf("enrolment: add standard %s/%s from %s: %w", s.CountyCode, s.Category, s.EffectiveMonth, err)
	}
	return out, nil
}

// lockStandards serialises the changes of a county's standards (exclusive) against
// enrolments (shared): an enrolment computed under the old standard cannot commit behind a
// recomputation that did not see it.
func lockStandards(ctx context.Context, tx *sqlx.Tx, county string, exclusive bool) error {
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	if _, err := tx.ExecContext(ctx, `SELECT `+fn+`(hashtextextended('benefit_standards:' || $1, 0))`, county); err != nil {
		return fmt.Errorf("enrolment: lock standards of %s: %w", county, err)
	}
	return nil
}

func errNoStandard(category string, on civil.Date) error {
	zh, en := categoryName(category)
	return httpx.Msg(http.StatusConflict, "standard_missing",
		fmt.Sprintf("本县尚未设置 %s 起适用的%s低保标准，请先由县系统管理员设置保障标准", on, zh),
		fmt.Sprintf("The county has no %s standard in force on %s; the county administrator must set one first", en, on))
}

func categoryName(category string) (zh, en string) {
	if category == Urban {
		return "城镇", "urban"
	}
	return "农村", "rural"
}
