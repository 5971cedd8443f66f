package access_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/seed"
)

// demoDB is a migrated database with the demo data.
func demoDB(t *testing.T) *dbtest.DB {
	t.Helper()
	d := dbtest.New(t)
	box, err := secure.NewBox(make([]byte, 16), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := seed.Demo(ctx, d.Owner, box); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	return d
}

// principal is the demo user as the server would see them (roles as stored).
func principal(t *testing.T, d *dbtest.DB, username string) access.Principal {
	t.Helper()
	var p access.Principal
	if err := d.Super.QueryRow(`SELECT id, username, county_code, division_code FROM users WHERE username = $1`, username).
		Scan(&p.UserID, &p.Username, &p.CountyCode, &p.DivisionCode); err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	if err := d.Super.Select(&p.Roles, `SELECT role_key, division_code FROM user_roles WHERE county_code = $1 AND user_id = $2`,
		p.CountyCode, p.UserID); err != nil {
		t.Fatal(err)
	}
	return p
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// grant adds a role behind the app's back (as the superuser), as a use case would commit it.
func grant(t *testing.T, d *dbtest.DB, p access.Principal, role, division string) {
	t.Helper()
	if _, err := d.Super.Exec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ($1, $2, $3, $4)`,
		access.CountyOf(division), p.UserID, role, division); err != nil {
		t.Fatalf("grant %s: %v", role, err)
	}
}

func revoke(t *testing.T, d *dbtest.DB, p access.Principal, role, division string) {
	t.Helper()
	if _, err := d.Super.Exec(`DELETE FROM user_roles WHERE county_code = $1 AND user_id = $2 AND role_key = $3 AND division_code = $4`,
		access.CountyOf(division), p.UserID, role, division); err != nil {
		t.Fatalf("revoke %s: %v", role, err)
	}
}
