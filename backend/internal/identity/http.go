package identity

import (
	"crypto/subtle"
	"net/http"
	"strings"

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
	standingKey  = "identity.standing"
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

// LoginResponse answers POST /auth/login and POST /auth/login/totp. Usually it is the
// profile (as GET /auth/me) and the session cookie is set. For an account with a second
// factor the password step answers only {"mfa_required": true, "mfa_token": "..."}: no
// cookie yet; POST /auth/login/totp with the token and a code finishes the sign-in.
type LoginResponse struct {
	MFARequired bool          `json:"mfa_required"`
	MFAToken    string        `json:"mfa_token,omitempty"`
	User        *ProfileUser  `json:"user,omitempty"`
	Roles       []ProfileRole `json:"roles,omitempty"`
	Permissions []string      `json:"permissions,omitempty"`
	CSRFToken   string        `json:"csrf_token,omitempty"`
}

func loginResponse(p Profile) LoginResponse {
	return LoginResponse{User: &p.User, Roles: p.Roles, Permissions: p.Permissions, CSRFToken: p.CSRFToken}
}

// LoginTOTPRequest is the body of POST /auth/login/totp: the ticket and one of the codes.
type LoginTOTPRequest struct {
	MFAToken     string `json:"mfa_token"`
	Code         string `json:"code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
}

// TOTPCodeRequest is the body of POST /auth/totp/confirm and /auth/totp/disable.
type TOTPCodeRequest struct {
	Code string `json:"code"`
}

// PasswordRequest is the body of POST /auth/password.
type PasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// RegisterPublic adds the routes that need no session.
func (h *Handlers) RegisterPublic(r *openapi.Router) {
	r.Handle(http.MethodPost, "/auth/login", openapi.Op{Summary: "Sign in", Tag: "auth", Public: true,
		Request: LoginRequest{}, Response: LoginResponse{},
		Description: "Sets the HttpOnly session cookie and answers the profile. For an account with a second factor it answers " +
			"{mfa_required: true, mfa_token} and sets no cookie; finish with POST /auth/login/totp. " +
			"401 for wrong credentials (one message whether or not the user exists), 423 when locked."},
		h.login)
	r.Handle(http.MethodPost, "/auth/login/totp", openapi.Op{Summary: "Sign in second step", Tag: "auth", Public: true,
		Request: LoginTOTPRequest{}, Response: LoginResponse{},
		Description: "Finishes a sign-in with the authenticator's 6-digit code or one recovery code. Wrong codes count toward " +
			"the 5-failure lockout (423). 401 mfa_token_invalid when the ticket has expired (5 minutes)."},
		h.loginTOTP)
}

// Register adds the routes that need a session.
func (h *Handlers) Register(r *openapi.Router) {
	r.Handle(http.MethodGet, "/auth/me", openapi.Op{Summary: "Current user", Tag: "auth", Response: Profile{}}, h.me)
	r.Handle(http.MethodPost, "/auth/logout", openapi.Op{Summary: "Sign out", Tag: "auth", Status: http.StatusNoContent}, h.logout)
	r.Handle(http.MethodPost, "/auth/password", openapi.Op{Summary: "Change own password", Tag: "auth",
		Request: PasswordRequest{}, Status: http.StatusNoContent,
		Description: "Ends the user's other sessions."}, h.changePassword)
	r.Handle(http.MethodGet, "/auth/totp", openapi.Op{Summary: "Own second factor", Tag: "auth", Response: TOTPStatus{}}, h.totpStatus)
	r.Handle(http.MethodPost, "/auth/totp/enroll", openapi.Op{Summary: "Start authenticator set-up", Tag: "auth",
		Response:    TOTPEnrolment{},
		Description: "A new secret as an otpauth:// URI (for the QR code) and as text; it works only after /auth/totp/confirm."},
		h.totpEnroll)
	r.Handle(http.MethodPost, "/auth/totp/confirm", openapi.Op{Summary: "Confirm authenticator", Tag: "auth",
		Request: TOTPCodeRequest{}, Response: TOTPConfirmation{},
		Description: "Turns the second factor on with a first code and returns 10 recovery codes, shown this once."},
		h.totpConfirm)
	r.Handle(http.MethodPost, "/auth/totp/disable", openapi.Op{Summary: "Remove authenticator", Tag: "auth",
		Request: TOTPCodeRequest{}, Status: http.StatusNoContent,
		Description: "Needs a current code. 403 totp_required for roles that must sign in with a second factor."},
		h.totpDisable)
}

func (h *Handlers) login(c *gin.Context) {
	var req LoginRequest
	if !httpx.Bind(c, &req) {
		return
	}
	res, err := h.svc.Login(c.Request.Context(), req.Username, req.Password, meta(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if res.MFAToken != "" {
		c.JSON(http.StatusOK, LoginResponse{MFARequired: true, MFAToken: res.MFAToken})
		return
	}
	h.signedIn(c, res.Cookie, res.Session)
}

func (h *Handlers) loginTOTP(c *gin.Context) {
	var req LoginTOTPRequest
	if !httpx.Bind(c, &req) {
		return
	}
	cookie, sess, err := h.svc.LoginTOTP(c.Request.Context(), req.MFAToken, req.Code, req.RecoveryCode, meta(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	h.signedIn(c, cookie, sess)
}

// signedIn sets the cookie of a new session and answers the profile.
func (h *Handlers) signedIn(c *gin.Context, cookie string, sess Session) {
	h.setCookie(c, cookie, int(AbsoluteTimeout.Seconds()))
	profile, err := h.svc.Profile(c.Request.Context(), sess, httpx.Lang(c) == i18n.EN)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, loginResponse(profile))
}

func (h *Handlers) totpStatus(c *gin.Context) {
	st, err := h.svc.TOTPStatus(c.Request.Context(), PrincipalFrom(c))
	httpx.Respond(c, http.StatusOK, st, err)
}

func (h *Handlers) totpEnroll(c *gin.Context) {
	out, err := h.svc.EnrollTOTP(c.Request.Context(), PrincipalFrom(c), meta(c))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) totpConfirm(c *gin.Context) {
	var req TOTPCodeRequest
	if !httpx.Bind(c, &req) {
		return
	}
	out, err := h.svc.ConfirmTOTP(c.Request.Context(), PrincipalFrom(c), req.Code, meta(c))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) totpDisable(c *gin.Context) {
	var req TOTPCodeRequest
	if !httpx.Bind(c, &req) {
		return
	}
	if err := h.svc.DisableTOTP(c.Request.Context(), PrincipalFrom(c), req.Code, meta(c)); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handlers) me(c *gin.Context) {
	profile, err := h.svc.Profile(c.Request.Context(), SessionFrom(c), httpx.Lang(c) == i18n.EN)
	httpx.Respond(c, http.StatusOK, profile, err)
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
	if !httpx.Bind(c, &req) {
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
// the session's CSRF token in X-CSRF-Token. A session whose user must first change the
// password or enrol a second factor may call only the endpoints that do that (see
// restriction).
func (h *Handlers) RequireSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		cookie, err := c.Cookie(CookieName)
		if err != nil || cookie == "" {
			httpx.Fail(c, httpx.ErrUnauthenticated)
			return
		}
		sess, p, st, err := h.svc.Authenticate(c.Request.Context(), cookie)
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
		if err := restriction(st, c.Request.Method, c.FullPath()); err != nil {
			httpx.Fail(c, err)
			return
		}
		c.Set(sessionKey, sess)
		c.Set(principalKey, p)
		c.Set(standingKey, st)
		c.Next()
	}
}

// restriction refuses, with 403, what a session may not do yet: while the password must
// change, everything but who-am-I, signing out and changing it (and enrolling a second
// factor if that is due too); while a second factor must be enrolled, everything but those
// and the enrolment. Routes are matched on their registered path's end, which no other
// feature shares.
func restriction(st Standing, method, route string) error {
	if !st.Restricted() {
		return nil
	}
	is := func(m, suffix string) bool { return method == m && strings.HasSuffix(route, suffix) }
	if is(http.MethodGet, "/auth/me") || is(http.MethodPost, "/auth/logout") || is(http.MethodPost, "/auth/password") {
		return nil
	}
	enrolment := is(http.MethodGet, "/auth/totp") || is(http.MethodPost, "/auth/totp/enroll") || is(http.MethodPost, "/auth/totp/confirm")
	if st.MustEnrolTOTP && enrolment {
		return nil
	}
	if st.MustChangePassword {
		return httpx.Msg(http.StatusForbidden, "password_change_required",
			"请先修改初始密码，然后才能继续操作", "Change your initial password before you continue")
	}
	return httpx.Msg(http.StatusForbidden, "mfa_enrolment_required",
		"您的角色须使用动态验证码登录，请先绑定身份验证器", "Your role requires two-step sign-in; set up an authenticator app before you continue")
}

// StandingFrom returns what the user of a request that passed RequireSession must still do.
func StandingFrom(c *gin.Context) Standing {
	s, _ := c.Get(standingKey)
	st, _ := s.(Standing)
	return st
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
