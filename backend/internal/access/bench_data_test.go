//go:build bench

package access_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// The generated province-scale world: 30 provinces × 10 cities × 10 counties = 3,000
// counties, each with 10 townships of 12 villages, and 300 staff per county with their
// role assignments at realistic divisions. Everything is written as the superuser in a
// few set-based statements (RLS does not bind the superuser; constraints still apply).
const (
	benchProvinces      = 30
	benchCities         = 10 // per province
	benchCounties       = 10 // per city
	benchTownships      = 10 // per county
	benchVillages       = 12 // per township
	benchUsersPerCounty = 300
	// Households (the registry's table of 0007) for the row-level security measurement:
	// 1,000,000 rows in the first 100 counties (10,000 each, 1,000 per township), the
	// density of a real province.
	benchHouseholdCounties   = 100
	benchHouseholds          = 1_000_000
	benchHouseholdsPerCounty = benchHouseholds / benchHouseholdCounties
)

func benchCountyCount() int { return benchProvinces * benchCities * benchCounties }

// benchCountyCode is the code of county number i (0-based): 10 01 01, 10 01 02, ...
func benchCountyCode(i int) string {
	p := i / (benchCities * benchCounties)
	c := i / benchCounties % benchCities
	k := i % benchCounties
	return fmt.Sprintf("%02d%02d%02d", 10+p, 1+c, 1+k)
}

// benchUser describes user idx (0..299) of a county: role and division.
//   - 0..9: county level: admin, security, audit, 3 approvers, 2 inspectors, 2 finance
//   - 10..59: 5 per township: a leader and 4 caseworkers
//   - 60..299: 2 village workers per village; every fourth also covers the next village
func benchUser(county string, idx int) (role, division string) {
	switch {
	case idx < 10:
		roles := []string{"county_admin", "security_admin", "audit_admin", "county_approver", "county_approver",
			"county_approver", "inspector", "inspector", "finance_officer", "finance_officer"}
		return roles[idx], county
	case idx < 60:
		t := (idx - 10) / 5
		if (idx-10)%5 == 0 {
			return "township_leader", fmt.Sprintf("%s%03d", county, 101+t)
		}
		return "township_caseworker", fmt.Sprintf("%s%03d", county, 101+t)
	default:
		v := idx - 60
		return "village_worker", fmt.Sprintf("%s%03d%03d", county, 101+v/24, 201+v%24/2)
	}
}

// benchUserID is the id given to user idx of county number ci.
func benchUserID(ci, idx int) int64 { return 1_000_000 + int64(ci)*1000 + int64(idx) }

