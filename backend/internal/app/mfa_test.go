package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/identity"
)

// enrolTOTP sets up an authenticator for the signed-in client and returns its secret and
// recovery codes. The clock moves on a step, so the next code is a fresh one.
func enrolTOTP(t *testing.T, env *apptest.Env, c *apptest.Client) (string, []string) {
	t.Helper()
	r := c.Do(http.MethodPost, "/api/v1/auth/totp/enroll", nil)
	var e struct {
		Secret string `json:"secret"`
		URI    string `json:"otpauth_uri"`
	}
	r.JSON(t, &e)
	if r.Status != 200 || len(e.Secret) != 32 || !strings.HasPrefix(e.URI, "otpauth://totp/Dibao:"+c.Username+"?") ||
		!strings.Contains(e.URI, "secret="+e.Secret) || !strings.Contains(e.URI, "issuer=Dibao") {
		t.Fatalf("enrol: %d %s", r.Status, r.Body)
	}
	r = c.Do(http.MethodPost, "/api/v1/auth/totp/confirm", map[string]string{"code": totpCode(t, env, e.Secret)})
	var conf struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	r.JSON(t, &conf)
	if r.Status != 200 || len(conf.RecoveryCodes) != 10 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	env.Clock.Advance(30 * time.Second)
	return e.Secret, conf.RecoveryCodes
}

