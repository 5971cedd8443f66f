package app_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
)

// The workflow's routes in the cross-tenant matrix. The object is a case of a household of
// 梅溪村 (330523101201), submitted: outside 安吉县, 梅溪镇 or 梅溪村 it does not exist (404).
// In scope, each route names a role that sees the case but may not take the step (403):
// the finance officer holds no case permission; the village worker takes no township step;
// the caseworker neither signs off, evaluates, posts notices nor visits for the county; the
// leader does not decide unless the county delegated it (it has not here).
func init() {
	var seq atomic.Int64
	const village = "330523101201"
	newCase := func(t *testing.T, fx *matrixFixture) int64 {
		env := fx.Env
		head := fmt.Sprintf("矩阵申请户%d", seq.Add(1))
		hh := env.AddHousehold(t, village, head)
		var id int64
		err := db.WithScope(context.Background(), env.DB.Owner, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
			return tx.Get(&id, `INSERT INTO cases (county_code, division_code, household_id, channel, applicant_name,
				authorisation_signed_on, submitted_at, updated_at) VALUES ('330523', $1, $2, 'village', $3, current_date, now(), now())
				RETURNING id`, village, hh, head)
		})
		if err != nil {
			t.Fatalf("matrix case: %v", err)
		}
		return id
	}
	onCase := func(method, suffix, noPermission, why string, body any) {
		registerRoute(routeCase{Method: method, Route: "/api/v1/cases/:id" + suffix, Kind: kindTenant, VillageObject: true,
			NoPermission: noPermission, NoPermissionWhy: why,
			Target: func(t *testing.T, fx *matrixFixture) Target {
				return Target{Path: fmt.Sprintf("/api/v1/cases/%d%s", newCase(t, fx), suffix), Body: body}
			}})
	}
	v1 := map[string]any{"version": 1}
	onCase("GET", "", "ax.finance", "", nil)
	onCase("GET", "/letter", "ax.finance", "", nil)
	onCase("GET", "/investigators", "ax.village", "", nil)
	onCase("POST", "/accept", "ax.village", "", v1)
	onCase("POST", "/not-accept", "ax.village", "", map[string]any{"version": 1, "reason": "不符合受理条件"})
	onCase("POST", "/start-investigation", "ax.village", "", v1)
	onCase("POST", "/checks", "ax.village", "", v1)
	onCase("POST", "/visits", "ax.village", "", v1)
	onCase("POST", "/county-visits", "ax.clerk", "", v1)
	onCase("POST", "/refer-evaluation", "ax.village", "", v1)
	onCase("POST", "/evaluations", "ax.clerk", "", v1)
	onCase("POST", "/proposal", "ax.village", "", map[string]any{"version": 1, "recommendation": "approve"})
	onCase("POST", "/sign-off", "ax.clerk", "", v1)
	onCase("POST", "/return", "ax.clerk", "", v1)
	onCase("POST", "/notices", "ax.clerk", "", v1)
	onCase("POST", "/objections", "ax.clerk", "", v1)
	onCase("POST", "/approve", "ax.leader", "", v1)
	onCase("POST", "/deny", "ax.leader", "", map[string]any{"version": 1, "reason": "不符合条件"})
	onCase("POST", "/extend", "ax.village", "", map[string]any{"version": 1, "reason": "需补充核对"})
	onCase("POST", "/visits/:visit/sign", "", "signing needs no permission: only the investigators named on the visit "+
		"sign, anyone else in scope gets 403 not_investigator (internal/casework tests)", v1)

	// An objector's phone: the leader sees the case but may not open personal numbers.
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/cases/:id/objections/:objection/phone", Kind: kindTenant,
		VillageObject: true, NoPermission: "ax.leader",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: fmt.Sprintf("/api/v1/cases/%d/objections/1/phone", newCase(t, fx))}
		}})

	list := func(route string) {
		registerRoute(routeCase{Method: "GET", Route: route, Kind: kindTenant, VillageObject: true, NoPermission: "ax.finance",
			Target: func(t *testing.T, fx *matrixFixture) Target {
				newCase(t, fx)
				return Target{Path: route + "?division=" + village}
			}})
	}
	list("/api/v1/cases")
	list("/api/v1/cases/due-soon")
	list("/api/v1/cases/overdue")
	list("/api/v1/notices")
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/cases", Kind: kindTenant, VillageObject: true, NoPermission: "ax.leader",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			hh := fx.Env.AddHousehold(t, village, fmt.Sprintf("矩阵新申请户%d", seq.Add(1)))
			return Target{Path: "/api/v1/cases", Body: map[string]any{"household_id": hh, "channel": "village",
				"authorisation_signed_on": "2026-01-05"}}
		}})

	// The relatives register is each staff member's own: listing and adding concern only
	// the caller; an entry exists for its registrant alone.
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/relatives", Kind: kindSelf})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/relatives", Kind: kindSelf})
	registerRoute(routeCase{Method: "DELETE", Route: "/api/v1/relatives/:id", Kind: kindTenant, VillageObject: true,
		NoPermissionWhy: "an entry exists only for the staff member who registered it: every other user with " +
			"relative:register gets 404, one without it 403",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			env := fx.Env
			var id int64
			err := db.WithScope(context.Background(), env.DB.Owner, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
				return tx.Get(&id, `INSERT INTO staff_relatives (county_code, user_id, division_code, name, relation,
					id_number_enc, id_number_index, id_number_masked, created_at)
					SELECT county_code, id, division_code, '矩阵亲属', 'spouse', '\x00', $1, '330523********0000', now()
					FROM users WHERE username = 'ax.village' RETURNING id`, []byte(fmt.Sprintf("mx-relative-%d", seq.Add(1))))
			})
			if err != nil {
				t.Fatalf("matrix relative: %v", err)
			}
			return Target{Path: fmt.Sprintf("/api/v1/relatives/%d", id)}
		}})

	// County settings: only the county's own county-wide staff see them; the approving
	// officer works under them but does not set them (403).
	const settings = "/api/v1/counties/330523/settings/cases"
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/counties/:code/settings/cases", Kind: kindTenant,
		NoPermission: "ax.approver", Target: func(*testing.T, *matrixFixture) Target { return Target{Path: settings} }})
	registerRoute(routeCase{Method: "PUT", Route: "/api/v1/counties/:code/settings/cases", Kind: kindTenant,
		NoPermission: "ax.approver", Target: func(*testing.T, *matrixFixture) Target {
			return Target{Path: settings, Body: map[string]any{"notice_days": 10}}
		}})

	// Spot checks are ordered for the county; the inspector sees it but orders none.
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/spot-checks", Kind: kindTenant, NoPermission: "ax.inspector",
		Target: func(*testing.T, *matrixFixture) Target { return Target{Path: "/api/v1/spot-checks?division=330523"} }})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/spot-checks", Kind: kindTenant, NoPermission: "ax.inspector",
		Target: func(*testing.T, *matrixFixture) Target {
			return Target{Path: "/api/v1/spot-checks", Body: map[string]any{"division": "330523",
				"decided_from": "2026-01-01", "decided_to": "2026-12-31"}}
		}})
}