// generateBenchData fills the database on one connection (the staff plan is a temporary
// table); it returns how long it took.
func generateBenchData(t *testing.T, super *sqlx.Conn) time.Duration {
	t.Helper()
	start := time.Now()
	ctx := context.Background()
	steps := []struct{ what, sql string }{
		{"provinces", fmt.Sprintf(`INSERT INTO divisions (code, level, county_code, name)
			SELECT lpad((10 + p)::text, 2, '0'), 'province', NULL, '省' || p FROM generate_series(0, %d) p`, benchProvinces-1)},
		{"cities", fmt.Sprintf(`INSERT INTO divisions (code, level, parent_code, county_code, name)
			SELECT d.code || lpad(c::text, 2, '0'), 'city', d.code, NULL, d.name || '市' || c
			FROM divisions d, generate_series(1, %d) c WHERE d.level = 'province'`, benchCities)},
		{"counties", fmt.Sprintf(`INSERT INTO divisions (code, level, parent_code, county_code, name)
			SELECT d.code || lpad(k::text, 2, '0'), 'county', d.code, d.code || lpad(k::text, 2, '0'), d.name || '县' || k
			FROM divisions d, generate_series(1, %d) k WHERE d.level = 'city'`, benchCounties)},
		{"townships", fmt.Sprintf(`INSERT INTO divisions (code, level, parent_code, county_code, name)
			SELECT d.code || (100 + s)::text, 'township', d.code, d.code, d.name || '镇' || s
			FROM divisions d, generate_series(1, %d) s WHERE d.level = 'county'`, benchTownships)},
		{"villages", fmt.Sprintf(`INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type)
			SELECT d.code || (200 + v)::text, 'village', d.code, d.county_code, d.name || '村' || v, CASE WHEN v <= 2 THEN '121' ELSE '220' END
			FROM divisions d, generate_series(1, %d) v WHERE d.level = 'township'`, benchVillages)},
		// The staff plan (county number, index, role, division), as benchUser computes it.
		{"staff plan", fmt.Sprintf(`CREATE TEMP TABLE plan AS
			SELECT ci, idx, county,
			       CASE WHEN idx < 10 THEN (ARRAY['county_admin','security_admin','audit_admin','county_approver','county_approver',
			                                     'county_approver','inspector','inspector','finance_officer','finance_officer'])[idx + 1]
			            WHEN idx < 60 AND (idx - 10) %% 5 = 0 THEN 'township_leader'
			            WHEN idx < 60 THEN 'township_caseworker'
			            ELSE 'village_worker' END AS role_key,
			       CASE WHEN idx < 10 THEN county
			            WHEN idx < 60 THEN county || (101 + (idx - 10) / 5)::text
			            ELSE county || (101 + (idx - 60) / 24)::text || (201 + (idx - 60) %% 24 / 2)::text END AS division_code
			FROM (SELECT row_number() OVER (ORDER BY code) - 1 AS ci, code AS county FROM divisions WHERE level = 'county') c,
			     generate_series(0, %d) idx`, benchUsersPerCounty-1)},
		{"users", `INSERT INTO users (county_code, id, division_code, username, display_name, password_hash, must_change_password)
			SELECT county, 1000000 + ci * 1000 + idx, division_code, 'u' || county || '.' || idx, '职员' || idx, 'x', false FROM plan`},
		{"user_roles", `INSERT INTO user_roles (county_code, user_id, role_key, division_code)
			SELECT county, 1000000 + ci * 1000 + idx, role_key, division_code FROM plan`},
		// Every fourth village worker also covers the next village of the township.
		{"second villages", `INSERT INTO user_roles (county_code, user_id, role_key, division_code)
			SELECT county, 1000000 + ci * 1000 + idx, 'village_worker',
			       left(division_code, 9) || (201 + ((right(division_code, 3)::int - 201 + 1) % 12))::text
			FROM plan WHERE idx >= 60 AND idx % 4 = 0`},
		// The registry's households (0007), as they would be registered over time: ids are
		// not in division order. 10 townships × 12 villages per county.
		{"households", fmt.Sprintf(`INSERT INTO households (county_code, id, division_code, category, head_name, status)
			SELECT c.code, c.ci * %[1]d + h, c.code || (101 + (h %% %[2]d))::text || (201 + (h / %[2]d %% %[3]d))::text,
			       CASE WHEN h %% 4 = 0 THEN 'urban' ELSE 'rural' END, '户主' || h,
			       CASE WHEN h %% 10 = 0 THEN 'exited' ELSE 'enrolled' END
			FROM (SELECT row_number() OVER (ORDER BY code) - 1 AS ci, code FROM divisions WHERE level = 'county' ORDER BY code LIMIT %[4]d) c,
			     generate_series(1, %[1]d) h`,
			benchHouseholdsPerCounty, benchTownships, benchVillages, benchHouseholdCounties)},
		// One to three members per household (2,000,000 rows), in the household's village. The
		// ID number columns only need to be there: the benchmark reads the masked copy.
		{"household members", `INSERT INTO household_members (county_code, id, household_id, division_code, name,
			       id_number_enc, id_number_index, id_number_masked, sex, birth_date, relation)
			SELECT h.county_code, h.id * 4 + m, h.id, h.division_code, h.head_name || '-' || m,
			       '\x00'::bytea, int8send(h.id * 4 + m), '330523********' || lpad(m::text, 4, '0'),
			       CASE WHEN m = 2 THEN 'female' ELSE 'male' END, date '1960-01-01' + (h.id % 15000)::int,
			       CASE m WHEN 1 THEN 'self' WHEN 2 THEN 'spouse' ELSE 'child' END
			FROM households h, generate_series(1, 1 + (h.id % 3)::int) m`},
		{"analyze", `ANALYZE`},
	}
	for _, s := range steps {
		t0 := time.Now()
		if _, err := super.ExecContext(ctx, s.sql); err != nil {
			t.Fatalf("generate %s: %v", s.what, err)
		}
		t.Logf("generated %-18s in %s", s.what, time.Since(t0).Round(time.Millisecond))
	}
	return time.Since(start)
}
