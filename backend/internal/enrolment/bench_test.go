package enrolment_test

import (
	"net/http"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/platform/civil"
)

// BenchmarkStandardChangeRecompute: a new rural standard in a county of 50,000 active rural
// beneficiaries (the roster target's county size), through the API, in one transaction.
// go test -run '^$' -bench StandardChange -benchtime 1x ./internal/enrolment/
func BenchmarkStandardChangeRecompute(b *testing.B) {
	const n = 50000
	env := apptest.New(b)
	addStandards(b, env)
	// Households, beneficiaries and their enrolment computations, in bulk behind the app's back:
	// a one-person household without income, 1250 yuan a month.
	env.DB.Super.MustExec(`INSERT INTO households (county_code, division_code, category, head_name)
		SELECT '330523', '330523101201', 'rural', '批量户' || g FROM generate_series(1, $1) g`, n)
	env.DB.Super.MustExec(`INSERT INTO beneficiaries (county_code, household_id, division_code, category, recheck_class,
		covered_count, amount_fen, amount_from, start_month, decided_on)
		SELECT '330523', id, division_code, 'rural', 'A', 1, 125000, '2026-01-01', '2026-01-01', '2025-12-15'
		FROM households WHERE county_code = '330523' AND head_name LIKE '批量户%'`)
	env.DB.Super.MustExec(`INSERT INTO amount_computations (county_code, beneficiary_id, division_code, reason, computed_on,
		effective_month, standard_id, household, members, rules, result, amount_fen)
		SELECT b.county_code, b.id, b.division_code, 'enrolment', '2026-01-01', '2026-01-01',
			(SELECT id FROM benefit_standards WHERE county_code = '330523' AND category = 'rural'),
			jsonb_build_object('members', jsonb_build_array(jsonb_build_object('id', b.id::text, 'covered', true, 'classes', '["elderly"]'::jsonb)),
				'monthly_income_fen', 0),
			jsonb_build_array(jsonb_build_object('id', b.id::text, 'name', '批量户', 'relation', 'self', 'age', 70, 'covered', true,
				'classes', '["elderly"]'::jsonb, 'id_number_masked', '')),
			'{}', '{}', 125000
		FROM beneficiaries b WHERE b.county_code = '330523'`)
	admin := env.SignIn(b, "ax.admin")
	month := enrolment.MonthOf(civil.Today(env.Clock.Now()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r := admin.Do("POST", "/api/v1/standards", map[string]any{"category": "rural", "monthly_fen": 130000 + i*100,
			"effective_month": month.Add(i + 1).String()})
		if r.Status != http.StatusCreated {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
		var out enrolment.StandardCreated
		r.JSON(b, &out)
		if out.Changed != n {
			b.Fatalf("changed %d of %d", out.Changed, n)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/standard")
	}
	b.ReportMetric(n, "beneficiaries")
}
