package staff

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

// phoneField is the secure.Box field of users.phone_enc (the same as the demo seed's).
const phoneField = "user.phone"

// Service holds the user-management use cases.
type Service struct {
	db          *sqlx.DB
	box         *secure.Box
	guard       *access.Guard
	sessions    *identity.Sessions
	invalidator access.Invalidator
	now         func() time.Time
}

// NewService wires the use cases. invalidator is told about every committed change to
// role assignments; sessions ends the sessions of disabled and reset accounts.
func NewService(conn *sqlx.DB, box *secure.Box, guard *access.Guard, sessions *identity.Sessions,
	invalidator access.Invalidator, now func() time.Time) *Service {
	return &Service{db: conn, box: box, guard: guard, sessions: sessions, invalidator: invalidator, now: now}
}

// inTx runs fn in a transaction scoped to what the caller may reach: a county
// administrator's (or anyone's) broadest division, or, for the platform administrator, no
// county until target or Create narrows it.
func (s *Service) inTx(ctx context.Context, p access.Principal, fn func(tx *sqlx.Tx, a actor, roles map[string]Role) error) error {
	scope := db.Scope{Purpose: "user_provision"}
	warm := access.PlatformDomain
	if p.CountyCode != access.PlatformDomain {
		div, ok := access.WorkingDivision(p, "")
		if !ok {
			return errUserNotFound() // no role, no area: nothing exists for them
		}
		scope, warm = db.Scope{County: access.CountyOf(div), Division: div}, div
	}
	// The permission checks inside the transaction may need the county's policy loaded from
	// the database; loading it now, before the transaction holds a connection, keeps one
	// request from needing two connections at once (a pool of them could otherwise wait on
	// each other).
	s.guard.Allowed(ctx, p, warm, "user", "read")
	return db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		roles, err := loadRoles(ctx, tx)
		if err != nil {
			return err
		}
		return fn(tx, newActor(p, roles), roles)
	})
}

// target loads account id as the actor may see it, or answers 404: an account outside the
// caller's county or area, or, for the platform administrator, one that holds none of the
// three administrator roles, does not exist for them.
func (s *Service) target(ctx context.Context, tx *sqlx.Tx, a actor, id int64, forUpdate bool) (account, error) {
	county := a.p.CountyCode
	if a.platform {
		c, err := countyOfUser(ctx, tx, id)
		if db.IsNotFound(err) || c == access.PlatformDomain {
			return account{}, errUserNotFound()
		}
		if err != nil {
			return account{}, err
		}
		if err := db.SetScope(ctx, tx, db.CountyScope(c)); err != nil {
			return account{}, err
		}
		county = c
	}
	acc, err := loadAccount(ctx, tx, county, id, forUpdate)
	if db.IsNotFound(err) {
		return account{}, errUserNotFound()
	}
	if err != nil {
		return account{}, err
	}
	visible := access.Sees(a.p, acc.DivisionCode)
	if a.platform {
		visible = holdsSplitRole(acc.Roles)
	}
	if !visible {
		return account{}, errUserNotFound()
	}
	return acc, nil
}

// Permissions a use case asks for on an account.
const (
	permRead     = "read"     // user:read
	permManage   = "manage"   // user:manage, and the account rules
	permSecurity = "security" // security:manage (second-factor reset)
)

// require checks the caller's permission on an account in division; the platform
// administrator acts by its county:provision permission on the platform.
func (s *Service) require(ctx context.Context, a actor, division, objectID, perm string) error {
	if a.platform {
		return s.guard.Require(ctx, a.p, access.PlatformDomain, "county", objectID, "provision")
	}
	if perm == permSecurity {
		return s.guard.Require(ctx, a.p, division, "security", objectID, "manage")
	}
	return s.guard.Require(ctx, a.p, division, "user", objectID, perm)
}

// mayManage applies the account rules: not one's own, not a peer's or a superior's.
func mayManage(a actor, acc account, roles map[string]Role) error {
	if acc.ID == a.p.UserID {
		return errOwnAccount()
	}
	if !a.platform && rankOf(acc.Roles, roles) >= a.rank {
		return errAccountAboveYou()
	}
	return nil
}

func (s *Service) audit(ctx context.Context, tx *sqlx.Tx, a actor, acc account, action string, meta identity.Meta, detail map[string]any) error {
	return audit.Write(ctx, tx, audit.Entry{
		ActorID: a.p.UserID, ActorName: a.p.Username, CountyCode: acc.CountyCode, DivisionCode: acc.DivisionCode,
		Action: action, ObjectType: "user", ObjectID: acc.Username, Outcome: audit.Success,
		RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail,
	})
}

