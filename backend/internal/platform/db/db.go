// Package db opens PostgreSQL connections and runs work inside transactions that carry
// the caller's tenant scope, so row-level security can act as a second wall.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq" // PostgreSQL driver
)

// Open connects to PostgreSQL and checks the connection within the context's deadline.
func Open(ctx context.Context, url string, maxConns int) (*sqlx.DB, error) {
	conn, err := sqlx.Open("postgres", withBinaryParameters(url))
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	conn.SetMaxOpenConns(maxConns)
	conn.SetMaxIdleConns(maxConns)
	conn.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := conn.PingContext(pingCtx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("db: connect to %s: %w", Redact(url), err)
	}
	return conn, nil
}

// withBinaryParameters asks lib/pq to send a query's parameters with the query itself:
// one round trip instead of two (parse, then bind and execute), on every query that has
// parameters. A []byte parameter then goes in binary form, which bytea wants and jsonb
// does not: JSON documents go as JSONB (jsonb.go). A URL that says otherwise is kept.
func withBinaryParameters(url string) string {
	if strings.Contains(url, "binary_parameters") {
		return url
	}
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		if strings.Contains(url, "?") {
			return url + "&binary_parameters=yes"
		}
		return url + "?binary_parameters=yes"
	}
	return url + " binary_parameters=yes"
}

// Scope is the part of the division tree a request may touch. County is the tenant;
// Division is the highest division the caller works in (the county code itself for
// county staff). An empty scope sees no tenant rows at all. Purpose opens a narrow,
// named door that a policy allows for one job, such as "sign_in".
type Scope struct {
	County   string
	Division string
	Purpose  string
}

// CountyScope is the whole of one county.
func CountyScope(county string) Scope { return Scope{County: county, Division: county} }

// SetScope changes the scope inside a transaction that is already running, for work that
// learns its county as it goes (sign-in).
func SetScope(ctx context.Context, tx *sqlx.Tx, s Scope) error {
	// Literals (quoted by the driver's own quoting) rather than parameters: a statement
	// without parameters goes as one simple query, one round trip instead of lib/pq's two
	// (parse, then bind and execute), on every request.
	if _, err := tx.ExecContext(ctx, `SELECT set_config('app.county_code', `+pq.QuoteLiteral(s.County)+`, true), `+
		`set_config('app.division_code', `+pq.QuoteLiteral(s.Division)+`, true), `+
		`set_config('app.purpose', `+pq.QuoteLiteral(s.Purpose)+`, true)`); err != nil {
		return fmt.Errorf("db: set scope: %w", err)
	}
	return nil
}

// WithScope runs fn in a transaction whose scope is set with set_config(..., true), so it
// ends with the transaction and never leaks into the next use of a pooled connection.
func WithScope(ctx context.Context, conn *sqlx.DB, s Scope, fn func(tx *sqlx.Tx) error) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if err := SetScope(ctx, tx, s); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// IsNotFound reports whether err means a query found no row.
func IsNotFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }
