package app_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
)

// Standards, benefit settings, beneficiaries and certificates in the cross-tenant matrix.
// Standards and settings are the county's: outside 安吉县 they do not exist (404), and a
// township's staff do not see the county as a whole (404 for settings and for adding a
// standard; reading standards goes by the division asked about). The beneficiary is a
// household of 梅溪村 enrolled through enrolment.Service.Enroll, so the sibling village and
// township are tried too. The finance officer reads beneficiaries but not standards; the
// county administrator manages standards but reads no beneficiary; the approver reads
// standards but changes neither them nor the settings.
func init() {
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/standards", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.finance",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			matrixStandards(t, fx)
			return Target{Path: "/api/v1/standards?division=330523101201"}
		}})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/standards", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.approver",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			matrixStandards(t, fx)
			next := enrolment.MonthOf(civil.Today(fx.Env.Clock.Now())).Add(1)
			return Target{Path: "/api/v1/standards", Body: map[string]any{"county_code": "330523", "category": "rural",
				"monthly_fen": 123400, "effective_month": next.String()}}
		}})
	const settings = "/api/v1/counties/330523/benefit-settings"
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/counties/:code/benefit-settings", Kind: kindTenant,
		NoPermission: "ax.finance",
		Target:       func(*testing.T, *matrixFixture) Target { return Target{Path: settings} }})
	registerRoute(routeCase{Method: "PUT", Route: "/api/v1/counties/:code/benefit-settings", Kind: kindTenant,
		NoPermission: "ax.approver",
		Target: func(*testing.T, *matrixFixture) Target {
			return Target{Path: settings, Body: map[string]any{"elderly_age": 65}}
		}})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/beneficiaries", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.admin",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			matrixBeneficiary(t, fx)
			return Target{Path: "/api/v1/beneficiaries?division=330523101201"}
		}})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/beneficiaries/:id", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.admin",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			id, _ := matrixBeneficiary(t, fx)
			return Target{Path: "/api/v1/beneficiaries/" + strconv.FormatInt(id, 10)}
		}})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/certificates/:no", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.admin",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			_, no := matrixBeneficiary(t, fx)
			return Target{Path: "/api/v1/certificates/" + no}
		}})
}

// matrixStandards gives 安吉县 an urban and a rural standard in force since 2020 (behind the
// app's back; adding one again changes nothing).
func matrixStandards(t *testing.T, fx *matrixFixture) {
	t.Helper()
	if _, err := fx.Env.DB.Super.Exec(`INSERT INTO benefit_standards (county_code, division_code, category, monthly_fen, effective_month)
		VALUES ('330523', '330523', 'urban', 130000, '2020-01-01'), ('330523', '330523', 'rural', 125000, '2020-01-01')
		ON CONFLICT DO NOTHING`); err != nil {
		t.Fatalf("add standards: %v", err)
	}
}

// matrixBeneficiary enrols a new one-person household of 梅溪村 as the county approver's
// decision would, and returns the beneficiary's id and certificate number.
func matrixBeneficiary(t *testing.T, fx *matrixFixture) (int64, string) {
	t.Helper()
	matrixStandards(t, fx)
	env := fx.Env
	hh := env.AddHousehold(t, "330523101201", fmt.Sprintf("矩阵户%d", env.Clock.Now().UnixNano()%100000))
	svc := enrolment.NewService(env.DB.App, nil, env.Clock.Now)
	var out enrolment.Enrolled
	err := db.WithScope(context.Background(), env.DB.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		var err error
		out, err = svc.Enroll(context.Background(), tx, enrolment.Enrolment{County: "330523", Division: "330523101201",
			HouseholdID: hh, DecidedOn: civil.Today(env.Clock.Now())})
		return err
	})
	if err != nil {
		t.Fatalf("enrol household %d: %v", hh, err)
	}
	return out.BeneficiaryID, out.CertificateNo
}
