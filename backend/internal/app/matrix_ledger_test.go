package app_test

import (
	"fmt"
	"testing"
)

// The ledger import's routes in the cross-tenant matrix. An import runs in a division (here
// the village 梅溪村, as a clerk may choose); its job and refused rows belong to that
// division: outside 安吉县, 梅溪镇 or 梅溪村 they do not exist (404). The village worker of
// 梅溪村 sees them but holds no household:import (403). The template is the same file for
// everyone who may import anywhere: only the session matters.
func init() {
	const village = "330523101201"
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/households/import-template", Kind: kindSelf})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/households/import", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.village",
		Target: func(*testing.T, *matrixFixture) Target {
			return Target{Path: "/api/v1/households/import?division=" + village}
		}})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/import-jobs", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.village",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			matrixImportJob(t, fx, village)
			return Target{Path: "/api/v1/import-jobs?division=" + village}
		}})
	onJob := func(suffix string) {
		registerRoute(routeCase{Method: "GET", Route: "/api/v1/import-jobs/:id" + suffix, Kind: kindTenant, VillageObject: true,
			NoPermission: "ax.village",
			Target: func(t *testing.T, fx *matrixFixture) Target {
				return Target{Path: fmt.Sprintf("/api/v1/import-jobs/%d%s", matrixImportJob(t, fx, village), suffix)}
			}})
	}
	onJob("")
	onJob("/rejected")
	onJob("/report")
}

// matrixImportJob records a finished import with one refused row in division, behind the
// app's back, and returns its id.
func matrixImportJob(t *testing.T, fx *matrixFixture, division string) int64 {
	t.Helper()
	var id int64
	if err := fx.Env.DB.Super.Get(&id, `INSERT INTO import_jobs (county_code, division_code, file_name, status, header,
		rows_total, rows_rejected, households_rejected, finished_at)
		VALUES (left($1, 6), $1, '矩阵.xlsx', 'done', '["姓名","身份证号"]', 1, 1, 1, now()) RETURNING id`, division); err != nil {
		t.Fatalf("import job: %v", err)
	}
	if _, err := fx.Env.DB.Super.Exec(`INSERT INTO import_job_rejects (county_code, job_id, row_number, division_code,
		member_name, problems) VALUES (left($1, 6), $2, 2, $1, '矩阵', '[{"column":"name","zh":"错","en":"wrong"}]')`, division, id); err != nil {
		t.Fatalf("refused row: %v", err)
	}
	return id
}
