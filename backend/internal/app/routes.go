package app

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/calendar"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/household"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/ledger"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
	"dibao/backend/internal/staff"
	"dibao/backend/internal/tenancy"
	"dibao/backend/internal/web"
)

type routeDeps struct {
	identity *identity.Handlers
	guard    *access.Guard
	spa      *web.SPA
	audit    *audit.Handlers
	// divisions: the division tree, county provisioning and code-list import.
	divisions *tenancy.Handlers
	// calendar: public holidays and make-up workdays, for working-day deadlines.
	calendar *calendar.Handlers
	// staff: user accounts, role grants, second-factor resets, county security settings.
	staff *staff.Handlers
	// ledger: the Excel ledger import (台账导入) and its jobs.
	ledger *ledger.Handlers
	// benefit: standards, benefit settings, beneficiaries and certificates.
	benefit *enrolment.Handlers
	// households: the registry (一户一档) with attachments and history.
	households *household.Handlers
	// cases: the application workflow, deadlines, notices, relatives register, spot checks.
	cases *casework.Handlers
	// publicNotices: the public portal's running notices and objections to them.
	publicNotices *casework.PublicHandlers
}

func (s *Server) routes(d routeDeps) {
	e := s.engine
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(httpx.RequestContext(s.deps.Logger), httpx.Recover(), httpx.AccessLog(), s.metrics.middleware(),
		web.SecurityHeaders(), httpx.LimitBody(s.deps.Config.MaxBodyBytes, s.deps.Config.MaxUploadBytes))

	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())

	api := openapi.NewRouter(e.Group("/api/v1", noStore()), s.doc)
	api.Handle(http.MethodGet, "/openapi.json", openapi.Op{Summary: "OpenAPI document", Tag: "meta", Public: true,
		Response: map[string]any{}}, func(c *gin.Context) { c.JSON(http.StatusOK, s.doc.JSON()) })
	d.identity.RegisterPublic(api)

	authed := api.Group("", d.identity.RequireSession())
	d.identity.Register(authed)
	authed.Handle(http.MethodGet, "/system/status", openapi.Op{Summary: "Platform status", Tag: "platform",
		Response: SystemStatus{}, Permission: "platform:health"}, s.systemStatus(d.guard))
	d.audit.Register(authed)
	d.divisions.Register(authed)
	d.calendar.Register(authed)
	d.staff.Register(authed)
	d.ledger.Register(authed)
	d.benefit.Register(authed)
	d.households.Register(authed)
	d.cases.Register(authed)

	// The public portal (DESIGN.md 3.6, 4.4): no session and so no CSRF token; each
	// handler limits its callers per address.
	public := openapi.NewRouter(e.Group("/api/public/v1", noStore()), s.doc)
	d.publicNotices.Register(public)

	e.NoRoute(func(c *gin.Context) {
		if isAPI(c.Request.URL.Path) {
			httpx.Fail(c, httpx.E(http.StatusNotFound, "route_not_found", c.Request.Method+" "+c.Request.URL.Path))
			return
		}
		d.spa.Serve(c)
	})
	e.NoMethod(func(c *gin.Context) {
		if isAPI(c.Request.URL.Path) {
			httpx.Fail(c, httpx.E(http.StatusMethodNotAllowed, "method_not_allowed"))
			return
		}
		d.spa.Serve(c)
	})
}

func isAPI(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }

// noStore keeps API answers (personal data) out of caches.
func noStore() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Next()
	}
}