func totpCode(t *testing.T, env *apptest.Env, secret string) string {
	t.Helper()
	code, err := identity.TOTPCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// passwordStep signs in with the password and expects the second step's ticket.
func passwordStep(t *testing.T, c *apptest.Client, username string) string {
	t.Helper()
	r := c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": apptest.DemoPassword})
	var out struct {
		MFARequired bool   `json:"mfa_required"`
		MFAToken    string `json:"mfa_token"`
		CSRF        string `json:"csrf_token"`
	}
	r.JSON(t, &out)
	if r.Status != 200 || !out.MFARequired || out.MFAToken == "" || out.CSRF != "" || r.Header.Get("Set-Cookie") != "" {
		t.Fatalf("password step of %s: %d %s (cookie %q)", username, r.Status, r.Body, r.Header.Get("Set-Cookie"))
	}
	return out.MFAToken
}

// secondStep finishes a sign-in; on success the client keeps the CSRF token.
func secondStep(t *testing.T, c *apptest.Client, token string, body map[string]string) *apptest.Response {
	t.Helper()
	body["mfa_token"] = token
	r := c.Do(http.MethodPost, "/api/v1/auth/login/totp", body)
	if r.Status == 200 {
		var p struct {
			CSRF string `json:"csrf_token"`
		}
		r.JSON(t, &p)
		c.CSRF = p.CSRF
	}
	return r
}

func TestTOTPEnrolmentAndSignIn(t *testing.T) {
	env := apptest.New(t)
	c := env.SignIn(t, "ax.approver")
	r := c.Do(http.MethodGet, "/api/v1/auth/me", nil)
	if !strings.Contains(string(r.Body), `"mfa_required":true`) || !strings.Contains(string(r.Body), `"totp_enabled":false`) ||
		!strings.Contains(string(r.Body), `"mfa_enrolment_required":false`) {
		t.Fatalf("me before enrolment: %s", r.Body)
	}
	expectError(t, env, c, http.MethodPost, "/api/v1/auth/totp/confirm", map[string]string{"code": "123456"}, 409, "totp_not_pending")
	r = c.Do(http.MethodPost, "/api/v1/auth/totp/enroll", nil)
	var e struct{ Secret string }
	r.JSON(t, &e)
	wrong := "000000"
	if totpCode(t, env, e.Secret) == wrong {
		wrong = "111111"
	}
	if r := c.Do(http.MethodPost, "/api/v1/auth/totp/confirm", map[string]string{"code": wrong}); r.Status != 400 || r.ErrorCode() != "invalid_totp_code" {
		t.Fatalf("wrong confirmation: %d %s", r.Status, r.Body)
	}
	secret, recovery := enrolTOTP(t, env, c) // a second enrolment replaces the unconfirmed one
	if secret == e.Secret {
		t.Fatal("a new enrolment kept the old secret")
	}
	seen := map[string]bool{}
	for _, code := range recovery {
		if len(code) != 11 || code[5] != '-' || seen[code] {
			t.Fatalf("recovery codes %v", recovery)
		}
		seen[code] = true
	}
	expectError(t, env, c, http.MethodPost, "/api/v1/auth/totp/enroll", nil, 409, "totp_already_enabled")
	var stored int
	if err := env.DB.Super.Get(&stored, `SELECT cardinality(totp_recovery) FROM users WHERE username = 'ax.approver'
		AND totp_secret_enc IS NOT NULL AND position($1::bytea IN totp_secret_enc) = 0`, []byte(secret)); err != nil || stored != 10 {
		t.Fatalf("stored recovery hashes %d (secret sealed?) %v", stored, err)
	}
	assertAudit(t, env, "ax.approver", "auth.totp_enroll", "success", 2)
	assertAudit(t, env, "ax.approver", "auth.totp_confirm", "success", 1)
	assertAudit(t, env, "ax.approver", "auth.totp_confirm", "failure", 1)

	// Signing in now takes two steps; the first gives no session.
	c2 := env.Client(t)
	token := passwordStep(t, c2, "ax.approver")
	if r := c2.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("a session before the second step: %d", r.Status)
	}
	keys, _ := env.Redis.Keys(context.Background(), env.Prefix+"mfa:*").Result()
	if len(keys) != 1 {
		t.Fatalf("ticket keys %v", keys)
	}
	if ttl := env.Redis.TTL(context.Background(), keys[0]).Val(); ttl <= 4*time.Minute || ttl > 5*time.Minute {
		t.Errorf("ticket lives %v, want 5 minutes", ttl)
	}
	if r := secondStep(t, c2, token, map[string]string{"code": wrong}); r.Status != 401 || r.ErrorCode() != "invalid_totp_code" {
		t.Fatalf("wrong code: %d %s", r.Status, r.Body)
	}
	if r := secondStep(t, c2, token, map[string]string{}); r.Status != 400 {
		t.Fatalf("no code: %d %s", r.Status, r.Body)
	}
	if r := secondStep(t, c2, "1.notaticketnotaticketnotaticketnotaticketxx", map[string]string{"code": "123456"}); r.Status != 401 || r.ErrorCode() != "mfa_token_invalid" {
		t.Fatalf("a made-up ticket: %d %s", r.Status, r.Body)
	}
	code := totpCode(t, env, secret)
	r = secondStep(t, c2, token, map[string]string{"code": code})
	if r.Status != 200 || !strings.Contains(r.Header.Get("Set-Cookie"), "dibao_session=") || !strings.Contains(string(r.Body), `"totp_enabled":true`) {
		t.Fatalf("second step: %d %s", r.Status, r.Body)
	}
	if r := c2.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("me after the second step: %d", r.Status)
	}
	if r := secondStep(t, env.Client(t), token, map[string]string{"code": code}); r.Status != 401 || r.ErrorCode() != "mfa_token_invalid" {
		t.Fatalf("a used ticket: %d %s", r.Status, r.Body)
	}
	// A code is good once: the same code in another sign-in within its step is refused.
	c3 := env.Client(t)
	token = passwordStep(t, c3, "ax.approver")
	if r := secondStep(t, c3, token, map[string]string{"code": code}); r.Status != 401 {
		t.Fatalf("a replayed code: %d %s", r.Status, r.Body)
	}
	// A recovery code works once, typed any way.
	if r := secondStep(t, c3, token, map[string]string{"recovery_code": strings.ToUpper(strings.ReplaceAll(recovery[0], "-", ""))}); r.Status != 200 {
		t.Fatalf("recovery code: %d %s", r.Status, r.Body)
	}
	c4 := env.Client(t)
	token = passwordStep(t, c4, "ax.approver")
	if r := secondStep(t, c4, token, map[string]string{"recovery_code": recovery[0]}); r.Status != 401 {
		t.Fatalf("a used recovery code: %d %s", r.Status, r.Body)
	}
	var left struct {
		RecoveryCodesLeft int `json:"recovery_codes_left"`
	}
	c2.Do(http.MethodGet, "/api/v1/auth/totp", nil).JSON(t, &left)
	if left.RecoveryCodesLeft != 9 {
		t.Errorf("recovery codes left %d", left.RecoveryCodesLeft)
	}
	var n int
	if err := env.DB.Super.Get(&n, `SELECT count(*) FROM audit_log WHERE actor_name = 'ax.approver' AND action = 'auth.login'
		AND outcome = 'success' AND detail->>'second_factor' IN ('totp_code', 'recovery_code')`); err != nil || n != 2 {
		t.Errorf("audited two-step sign-ins %d %v", n, err)
	}

	// The OpenAPI document describes both answers of the sign-in.
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	env.Client(t).Do(http.MethodGet, "/api/v1/openapi.json", nil).JSON(t, &doc)
	props := doc.Components.Schemas["LoginResponse"].Properties
	for _, f := range []string{"mfa_required", "mfa_token", "user", "csrf_token", "permissions"} {
		if props[f] == nil {
			t.Errorf("LoginResponse schema lacks %s", f)
		}
	}
}

func TestWrongCodesCountTowardTheLockout(t *testing.T) {
	env := apptest.New(t)
	secret, _ := enrolTOTP(t, env, env.SignIn(t, "ax.approver"))
	wrong := "000000"
	if totpCode(t, env, secret) == wrong {
		wrong = "111111"
	}
	c := env.Client(t)
	token := passwordStep(t, c, "ax.approver")
	for i := 1; i <= 3; i++ {
		if r := secondStep(t, c, token, map[string]string{"code": wrong}); r.Status != 401 {
			t.Fatalf("wrong code %d: %d %s", i, r.Status, r.Body)
		}
	}
	// The right password does not wipe the count: two more wrong codes lock the account.
	token = passwordStep(t, c, "ax.approver")
	secondStep(t, c, token, map[string]string{"code": wrong})
	r := secondStep(t, c, token, map[string]string{"code": wrong})
	if r.Status != http.StatusLocked || r.ErrorCode() != "account_locked" {
		t.Fatalf("fifth failure: %d %s", r.Status, r.Body)
	}
	if r := secondStep(t, c, token, map[string]string{"code": totpCode(t, env, secret)}); r.Status != http.StatusLocked {
		t.Fatalf("right code while locked: %d %s", r.Status, r.Body)
	}
	assertAudit(t, env, "ax.approver", "auth.lockout", "success", 1)
}

