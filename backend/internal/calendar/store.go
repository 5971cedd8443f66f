package calendar

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/civil"
)

// Load reads every listed day into a Calendar.
func Load(ctx context.Context, q sqlx.QueryerContext) (*Calendar, error) {
	var days []Day
	if err := sqlx.SelectContext(ctx, q, &days, `SELECT day, kind, name FROM calendar_days`); err != nil {
		return nil, fmt.Errorf("calendar: load: %w", err)
	}
	return New(days), nil
}

func daysOfYear(ctx context.Context, q sqlx.QueryerContext, year int) ([]Day, error) {
	days := []Day{}
	err := sqlx.SelectContext(ctx, q, &days, `SELECT day, kind, name FROM calendar_days
		WHERE day >= make_date($1, 1, 1) AND day < make_date($1 + 1, 1, 1) ORDER BY day`, year)
	if err != nil {
		return nil, fmt.Errorf("calendar: days of %d: %w", year, err)
	}
	return days, nil
}

func dayOf(ctx context.Context, q sqlx.QueryerContext, d civil.Date) (Day, bool, error) {
	var days []Day
	if err := sqlx.SelectContext(ctx, q, &days, `SELECT day, kind, name FROM calendar_days WHERE day = $1`, d); err != nil {
		return Day{}, false, fmt.Errorf("calendar: day %s: %w", d, err)
	}
	if len(days) == 0 {
		return Day{}, false, nil
	}
	return days[0], true, nil
}

func upsertDay(ctx context.Context, tx *sqlx.Tx, d Day, by int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, kind, name, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		d.Date, d.Kind, d.Name, by)
	if err != nil {
		return fmt.Errorf("calendar: save %s: %w", d.Date, err)
	}
	return nil
}

func deleteDay(ctx context.Context, tx *sqlx.Tx, d civil.Date) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE day = $1`, d); err != nil {
		return fmt.Errorf("calendar: delete %s: %w", d, err)
	}
	return nil
}
