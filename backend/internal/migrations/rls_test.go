package migrations_test

import (
	"context"
	"testing"

	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/seed"
)

// referenceTables may be read by every scope: their rows are public (division names and
// codes). Writes to them are still confined to the caller's county by their policies.
var referenceTables = map[string]bool{"divisions": true}

// TestEveryTenantTableHasForcedRLS lists every table with a county_code column and fails
// if one lacks row-level security that is enabled, forced and has a policy.
func TestEveryTenantTableHasForcedRLS(t *testing.T) {
	d := dbtest.New(t)
	var tables []struct {
		Name     string `db:"relname"`
		Enabled  bool   `db:"relrowsecurity"`
		Forced   bool   `db:"relforcerowsecurity"`
		Policies int    `db:"policies"`
	}
	err := d.Super.Select(&tables, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'county_code' AND NOT a.attisdropped
		WHERE c.relkind IN ('r', 'p')
		ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 4 {
		t.Fatalf("found only %d tables with county_code", len(tables))
	}
	for _, tbl := range tables {
		if !tbl.Enabled || !tbl.Forced || tbl.Policies == 0 {
			t.Errorf("table %s: row level security enabled=%v forced=%v policies=%d", tbl.Name, tbl.Enabled, tbl.Forced, tbl.Policies)
		}
	}
}

// TestNoScopeSeesNoRows: with demo data loaded, the app role without a scope (and with an
// empty one) reads no row of any tenant table.
func TestNoScopeSeesNoRows(t *testing.T) {
	d := dbtest.New(t)
	box, err := secure.NewBox(make([]byte, 16), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(context.Background(), d.Owner, box); err != nil {
		t.Fatal(err)
	}
	var tables []string
	if err := d.Super.Select(&tables, `SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'county_code' AND NOT a.attisdropped
		WHERE c.relkind IN ('r', 'p') ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range tables {
		if referenceTables[tbl] {
			continue
		}
		var total int
		if err := d.Super.Get(&total, `SELECT count(*) FROM "`+tbl+`"`); err != nil {
			t.Fatal(err)
		}
		for _, scope := range []struct{ county, division string }{{"", ""}, {"330523", ""}, {"", "330523"}} {
			tx := d.App.MustBegin()
			tx.MustExec(`SELECT set_config('app.county_code', $1, true), set_config('app.division_code', $2, true)`, scope.county, scope.division)
			var n int
			if err := tx.Get(&n, `SELECT count(*) FROM "`+tbl+`"`); err != nil {
				t.Fatalf("%s: %v", tbl, err)
			}
			tx.Rollback()
			if n != 0 {
				t.Errorf("%s: scope %+v sees %d of %d rows", tbl, scope, n, total)
			}
		}
		var n int
		if err := d.App.Get(&n, `SELECT count(*) FROM "`+tbl+`"`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: no scope at all sees %d of %d rows", tbl, n, total)
		}
	}
	// And a county scope sees its own rows and none of the other county's.
	tx := d.App.MustBegin()
	defer tx.Rollback()
	tx.MustExec(`SELECT set_config('app.county_code', '330522', true), set_config('app.division_code', '330522', true)`)
	var users []string
	if err := tx.Select(&users, `SELECT username FROM users ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0] != "cx.clerk" {
		t.Fatalf("Changxing scope sees users %v", users)
	}
}