func TestEnforcedSecondFactorRestrictsTheSessionUntilEnrolled(t *testing.T) {
	env := apptest.New(t)
	sec := env.SignIn(t, "ax.security")
	if r := sec.Do(http.MethodPut, "/api/v1/counties/330523/settings/security", map[string]any{"mfa_enforced": true,
		"mfa_roles": []string{"township_caseworker"}}); r.Status != 200 {
		t.Fatalf("enforce: %d %s", r.Status, r.Body)
	}
	c := env.SignIn(t, "ax.approver")
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); !strings.Contains(string(r.Body), `"mfa_enrolment_required":true`) {
		t.Fatalf("me: %s", r.Body)
	}
	if r := c.Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.Status != 403 || r.ErrorCode() != "mfa_enrolment_required" {
		t.Fatalf("work before enrolment: %d %s", r.Status, r.Body)
	}
	enrolTOTP(t, env, c)
	if r := c.Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.Status != 200 {
		t.Fatalf("work after enrolment: %d %s", r.Status, r.Body)
	}
	// The county's extra roles need it too; others do not.
	clerk := env.SignIn(t, "ax.clerk")
	if r := clerk.Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.Status != 403 || r.ErrorCode() != "mfa_enrolment_required" {
		t.Fatalf("caseworker: %d %s", r.Status, r.Body)
	}
	if r := env.SignIn(t, "ax.village").Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.Status != 200 {
		t.Fatalf("village worker: %d %s", r.Status, r.Body)
	}
	// In another county (not enforced) the same role works without one.
	if r := env.SignIn(t, "cx.clerk").Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.Status != 200 {
		t.Fatalf("Changxing caseworker: %d %s", r.Status, r.Body)
	}
	// A new account that must do both: the password first, enrolment allowed meanwhile.
	env.AddUser(t, "mx.both", "township_caseworker", "330523101")
	env.DB.Super.MustExec(`UPDATE users SET must_change_password = true WHERE username = 'mx.both'`)
	both := env.SignIn(t, "mx.both")
	if r := both.Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.ErrorCode() != "password_change_required" {
		t.Fatalf("both: %d %s", r.Status, r.Body)
	}
	if r := both.Do(http.MethodGet, "/api/v1/auth/totp", nil); r.Status != 200 {
		t.Fatalf("both, enrolment status: %d %s", r.Status, r.Body)
	}
}

func TestDisableOwnTOTPAndAdministratorReset(t *testing.T) {
	env := apptest.New(t)
	approver := env.SignIn(t, "ax.approver")
	secret, _ := enrolTOTP(t, env, approver)
	expectError(t, env, approver, http.MethodPost, "/api/v1/auth/totp/disable", map[string]string{"code": totpCode(t, env, secret)}, 403, "totp_required")

	clerk := env.SignIn(t, "ax.clerk")
	clerkSecret, _ := enrolTOTP(t, env, clerk)
	expectError(t, env, clerk, http.MethodPost, "/api/v1/auth/totp/disable", map[string]string{"code": ""}, 400, "validation_failed")
	if r := clerk.Do(http.MethodPost, "/api/v1/auth/totp/disable", map[string]string{"code": totpCode(t, env, clerkSecret)}); r.Status != 204 {
		t.Fatalf("disable own: %d %s", r.Status, r.Body)
	}
	env.SignIn(t, "ax.clerk") // one step again

	// The security administrator resets the approver's (a lost phone): audited, sessions end.
	approver2 := env.Client(t)
	secondStep(t, approver2, passwordStep(t, approver2, "ax.approver"), map[string]string{"code": totpCode(t, env, secret)})
	var id int64
	if err := env.DB.Super.Get(&id, `SELECT id FROM users WHERE username = 'ax.approver'`); err != nil {
		t.Fatal(err)
	}
	sec := env.SignIn(t, "ax.security")
	path := fmt.Sprintf("/api/v1/users/%d/totp/reset", id)
	if r := sec.Do(http.MethodPost, path, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"totp_enabled":false`) {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	for _, c := range []*apptest.Client{approver, approver2} {
		if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 401 {
			t.Fatalf("the reset user's session: %d", r.Status)
		}
	}
	assertAudit(t, env, "ax.security", "user.totp_reset", "success", 1)
	expectError(t, env, sec, http.MethodPost, path, nil, 409, "totp_not_enabled")
	env.SignIn(t, "ax.approver") // the password alone again (the demo county does not enforce)
}
