package app_test

import (
	"net/http"
	"strconv"
	"testing"
)

// The audit log's routes in the cross-tenant matrix. The object is an entry written in
// 梅溪村 (ax.village signing in), so the sibling village is tried too.
func init() {
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/audit-log", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			villageAuditEntry(t, fx)
			return Target{Path: "/api/v1/audit-log?division=330523101201"}
		}})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/audit-log/:id", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: "/api/v1/audit-log/" + strconv.FormatInt(villageAuditEntry(t, fx), 10)}
		}})
	// Verifying works on the caller's own county only, so no one can point it at another
	// county's chain: users outside the scope are simply not audit admins (403).
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/audit-log/verify", Kind: kindTenant,
		NoPermission: "ax.inspector", CrossScopeStatus: http.StatusForbidden,
		Target: func(t *testing.T, fx *matrixFixture) Target {
			villageAuditEntry(t, fx)
			return Target{Path: "/api/v1/audit-log/verify"}
		}})
}

// villageAuditEntry signs ax.village in (an audit entry in 梅溪村) and returns its id.
func villageAuditEntry(t *testing.T, fx *matrixFixture) int64 {
	t.Helper()
	fx.Env.SignIn(t, "ax.village")
	var id int64
	if err := fx.Env.DB.Super.Get(&id, `SELECT max(id) FROM audit_log
		WHERE county_code = '330523' AND division_code = '330523101201' AND action = 'auth.login'`); err != nil {
		t.Fatalf("find ax.village's sign-in entry: %v", err)
	}
	return id
}
