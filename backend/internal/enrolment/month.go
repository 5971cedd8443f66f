package enrolment

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"dibao/backend/internal/platform/civil"
)

// Month is a calendar month: standards take effect, payments start and amounts change by
// month. "2026-12" in JSON, the month's first day in the database.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month a date falls in.
func MonthOf(d civil.Date) Month { return Month{d.Year, d.Month} }

// ParseMonth reads "2026-12".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Month{}, fmt.Errorf("enrolment: %q is not a month of the form 2026-12", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// First is the month's first day.
func (m Month) First() civil.Date { return civil.Date{Year: m.Year, Month: m.Month, Day: 1} }

// Add moves by n months.
func (m Month) Add(n int) Month {
	i := m.Year*12 + int(m.Month) - 1 + n
	return Month{i / 12, time.Month(i%12 + 1)}
}

// Before reports whether m is earlier than o.
func (m Month) Before(o Month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Month < o.Month)
}

// After reports whether m is later than o.
func (m Month) After(o Month) bool { return o.Before(m) }

// IsZero reports whether m is unset.
func (m Month) IsZero() bool { return m == Month{} }

// String is "2026-12".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, m.Month) }

// MarshalJSON writes "2026-12".
func (m Month) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON reads "2026-12".
func (m *Month) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("enrolment: a month must be a string of the form 2026-12")
	}
	v, err := ParseMonth(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Value stores the month's first day in a date column.
func (m Month) Value() (driver.Value, error) { return m.First().String(), nil }

// Scan reads a date column (the month's first day).
func (m *Month) Scan(src any) error {
	var d civil.Date
	if err := d.Scan(src); err != nil {
		return err
	}
	*m = MonthOf(d)
	return nil
}
