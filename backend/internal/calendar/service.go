package calendar

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Service holds the calendar's use cases.
type Service struct {
	db    *sqlx.DB
	guard *access.Guard
}

// NewService builds the service.
func NewService(conn *sqlx.DB, guard *access.Guard) *Service { return &Service{db: conn, guard: guard} }

// Current loads the calendar as it stands, for deadline computations.
func (s *Service) Current(ctx context.Context) (*Calendar, error) { return Load(ctx, s.db) }

// Year lists the listed days of one year.
func (s *Service) Year(ctx context.Context, year int) ([]Day, error) {
	if year < 2000 || year > 2100 {
		return nil, httpx.Invalid("year", "年份须在 2000 至 2100 之间", "The year must be between 2000 and 2100")
	}
	return daysOfYear(ctx, s.db, year)
}

// Meta is the audit metadata of a request.
type Meta struct{ RequestID, ClientIP string }

// SetDay lists a date ("2026-10-01") as a holiday or a make-up workday (platform
// administrators). Permission comes first: a refused caller learns nothing of the input.
func (s *Service) SetDay(ctx context.Context, p access.Principal, date, kind, name string, meta Meta) (Day, error) {
	if err := s.guard.Require(ctx, p, access.PlatformDomain, "calendar", date, "manage"); err != nil {
		return Day{}, err
	}
	parsed, err := civil.ParseDate(date)
	if err != nil {
		return Day{}, invalidDate()
	}
	d := Day{Date: parsed, Kind: kind, Name: name}
	return d, s.setDay(ctx, p, d, meta)
}

func (s *Service) setDay(ctx context.Context, p access.Principal, d Day, meta Meta) error {
	d.Name = strings.TrimSpace(d.Name)
	switch {
	case d.Kind != Holiday && d.Kind != Workday:
		return httpx.Invalid("kind", "类型须为 holiday（放假）或 workday（调休上班）", "kind must be holiday or workday")
	case d.Name == "" || len([]rune(d.Name)) > 50:
		return httpx.Invalid("name", "名称不能为空，最多 50 个字", "name is required, at most 50 characters")
	}
	wd := d.Date.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	if d.Kind == Workday && !weekend {
		return httpx.Invalid("kind", "调休上班只能设在周六或周日", "A make-up workday must fall on a Saturday or Sunday")
	}
	return db.WithScope(ctx, s.db, db.CountyScope(access.PlatformDomain), func(tx *sqlx.Tx) error {
		before, existed, err := dayOf(ctx, tx, d.Date)
		if err != nil {
			return err
		}
		if err := upsertDay(ctx, tx, d, p.UserID); err != nil {
			return err
		}
		detail := map[string]any{"after": d}
		if existed {
			detail["before"] = before
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: p.CountyCode,
			DivisionCode: p.DivisionCode, Action: "calendar.set_day", ObjectType: "calendar_day", ObjectID: d.Date.String(),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail})
	})
}

// ClearDay returns a date to the ordinary week (platform administrators).
func (s *Service) ClearDay(ctx context.Context, p access.Principal, raw string, meta Meta) error {
	if err := s.guard.Require(ctx, p, access.PlatformDomain, "calendar", raw, "manage"); err != nil {
		return err
	}
	date, err := civil.ParseDate(raw)
	if err != nil {
		return invalidDate()
	}
	return db.WithScope(ctx, s.db, db.CountyScope(access.PlatformDomain), func(tx *sqlx.Tx) error {
		before, existed, err := dayOf(ctx, tx, date)
		if err != nil {
			return err
		}
		if !existed {
			return httpx.Msg(http.StatusNotFound, "not_found", "该日期不在节假日安排中", "That date is not listed in the calendar")
		}
		if err := deleteDay(ctx, tx, date); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: p.CountyCode,
			DivisionCode: p.DivisionCode, Action: "calendar.clear_day", ObjectType: "calendar_day", ObjectID: date.String(),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: map[string]any{"before": before}})
	})
}

func invalidDate() error {
	return httpx.Invalid("date", "日期须为 2026-01-31 这样的格式", "The date must look like 2026-01-31")
}
