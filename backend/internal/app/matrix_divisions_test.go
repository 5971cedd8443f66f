package app_test

import "testing"

// The division tree's routes in the cross-tenant matrix. Divisions are public reference
// data, but the API shows a caller only the part of the tree they work in: outside it a
// division answers 404. Reading needs division:read, which every staff role holds, so no
// one in scope lacks it; changing needs division:manage (county_admin only), so the
// township caseworker is refused with 403.
func init() {
	readWhy := "every staff role holds division:read"
	// The caller's own roots and a search inside the caller's own scope: only the session matters.
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/divisions/roots", Kind: kindSelf})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/divisions/search", Kind: kindSelf})
	// Platform work: county staff get 403.
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/divisions/import-template", Kind: kindPlatform})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/counties", Kind: kindPlatform})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/counties/:code/divisions/import", Kind: kindPlatform})

	registerRoute(routeCase{Method: "GET", Route: "/api/v1/divisions/:code", Kind: kindTenant, VillageObject: true,
		NoPermissionWhy: readWhy,
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: "/api/v1/divisions/330523101201"}
		}})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/divisions/:code/children", Kind: kindTenant,
		NoPermissionWhy: readWhy,
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: "/api/v1/divisions/330523101/children"}
		}})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/divisions", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: "/api/v1/divisions", Body: map[string]any{
				"parent_code": "330523101", "code": "330523101297", "name": "矩阵新村", "urban_rural_type": "220"}}
		}})
	registerRoute(routeCase{Method: "PATCH", Route: "/api/v1/divisions/:code", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: "/api/v1/divisions/330523101201", Body: map[string]any{"name": "改名村"}}
		}})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/divisions/:code/retire", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			return Target{Path: "/api/v1/divisions/330523101201/retire", Body: map[string]any{"reason": "矩阵"}}
		}})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/divisions/:code/reactivate", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.clerk",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			retiredVillage(t, fx, "330523101298")
			return Target{Path: "/api/v1/divisions/330523101298/reactivate"}
		}})
}

// retiredVillage adds a retired village under 梅溪镇 (behind the app's back).
func retiredVillage(t *testing.T, fx *matrixFixture, code string) {
	t.Helper()
	fx.Env.AddDivision(t, code, "已撤销村", "220")
	if _, err := fx.Env.DB.Super.Exec(`UPDATE divisions SET status = 'retired', retired_at = now() WHERE code = $1`, code); err != nil {
		t.Fatalf("retire %s: %v", code, err)
	}
}
