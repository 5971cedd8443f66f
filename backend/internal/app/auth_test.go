package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
)

func TestSignInSignOutAndCSRF(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthenticated" {
		t.Fatalf("me without session: %d %s", r.Status, r.Body)
	}
	r := c.Login("ax.clerk", apptest.DemoPassword)
	cookie := r.Header.Get("Set-Cookie")
	for _, want := range []string{"dibao_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	var me struct {
		User struct {
			Username, DisplayName, DivisionName string
		}
		Roles []struct {
			RoleKey  string `json:"role_key"`
			RoleName string `json:"role_name"`
		}
		Permissions []string
		CSRF        string `json:"csrf_token"`
	}
	r = c.Do(http.MethodGet, "/api/v1/auth/me", nil)
	r.JSON(t, &me)
	if r.Status != 200 || me.CSRF != c.CSRF || len(me.Roles) != 1 || me.Roles[0].RoleKey != "township_caseworker" ||
		me.Roles[0].RoleName != "乡镇民政专职工作人员" {
		t.Fatalf("me: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(string(r.Body), `"case:accept"`) || strings.Contains(string(r.Body), `"case:decide"`) {
		t.Errorf("caseworker permissions wrong: %s", r.Body)
	}

	// A state change without the CSRF token is refused and changes nothing.
	token := c.CSRF
	c.CSRF = ""
	if r := c.Do(http.MethodPost, "/api/v1/auth/logout", nil); r.Status != http.StatusForbidden || r.ErrorCode() != "csrf_failed" {
		t.Fatalf("logout without CSRF: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodPost, "/api/v1/auth/logout", nil, "X-CSRF-Token", "wrong"); r.Status != http.StatusForbidden {
		t.Fatalf("logout with a wrong CSRF token: %d", r.Status)
	}
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("session ended by a refused logout: %d", r.Status)
	}
	c.CSRF = token
	if r := c.Do(http.MethodPost, "/api/v1/auth/logout", nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("me after logout: %d", r.Status)
	}
	assertAudit(t, env, "ax.clerk", "auth.login", "success", 1)
	assertAudit(t, env, "ax.clerk", "auth.logout", "success", 1)
}

func TestWrongCredentialsLookTheSame(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	a := c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.clerk", "password": "nope-Nope1"})
	b := c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "no.such.user", "password": "nope-Nope1"})
	if a.Status != 401 || b.Status != 401 || string(a.Body) != string(b.Body) {
		t.Fatalf("wrong password %d %s, unknown user %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	if a.ErrorMessage() != "用户名或密码错误" {
		t.Errorf("message %q", a.ErrorMessage())
	}
	c.Lang = "en-US,en;q=0.9"
	if r := c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "x1x", "password": "y"}); r.ErrorMessage() != "Incorrect username or password" {
		t.Errorf("English message %q", r.ErrorMessage())
	}
	assertAudit(t, env, "ax.clerk", "auth.login", "failure", 1)
	assertAudit(t, env, "no.such.user", "auth.login", "failure", 1)
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	bad := map[string]string{"username": "ax.leader", "password": "Wrong@2026"}
	for i := 1; i <= 4; i++ {
		if r := c.Do(http.MethodPost, "/api/v1/auth/login", bad); r.Status != 401 {
			t.Fatalf("failure %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := c.Do(http.MethodPost, "/api/v1/auth/login", bad)
	if r.Status != http.StatusLocked || r.ErrorCode() != "account_locked" {
		t.Fatalf("fifth failure: %d %s", r.Status, r.Body)
	}
	var body struct {
		Error struct {
			Details struct {
				LockedUntil time.Time `json:"locked_until"`
			}
		}
	}
	r.JSON(t, &body)
	if d := body.Error.Details.LockedUntil.Sub(env.Clock.Now()); d < 29*time.Minute || d > 31*time.Minute {
		t.Fatalf("locked for %v, want 30 minutes", d)
	}
	good := map[string]string{"username": "ax.leader", "password": apptest.DemoPassword}
	if r := c.Do(http.MethodPost, "/api/v1/auth/login", good); r.Status != http.StatusLocked {
		t.Fatalf("right password while locked: %d %s", r.Status, r.Body)
	}
	assertAudit(t, env, "ax.leader", "auth.lockout", "success", 1)
	assertAudit(t, env, "ax.leader", "auth.login", "denied", 1)

	env.Clock.Advance(31 * time.Minute)
	c.Login("ax.leader", apptest.DemoPassword)
	var failures int
	if err := env.DB.Super.Get(&failures, `SELECT failed_logins FROM users WHERE username = 'ax.leader'`); err != nil || failures != 0 {
		t.Fatalf("failures after a good sign-in = %d, %v", failures, err)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	env := apptest.New(t)
	a, b := env.Client(t), env.Client(t)
	a.Login("ax.finance", apptest.DemoPassword)
	b.Login("ax.finance", apptest.DemoPassword)

	a.Lang = "en"
	r := a.Do(http.MethodPost, "/api/v1/auth/password", map[string]string{"current_password": apptest.DemoPassword, "new_password": "short"})
	if r.Status != 400 || r.ErrorCode() != "weak_password" || !strings.Contains(r.ErrorMessage(), "at least 8 characters") {
		t.Fatalf("weak password: %d %s", r.Status, r.Body)
	}
	r = a.Do(http.MethodPost, "/api/v1/auth/password", map[string]string{"current_password": "Wrong@2026", "new_password": "Better#2027"})
	if r.Status != 401 {
		t.Fatalf("wrong current password: %d %s", r.Status, r.Body)
	}
	if r := b.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("a refused change ended other sessions: %d", r.Status)
	}
	r = a.Do(http.MethodPost, "/api/v1/auth/password", map[string]string{"current_password": apptest.DemoPassword, "new_password": "Better#2027"})
	if r.Status != http.StatusNoContent {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := a.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("the changing session ended: %d", r.Status)
	}
	if r := b.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("the other session survived: %d", r.Status)
	}
	c := env.Client(t)
	if r := c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.finance", "password": apptest.DemoPassword}); r.Status != 401 {
		t.Fatalf("old password still works: %d", r.Status)
	}
	c.Login("ax.finance", "Better#2027")
	assertAudit(t, env, "ax.finance", "auth.password_change", "success", 1)
}

