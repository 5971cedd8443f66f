package db_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/migrations"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/dbtest"
)

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	d := dbtest.NewEmpty(t)
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil || len(ms) == 0 {
		t.Fatalf("load: %d migrations, %v", len(ms), err)
	}
	ctx := context.Background()
	// Two instances starting at once: each migration is applied exactly once.
	var wg sync.WaitGroup
	applied := make([][]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = db.Migrate(ctx, d.Owner, ms)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("concurrent migrate: %v / %v", errs[0], errs[1])
	}
	if len(applied[0])+len(applied[1]) != len(ms) {
		t.Fatalf("applied %v and %v, want %d in all", applied[0], applied[1], len(ms))
	}
	again, err := db.Migrate(ctx, d.Owner, ms)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %v, %v", again, err)
	}
	st, err := db.Status(ctx, d.Owner, ms)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.AppliedAt == nil {
			t.Errorf("%s not recorded", s.Name)
		}
	}
}

func TestChangedMigrationIsRefused(t *testing.T) {
	d := dbtest.NewEmpty(t)
	ctx := context.Background()
	v1 := fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a (x int);")}}
	ms, _ := db.LoadMigrations(v1)
	if _, err := db.Migrate(ctx, d.Owner, ms); err != nil {
		t.Fatal(err)
	}
	v2 := fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a (x bigint);")}}
	ms, _ = db.LoadMigrations(v2)
	if _, err := db.Migrate(ctx, d.Owner, ms); err == nil || !strings.Contains(err.Error(), "changed after it was applied") {
		t.Fatalf("changed migration: %v", err)
	}
}

func TestFailedMigrationLeavesNothing(t *testing.T) {
	d := dbtest.NewEmpty(t)
	ctx := context.Background()
	bad := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte("CREATE TABLE ok (x int);")},
		"0002_bad.sql": {Data: []byte("CREATE TABLE half (x int); SELECT no_such_function();")},
	}
	ms, _ := db.LoadMigrations(bad)
	if _, err := db.Migrate(ctx, d.Owner, ms); err == nil || !strings.Contains(err.Error(), "0002_bad.sql") {
		t.Fatalf("bad migration: %v", err)
	}
	var half bool
	if err := d.Owner.Get(&half, `SELECT to_regclass('half') IS NOT NULL`); err != nil || half {
		t.Fatalf("half-applied migration left table: %v %v", half, err)
	}
	var n int
	_ = d.Owner.Get(&n, `SELECT count(*) FROM schema_migrations`)
	if n != 1 {
		t.Fatalf("recorded %d migrations, want 1", n)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"abc.sql": {Data: []byte("")}},
		"duplicate": {"0001_a.sql": {Data: []byte("")}, "01_b.sql": {Data: []byte("")}},
	} {
		if _, err := db.LoadMigrations(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestScopeIsTransactionLocal(t *testing.T) {
	d := dbtest.New(t)
	d.App.SetMaxOpenConns(1) // the next query reuses the same connection
	ctx := context.Background()
	err := db.WithScope(ctx, d.App, db.Scope{County: "330523", Division: "330523101"}, func(tx *sqlx.Tx) error {
		var got string
		if err := tx.Get(&got, `SELECT current_setting('app.division_code')`); err != nil {
			return err
		}
		if got != "330523101" {
			t.Errorf("scope inside = %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The pooled connection must not carry the scope into the next use.
	var after string
	if err := d.App.Get(&after, `SELECT coalesce(current_setting('app.division_code', true), '')`); err != nil {
		t.Fatal(err)
	}
	if after != "" {
		t.Fatalf("scope leaked out of its transaction: %q", after)
	}
}

// The scope goes as quoted literals (one round trip): whatever a value holds, it arrives as
// that value and nothing more.
func TestScopeValuesAreQuoted(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	odd := `x', true); SELECT set_config('app.county_code', '999999`
	err := db.WithScope(ctx, d.App, db.Scope{County: "330523", Division: `33'0\523`, Purpose: odd}, func(tx *sqlx.Tx) error {
		var got struct{ County, Division, Purpose string }
		if err := tx.QueryRow(`SELECT current_setting('app.county_code'), current_setting('app.division_code'), current_setting('app.purpose')`).
			Scan(&got.County, &got.Division, &got.Purpose); err != nil {
			return err
		}
		if got.County != "330523" || got.Division != `33'0\523` || got.Purpose != odd {
			t.Errorf("scope = %+v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
