package staff

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/i18n"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the user-management API.
type Handlers struct {
	svc *Service
}

// NewHandlers builds the handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Register adds the routes; r must require a session.
func (h *Handlers) Register(r *openapi.Router) {
	const tag = "users"
	r.Handle(http.MethodGet, "/users", openapi.Op{Summary: "List users", Tag: tag, Response: Page{}, Permission: "user:read",
		Description: "Query: division (default: the caller's area; the platform administrator must name a county and sees its " +
			"administrator accounts), q (username prefix, part of the name, or a whole phone number), status (active, disabled, " +
			"locked), after (cursor), limit (1–200, default 50). Phones are masked."}, h.list)
	r.Handle(http.MethodGet, "/users/grantable-roles", openapi.Op{Summary: "Roles the caller may grant", Tag: tag,
		Response: []GrantableRole{}, Description: "Empty for callers who manage no users."}, h.grantable)
	r.Handle(http.MethodGet, "/users/:id", openapi.Op{Summary: "One user", Tag: tag, Response: User{}, Permission: "user:read"}, h.get)
	r.Handle(http.MethodPost, "/users", openapi.Op{Summary: "Create a user", Tag: tag, Request: CreateRequest{}, Response: Created{},
		Status: http.StatusCreated, Permission: "user:manage",
		Description: "Without password a one-time initial password is generated and answered once (initial_password). The account " +
			"must change it at the first sign-in. 409 username_taken: usernames are unique on the whole platform. The platform " +
			"administrator (county:provision) may open county-level administrator accounts only."}, h.create)
	r.Handle(http.MethodPatch, "/users/:id", openapi.Op{Summary: "Edit a user", Tag: tag, Request: UpdateRequest{}, Response: User{},
		Permission: "user:manage"}, h.update)
	r.Handle(http.MethodPost, "/users/:id/disable", openapi.Op{Summary: "Disable a user", Tag: tag, Response: User{},
		Permission: "user:manage", Description: "Ends the user's sessions at once."}, h.disable)
	r.Handle(http.MethodPost, "/users/:id/enable", openapi.Op{Summary: "Enable a user", Tag: tag, Response: User{},
		Permission: "user:manage"}, h.enable)
	r.Handle(http.MethodPost, "/users/:id/unlock", openapi.Op{Summary: "Unlock a user", Tag: tag, Response: User{},
		Permission: "user:manage"}, h.unlock)
	r.Handle(http.MethodPost, "/users/:id/reset-password", openapi.Op{Summary: "Reset a user's password", Tag: tag,
		Response: PasswordReset{}, Permission: "user:manage",
		Description: "Answers a new one-time password, once; the user must change it at the next sign-in. Ends the user's sessions."},
		h.resetPassword)
	r.Handle(http.MethodPost, "/users/:id/roles", openapi.Op{Summary: "Grant a role", Tag: tag, Request: RoleRequest{}, Response: User{},
		Permission: "user:manage",
		Description: "400 unknown_role or role_level_mismatch; 403 role_not_grantable; 404 for a division outside the caller's area; " +
			"409 separation_of_duties (county_admin, security_admin and audit_admin exclude each other) or role_already_held."}, h.grant)
	r.Handle(http.MethodDelete, "/users/:id/roles/:role/:division", openapi.Op{Summary: "Revoke a role", Tag: tag, Response: User{},
		Permission: "user:manage"}, h.revoke)
	r.Handle(http.MethodPost, "/users/:id/totp/reset", openapi.Op{Summary: "Reset a user's second factor", Tag: tag,
		Response: User{}, Permission: "security:manage",
		Description: "For a lost phone: removes the authenticator; the user enrols again at the next sign-in. Ends the user's sessions."},
		h.resetTOTP)
	r.Handle(http.MethodGet, "/counties/:code/settings/security", openapi.Op{Summary: "County security settings", Tag: tag,
		Response: SecuritySettings{}, Permission: "security:manage"}, h.settings)
	r.Handle(http.MethodPut, "/counties/:code/settings/security", openapi.Op{Summary: "Change county security settings", Tag: tag,
		Request: SecuritySettingsUpdate{}, Response: SecuritySettings{}, Permission: "security:manage",
		Description: "mfa_roles: roles that need a second factor besides platform_admin, county_admin and county_approver; " +
			"mfa_enforced: such accounts must enrol before they may work."}, h.updateSettings)
}

func en(c *gin.Context) bool { return httpx.Lang(c) == i18n.EN }

// withID parses :id and runs fn, rendering its answer.
func withID[T any](c *gin.Context, status int, fn func(id int64) (T, error)) {
	id, err := parseID(c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := fn(id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(status, out)
}

func (h *Handlers) list(c *gin.Context) {
	page, err := h.svc.List(c.Request.Context(), identity.PrincipalFrom(c), ListParams{
		Division: c.Query("division"), Query: c.Query("q"), Status: c.Query("status"), After: c.Query("after"), Limit: c.Query("limit"),
	}, en(c))
	httpx.Respond(c, http.StatusOK, page, err)
}

func (h *Handlers) grantable(c *gin.Context) {
	out, err := h.svc.GrantableRoles(c.Request.Context(), identity.PrincipalFrom(c), en(c))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) get(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		return h.svc.Get(c.Request.Context(), identity.PrincipalFrom(c), id, en(c))
	})
}

func (h *Handlers) create(c *gin.Context) {
	var req CreateRequest
	if !httpx.Bind(c, &req) {
		return
	}
	out, err := h.svc.Create(c.Request.Context(), identity.PrincipalFrom(c), req, identity.MetaFrom(c), en(c))
	httpx.Respond(c, http.StatusCreated, out, err)
}

func (h *Handlers) update(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		var req UpdateRequest
		if err := httpx.BindJSON(c, &req); err != nil {
			return User{}, err
		}
		return h.svc.Update(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) disable(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		return h.svc.Disable(c.Request.Context(), identity.PrincipalFrom(c), id, identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) enable(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		return h.svc.Enable(c.Request.Context(), identity.PrincipalFrom(c), id, identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) unlock(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		return h.svc.Unlock(c.Request.Context(), identity.PrincipalFrom(c), id, identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) resetPassword(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (PasswordReset, error) {
		return h.svc.ResetPassword(c.Request.Context(), identity.PrincipalFrom(c), id, identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) grant(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		var req RoleRequest
		if err := httpx.BindJSON(c, &req); err != nil {
			return User{}, err
		}
		return h.svc.Grant(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) revoke(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		return h.svc.Revoke(c.Request.Context(), identity.PrincipalFrom(c), id, c.Param("role"), c.Param("division"),
			identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) resetTOTP(c *gin.Context) {
	withID(c, http.StatusOK, func(id int64) (User, error) {
		return h.svc.ResetTOTP(c.Request.Context(), identity.PrincipalFrom(c), id, identity.MetaFrom(c), en(c))
	})
}

func (h *Handlers) settings(c *gin.Context) {
	out, err := h.svc.SecuritySettings(c.Request.Context(), identity.PrincipalFrom(c), c.Param("code"))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) updateSettings(c *gin.Context) {
	var req SecuritySettingsUpdate
	if !httpx.Bind(c, &req) {
		return
	}
	out, err := h.svc.UpdateSecuritySettings(c.Request.Context(), identity.PrincipalFrom(c), c.Param("code"), req, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusOK, out, err)
}