func (s *Service) view(acc account, roles map[string]Role, en bool) User {
	u := User{ID: acc.ID, Username: acc.Username, DisplayName: acc.DisplayName, PhoneMasked: acc.PhoneMasked.String,
		CountyCode: acc.CountyCode, DivisionCode: acc.DivisionCode, DivisionName: acc.DivisionName, Status: acc.Status,
		MustChangePassword: acc.MustChangePassword, TOTPEnabled: acc.TOTPEnabled, Roles: []UserRole{},
		CreatedAt: acc.CreatedAt, UpdatedAt: acc.UpdatedAt}
	if acc.LockedUntil.Valid && acc.LockedUntil.Time.After(s.now()) {
		t := acc.LockedUntil.Time
		u.Locked, u.LockedUntil = true, &t
	}
	for _, r := range acc.Roles {
		r.RoleName = roles[r.RoleKey].Name(en)
		u.Roles = append(u.Roles, r)
	}
	return u
}

// snapshot is what the audit log records of an account's editable fields.
type snapshot struct {
	DisplayName  string `json:"display_name"`
	Phone        string `json:"phone"` // masked already; audit.Changes masks it again to be sure
	DivisionCode string `json:"division_code"`
	Status       string `json:"status"`
}

func snapshotOf(acc account) snapshot {
	return snapshot{DisplayName: acc.DisplayName, Phone: acc.PhoneMasked.String, DivisionCode: acc.DivisionCode, Status: acc.Status}
}

// ListParams are the query of GET /users, as sent.
type ListParams struct {
	Division, Query, Status, After, Limit string
}

