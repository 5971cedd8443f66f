package audit

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the audit-log API.
type Handlers struct {
	svc *Service
	// principal reads the signed-in user (identity.PrincipalFrom). It is passed in because
	// identity writes audit entries and so cannot be imported from here.
	principal func(*gin.Context) access.Principal
}

// NewHandlers builds the handlers.
func NewHandlers(svc *Service, principal func(*gin.Context) access.Principal) *Handlers {
	return &Handlers{svc: svc, principal: principal}
}

// Register adds the routes; r must require a session.
func (h *Handlers) Register(r *openapi.Router) {
	r.Handle(http.MethodGet, "/audit-log", openapi.Op{Summary: "Search the audit log", Tag: "audit",
		Response: Page{}, Permission: "audit:read",
		Description: "Newest first. Query parameters (all optional): division (within the caller's scope; " +
			"default the caller's whole scope), actor (username or display name), object_type, object_id, " +
			"action (exact, or a prefix ending in *), outcome (success|failure|denied), from and to " +
			"(civil dates YYYY-MM-DD in Asia/Shanghai, both included), after (next_cursor of the previous page), " +
			"limit (1-200, default 50)."}, h.search)
	r.Handle(http.MethodGet, "/audit-log/:id", openapi.Op{Summary: "One audit entry", Tag: "audit",
		Response: Record{}, Permission: "audit:read",
		Description: "With its before/after detail (sensitive values masked) and its place in the county's hash chain."}, h.get)
	r.Handle(http.MethodPost, "/audit-log/verify", openapi.Op{Summary: "Verify the audit chain", Tag: "audit",
		Response: ChainResult{}, Permission: "audit:verify",
		Description: "Recomputes the hash chain of the caller's county and reports the first broken link. The run is itself audited (audit.verify)."}, h.verify)
}

func (h *Handlers) search(c *gin.Context) {
	q, err := ParseQuery(c.Request.URL.Query())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	page, err := h.svc.Search(c.Request.Context(), h.principal(c), q)
	httpx.Respond(c, http.StatusOK, page, err)
}

func (h *Handlers) get(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		httpx.Fail(c, httpx.ErrNotFound)
		return
	}
	rec, err := h.svc.Get(c.Request.Context(), h.principal(c), id)
	httpx.Respond(c, http.StatusOK, rec, err)
}

func (h *Handlers) verify(c *gin.Context) {
	res, err := h.svc.VerifyChain(c.Request.Context(), h.principal(c))
	httpx.Respond(c, http.StatusOK, res, err)
}
