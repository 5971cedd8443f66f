package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/audit"
	"dibao/backend/internal/migrations"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/dbtest"
)

// write adds n entries to county's log as the app does (app role, county scope), with
// details that test the canonical JSON: key order, non-ASCII, escapes, numbers.
func write(t *testing.T, conn *sqlx.DB, county string, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := db.WithScope(ctx, conn, db.CountyScope(county), func(tx *sqlx.Tx) error {
			return audit.Write(ctx, tx, audit.Entry{ActorID: int64(i + 1), ActorName: "ax.clerk", CountyCode: county,
				DivisionCode: county + "101", Action: "user.update", ObjectType: "user", ObjectID: fmt.Sprint(i),
				Outcome: audit.Success, RequestID: "req", ClientIP: "10.0.0.1",
				Detail: map[string]any{"zz": i, "a": "王芳 \"引号\"\n\t<>&", "nested": map[string]any{"b": 1.5, "a": []any{true, nil, 1e21}},
					"before": map[string]any{"phone": "138****1234"}}})
		})
		if err != nil {
			t.Errorf("write %s #%d: %v", county, i, err) // not Fatal: writers run in goroutines
			return
		}
	}
}

func verify(t *testing.T, conn *sqlx.DB, county string) audit.ChainResult {
	t.Helper()
	res, err := audit.NewVerifier(conn).VerifyCounty(context.Background(), county)
	if err != nil {
		t.Fatalf("verify %s: %v", county, err)
	}
	return res
}

func ids(t *testing.T, d *dbtest.DB, county string) []int64 {
	t.Helper()
	var out []int64
	if err := d.Super.Select(&out, `SELECT id FROM audit_log WHERE county_code = $1 ORDER BY id`, county); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCleanChainsVerify(t *testing.T) {
	d := dbtest.New(t)
	write(t, d.App, "330523", 5)
	write(t, d.App, "330522", 3)
	// Concurrent writers in one county serialise on the county's head, also when the county
	// has no head yet (330521).
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(2)
		go func() { defer wg.Done(); write(t, d.App, "330523", 10) }()
		go func() { defer wg.Done(); write(t, d.App, "330521", 10) }()
	}
	wg.Wait()
	for county, rows := range map[string]int64{"330523": 65, "330522": 3, "330521": 60, "330524": 0} {
		res := verify(t, d.App, county)
		if !res.OK || res.Rows != rows {
			t.Errorf("%s: %+v (break %+v), want OK with %d rows", county, res, res.Break, rows)
		}
	}
	// The owner (bound by RLS too) verifies every county, as `dibao audit verify` does.
	v := audit.NewVerifier(d.Owner)
	counties, err := v.Counties(context.Background())
	if err != nil || strings.Join(counties, ",") != "000000,330521,330522,330523" {
		t.Fatalf("counties %v, %v", counties, err)
	}
	var out bytes.Buffer
	broken, err := v.Report(context.Background(), counties, &out)
	if err != nil || broken != 0 || !strings.Contains(out.String(), "330523\tOK\t65 rows") {
		t.Fatalf("report: %d broken, %v\n%s", broken, err, out.String())
	}
}

func TestEditedRowIsReported(t *testing.T) {
	d := dbtest.New(t)
	write(t, d.App, "330523", 5)
	write(t, d.App, "330522", 2)
	target := ids(t, d, "330523")[2]
	d.Super.MustExec(`UPDATE audit_log SET detail = jsonb_set(detail, '{zz}', '99') WHERE id = $1`, target)
	res := verify(t, d.App, "330523")
	if res.OK || res.Break.Kind != audit.BreakContentChanged || res.Break.RowID != target {
		t.Fatalf("edited row %d: %+v %+v", target, res, res.Break)
	}
	if res.Rows != 3 {
		t.Errorf("checked %d rows up to the break, want 3", res.Rows)
	}
	// Counties are independent.
	if res := verify(t, d.App, "330522"); !res.OK {
		t.Fatalf("the other county's chain is reported broken: %+v", res.Break)
	}
	// Editing a field that is not the detail is caught the same way.
	d2 := dbtest.New(t)
	write(t, d2.App, "330523", 3)
	first := ids(t, d2, "330523")[0]
	d2.Super.MustExec(`UPDATE audit_log SET at = at + interval '1 microsecond' WHERE id = $1`, first)
	if res := verify(t, d2.App, "330523"); res.OK || res.Break.Kind != audit.BreakContentChanged || res.Break.RowID != first {
		t.Fatalf("edited time of row %d: %+v", first, res.Break)
	}
}

