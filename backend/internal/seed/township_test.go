package seed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/seed"
)

// The whole demo seed as `dibao seed demo` runs it after the accounts: enrolment's
// standards and stand-ins, then the township. The figures are the seed report's.
func TestTownshipHasTheReportsRollsAndPayout(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	all, err := seed.Everything(ctx, env.DB.Owner, env.Box, env.Clock.Now())
	if err != nil {
		t.Fatalf("demo data: %v", err)
	}
	res := all.Township
	t.Logf("township: added %d households (%d people) and %d cases in %v; rural %+v, urban %+v; %d yuan a month, %d yuan a quarter",
		res.Added, res.AddedPeople, res.Cases, res.Took, res.Rural, res.Urban, res.MonthlyFen/100, res.QuarterFen()/100)
	if res.Rural != (seed.Rolls{Households: 711, People: 1302}) || res.Urban != (seed.Rolls{Households: 229, People: 312}) {
		t.Fatalf("rolls: rural %+v, urban %+v", res.Rural, res.Urban)
	}
	if res.Added != 937 || res.AddedPeople != 1608 { // 940 and 1,614 less enrolment's three stand-ins (3 households, 6 people)
		t.Fatalf("added %d households covering %d people", res.Added, res.AddedPeople)
	}
	var parts struct {
		Gap  int64 `db:"gap"`
		Supp int64 `db:"supp"`
		Ind  int64 `db:"ind"`
	}
	if err := env.DB.Super.Get(&parts, `SELECT sum((result->>'gap_fen')::bigint) AS gap, sum((result->>'supplement_fen')::bigint) AS supp,
		sum(CASE WHEN (result->>'individual')::boolean THEN amount_fen ELSE 0 END) AS ind FROM amount_computations`); err != nil {
		t.Fatal(err)
	}
	t.Logf("a month: gaps %d yuan, supplements %d yuan, covered alone %d yuan", parts.Gap/100, parts.Supp/100, parts.Ind/100)
	if q := res.QuarterFen(); q < seed.TargetQuarterFen*98/100 || q > seed.TargetQuarterFen*102/100 {
		t.Errorf("quarterly payout %d fen, want 610,000 yuan ± 2%%", q)
	}

	// What the database holds agrees, counted behind the app's back.
	sup := env.DB.Super
	var rolls []struct {
		Category   string `db:"category"`
		Households int    `db:"households"`
		People     int    `db:"people"`
		Members    int    `db:"members"`
	}
	if err := sup.Select(&rolls, `SELECT b.category, count(*) AS households, sum(b.covered_count) AS people,
		sum((SELECT count(*) FROM household_members m WHERE m.county_code = b.county_code AND m.household_id = b.household_id)) AS members
		FROM beneficiaries b WHERE b.county_code = '330523' AND b.division_code LIKE '330523101%' AND b.status = 'active'
		GROUP BY b.category ORDER BY b.category`); err != nil {
		t.Fatal(err)
	}
	if len(rolls) != 2 || rolls[0].Households != 711 || rolls[0].People != 1302 || rolls[1].Households != 229 || rolls[1].People != 312 {
		t.Fatalf("rolls in the database: %+v", rolls)
	}
	var quarter int64
	if err := sup.Get(&quarter, `SELECT 3 * sum(amount_fen) FROM beneficiaries WHERE county_code = '330523' AND status = 'active'`); err != nil {
		t.Fatal(err)
	}
	if quarter != res.QuarterFen() {
		t.Fatalf("database says %d fen a quarter, the run %d", quarter, res.QuarterFen())
	}
	// Every enrolment left its certificate, its first amount, its computation, the person
	// index and the household's status, as a real approval does.
	for _, q := range []struct {
		what  string
		query string
		want  int
	}{
		{"certificates", `SELECT count(DISTINCT certificate_no) FROM certificates WHERE county_code = '330523' AND status = 'valid'`, 940},
		{"first amounts", `SELECT count(*) FROM amount_changes WHERE county_code = '330523' AND reason = 'enrolment'`, 940},
		{"computations", `SELECT count(*) FROM amount_computations WHERE county_code = '330523'`, 940},
		{"enrolled households", `SELECT count(*) FROM households WHERE county_code = '330523' AND status = 'enrolled'`, 940},
		{"people indexed", `SELECT count(*) FROM person_index p JOIN beneficiaries b ON b.county_code = p.county_code
			AND b.household_id = p.household_id WHERE p.county_code = '330523'`,
			count(t, env, `SELECT count(*) FROM household_members m JOIN beneficiaries b ON b.county_code = m.county_code
				AND b.household_id = m.household_id WHERE m.county_code = '330523'`)},
		{"duplicate ID numbers", `SELECT count(*) FROM (SELECT id_number_index FROM household_members
			WHERE county_code = '330523' GROUP BY 1 HAVING count(*) > 1) d`, 0},
		{"unsealed phones or accounts (enrolment's three stand-ins have none)", `SELECT count(*) FROM households
			WHERE county_code = '330523' AND (phone_enc IS NULL OR bank_account_enc IS NULL OR bank_account_masked NOT LIKE '%****%')`, 3},
		{"re-check classes", `SELECT count(DISTINCT recheck_class) FROM beneficiaries WHERE county_code = '330523'`, 3},
		{"villages and communities with beneficiaries", `SELECT count(DISTINCT division_code) FROM beneficiaries
			WHERE county_code = '330523'`, 15},
	} {
		if n := count(t, env, q.query); n != q.want {
			t.Errorf("%s: %d, want %d", q.what, n, q.want)
		}
	}
	var spread []struct {
		Band string `db:"band"`
		N    int    `db:"n"`
	}
	if err := sup.Select(&spread, `SELECT width_bucket((result->>'per_capita_income_fen')::numeric / (result->>'standard_fen')::numeric, 0.9, 1.0, 10)::text AS band,
		count(*) AS n FROM amount_computations WHERE county_code = '330523' GROUP BY 1 ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	t.Logf("per-capita income by hundredths of the standard from 90 %% (0: below, 11: above): %+v", spread)
	// Applications in every state of the workflow, three each, through casework's use cases.
	var states []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := sup.Select(&states, `SELECT state, count(*) AS n FROM cases WHERE county_code = '330523' GROUP BY state ORDER BY state`); err != nil {
		t.Fatal(err)
	}
	if len(states) != 8 || res.Cases != 24 {
		t.Errorf("%d cases in states %+v", res.Cases, states)
	}
	for _, s := range states {
		if s.N != 3 {
			t.Errorf("%d cases %s, want 3", s.N, s.State)
		}
	}

	// A mix of supplements: every class is paid to someone, and some are covered alone.
	classes := map[string]int{}
	var lines []struct {
		Class string `db:"class"`
		N     int    `db:"n"`
	}
	if err := sup.Select(&lines, `SELECT s->>'class' AS class, count(*) AS n FROM amount_computations c,
		jsonb_array_elements(c.result->'supplements') s WHERE c.county_code = '330523' GROUP BY 1`); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		classes[l.Class] = l.N
	}
	t.Logf("supplements paid: %v; covered alone: %d", classes,
		count(t, env, `SELECT count(*) FROM amount_computations WHERE county_code = '330523' AND (result->>'individual')::boolean`))
	for _, c := range enrolment.Classes {
		if classes[string(c)] == 0 {
			t.Errorf("nobody receives the %s supplement", c)
		}
	}
	if count(t, env, `SELECT count(*) FROM amount_computations WHERE county_code = '330523' AND (result->>'individual')::boolean`) == 0 {
		t.Errorf("nobody is covered alone (单人保)")
	}

	// A sample of ID numbers, opened: valid check digits, birth dates and sex digits that
	// agree with the member's row.
	var sample []struct {
		Enc   []byte    `db:"id_number_enc"`
		Sex   string    `db:"sex"`
		Birth time.Time `db:"birth_date"`
	}
	if err := sup.Select(&sample, `SELECT id_number_enc, sex, birth_date FROM household_members
		WHERE county_code = '330523' ORDER BY id LIMIT 200`); err != nil {
		t.Fatal(err)
	}
	for _, m := range sample {
		number, err := env.Box.Open(household.IDNumberField, m.Enc)
		if err != nil {
			t.Fatal(err)
		}
		id, err := household.ParseIDNumber(number, env.Clock.Now())
		if err != nil {
			t.Fatalf("%s: %v", number, err)
		}
		if number[:6] != "330523" || id.Sex != m.Sex || id.BirthDate.String() != m.Birth.Format("2006-01-02") {
			t.Fatalf("%s does not match %s born %s", number, m.Sex, m.Birth.Format("2006-01-02"))
		}
	}

	// Loading the demo again adds nothing.
	again, err := seed.Township(ctx, env.DB.Owner, env.Box, env.Clock.Now())
	if err != nil || again.Added != 0 || again.Cases != 0 {
		t.Fatalf("second run: %+v, %v", again, err)
	}
	if n := count(t, env, `SELECT count(*) FROM households WHERE county_code = '330523'`); n != 940+householdsInCases(t, env) {
		t.Fatalf("%d households after the second run", n)
	}

	// The clerk of 梅溪镇 sees them through the API, masked.
	var page enrolment.BeneficiaryPage
	env.SignIn(t, "ax.clerk").Do("GET", "/api/v1/beneficiaries?limit=200", nil).JSON(t, &page)
	if len(page.Items) != 200 || page.NextCursor == "" {
		t.Fatalf("first page: %d beneficiaries", len(page.Items))
	}
}

func count(t *testing.T, env *apptest.Env, query string) int {
	t.Helper()
	var n int
	if err := env.DB.Super.Get(&n, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// householdsInCases counts the households of the demo's cases (not enrolled).
func householdsInCases(t *testing.T, env *apptest.Env) int {
	return count(t, env, `SELECT count(*) FROM households h WHERE county_code = '330523'
		AND NOT EXISTS (SELECT FROM beneficiaries b WHERE b.county_code = h.county_code AND b.household_id = h.id)`)
}

// The demo seed is one transaction: households, enrolments and the cases that casework's use
// cases open in transactions of their own all go, or none of them does.
func TestSeedFailingLateLeavesNothing(t *testing.T) {
	env := apptest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	before := env.TenantDigest(t)
	var cases int
	err := db.OneTransaction(ctx, env.DB.Owner, func(one *sqlx.DB) error {
		if _, err := enrolment.SeedDemo(ctx, one, env.Box, env.Clock.Now()); err != nil {
			return err
		}
		res, err := seed.Township(ctx, one, env.Box, env.Clock.Now())
		if err != nil {
			return err
		}
		cases = res.Cases
		return errors.New("the last step fails")
	})
	if err == nil || err.Error() != "the last step fails" {
		t.Fatalf("err = %v", err)
	}
	if cases == 0 {
		t.Fatal("the township opened no cases before failing")
	}
	if after := env.TenantDigest(t); after != before {
		t.Fatal("a failed seed left data behind")
	}
	if n := count(t, env, `SELECT count(*) FROM households`) + count(t, env, `SELECT count(*) FROM cases`) +
		count(t, env, `SELECT count(*) FROM audit_log WHERE request_id = 'seed-demo'`); n != 0 {
		t.Fatalf("%d households, cases and audit rows after a failed seed", n)
	}
}
