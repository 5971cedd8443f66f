package enrolment

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the standards, settings, beneficiaries and certificates API.
type Handlers struct {
	svc *Service
}

// NewHandlers builds the handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Register adds the routes; r must require a session.
func (h *Handlers) Register(r *openapi.Router) {
	const tag = "benefit"
	r.Handle(http.MethodGet, "/standards", openapi.Op{Summary: "Benefit standards of the county", Tag: tag,
		Response: StandardsView{}, Permission: "standard:read",
		Description: "Query: division (default: the caller's area). The standards of that division's county in force this month " +
			"per category, and every standard (history, upcoming ones included). For callers who may add standards, the " +
			"county's active beneficiaries per category: how many a new standard would recompute."}, h.standards)
	r.Handle(http.MethodPost, "/standards", openapi.Op{Summary: "Add a benefit standard", Tag: tag, Request: StandardRequest{},
		Response: StandardCreated{}, Status: http.StatusCreated, Permission: "standard:manage",
		Description: "monthly_fen: integer fen per person per month; effective_month: 2026-12, after the category's latest " +
			"standard and within 12 months of now. Recomputes every active beneficiary of the county and category from that " +
			"month in the same transaction (409 standard_not_later)."}, h.createStandard)
	r.Handle(http.MethodGet, "/counties/:code/benefit-settings", openapi.Op{Summary: "County benefit settings", Tag: tag,
		Response: Settings{}, Permission: "setting:manage",
		Description: "Also readable with standard:read. The defaults (version 0) until the county saves its own."}, h.settings)
	r.Handle(http.MethodPut, "/counties/:code/benefit-settings", openapi.Op{Summary: "Change county benefit settings", Tag: tag,
		Request: SettingsUpdate{}, Response: Settings{}, Permission: "setting:manage",
		Description: "Absent fields stay as they are. supplements: per class (elderly, minor, severe_disability, " +
			"serious_illness) share_bp of the standard or fixed_fen, not both. version: 409 version_conflict when changed meanwhile."},
		h.updateSettings)
	r.Handle(http.MethodGet, "/beneficiaries", openapi.Op{Summary: "List beneficiaries", Tag: tag, Response: BeneficiaryPage{},
		Permission: "beneficiary:read",
		Description: "Query: division (default: the caller's area), category (urban, rural), status (active, suspended, " +
			"stopped), q (head of household name prefix), after (cursor), limit (1–200, default 50). ID numbers masked."}, h.list)
	r.Handle(http.MethodGet, "/beneficiaries/:id", openapi.Op{Summary: "One beneficiary", Tag: tag, Response: BeneficiaryDetail{},
		Permission: "beneficiary:read",
		Description: "With the working of the current amount (standard, income, covered members, supplements, rounding) and the " +
			"history of its amounts."}, h.get)
	r.Handle(http.MethodGet, "/certificates/:no", openapi.Op{Summary: "A benefit certificate (低保证), for printing", Tag: tag,
		Response: Certificate{}, Permission: "beneficiary:read"}, h.certificate)
}

func (h *Handlers) standards(c *gin.Context) {
	out, err := h.svc.Standards(c.Request.Context(), identity.PrincipalFrom(c), c.Query("division"))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) createStandard(c *gin.Context) {
	var req StandardRequest
	if !httpx.Bind(c, &req) {
		return
	}
	out, err := h.svc.CreateStandard(c.Request.Context(), identity.PrincipalFrom(c), req, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusCreated, out, err)
}

func (h *Handlers) settings(c *gin.Context) {
	out, err := h.svc.BenefitSettings(c.Request.Context(), identity.PrincipalFrom(c), c.Param("code"))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) updateSettings(c *gin.Context) {
	var req SettingsUpdate
	if !httpx.Bind(c, &req) {
		return
	}
	out, err := h.svc.UpdateBenefitSettings(c.Request.Context(), identity.PrincipalFrom(c), c.Param("code"), req, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) list(c *gin.Context) {
	out, err := h.svc.ListBeneficiaries(c.Request.Context(), identity.PrincipalFrom(c), BeneficiaryQuery{
		Division: c.Query("division"), Category: c.Query("category"), Status: c.Query("status"), Query: c.Query("q"),
		After: c.Query("after"), Limit: c.Query("limit")})
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) get(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		httpx.Fail(c, errBeneficiaryNotFound())
		return
	}
	out, err := h.svc.GetBeneficiary(c.Request.Context(), identity.PrincipalFrom(c), id)
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) certificate(c *gin.Context) {
	out, err := h.svc.GetCertificate(c.Request.Context(), identity.PrincipalFrom(c), c.Param("no"))
	httpx.Respond(c, http.StatusOK, out, err)
}
