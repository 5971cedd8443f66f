package migrations_test

import (
	"context"
	"strings"
	"testing"

	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/seed"
)

// howToWriteScope is what a failing policy is told. The reasons are in 0011_fast_scope.sql.
const howToWriteScope = `write the scope with built-in expressions, as 0005, 0008-0011 do (docs/access-control.md, "Row-level security policies"):

    app_county()            ->  NULLIF(current_setting('app.county_code', true), '')
    app_division()          ->  NULLIF(current_setting('app.division_code', true), '')
    app_division_end()      ->  NULLIF(current_setting('app.division_code', true), '') || '~'
    app_division() <> ''    ->  current_setting('app.division_code', true) <> ''
    app_purpose() = 'name'  ->  current_setting('app.purpose', true) = 'name'

  for example
    CREATE POLICY things_scope ON things
        USING (county_code = NULLIF(current_setting('app.county_code', true), '')
               AND division_code >= NULLIF(current_setting('app.division_code', true), '')
               AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
        WITH CHECK (... the same ...);

  The app_*() functions are SQL functions which the planner inlines anew on every query (about 3 µs a call, five
  calls in the range policy: +16 % on a page of 50 rows, docs/benchmarks.md); the built-in form means the same and
  fails closed the same way (an unset or empty setting is NULL, which admits no row and fails every WITH CHECK).`

// TestPoliciesDoNotCallScopeFunctions fails for any row-level security policy, of any
// table and migration, whose USING or WITH CHECK calls app_county(), app_division(),
// app_division_end() or app_purpose().
func TestPoliciesDoNotCallScopeFunctions(t *testing.T) {
	d := dbtest.New(t)
	var total int
	if err := d.Super.Get(&total, `SELECT count(*) FROM pg_policies WHERE schemaname = 'public'`); err != nil {
		t.Fatal(err)
	}
	if total < 20 {
		t.Fatalf("found only %d policies: the check below would prove nothing", total)
	}
	var bad []struct {
		Table  string `db:"tablename"`
		Policy string `db:"policyname"`
		Qual   string `db:"qual"`
		Check  string `db:"with_check"`
	}
	if err := d.Super.Select(&bad, `SELECT tablename, policyname, coalesce(qual, '') AS qual, coalesce(with_check, '') AS with_check
		FROM pg_policies WHERE qual ~ $1 OR with_check ~ $1 ORDER BY tablename, policyname`,
		`\mapp_(county|division|division_end|purpose)\s*\(`); err != nil {
		t.Fatal(err)
	}
	if len(bad) == 0 {
		return
	}
	var list strings.Builder
	for _, p := range bad {
		list.WriteString("\n  policy " + p.Policy + " ON " + p.Table)
		if p.Qual != "" {
			list.WriteString("\n    USING " + p.Qual)
		}
		if p.Check != "" {
			list.WriteString("\n    WITH CHECK " + p.Check)
		}
	}
	t.Fatalf("%d row-level security policies call the app_*() scope functions:%s\n\n  Fix: in your migration (or a new one: ALTER POLICY ... USING (...) WITH CHECK (...)), %s",
		len(bad), list.String(), howToWriteScope)
}

// TestRewrittenPoliciesStillFailClosed: the forms of 0011 admit writes inside the scope
// only, and the named purposes still open their doors and nothing else.
func TestRewrittenPoliciesStillFailClosed(t *testing.T) {
	d := dbtest.New(t)
	box, err := secure.NewBox(make([]byte, 16), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(context.Background(), d.Owner, box); err != nil {
		t.Fatal(err)
	}
	inScope := func(county, division, purpose string, sql string, args ...any) error {
		tx := d.App.MustBegin()
		defer tx.Rollback() //nolint:errcheck
		tx.MustExec(`SELECT set_config('app.county_code', $1, true), set_config('app.division_code', $2, true),
			set_config('app.purpose', $3, true)`, county, division, purpose)
		_, err := tx.Exec(sql, args...)
		return err
	}
	const addHousehold = `INSERT INTO households (county_code, division_code, category, head_name) VALUES ('330523', $1, 'rural', '测试')`
	writes := []struct {
		county, division, target string
		ok                       bool
	}{
		{"330523", "330523101", "330523101201", true},     // a village of the caller's township
		{"330523", "330523101201", "330523101201", true},  // the caller's village
		{"330523", "330523101201", "330523101202", false}, // the sibling village
		{"330522", "330522", "330523101201", false},       // another county
		{"330523", "", "330523101201", false},             // no division
		{"", "330523101", "330523101201", false},          // no county
		{"", "", "330523101201", false},
	}
	for _, w := range writes {
		err := inScope(w.county, w.division, "", addHousehold, w.target)
		if (err == nil) != w.ok {
			t.Errorf("household in %s with scope %q/%q: error %v, want allowed=%v", w.target, w.county, w.division, err, w.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "row-level security") {
			t.Errorf("household in %s with scope %q/%q: %v, want a row-level security refusal", w.target, w.county, w.division, err)
		}
	}
	// Reading login names: only the sign-in purpose opens the whole index.
	for _, c := range []struct {
		purpose string
		want    bool
	}{{"sign_in", true}, {"", false}, {"user_provision", true}, {"audit_chain", false}, {"sign_in ", false}} {
		tx := d.App.MustBegin()
		tx.MustExec(`SELECT set_config('app.purpose', $1, true)`, c.purpose)
		var n int
		if err := tx.Get(&n, `SELECT count(*) FROM login_names`); err != nil {
			t.Fatal(err)
		}
		tx.Rollback() //nolint:errcheck
		if (n > 0) != c.want {
			t.Errorf("login_names under purpose %q: %d rows", c.purpose, n)
		}
	}
	// A sign-in event of an unknown name may be written without a county scope, nothing else.
	const audit = `INSERT INTO audit_log (county_code, division_code, action, outcome) VALUES ('000000', '000000', $1, 'failure')`
	if err := inScope("", "", "sign_in", audit, "auth.sign_in"); err != nil {
		t.Errorf("sign-in audit row: %v", err)
	}
	if err := inScope("", "", "sign_in", audit, "user.create"); err == nil {
		t.Error("a non-auth audit row was written under the sign-in purpose")
	}
	if err := inScope("", "", "", audit, "auth.sign_in"); err == nil {
		t.Error("an audit row was written with no scope and no purpose")
	}
}
