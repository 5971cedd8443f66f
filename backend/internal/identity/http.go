package identity

import (
	"crypto/subtle"
	"net/http"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/i18n"
	"dibao/backend/internal/platform/openapi"
)

// CookieName is the session cookie.
const CookieName = "dibao_session"

const (
	sessionKey   = "identity.session"
	principalKey = "identity.principal"
)

// Handlers serves the sign-in API.
type Handlers struct {
	svc          *Service
	cookieSecure bool
}

// NewHandlers builds the handlers; secure marks the cookie Secure (behind HTTPS).
func NewHandlers(svc *Service, secure bool) *Handlers {
	return &Handlers{svc: svc, cookieSecure: secure}
}

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// PasswordRequest is the body of POST /auth/password.
type PasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// RegisterPublic adds the routes that need no session.
func (h *Handlers) RegisterPublic(r *openapi.Router) {
	r.Handle(http.MethodPost, "/auth/login", openapi.Op{Summary: "Sign in", Tag: "auth", Public: true,
		Request: LoginRequest{}, Response: Profile{},
		Description: "Sets the HttpOnly session cookie. 401 for wrong credentials (one message whether or not the user exists), 423 when locked."},
		h.login)
}

// Register adds the routes that need a session.
func (h *Handlers) Register(r *openapi.Router) {
	r.Handle(http.MethodGet, "/auth/me", openapi.Op{Summary: "Current user", Tag: "auth", Response: Profile{}}, h.me)
	r.Handle(http.MethodPost, "/auth/logout", openapi.Op{Summary: "Sign out", Tag: "auth", Status: http.StatusNoContent}, h.logout)
	r.Handle(http.MethodPost, "/auth/password", openapi.Op{Summary: "Change own password", Tag: "auth",
		Request: PasswordRequest{}, Status: http.StatusNoContent,
		Description: "Ends the user's other sessions."}, h.changePassword)
}

func (h *Handlers) login(c *gin.Context) {
	var req LoginRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	cookie, sess, err := h.svc.Login(c.Request.Context(), req.Username, req.Password, meta(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	h.setCookie(c, cookie, int(AbsoluteTimeout.Seconds()))
	profile, err := h.svc.Profile(c.Request.Context(), sess, httpx.Lang(c) == i18n.EN)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, profile)
}

func (h *Handlers) me(c *gin.Context) {
	profile, err := h.svc.Profile(c.Request.Context(), SessionFrom(c), httpx.Lang(c) == i18n.EN)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, profile)
}

func (h *Handlers) logout(c *gin.Context) {
	if err := h.svc.Logout(c.Request.Context(), SessionFrom(c), PrincipalFrom(c), meta(c)); err != nil {
		httpx.Fail(c, err)
		return
	}
	h.setCookie(c, "", -1)
	c.Status(http.StatusNoContent)
}

func (h *Handlers) changePassword(c *gin.Context) {
	var req PasswordRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	err := h.svc.ChangePassword(c.Request.Context(), SessionFrom(c), PrincipalFrom(c), req.CurrentPassword, req.NewPassword, meta(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handlers) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.cookieSecure, SameSite: http.SameSiteLaxMode})
}

// RequireSession admits only requests with a live session, and state changes only with
// the session's CSRF token in X-CSRF-Token.
func (h *Handlers) RequireSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		cookie, err := c.Cookie(CookieName)
		if err != nil || cookie == "" {
			httpx.Fail(c, httpx.ErrUnauthenticated)
			return
		}
		sess, p, err := h.svc.Authenticate(c.Request.Context(), cookie)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		if !safeMethod(c.Request.Method) {
			token := c.GetHeader("X-CSRF-Token")
			if subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) != 1 {
				httpx.Fail(c, httpx.E(http.StatusForbidden, "csrf_failed"))
				return
			}
		}
		c.Set(sessionKey, sess)
		c.Set(principalKey, p)
		c.Next()
	}
}

// PrincipalFrom returns the signed-in user of a request that passed RequireSession.
func PrincipalFrom(c *gin.Context) access.Principal {
	p, _ := c.Get(principalKey)
	principal, _ := p.(access.Principal)
	return principal
}

// SessionFrom returns the session of a request that passed RequireSession.
func SessionFrom(c *gin.Context) Session {
	s, _ := c.Get(sessionKey)
	sess, _ := s.(Session)
	return sess
}

// MetaFrom is the audit metadata of a request.
func MetaFrom(c *gin.Context) Meta { return meta(c) }

func meta(c *gin.Context) Meta {
	return Meta{RequestID: httpx.RequestID(c.Request.Context()), ClientIP: c.ClientIP()}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
