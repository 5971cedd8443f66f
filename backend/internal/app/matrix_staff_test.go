package app_test

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// User management and second-factor routes in the cross-tenant matrix. The object is a
// village worker of 梅溪村: outside 安吉县, 梅溪镇 or 梅溪村 it does not exist (404). The
// township caseworker sees it but holds neither user:read, user:manage nor security:manage
// (403). County security settings are the county's: only county-wide staff see them, and
// the county administrator, who manages accounts but not security, is refused (403).
func init() {
	var seq atomic.Int64
	villager := func(t *testing.T, fx *matrixFixture) int64 {
		return fx.Env.AddUser(t, fmt.Sprintf("mx.user%d", seq.Add(1)), "village_worker", "330523101201")
	}
	onUser := func(method, route, suffix string, body any) {
		registerRoute(routeCase{Method: method, Route: "/api/v1/users/:id" + route, Kind: kindTenant, VillageObject: true,
			NoPermission: "ax.clerk",
			Target: func(t *testing.T, fx *matrixFixture) Target {
				return Target{Path: fmt.Sprintf("/api/v1/users/%d%s", villager(t, fx), suffix), Body: body}
			}})
	}
	onUser("GET", "", "", nil)
	onUser("PATCH", "", "", map[string]any{"display_name": "改名"})
	onUser("POST", "/disable", "/disable", nil)
	onUser("POST", "/enable", "/enable", nil)
	onUser("POST", "/unlock", "/unlock", nil)
	onUser("POST", "/reset-password", "/reset-password", nil)
	onUser("POST", "/totp/reset", "/totp/reset", nil)
	onUser("POST", "/roles", "/roles", map[string]any{"role_key": "village_worker", "division_code": "330523101201"})
	onUser("DELETE", "/roles/:role/:division", "/roles/village_worker/330523101201", nil)

	registerRoute(routeCase{Method: "GET", Route: "/api/v1/users", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			villager(t, fx)
			return Target{Path: "/api/v1/users?division=330523101201"}
		}})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/users", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: "/api/v1/users", Body: map[string]any{
				"username": "mx.created", "display_name": "矩阵新用户", "division_code": "330523101201",
				"roles": []map[string]string{{"role_key": "village_worker", "division_code": "330523101201"}}}}
		}})
	const settings = "/api/v1/counties/330523/settings/security"
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/counties/:code/settings/security", Kind: kindTenant,
		NoPermission: "ax.admin",
		Target:       func(*testing.T, *matrixFixture) Target { return Target{Path: settings} }})
	registerRoute(routeCase{Method: "PUT", Route: "/api/v1/counties/:code/settings/security", Kind: kindTenant,
		NoPermission: "ax.admin",
		Target: func(*testing.T, *matrixFixture) Target {
			return Target{Path: settings, Body: map[string]any{"mfa_roles": []string{"inspector"}}}
		}})

	// What the caller may grant: computed from the caller's own roles.
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/users/grantable-roles", Kind: kindSelf})
	// Sign-in's second step needs no session; the rest is the caller's own authenticator.
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/auth/login/totp", Kind: kindPublic})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/auth/totp", Kind: kindSelf})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/auth/totp/enroll", Kind: kindSelf})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/auth/totp/confirm", Kind: kindSelf})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/auth/totp/disable", Kind: kindSelf})
}
