// Package identity signs staff in and out: accounts, passwords, sessions and lockouts.
package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

// Lockout rule of DESIGN.md 4.5.
const (
	MaxFailedLogins = 5
	LockoutDuration = 30 * time.Minute
)

// Meta is what the audit log needs to know about the request.
type Meta struct {
	RequestID string
	ClientIP  string
}

// Service holds the sign-in use cases.
type Service struct {
	db        *sqlx.DB
	sessions  *Sessions
	policy    *access.Policy
	box       *secure.Box // seals TOTP secrets and hashes recovery codes
	now       func() time.Time
	dummyHash string // verified when the user does not exist, so timing does not tell

	// principals caches Authenticate's database reads (principals.go); nil reads every
	// time. invalidator tells every instance when this package changes an account.
	principals  *principalCache
	invalidator access.Invalidator
}

// Fields of secure.Box used here: the TOTP secret's ciphertext and the recovery codes' keyed hash.
const (
	totpSecretField   = "user.totp_secret"
	recoveryCodeField = "user.totp_recovery"
)

// NewService wires the use cases.
func NewService(conn *sqlx.DB, sessions *Sessions, policy *access.Policy, box *secure.Box, now func() time.Time) (*Service, error) {
	dummy, err := HashPassword("not-a-real-password-Aa1!")
	if err != nil {
		return nil, err
	}
	return &Service{db: conn, sessions: sessions, policy: policy, box: box, now: now, dummyHash: dummy}, nil
}

// CachePrincipals keeps each signed-in user's principal for up to ttl between requests.
// inv must reach ForgetCounty on every instance (the access Authorizer does, through its
// watcher): this package calls it after changing an account, and so do the use cases that
// change grants, accounts and county security settings.
func (s *Service) CachePrincipals(ttl time.Duration, inv access.Invalidator) {
	s.principals = newPrincipalCache(ttl, 100_000)
	s.invalidator = inv
}

// ForgetCounty drops what the principal cache holds for the county ("" for all).
func (s *Service) ForgetCounty(county string) {
	if s.principals != nil {
		s.principals.forgetCounty(county)
	}
}

// accountChanged is called after committing a change to an account of the county.
func (s *Service) accountChanged(ctx context.Context, county string) {
	if s.invalidator == nil {
		return
	}
	if err := s.invalidator.InvalidateCounty(ctx, county); err != nil {
		// The change is committed; other instances forget it within the cache's TTL.
		httpx.Logger(ctx).Error("identity: invalidate cached principals", "county", county, "error", err.Error())
	}
}

// LoginResult is the outcome of the password step: a session, or, for an account with a
// second factor, a ticket for POST /auth/login/totp and no session yet.
type LoginResult struct {
	Cookie   string
	Session  Session
	MFAToken string
}

// Login checks credentials and starts a session (or a second step, see LoginResult).
//
// An account with a second factor keeps its failure count after a right password: wrong
// codes count toward the same lockout, and a right password must not reset it, or someone
// who knows the password could guess codes without end.
func (s *Service) Login(ctx context.Context, username, password string, meta Meta) (LoginResult, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" {
		return LoginResult{}, httpx.E(http.StatusBadRequest, "field_required", httpx.FieldName("username")).WithDetails(map[string]any{"field": "username"})
	}
	if password == "" {
		return LoginResult{}, httpx.E(http.StatusBadRequest, "field_required", httpx.FieldName("password")).WithDetails(map[string]any{"field": "password"})
	}
	if len(username) > 50 || len(password) > 256 {
		return LoginResult{}, httpx.E(http.StatusUnauthorized, "invalid_credentials")
	}
	var user User
	var outcome error
	// The sign-in purpose lets this transaction read the global login-name index; once the
	// county is known the scope narrows to it.
	err := db.WithScope(ctx, s.db, db.Scope{Purpose: "sign_in"}, func(tx *sqlx.Tx) error {
		county, id, err := loginName(ctx, tx, username)
		if db.IsNotFound(err) {
			_, _ = VerifyPassword(s.dummyHash, password)
			outcome = httpx.E(http.StatusUnauthorized, "invalid_credentials")
			return s.audit(ctx, tx, User{Username: username, CountyCode: access.PlatformDomain, DivisionCode: access.PlatformDomain},
				"auth.login", audit.Failure, meta, map[string]any{"reason": "unknown_user"})
		}
		if err != nil {
			return err
		}
		if err := db.SetScope(ctx, tx, db.Scope{County: county, Division: county, Purpose: "sign_in"}); err != nil {
			return err
		}
		u, err := loadUser(ctx, tx, county, id, true)
		if err != nil {
			return err
		}
		now := s.now()
		if u.LockedUntil.Valid && u.LockedUntil.Time.After(now) {
			outcome = lockedError(u.LockedUntil.Time)
			return s.audit(ctx, tx, u, "auth.login", audit.Denied, meta, map[string]any{"reason": "locked"})
		}
		ok, err := VerifyPassword(u.PasswordHash, password)
		if err != nil {
			return fmt.Errorf("identity: verify password of %s: %w", username, err)
		}
		if !ok {
			outcome, err = s.failedAttempt(ctx, tx, u, "wrong_password", httpx.E(http.StatusUnauthorized, "invalid_credentials"), meta)
			return err
		}
		if u.Status != "active" {
			outcome = httpx.E(http.StatusForbidden, "account_disabled")
			return s.audit(ctx, tx, u, "auth.login", audit.Denied, meta, map[string]any{"reason": "disabled"})
		}
		user = u
		if u.TOTPEnabled() {
			return s.audit(ctx, tx, u, "auth.login_password", audit.Success, meta, map[string]any{"next": "totp"})
		}
		if err := clearFailures(ctx, tx, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, u, "auth.login", audit.Success, meta, nil)
	})
	if err != nil {
		return LoginResult{}, err
	}
	if outcome != nil {
		return LoginResult{}, outcome
	}
	if user.TOTPEnabled() {
		ticket, err := s.sessions.CreateMFATicket(ctx, user.ID, user.CountyCode)
		if err != nil {
			return LoginResult{}, unavailable(err)
		}
		return LoginResult{MFAToken: ticket}, nil
	}
	cookie, sess, err := s.sessions.Create(ctx, user.ID, user.CountyCode)
	if err != nil {
		return LoginResult{}, unavailable(err)
	}
	return LoginResult{Cookie: cookie, Session: sess}, nil
}

