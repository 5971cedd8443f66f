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
	now       func() time.Time
	dummyHash string // verified when the user does not exist, so timing does not tell
}

// NewService wires the use cases.
func NewService(conn *sqlx.DB, sessions *Sessions, policy *access.Policy, now func() time.Time) (*Service, error) {
	dummy, err := HashPassword("not-a-real-password-Aa1!")
	if err != nil {
		return nil, err
	}
	return &Service{db: conn, sessions: sessions, policy: policy, now: now, dummyHash: dummy}, nil
}

// Login checks credentials and starts a session; it returns the cookie value.
func (s *Service) Login(ctx context.Context, username, password string, meta Meta) (string, Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" {
		return "", Session{}, httpx.E(http.StatusBadRequest, "field_required", httpx.FieldName("username")).WithDetails(map[string]any{"field": "username"})
	}
	if password == "" {
		return "", Session{}, httpx.E(http.StatusBadRequest, "field_required", httpx.FieldName("password")).WithDetails(map[string]any{"field": "password"})
	}
	if len(username) > 50 || len(password) > 256 {
		return "", Session{}, httpx.E(http.StatusUnauthorized, "invalid_credentials")
	}
	var userID int64
	var outcome error
	err := db.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		u, err := userByUsername(ctx, tx, username, true)
		if db.IsNotFound(err) {
			_, _ = VerifyPassword(s.dummyHash, password)
			outcome = httpx.E(http.StatusUnauthorized, "invalid_credentials")
			return s.audit(ctx, tx, User{Username: username}, "auth.login", audit.Failure, meta, map[string]any{"reason": "unknown_user"})
		}
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
			failures := u.FailedLogins + 1
			if u.LockedUntil.Valid { // an earlier lock has run out: count afresh
				failures = 1
			}
			var until *time.Time
			if failures >= MaxFailedLogins {
				t := now.Add(LockoutDuration)
				until = &t
			}
			if err := recordFailure(ctx, tx, u.ID, failures, until); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, u, "auth.login", audit.Failure, meta, map[string]any{"reason": "wrong_password", "failures": failures}); err != nil {
				return err
			}
			if until != nil {
				outcome = lockedError(*until)
				return s.audit(ctx, tx, u, "auth.lockout", audit.Success, meta, map[string]any{"locked_until": until.UTC().Format(time.RFC3339)})
			}
			outcome = httpx.E(http.StatusUnauthorized, "invalid_credentials")
			return nil
		}
		if u.Status != "active" {
			outcome = httpx.E(http.StatusForbidden, "account_disabled")
			return s.audit(ctx, tx, u, "auth.login", audit.Denied, meta, map[string]any{"reason": "disabled"})
		}
		if err := clearFailures(ctx, tx, u.ID); err != nil {
			return err
		}
		userID = u.ID
		return s.audit(ctx, tx, u, "auth.login", audit.Success, meta, nil)
	})
	if err != nil {
		return "", Session{}, err
	}
	if outcome != nil {
		return "", Session{}, outcome
	}
	cookie, sess, err := s.sessions.Create(ctx, userID)
	if err != nil {
		return "", Session{}, unavailable(err)
	}
	return cookie, sess, nil
}

// Authenticate resolves a cookie to its session and the user behind it.
func (s *Service) Authenticate(ctx context.Context, cookie string) (Session, access.Principal, error) {
	sess, err := s.sessions.Get(ctx, cookie)
	if errors.Is(err, ErrNoSession) {
		return sess, access.Principal{}, httpx.ErrUnauthenticated
	}
	if err != nil {
		return sess, access.Principal{}, unavailable(err)
	}
	u, err := userByID(ctx, s.db, sess.UserID)
	if db.IsNotFound(err) {
		return sess, access.Principal{}, httpx.ErrUnauthenticated
	}
	if err != nil {
		return sess, access.Principal{}, err
	}
	if u.Status != "active" {
		_ = s.sessions.DeleteAll(ctx, u.ID, "")
		return sess, access.Principal{}, httpx.ErrUnauthenticated
	}
	grants, err := rolesOf(ctx, s.db, u.ID)
	if err != nil {
		return sess, access.Principal{}, err
	}
	p := access.Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName,
		CountyCode: u.CountyCode.String, DivisionCode: u.DivisionCode.String}
	for _, g := range grants {
		p.Roles = append(p.Roles, g.Assignment)
	}
	return sess, p, nil
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sess Session, p access.Principal, meta Meta) error {
	if err := s.sessions.Delete(ctx, sess); err != nil {
		return unavailable(err)
	}
	u := User{ID: p.UserID, Username: p.Username}
	u.CountyCode.String, u.DivisionCode.String = p.CountyCode, p.DivisionCode
	return s.audit(ctx, s.db, u, "auth.logout", audit.Success, meta, nil)
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
	err = db.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		u, err := userByUsername(ctx, tx, p.Username, true)
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
		if err := setPassword(ctx, tx, u.ID, hash); err != nil {
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
}

// ProfileRole is one role assignment, named in the caller's language.
type ProfileRole struct {
	RoleKey      string `json:"role_key"`
	RoleName     string `json:"role_name"`
	DivisionCode string `json:"division_code"`
	DivisionName string `json:"division_name"`
}

// Profile loads the signed-in user's profile with role names in English when en is true.
func (s *Service) Profile(ctx context.Context, sess Session, userID int64, en bool) (Profile, error) {
	u, err := userByID(ctx, s.db, userID)
	if err != nil {
		return Profile{}, err
	}
	grants, err := rolesOf(ctx, s.db, userID)
	if err != nil {
		return Profile{}, err
	}
	out := Profile{
		User: ProfileUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, DivisionCode: u.DivisionCode.String,
			DivisionName: u.DivisionName.String, CountyCode: u.CountyCode.String, MustChangePassword: u.MustChangePassword},
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
	out.Permissions = s.policy.Permissions(assignments)
	return out, nil
}

func (s *Service) audit(ctx context.Context, q sqlx.ExecerContext, u User, action, outcome string, meta Meta, detail map[string]any) error {
	return audit.Write(ctx, q, audit.Entry{
		ActorID: u.ID, ActorName: u.Username, CountyCode: u.CountyCode.String, DivisionCode: u.DivisionCode.String,
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