func TestRemovedRowIsReported(t *testing.T) {
	d := dbtest.New(t)
	write(t, d.App, "330523", 5)
	all := ids(t, d, "330523")
	d.Super.MustExec(`DELETE FROM audit_log WHERE id = $1`, all[2])
	res := verify(t, d.App, "330523")
	if res.OK || res.Break.Kind != audit.BreakRowMissing || res.Break.RowID != all[3] || res.Break.MissingID != all[2] {
		t.Fatalf("removed row %d: %+v %+v", all[2], res, res.Break)
	}
	// The last row removed: the head still names it.
	d3 := dbtest.New(t)
	write(t, d3.App, "330523", 3)
	last := ids(t, d3, "330523")[2]
	d3.Super.MustExec(`DELETE FROM audit_log WHERE id = $1`, last)
	if res := verify(t, d3.App, "330523"); res.OK || res.Break.Kind != audit.BreakRowMissing || res.Break.MissingID != last {
		t.Fatalf("removed last row %d: %+v", last, res.Break)
	}
	// ...and the app writing on does not paper over it: the next row links to the removed one.
	write(t, d3.App, "330523", 2)
	next := ids(t, d3, "330523")[2]
	if res := verify(t, d3.App, "330523"); res.OK || res.Break.Kind != audit.BreakRowMissing ||
		res.Break.MissingID != last || res.Break.RowID != next {
		t.Fatalf("removed last row %d, then wrote on: %+v", last, res.Break)
	}
}

