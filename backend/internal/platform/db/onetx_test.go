package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/dbtest"
)

// OneTransaction: transactions begun inside are savepoints, so one that fails takes back
// only its own work, and the whole commits at the end or, if fn fails, not at all.
func TestOneTransaction(t *testing.T) {
	d := dbtest.New(t)
	d.Owner.SetMaxOpenConns(1) // so the last check runs on the connection OneTransaction used
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name) VALUES
		('33', 'province', NULL, NULL, '浙江省'), ('3305', 'city', '33', NULL, '湖州市')`)
	add := func(one *sqlx.DB, code, name string, fail bool) error {
		return db.WithScope(ctx, one, db.CountyScope(code), func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO divisions (code, level, parent_code, county_code, name)
				VALUES ($1, 'county', '3305', $1, $2)`, code, name); err != nil {
				return err
			}
			if fail {
				return errors.New("this step fails")
			}
			return nil
		})
	}
	counties := func() []string {
		var out []string
		d.Super.Select(&out, `SELECT name FROM divisions WHERE level = 'county' ORDER BY code`)
		return out
	}

	err := db.OneTransaction(ctx, d.Owner, func(one *sqlx.DB) error {
		if err := add(one, "330522", "长兴县", false); err != nil {
			return err
		}
		if err := add(one, "330523", "安吉县", true); err == nil {
			t.Error("the failing step did not fail")
		}
		// Not yet visible outside.
		if got := counties(); len(got) != 0 {
			t.Errorf("before the commit others see %v", got)
		}
		return add(one, "330524", "德清县", false)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := counties(); len(got) != 2 || got[0] != "长兴县" || got[1] != "德清县" {
		t.Fatalf("after the commit: %v", got)
	}

	err = db.OneTransaction(ctx, d.Owner, func(one *sqlx.DB) error {
		if err := add(one, "330521", "吴兴区", false); err != nil {
			return err
		}
		return errors.New("the last step fails")
	})
	if err == nil || err.Error() != "the last step fails" {
		t.Fatalf("err = %v", err)
	}
	if got := counties(); len(got) != 2 {
		t.Fatalf("a failed whole left %v", got)
	}
	// The connection went back to the pool clean: no transaction, no scope.
	var scope string
	if err := d.Owner.GetContext(ctx, &scope, `SELECT coalesce(current_setting('app.county_code', true), '')`); err != nil || scope != "" {
		t.Fatalf("the pool's connection keeps the scope %q (%v)", scope, err)
	}
}
