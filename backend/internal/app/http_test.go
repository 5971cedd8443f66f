package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/app/apptest"
)

func TestHealthReadyMetrics(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	if r := c.Do(http.MethodGet, "/healthz", nil); r.Status != 200 || string(r.Body) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodGet, "/readyz", nil); r.Status != 200 {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	r := c.Do(http.MethodGet, "/metrics", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `dibao_http_requests_total{method="GET",route="/readyz",status="200"} 1`) {
		t.Fatalf("metrics: %d %.400s", r.Status, r.Body)
	}
	if id := r.Header.Get("X-Request-ID"); len(id) < 8 {
		t.Errorf("no request id header: %q", id)
	}
	if r := c.Do(http.MethodGet, "/healthz", nil, "X-Request-ID", "trace-12345678"); r.Header.Get("X-Request-ID") != "trace-12345678" {
		t.Errorf("incoming request id not kept: %q", r.Header.Get("X-Request-ID"))
	}
}

func TestBadInputGetsClear4xx(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	login := "/api/v1/auth/login"
	cases := []struct {
		name   string
		body   any
		header []string
		status int
		code   string
	}{
		{"malformed JSON", `{"username": "ax.clerk",`, nil, 400, "bad_json"},
		{"not an object", `["a"]`, nil, 400, "bad_json"},
		{"wrong type", `{"username": 5, "password": "x"}`, nil, 400, "bad_json"},
		{"unknown field", `{"username": "a", "password": "b", "role": "platform_admin"}`, nil, 400, "unknown_field"},
		{"two objects", `{"username": "a", "password": "b"}{}`, nil, 400, "bad_json"},
		{"empty body", ``, nil, 400, "bad_json"},
		{"wrong content type", `username=a&password=b`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media"},
		{"oversized body", `{"username": "` + strings.Repeat("a", 70<<10) + `", "password": "b"}`, nil, 413, "body_too_large"},
		{"missing username", `{"password": "b"}`, nil, 400, "field_required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(http.MethodPost, login, tc.body, tc.header...)
			if r.Status != tc.status || r.ErrorCode() != tc.code || r.ErrorMessage() == "" {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
		})
	}
	var n int
	if err := env.DB.Super.Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'auth.login'`); err != nil || n != 0 {
		t.Errorf("bad requests reached the sign-in use case: %d audit rows, %v", n, err)
	}
}

func TestUnknownAPIPathIsJSON404(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	r := c.Do(http.MethodGet, "/api/v1/no/such/thing", nil)
	if r.Status != 404 || r.ErrorCode() != "route_not_found" {
		t.Fatalf("unknown API path: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodDelete, "/api/v1/auth/login", nil); r.Status != 405 || r.ErrorCode() != "method_not_allowed" {
		t.Fatalf("wrong method: %d %s", r.Status, r.Body)
	}
	r = c.Do(http.MethodGet, "/households/42", nil)
	if r.Status == 404 && r.ErrorCode() != "" {
		t.Fatalf("an SPA path answered with an API error: %s", r.Body)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("nosniff missing")
	}
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	env := apptest.New(t)
	r := env.Client(t).Do(http.MethodGet, "/api/v1/openapi.json", nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	r.JSON(t, &doc)
	if r.Status != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %d %.200s", r.Status, r.Body)
	}
	apiRoutes := 0
	for _, rt := range env.App.Engine().Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		apiRoutes++
		if !env.App.Doc().Has(rt.Method, rt.Path) {
			t.Errorf("%s %s is served but missing from the OpenAPI document", rt.Method, rt.Path)
		}
		p := openAPIPath(rt.Path)
		if _, ok := doc.Paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s missing from the served openapi.json", rt.Method, p)
		}
	}
	if apiRoutes < 5 {
		t.Fatalf("only %d API routes found", apiRoutes)
	}
	raw, _ := json.Marshal(doc.Paths["/api/v1/auth/login"])
	if !strings.Contains(string(raw), "LoginRequest") {
		t.Errorf("login operation lacks its request schema: %s", raw)
	}
}

func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func TestPanicBecomesJSON500(t *testing.T) {
	env := apptest.New(t)
	env.App.Engine().GET("/api/v1/test-only-panic", func(*gin.Context) { panic("boom") })
	c := env.Client(t)
	r := c.Do(http.MethodGet, "/api/v1/test-only-panic", nil)
	if r.Status != 500 || r.ErrorCode() != "internal" || strings.Contains(string(r.Body), "boom") {
		t.Fatalf("panic answer: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(r.ErrorMessage(), r.Header.Get("X-Request-ID")) {
		t.Errorf("500 message does not name the request id: %s", r.Body)
	}
	if r := c.Do(http.MethodGet, "/healthz", nil); r.Status != 200 {
		t.Fatalf("server dead after a panic: %d", r.Status)
	}
}

func TestSystemStatusOnlyForPlatformAdmin(t *testing.T) {
	env := apptest.New(t)
	clerk := env.Client(t)
	clerk.Login("ax.clerk", apptest.DemoPassword)
	if r := clerk.Do(http.MethodGet, "/api/v1/system/status", nil); r.Status != 403 || r.ErrorCode() != "forbidden" {
		t.Fatalf("clerk: %d %s", r.Status, r.Body)
	}
	if r := env.Client(t).Do(http.MethodGet, "/api/v1/system/status", nil); r.Status != 401 {
		t.Fatalf("no session: %d", r.Status)
	}
	p := env.Client(t)
	p.Login("platform", apptest.DemoPassword)
	var st struct {
		Database, Redis, Version string
	}
	r := p.Do(http.MethodGet, "/api/v1/system/status", nil)
	r.JSON(t, &st)
	if r.Status != 200 || st.Database != "ok" || st.Redis != "ok" || st.Version == "" {
		t.Fatalf("platform: %d %s", r.Status, r.Body)
	}
}

func TestAppRoleIsRestricted(t *testing.T) {
	env := apptest.New(t)
	var role struct {
		Super  bool `db:"rolsuper"`
		Bypass bool `db:"rolbypassrls"`
		Owns   int  `db:"owns"`
	}
	err := env.DB.App.Get(&role, `SELECT rolsuper, rolbypassrls,
		(SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns
		FROM pg_roles WHERE rolname = current_user`)
	if err != nil {
		t.Fatal(err)
	}
	if role.Super || role.Bypass || role.Owns != 0 {
		t.Fatalf("app role: %+v", role)
	}
	tx := env.DB.App.MustBegin()
	tx.MustExec(`SELECT set_config('app.county_code', '330523', true), set_config('app.division_code', '330523', true)`)
	if _, err := tx.Exec(`INSERT INTO audit_log (county_code, division_code, action, outcome) VALUES ('330523', '330523', 'test.insert', 'success')`); err != nil {
		t.Fatalf("app role cannot write audit rows: %v", err)
	}
	if _, err := tx.Exec(`INSERT INTO audit_log (county_code, division_code, action, outcome) VALUES ('330522', '330522', 'test.insert', 'success')`); err == nil {
		t.Fatal("app role wrote an audit row into another county")
	}
	tx.Rollback()
	if _, err := env.DB.App.Exec(`UPDATE audit_log SET outcome = 'failure'`); err == nil {
		t.Fatal("app role can update audit rows")
	}
	if _, err := env.DB.App.Exec(`DELETE FROM audit_log`); err == nil {
		t.Fatal("app role can delete audit rows")
	}
	if _, err := env.DB.App.Exec(`DELETE FROM users`); err == nil {
		t.Fatal("app role can delete users")
	}
}