func TestSessionAbsoluteLifetime(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	c.Login("ax.inspector", apptest.DemoPassword)
	keys, err := env.Redis.Keys(context.Background(), env.Prefix+"session:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("session keys %v %v", keys, err)
	}
	if !strings.Contains(keys[0], ":{u") {
		t.Errorf("session key %q lacks a user hash tag", keys[0])
	}
	ttl := env.Redis.TTL(context.Background(), keys[0]).Val()
	if ttl <= 29*time.Minute || ttl > 30*time.Minute {
		t.Fatalf("idle TTL %v, want 30 minutes", ttl)
	}
	env.Clock.Advance(11 * time.Hour)
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("session ended before 12 hours: %d", r.Status)
	}
	env.Clock.Advance(61 * time.Minute)
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("session alive after 12 hours: %d", r.Status)
	}
}

func TestDisabledUserIsSignedOut(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	c.Login("ax.village", apptest.DemoPassword)
	if _, err := env.DB.Super.Exec(`UPDATE users SET status = 'disabled' WHERE username = 'ax.village'`); err != nil {
		t.Fatal(err)
	}
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("disabled user kept the session: %d", r.Status)
	}
	r := env.Client(t).Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.village", "password": apptest.DemoPassword})
	if r.Status != 403 || r.ErrorCode() != "account_disabled" {
		t.Fatalf("disabled sign-in: %d %s", r.Status, r.Body)
	}
}

func assertAudit(t *testing.T, env *apptest.Env, actor, action, outcome string, atLeast int) {
	t.Helper()
	var n int
	err := env.DB.Super.Get(&n, `SELECT count(*) FROM audit_log WHERE actor_name = $1 AND action = $2 AND outcome = $3
		AND request_id <> '' AND client_ip <> ''`, actor, action, outcome)
	if err != nil {
		t.Fatal(err)
	}
	if n < atLeast {
		t.Errorf("audit rows for %s %s %s = %d, want at least %d", actor, action, outcome, n, atLeast)
	}
}

// TestForcedPasswordChange: a provisioned (or reset) account may only see who it is, sign
// out and change its password until it does; the sign-in answer says so.
func TestForcedPasswordChange(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "mx.fresh", "township_leader", "330523101")
	env.DB.Super.MustExec(`UPDATE users SET must_change_password = true WHERE username = 'mx.fresh'`)
	c := env.Client(t)
	r := c.Login("mx.fresh", apptest.DemoPassword)
	var login struct {
		MFARequired bool `json:"mfa_required"`
		User        struct {
			MustChangePassword bool `json:"must_change_password"`
		}
	}
	r.JSON(t, &login)
	if login.MFARequired || !login.User.MustChangePassword {
		t.Fatalf("login answer %s", r.Body)
	}
	before := env.TenantDigest(t)
	for _, call := range [][2]string{{"GET", "/api/v1/divisions/roots"}, {"GET", "/api/v1/users"}, {"POST", "/api/v1/auth/totp/enroll"}} {
		r := c.Do(call[0], call[1], nil)
		if r.Status != http.StatusForbidden || r.ErrorCode() != "password_change_required" || !strings.Contains(r.ErrorMessage(), "修改初始密码") {
			t.Fatalf("%s %s: %d %s", call[0], call[1], r.Status, r.Body)
		}
	}
	if env.TenantDigest(t) != before {
		t.Fatal("a refused call changed the database")
	}
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("me: %d", r.Status)
	}
	if r := c.Do(http.MethodPost, "/api/v1/auth/password", map[string]string{"current_password": apptest.DemoPassword, "new_password": "Fresh#2026x"}); r.Status != 204 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.Status != 200 {
		t.Fatalf("after the change: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodPost, "/api/v1/auth/logout", nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d", r.Status)
	}
}