// Page is one page of accounts; NextCursor is the `after` of the next page ("" at the end).
type Page struct {
	Items      []User `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// List pages through the accounts of a division and everything below it (the caller's
// whole area by default), newest last. The platform administrator names a county and sees
// its administrator accounts.
func (s *Service) List(ctx context.Context, p access.Principal, lp ListParams, en bool) (Page, error) {
	limit, after := 50, int64(0)
	if lp.Limit != "" {
		n, err := strconv.Atoi(lp.Limit)
		if err != nil || n < 1 || n > 200 {
			return Page{}, httpx.Invalid("limit", "每页条数须为 1–200", "limit must be 1–200")
		}
		limit = n
	}
	if lp.After != "" {
		n, err := strconv.ParseInt(lp.After, 10, 64)
		if err != nil || n < 0 {
			return Page{}, httpx.Invalid("after", "分页游标无效", "Invalid page cursor")
		}
		after = n
	}
	switch lp.Status {
	case "", "active", "disabled", "locked":
	default:
		return Page{}, httpx.Invalid("status", "状态须为 active、disabled 或 locked", "status must be active, disabled or locked")
	}
	q := strings.TrimSpace(lp.Query)
	if len([]rune(q)) > 50 {
		return Page{}, httpx.Invalid("q", "搜索内容最多 50 个字", "The search is at most 50 characters")
	}
	f := listFilter{Query: q, Status: lp.Status, Now: s.now(), After: after, Limit: limit + 1}
	if phonePattern.MatchString(q) {
		f.PhoneIndex = s.box.Index(phoneField, q)
	}
	var scope db.Scope
	if p.CountyCode == access.PlatformDomain {
		if lp.Division == "" {
			return Page{}, httpx.Invalid("division", "请指定县级区划代码", "Name the county (division)")
		}
		if err := checkDivisionCode("division", lp.Division); err != nil {
			return Page{}, err
		}
		if len(lp.Division) != 6 || lp.Division == access.PlatformDomain {
			return Page{}, errPlatformScope()
		}
		if err := s.guard.Require(ctx, p, access.PlatformDomain, "county", lp.Division, "provision"); err != nil {
			return Page{}, err
		}
		scope, f.County, f.Division, f.SplitOnly = db.CountyScope(lp.Division), lp.Division, lp.Division, true
	} else {
		if lp.Division != "" {
			if err := checkDivisionCode("division", lp.Division); err != nil {
				return Page{}, err
			}
		}
		div, ok := access.WorkingDivision(p, lp.Division)
		if !ok {
			return Page{}, errDivisionNotFound("division", lp.Division)
		}
		if err := s.guard.Require(ctx, p, div, "user", "", "read"); err != nil {
			return Page{}, err
		}
		scope = db.Scope{County: access.CountyOf(div), Division: div}
		f.County, f.Division = access.CountyOf(div), div
	}
	out := Page{Items: []User{}}
	err := db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		if _, err := loadDivision(ctx, tx, f.Division); err != nil {
			if db.IsNotFound(err) {
				return errDivisionNotFound("division", f.Division)
			}
			return err
		}
		roles, err := loadRoles(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := listAccounts(ctx, tx, f)
		if err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			out.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
		}
		for _, acc := range rows {
			out.Items = append(out.Items, s.view(acc, roles, en))
		}
		return nil
	})
	return out, err
}

// Get shows one account.
func (s *Service) Get(ctx context.Context, p access.Principal, id int64, en bool) (User, error) {
	var out User
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, a actor, roles map[string]Role) error {
		acc, err := s.target(ctx, tx, a, id, false)
		if err != nil {
			return err
		}
		if err := s.require(ctx, a, acc.DivisionCode, acc.Username, permRead); err != nil {
			return err
		}
		out = s.view(acc, roles, en)
		return nil
	})
	return out, err
}

// GrantableRoles lists the roles the caller may grant (none without user:manage), highest first.
func (s *Service) GrantableRoles(ctx context.Context, p access.Principal, en bool) ([]GrantableRole, error) {
	out := []GrantableRole{}
	if p.CountyCode != access.PlatformDomain {
		div, ok := access.WorkingDivision(p, "")
		if !ok || !s.guard.Allowed(ctx, p, div, "user", "manage") {
			return out, nil
		}
	} else if !s.guard.Allowed(ctx, p, access.PlatformDomain, "county", "provision") {
		return out, nil
	}
	roles, err := loadRoles(ctx, s.db)
	if err != nil {
		return nil, err
	}
	a := newActor(p, roles)
	for _, r := range roles {
		if a.mayGrant(r) {
			out = append(out, GrantableRole{Key: r.Key, Level: r.Level, Rank: r.Rank, Name: r.Name(en)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rank != out[j].Rank {
			return out[i].Rank > out[j].Rank
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// checkGrant applies the grant rules (see the package comment) to granting key at
// division in the account's county, where the account already holds held. Division
// problems name the field.
func (s *Service) checkGrant(ctx context.Context, tx *sqlx.Tx, a actor, roles map[string]Role,
	county, key, division, field string, held []string) (Role, error) {
	r, ok := roles[key]
	if !ok {
		return r, errUnknownRole("role_key", key)
	}
	if !a.mayGrant(r) {
		return r, errRoleNotGrantable(r)
	}
	if err := checkDivisionCode(field, division); err != nil {
		return r, err
	}
	if a.platform {
		if division != county {
			return r, errPlatformScope()
		}
	} else {
		if !access.Sees(a.p, division) {
			return r, errDivisionNotFound(field, division)
		}
		if err := s.guard.Require(ctx, a.p, division, "user", "", "manage"); err != nil {
			return r, err
		}
	}
	d, err := loadDivision(ctx, tx, division)
	if db.IsNotFound(err) || (err == nil && d.CountyCode != county) {
		return r, errDivisionNotFound(field, division)
	}
	if err != nil {
		return r, err
	}
	if d.Status != "active" {
		return r, errDivisionRetired(field, d)
	}
	if err := levelFits(r, d); err != nil {
		return r, err
	}
	if other := splitConflict(held, key); other != "" {
		return r, errSeparation(r, roles[other])
	}
	return r, nil
}

// checkHomeDivision checks the division an account belongs to: visible, manageable, in the
// county, active.
func (s *Service) checkHomeDivision(ctx context.Context, tx *sqlx.Tx, a actor, county, division string) error {
	if err := checkDivisionCode("division_code", division); err != nil {
		return err
	}
	if a.platform {
		if division != county {
			return errPlatformScope()
		}
	} else {
		if !access.Sees(a.p, division) {
			return errDivisionNotFound("division_code", division)
		}
		if err := s.guard.Require(ctx, a.p, division, "user", "", "manage"); err != nil {
			return err
		}
	}
	d, err := loadDivision(ctx, tx, division)
	if db.IsNotFound(err) || (err == nil && d.CountyCode != county) {
		return errDivisionNotFound("division_code", division)
	}
	if err != nil {
		return err
	}
	if d.Status != "active" {
		return errDivisionRetired("division_code", d)
	}
	return nil
}

func (s *Service) invalidate(ctx context.Context, county string) {
	if err := s.invalidator.InvalidateCounty(ctx, county); err != nil {
		// The change is committed; the other instances reload within the policy's max age.
		httpx.Logger(ctx).Error("staff: invalidate access cache", "county", county, "error", err.Error())
	}
}

func (s *Service) endSessions(ctx context.Context, userID int64) error {
	if err := s.sessions.DeleteAll(ctx, userID, ""); err != nil {
		return fmt.Errorf("%w (%v)", httpx.E(http.StatusServiceUnavailable, "unavailable", "Redis"), err)
	}
	return nil
}