// failedAttempt counts a wrong password or code toward the lockout and audits it; it
// returns what to answer: wrong, or locked after the fifth failure.
func (s *Service) failedAttempt(ctx context.Context, tx *sqlx.Tx, u User, reason string, wrong error, meta Meta) (error, error) {
	failures := u.FailedLogins + 1
	if u.LockedUntil.Valid { // an earlier lock has run out: count afresh
		failures = 1
	}
	var until *time.Time
	if failures >= MaxFailedLogins {
		t := s.now().Add(LockoutDuration)
		until = &t
	}
	if err := recordFailure(ctx, tx, u, failures, until); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, tx, u, "auth.login", audit.Failure, meta, map[string]any{"reason": reason, "failures": failures}); err != nil {
		return nil, err
	}
	if until != nil {
		err := s.audit(ctx, tx, u, "auth.lockout", audit.Success, meta, map[string]any{"locked_until": until.UTC().Format(time.RFC3339)})
		return lockedError(*until), err
	}
	return wrong, nil
}

// Authenticate resolves a cookie to its session, the user behind it and what that user
// must do before working (Standing).
func (s *Service) Authenticate(ctx context.Context, cookie string) (Session, access.Principal, Standing, error) {
	var st Standing
	sess, err := s.sessions.Get(ctx, cookie)
	if errors.Is(err, ErrNoSession) {
		return sess, access.Principal{}, st, httpx.ErrUnauthenticated
	}
	if err != nil {
		return sess, access.Principal{}, st, unavailable(err)
	}
	var gen uint64
	if s.principals != nil {
		p, st, ok, g := s.principals.get(sess.County, sess.UserID, s.now())
		if ok {
			return sess, p, st, nil
		}
		gen = g
	}
	var u User
	var grants []RoleGrant
	err = db.WithScope(ctx, s.db, db.CountyScope(sess.County), func(tx *sqlx.Tx) error {
		var err error
		if u, err = loadUser(ctx, tx, sess.County, sess.UserID, false); err != nil {
			return err
		}
		grants, err = rolesOf(ctx, tx, sess.County, sess.UserID)
		return err
	})
	if db.IsNotFound(err) {
		return sess, access.Principal{}, st, httpx.ErrUnauthenticated
	}
	if err != nil {
		return sess, access.Principal{}, st, err
	}
	if u.Status != "active" {
		_ = s.sessions.DeleteAll(ctx, u.ID, "")
		return sess, access.Principal{}, st, httpx.ErrUnauthenticated
	}
	p := access.Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName,
		CountyCode: u.CountyCode, DivisionCode: u.DivisionCode}
	for _, g := range grants {
		p.Roles = append(p.Roles, g.Assignment)
	}
	st = standingOf(u, p.Roles)
	if s.principals != nil {
		s.principals.put(gen, p, st, s.now())
	}
	return sess, p, st, nil
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sess Session, p access.Principal, meta Meta) error {
	if err := s.sessions.Delete(ctx, sess); err != nil {
		return unavailable(err)
	}
	u := User{ID: p.UserID, Username: p.Username, CountyCode: p.CountyCode, DivisionCode: p.DivisionCode}
	return db.WithScope(ctx, s.db, db.CountyScope(p.CountyCode), func(tx *sqlx.Tx) error {
		return s.audit(ctx, tx, u, "auth.logout", audit.Success, meta, nil)
	})
}

