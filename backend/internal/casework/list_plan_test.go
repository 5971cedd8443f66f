package casework_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/access"
	"dibao/backend/internal/calendar"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/platform/dbtest"
)

// GET /cases?household_id= (a household's page lists its cases, closed ones too) reads
// cases through cases_household (0014), as the app role under row-level security, on a
// county of 60,000 households and 90,000 cases, whether the caller works in the county,
// a township or a village. The plan is the one of the query the service really sends:
// the connection runs EXPLAIN of it just before it, in the same transaction.
func TestHouseholdCaseListUsesIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 60,000 households and 90,000 cases")
	}
	d := dbtest.New(t)
	d.AddPlanCounty()
	d.Super.MustExec(`INSERT INTO households (county_code, id, division_code, category, head_name, status)
		SELECT '330523', g, '330523' || lpad((101 + g % 10)::text, 3, '0') || lpad((201 + (g / 10) % 15)::text, 3, '0'), 'rural',
			'户主' || g, 'applying'
		FROM generate_series(1, 60000) g`)
	// Every household has a denied case; every other one an open case as well.
	d.Super.MustExec(`INSERT INTO cases (county_code, id, division_code, household_id, state, channel, applicant_name,
			authorisation_signed_on, submitted_at, accepted_on, due_on, denial_reason, decided_on, decision_level, closed_at, updated_at)
		SELECT '330523', h.id, h.division_code, h.id, 'denied', 'village', h.head_name, '2025-01-02', '2025-01-03',
			'2025-01-06', '2025-02-24', '家庭收入超过保障标准', '2025-02-10', 'county', '2025-02-10', '2025-02-10'
		FROM households h WHERE h.county_code = '330523'`)
	d.Super.MustExec(`INSERT INTO cases (county_code, id, division_code, household_id, state, channel, applicant_name,
			authorisation_signed_on, submitted_at, accepted_on, due_on, updated_at)
		SELECT '330523', 100000 + h.id, h.division_code, h.id, 'accepted', 'window', h.head_name, '2026-01-02', '2026-01-05',
			'2026-01-06', '2026-02-24', '2026-01-06'
		FROM households h WHERE h.county_code = '330523' AND h.id % 2 = 0`)
	d.Super.MustExec(`ANALYZE households; ANALYZE cases; ANALYZE divisions`)

	plans := &explainer{marker: "FROM cases c"}
	conn := plans.open(t, d.AppURL)
	svc := casework.NewService(conn, access.NewGuard(allowAll{}, nil), fixedCalendar{}, nil, nil, nil,
		func() time.Time { return time.Date(2026, 1, 20, 2, 0, 0, 0, time.UTC) })

	// Household 31338 is in 镇109 (330523109), 村214 (330523109214); it has both cases. The open
	// one alone may be found through cases_one_open (0008) as well.
	const household = 31338
	for _, c := range []struct {
		name, role, division, state string
		want                        int
		indexes                     []string
	}{
		{"county, all states", "county_approver", "330523", "all", 2, []string{"cases_household"}},
		{"county, open", "county_approver", "330523", "", 1, []string{"cases_household", "cases_one_open"}},
		{"township, all states", "township_caseworker", "330523109", "all", 2, []string{"cases_household"}},
		{"village, all states", "village_worker", "330523109214", "all", 2, []string{"cases_household"}},
	} {
		p := access.Principal{UserID: 1, Username: "plan", CountyCode: "330523", DivisionCode: c.division,
			Roles: []access.Assignment{{RoleKey: c.role, DivisionCode: c.division}}}
		plans.reset()
		page, err := svc.List(context.Background(), p, casework.ListParams{Household: fmt.Sprint(household), State: c.state})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(page.Items) != c.want {
			t.Fatalf("%s: %d cases, want %d", c.name, len(page.Items), c.want)
		}
		for _, it := range page.Items {
			if it.HouseholdID != household {
				t.Fatalf("%s: case %d of household %d", c.name, it.ID, it.HouseholdID)
			}
		}
		got := plans.taken()
		if len(got) != 1 {
			t.Fatalf("%s: %d list queries explained, want 1", c.name, len(got))
		}
		plan := got[0]
		if contains(plan, c.indexes...) == "" || strings.Contains(plan, "Seq Scan on cases") ||
			strings.Contains(plan, "Seq Scan on households") {
			t.Errorf("%s: the household's cases are not read through %s\n%s", c.name, strings.Join(c.indexes, " or "), plan)
		} else if testing.Verbose() {
			t.Logf("%s:\n%s", c.name, plan)
		}
	}
}

type allowAll struct{}

func (allowAll) Allowed(context.Context, access.Principal, string, string, string) bool { return true }

type fixedCalendar struct{}

func (fixedCalendar) Current(context.Context) (*calendar.Calendar, error) {
	return calendar.New(nil), nil
}

// explainer is a database/sql connector over lib/pq that, before a query containing
// marker, runs EXPLAIN of the same text with the same arguments on the same connection
// (so in the same transaction, under the same scope) and keeps the plan.
type explainer struct {
	driver.Connector
	marker string
	mu     sync.Mutex
	plans  []string
}

// open connects to url as the server does (parameters sent with the query).
func (e *explainer) open(t *testing.T, raw string) *sqlx.DB {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	if e.Connector, err = pq.NewConnector(u.String()); err != nil {
		t.Fatal(err)
	}
	conn := sqlx.NewDb(sql.OpenDB(e), "postgres")
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (e *explainer) reset() {
	e.mu.Lock()
	e.plans = nil
	e.mu.Unlock()
}

func (e *explainer) taken() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.plans...)
}

func (e *explainer) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := e.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &explainConn{Conn: c, e: e}, nil
}

// explainConn passes everything to lib/pq's connection.
type explainConn struct {
	driver.Conn
	e *explainer
}

func (c *explainConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q := c.Conn.(driver.QueryerContext)
	if strings.Contains(query, c.e.marker) {
		plan, err := readPlan(q.QueryContext(ctx, "EXPLAIN "+query, args))
		if err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		c.e.mu.Lock()
		c.e.plans = append(c.e.plans, plan)
		c.e.mu.Unlock()
	}
	return q.QueryContext(ctx, query, args)
}

func readPlan(rows driver.Rows, err error) (string, error) {
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); errors.Is(err, io.EOF) {
			return strings.Join(lines, "\n"), nil
		} else if err != nil {
			return "", err
		}
		switch v := dest[0].(type) {
		case []byte:
			lines = append(lines, string(v))
		case string:
			lines = append(lines, v)
		}
	}
}

func (c *explainConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *explainConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *explainConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *explainConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *explainConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

func (c *explainConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *explainConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }
