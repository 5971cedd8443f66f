package app_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"dibao/backend/internal/app/apptest"
)

// The cross-tenant matrix: every API route is listed here (features add theirs with
// registerRoute in a matrix_<feature>_test.go file), and the test fails for a route it does
// not know. Tenant routes are tried as
//   (a) a user of the other county,
//   (b) a user of a sibling township,
//   (c) a user of a sibling village,
//   (d) a user in scope whose role lacks the permission,
//   (e) no session,
// expecting 404/403/401 and no change in the database.

// Route kinds.
const (
	kindPublic   = "public"    // needs no session
	kindSelf     = "self"      // the caller's own account: only (e) applies
	kindRead     = "reference" // reference data every signed-in user may read: only (e) applies
	kindPlatform = "platform"  // platform-wide: county staff get 403, no session 401
	kindTenant   = "tenant"    // a tenant object: the whole matrix
)

// Target is one concrete request against an object of the fixture county.
type Target struct {
	Path string
	Body any
}

// routeCase describes one route.
type routeCase struct {
	Method, Route string
	Kind          string
	// For tenant routes: builds an object owned by 梅溪镇 (330523101), in 梅溪村
	// (330523101201) where the route is about a village's object, and returns the request.
	Target func(t *testing.T, fx *matrixFixture) Target
	// A user in scope who may not do it (d). Empty only if every role that sees the
	// object may act on it; say why in NoPermissionWhy then.
	NoPermission    string
	NoPermissionWhy string
	// What users outside the scope get: 404 unless the route is not about one object.
	CrossScopeStatus int
	// The village a sibling-village user must not reach: set when the object lives in a
	// village. Otherwise the sibling-village actor is skipped with the reason logged.
	VillageObject bool
}

var routeCases = map[string]routeCase{}

func registerRoute(c routeCase) {
	key := c.Method + " " + c.Route
	if _, dup := routeCases[key]; dup {
		panic("matrix: route listed twice: " + key)
	}
	routeCases[key] = c
}

func init() {
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/openapi.json", Kind: kindPublic})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/auth/login", Kind: kindPublic})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/auth/me", Kind: kindSelf})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/auth/logout", Kind: kindSelf})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/auth/password", Kind: kindSelf})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/system/status", Kind: kindPlatform})
}

// matrixFixture is the demo data plus users in a sibling township and a sibling village.
type matrixFixture struct {
	Env *apptest.Env
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	env := apptest.New(t)
	env.AddDivision(t, "330523102", "孝源镇", "")
	env.AddDivision(t, "330523102201", "孝源村", "220")
	env.AddUser(t, "sib.clerk", "township_caseworker", "330523102")
	env.AddUser(t, "sib.village", "village_worker", "330523101202")
	return &matrixFixture{Env: env}
}

func TestCrossTenantMatrix(t *testing.T) {
	fx := newMatrixFixture(t)
	env := fx.Env

	// Every served API route must be in the matrix.
	var unknown []string
	for _, rt := range env.App.Engine().Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		if _, ok := routeCases[rt.Method+" "+rt.Path]; !ok {
			unknown = append(unknown, rt.Method+" "+rt.Path)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		t.Fatalf("routes missing from the cross-tenant matrix (add them in a matrix_<feature>_test.go):\n  %s",
			strings.Join(unknown, "\n  "))
	}

	anon := env.Client(t)
	actors := map[string]*apptest.Client{}
	signIn := func(u string) *apptest.Client {
		if c, ok := actors[u]; ok {
			return c
		}
		c := env.SignIn(t, u)
		actors[u] = c
		return c
	}
	keys := make([]string, 0, len(routeCases))
	for k := range routeCases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		rc := routeCases[key]
		t.Run(key, func(t *testing.T) {
			switch rc.Kind {
			case kindPublic:
				return
			case kindSelf, kindRead:
				expectRefused(t, env, anon, rc.Method, concrete(rc.Route), nil, http.StatusUnauthorized)
			case kindPlatform:
				expectRefused(t, env, anon, rc.Method, concrete(rc.Route), nil, http.StatusUnauthorized)
				for _, u := range []string{"ax.admin", "ax.clerk", "cx.clerk"} {
					expectRefused(t, env, signIn(u), rc.Method, concrete(rc.Route), nil, http.StatusForbidden)
				}
			case kindTenant:
				if rc.Target == nil {
					t.Fatal("tenant route without a Target")
				}
				cross := rc.CrossScopeStatus
				if cross == 0 {
					cross = http.StatusNotFound
				}
				tg := rc.Target(t, fx)
				expectRefused(t, env, anon, rc.Method, tg.Path, tg.Body, http.StatusUnauthorized)
				expectRefused(t, env, signIn("cx.clerk"), rc.Method, tg.Path, tg.Body, cross)
				expectRefused(t, env, signIn("sib.clerk"), rc.Method, tg.Path, tg.Body, cross)
				if rc.VillageObject {
					expectRefused(t, env, signIn("sib.village"), rc.Method, tg.Path, tg.Body, cross)
				}
				if rc.NoPermission != "" {
					expectRefused(t, env, signIn(rc.NoPermission), rc.Method, tg.Path, tg.Body, http.StatusForbidden)
				} else if rc.NoPermissionWhy == "" {
					t.Fatal("tenant route with neither NoPermission nor NoPermissionWhy")
				}
			default:
				t.Fatalf("unknown kind %q", rc.Kind)
			}
		})
	}
}

// concrete fills route parameters with a harmless value for routes that need no object.
func concrete(route string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "0"
		}
	}
	return strings.Join(parts, "/")
}

func expectRefused(t *testing.T, env *apptest.Env, c *apptest.Client, method, path string, body any, want int) {
	t.Helper()
	before := env.TenantDigest(t)
	if body == nil && method != http.MethodGet && method != http.MethodDelete {
		body = map[string]any{}
	}
	r := c.Do(method, path, body)
	if r.Status != want {
		t.Errorf("%s %s as %s: got %d %s, want %d", method, path, who(c), r.Status, r.Body, want)
	}
	if after := env.TenantDigest(t); after != before {
		t.Errorf("%s %s as %s changed the database", method, path, who(c))
	}
}

func who(c *apptest.Client) string {
	if c.Username == "" {
		return "anonymous"
	}
	return fmt.Sprintf("%q", c.Username)
}