// ChangePassword sets a new password for the signed-in user and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, sess Session, p access.Principal, current, next string, meta Meta) error {
	if current == "" {
		return httpx.E(http.StatusBadRequest, "field_required", httpx.FieldName("current_password")).WithDetails(map[string]any{"field": "current_password"})
	}
	if !PasswordStrongEnough(next) {
		return httpx.E(http.StatusBadRequest, "weak_password").WithDetails(map[string]any{"field": "new_password"})
	}
	if current == next {
		return httpx.E(http.StatusBadRequest, "password_reused").WithDetails(map[string]any{"field": "new_password"})
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	var outcome error
	err = db.WithScope(ctx, s.db, db.CountyScope(p.CountyCode), func(tx *sqlx.Tx) error {
		u, err := loadUser(ctx, tx, p.CountyCode, p.UserID, true)
		if err != nil {
			return err
		}
		ok, err := VerifyPassword(u.PasswordHash, current)
		if err != nil {
			return err
		}
		if !ok {
			outcome = httpx.E(http.StatusUnauthorized, "invalid_credentials").WithDetails(map[string]any{"field": "current_password"})
			return s.audit(ctx, tx, u, "auth.password_change", audit.Failure, meta, map[string]any{"reason": "wrong_current_password"})
		}
		if err := setPassword(ctx, tx, u, hash); err != nil {
			return err
		}
		return s.audit(ctx, tx, u, "auth.password_change", audit.Success, meta, nil)
	})
	if err != nil {
		return err
	}
	if outcome != nil {
		return outcome
	}
	s.accountChanged(ctx, p.CountyCode) // the password no longer has to be changed
	if err := s.sessions.DeleteAll(ctx, p.UserID, sess.TokenHash); err != nil {
		return unavailable(err)
	}
	return nil
}

// Profile is what the SPA shows of the signed-in user.
type Profile struct {
	User        ProfileUser   `json:"user"`
	Roles       []ProfileRole `json:"roles"`
	Permissions []string      `json:"permissions"`
	CSRFToken   string        `json:"csrf_token"`
}

// ProfileUser is the user part of a Profile.
type ProfileUser struct {
	ID                 int64  `json:"id"`
	Username           string `json:"username"`
	DisplayName        string `json:"display_name"`
	DivisionCode       string `json:"division_code"`
	DivisionName       string `json:"division_name"`
	CountyCode         string `json:"county_code"`
	MustChangePassword bool   `json:"must_change_password"`
	// Second factor: whether the user has one, whether a role needs one, and whether the
	// session may do nothing but enrol one (then the SPA shows the account-security page).
	TOTPEnabled          bool `json:"totp_enabled"`
	MFARequired          bool `json:"mfa_required"`
	MFAEnrolmentRequired bool `json:"mfa_enrolment_required"`
}

// ProfileRole is one role assignment, named in the caller's language.
type ProfileRole struct {
	RoleKey      string `json:"role_key"`
	RoleName     string `json:"role_name"`
	DivisionCode string `json:"division_code"`
	DivisionName string `json:"division_name"`
}

// Profile loads the signed-in user's profile with role names in English when en is true.
func (s *Service) Profile(ctx context.Context, sess Session, en bool) (Profile, error) {
	var u User
	var grants []RoleGrant
	err := db.WithScope(ctx, s.db, db.CountyScope(sess.County), func(tx *sqlx.Tx) error {
		var err error
		if u, err = loadUser(ctx, tx, sess.County, sess.UserID, false); err != nil {
			return err
		}
		grants, err = rolesOf(ctx, tx, sess.County, sess.UserID)
		return err
	})
	if err != nil {
		return Profile{}, err
	}
	out := Profile{
		User: ProfileUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, DivisionCode: u.DivisionCode,
			DivisionName: u.DivisionName, CountyCode: u.CountyCode, MustChangePassword: u.MustChangePassword},
		Roles:     []ProfileRole{},
		CSRFToken: sess.CSRF,
	}
	var assignments []access.Assignment
	for _, g := range grants {
		name := g.NameZH
		if en {
			name = g.NameEN
		}
		out.Roles = append(out.Roles, ProfileRole{RoleKey: g.RoleKey, RoleName: name, DivisionCode: g.DivisionCode, DivisionName: g.DivisionName})
		assignments = append(assignments, g.Assignment)
	}
	st := standingOf(u, assignments)
	out.User.TOTPEnabled, out.User.MFARequired, out.User.MFAEnrolmentRequired = st.TOTPEnabled, st.MFARequired, st.MustEnrolTOTP
	out.Permissions = s.policy.Permissions(assignments)
	return out, nil
}

func (s *Service) audit(ctx context.Context, q sqlx.ExecerContext, u User, action, outcome string, meta Meta, detail map[string]any) error {
	return audit.Write(ctx, q, audit.Entry{
		ActorID: u.ID, ActorName: u.Username, CountyCode: u.CountyCode, DivisionCode: u.DivisionCode,
		Action: action, ObjectType: "user", ObjectID: u.Username, Outcome: outcome,
		RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail,
	})
}

func lockedError(until time.Time) error {
	local := until.In(civil.Shanghai)
	return httpx.E(http.StatusLocked, "account_locked", local.Format("2006-01-02 15:04")).
		WithDetails(map[string]any{"locked_until": until.UTC().Format(time.RFC3339)})
}

func unavailable(err error) error {
	return fmt.Errorf("%w (%v)", httpx.E(http.StatusServiceUnavailable, "unavailable", "Redis"), err)
}
