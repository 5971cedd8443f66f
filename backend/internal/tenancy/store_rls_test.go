package tenancy

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/seed"
)

// Row-level security is the second wall: even when a use case forgot its checks and ran
// the store's SQL in the wrong county's scope, Anji's divisions cannot be changed from
// Changxing's scope, and nothing is written.
func TestRLSStopsWritesOutsideTheCounty(t *testing.T) {
	d := dbtest.New(t)
	box, err := secure.NewBox(make([]byte, 16), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := seed.Demo(ctx, d.Owner, box); err != nil {
		t.Fatal(err)
	}
	changxing := db.CountyScope("330522")
	now := time.Now()
	run := func(fn func(tx *sqlx.Tx) error) error {
		t.Helper()
		return db.WithScope(ctx, d.App, changxing, fn)
	}

	// Renaming an Anji village from Changxing's scope matches no row.
	err = run(func(tx *sqlx.Tx) error { return updateDivision(ctx, tx, "330523101201", "偷改村", "220", now) })
	if !errors.Is(err, errNoRow) {
		t.Errorf("rename in the wrong scope: got %v, want errNoRow", err)
	}
	err = run(func(tx *sqlx.Tx) error { return setStatus(ctx, tx, "330523101201", StatusRetired, &now, now) })
	if !errors.Is(err, errNoRow) {
		t.Errorf("retire in the wrong scope: got %v, want errNoRow", err)
	}
	// Adding a village to Anji from Changxing's scope violates the policy.
	err = run(func(tx *sqlx.Tx) error {
		return insertDivisions(ctx, tx, []newDivision{{Code: "330523101299", Level: LevelVillage, Parent: "330523101",
			County: "330523", Name: "偷加村", UrbanRural: "220"}}, now)
	})
	if err == nil {
		t.Error("adding an Anji village in Changxing's scope succeeded")
	}
	// So does recording history for Anji.
	err = run(func(tx *sqlx.Tx) error {
		return insertHistory(ctx, tx, []historyRow{{County: "330523", Division: "330523101201", Action: "update"}}, now)
	})
	if err == nil {
		t.Error("recording Anji history in Changxing's scope succeeded")
	}
	// A township's scope cannot record history for its sibling township's village.
	err = db.WithScope(ctx, d.App, db.Scope{County: "330523", Division: "330523102"}, func(tx *sqlx.Tx) error {
		return insertHistory(ctx, tx, []historyRow{{County: "330523", Division: "330523101201", Action: "update"}}, now)
	})
	if err == nil {
		t.Error("recording history outside the scope's township succeeded")
	}
	// With no scope at all, nothing can be written either.
	err = db.WithScope(ctx, d.App, db.Scope{}, func(tx *sqlx.Tx) error {
		return updateDivision(ctx, tx, "330523101201", "偷改村", "220", now)
	})
	if !errors.Is(err, errNoRow) {
		t.Errorf("rename without a scope: got %v, want errNoRow", err)
	}

	var name string
	if err := d.Super.Get(&name, `SELECT name FROM divisions WHERE code = '330523101201'`); err != nil || name != "梅溪村" {
		t.Errorf("梅溪村 is now %q (%v)", name, err)
	}
	var n int
	if err := d.Super.Get(&n, `SELECT (SELECT count(*) FROM divisions WHERE code = '330523101299') + (SELECT count(*) FROM division_history)`); err != nil || n != 0 {
		t.Errorf("%d rows written (%v)", n, err)
	}

	// The right scope can: the same functions work in Anji's scope.
	err = db.WithScope(ctx, d.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		if err := updateDivision(ctx, tx, "330523101201", "梅溪村", "220", now); err != nil {
			return err
		}
		return insertHistory(ctx, tx, []historyRow{{County: "330523", Division: "330523101201", Action: "update",
			Before: map[string]any{"name": "梅溪村"}, After: map[string]any{"name": "梅溪村"}}}, now)
	})
	if err != nil {
		t.Fatalf("in Anji's own scope: %v", err)
	}
}