// Many rows in one transaction, some rolled back to a savepoint: the chain holds, and the
// head moves once, at commit.
func TestManyRowsInOneTransaction(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	write(t, d.App, "330523", 1)
	err := db.WithScope(ctx, d.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		insert := func(n int) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (county_code, division_code, action, outcome, detail)
				SELECT '330523', '330523101', 'bulk.row', 'success', jsonb_build_object('n', g) FROM generate_series(1, $1) g`, n)
			return err
		}
		if err := insert(3000); err != nil {
			return err
		}
		tx.MustExecContext(ctx, `SAVEPOINT s`)
		if err := insert(10); err != nil {
			return err
		}
		tx.MustExecContext(ctx, `ROLLBACK TO SAVEPOINT s`)
		for range 20 {
			if err := insert(1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res := verify(t, d.App, "330523"); !res.OK || res.Rows != 3021 {
		t.Fatalf("bulk transaction: %+v %+v", res, res.Break)
	}
}

// Someone who knows the algorithm rewrites a row with a fresh hash: the next row's link
// gives it away (and the head does for the last row).
func TestRewrittenRowWithFreshHashIsReported(t *testing.T) {
	d := dbtest.New(t)
	write(t, d.App, "330523", 4)
	all := ids(t, d, "330523")
	for _, id := range []int64{all[1], all[3]} {
		d.Super.MustExec(`UPDATE audit_log SET detail = '{"forged": true}' WHERE id = $1`, id)
		d.Super.MustExec(`UPDATE audit_log a SET hash = audit_row_hash(a.prev_hash, a) WHERE id = $1`, id)
	}
	res := verify(t, d.App, "330523")
	if res.OK || res.Break.Kind != audit.BreakPrevMismatch || res.Break.RowID != all[2] {
		t.Fatalf("rewritten row %d: %+v", all[1], res.Break)
	}
	// Mend row 2's link so the walk reaches the end: the head gives the last row away.
	d.Super.MustExec(`UPDATE audit_log a SET prev_hash = (SELECT hash FROM audit_log WHERE id = $1) WHERE id = $2`, all[1], all[2])
	d.Super.MustExec(`UPDATE audit_log a SET hash = audit_row_hash(a.prev_hash, a) WHERE id = $1`, all[2])
	d.Super.MustExec(`UPDATE audit_log a SET prev_hash = (SELECT hash FROM audit_log WHERE id = $1) WHERE id = $2`, all[2], all[3])
	d.Super.MustExec(`UPDATE audit_log a SET hash = audit_row_hash(a.prev_hash, a) WHERE id = $1`, all[3])
	if res := verify(t, d.App, "330523"); res.OK || res.Break.Kind != audit.BreakHeadMismatch || res.Break.RowID != all[3] {
		t.Fatalf("rewritten chain: %+v", res.Break)
	}
}

func TestAppRoleCannotChangeTheLogOrItsChain(t *testing.T) {
	d := dbtest.New(t)
	write(t, d.App, "330523", 3)
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE audit_log SET outcome = 'failure' WHERE county_code = '330523'`,
		`DELETE FROM audit_log WHERE county_code = '330523'`,
		`UPDATE audit_chain_heads SET last_id = 0 WHERE county_code = '330523'`,
		`DELETE FROM audit_chain_heads WHERE county_code = '330523'`,
		`INSERT INTO audit_chain_heads (county_code) VALUES ('330524')`,
		`SELECT audit_log_chain()`,
	} {
		err := db.WithScope(ctx, d.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, stmt)
			return err
		})
		if err == nil {
			t.Errorf("the app role could run %s", stmt)
		}
	}
	// An insert that names its own id and hash gets the chain's instead.
	err := db.WithScope(ctx, d.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (county_code, id, division_code, action, outcome, prev_id, prev_hash, hash)
			VALUES ('330523', 1, '330523', 'forged.row', 'success', 0, '\x00', '\x00')`)
		return err
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	if res := verify(t, d.App, "330523"); !res.OK || res.Rows != 4 {
		t.Fatalf("after an insert naming its own chain fields: %+v %+v", res, res.Break)
	}
	// The chain's transaction-local setting is the caller's to forge, but a forged one only
	// breaks the chain where everyone can see it.
	err = db.WithScope(ctx, d.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		tx.MustExecContext(ctx, `SELECT set_config('audit_chain.c330523', '999999:'||repeat('ab', 32), true)`)
		return audit.Write(ctx, tx, audit.Entry{CountyCode: "330523", Action: "forged.link", Outcome: audit.Success})
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	if res := verify(t, d.App, "330523"); res.OK || res.Break.Kind != audit.BreakPrevMismatch {
		t.Fatalf("after a forged chain setting: %+v", res.Break)
	}
	// The owner, bound by forced RLS and granted no policy to change rows, changes nothing.
	err = db.WithScope(ctx, d.Owner, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE audit_log SET outcome = 'failure'`)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 0 {
			return fmt.Errorf("owner updated %d rows", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Rows written before migration 0004 are chained by it.
func TestMigrationChainsExistingRows(t *testing.T) {
	d := dbtest.NewEmpty(t)
	ctx := context.Background()
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	var before, after []db.Migration
	for _, m := range ms {
		if m.Version < 4 {
			before = append(before, m)
		} else {
			after = append(after, m)
		}
	}
	if _, err := db.Migrate(ctx, d.Owner, before); err != nil {
		t.Fatal(err)
	}
	app, err := db.Open(ctx, d.AppURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, county := range []string{"330523", "330522", "330523"} {
		err := db.WithScope(ctx, app, db.CountyScope(county), func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (county_code, division_code, action, outcome, detail)
				VALUES ($1, $1, 'old.row', 'success', '{"b": [1, 2], "a": "旧"}')`, county)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Migrate(ctx, d.Owner, append(before, after...)); err != nil {
		t.Fatal(err)
	}
	write(t, app, "330523", 2)
	for county, rows := range map[string]int64{"330523": 4, "330522": 1} {
		if res := verify(t, app, county); !res.OK || res.Rows != rows {
			t.Errorf("%s after migration: %+v %+v", county, res, res.Break)
		}
	}
}

// The archiving procedure of docs/operations.md: rows up to N removed by a DBA who records
// where the chain now starts. Removing more than that is still caught.
func TestArchivedRowsAndTheChainBase(t *testing.T) {
	d := dbtest.New(t)
	write(t, d.App, "330523", 6)
	all := ids(t, d, "330523")
	n := all[2]
	tx := d.Super.MustBegin()
	tx.MustExec(`UPDATE audit_chain_heads SET base_id = $1,
		base_hash = (SELECT hash FROM audit_log WHERE county_code = '330523' AND id = $1) WHERE county_code = '330523'`, n)
	tx.MustExec(`DELETE FROM audit_log WHERE county_code = '330523' AND id <= $1`, n)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if res := verify(t, d.App, "330523"); !res.OK || res.Rows != 3 || res.FirstID != all[3] {
		t.Fatalf("after archiving up to %d: %+v %+v", n, res, res.Break)
	}
	write(t, d.App, "330523", 1)
	if res := verify(t, d.App, "330523"); !res.OK || res.Rows != 4 {
		t.Fatalf("writing on after archiving: %+v %+v", res, res.Break)
	}
	d.Super.MustExec(`DELETE FROM audit_log WHERE id = $1`, all[3])
	if res := verify(t, d.App, "330523"); res.OK || res.Break.Kind != audit.BreakRowMissing || res.Break.MissingID != all[3] {
		t.Fatalf("a row past the base removed: %+v", res.Break)
	}
}
