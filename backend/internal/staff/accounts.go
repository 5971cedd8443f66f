package staff

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

// CreateRequest is the body of POST /users.
type CreateRequest struct {
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Phone        string `json:"phone,omitempty"`
	DivisionCode string `json:"division_code"`
	// Password is an initial password chosen by the administrator; without it one is
	// generated and answered once. Either way it must be changed at the first sign-in.
	Password string        `json:"password,omitempty"`
	Roles    []RoleRequest `json:"roles,omitempty"`
}

// RoleRequest names a role at a division (POST /users/:id/roles, and CreateRequest).
type RoleRequest struct {
	RoleKey      string `json:"role_key"`
	DivisionCode string `json:"division_code"`
}

// Created answers POST /users. InitialPassword is present only when it was generated:
// this answer is the only place it ever appears.
type Created struct {
	User            User   `json:"user"`
	InitialPassword string `json:"initial_password,omitempty"`
}

// UpdateRequest is the body of PATCH /users/:id; absent fields stay as they are, an empty
// phone removes it.
type UpdateRequest struct {
	DisplayName  *string `json:"display_name,omitempty"`
	Phone        *string `json:"phone,omitempty"`
	DivisionCode *string `json:"division_code,omitempty"`
}

// PasswordReset answers POST /users/:id/reset-password with the one-time password, once.
type PasswordReset struct {
	User     User   `json:"user"`
	Password string `json:"password"`
}

func (s *Service) sealPhone(phone string) (enc, index []byte, masked *string, err error) {
	if phone == "" {
		return nil, nil, nil, nil
	}
	if enc, err = s.box.Seal(phoneField, phone); err != nil {
		return nil, nil, nil, err
	}
	m := secure.MaskPhone(phone)
	return enc, s.box.Index(phoneField, phone), &m, nil
}

// Create opens an account with its initial roles, in one transaction with its login name.
func (s *Service) Create(ctx context.Context, p access.Principal, req CreateRequest, meta identity.Meta, en bool) (Created, error) {
	req.Username = strings.ToLower(strings.TrimSpace(req.Username))
	req.DisplayName = strings.TrimSpace(req.DisplayName)
	req.Phone = strings.TrimSpace(req.Phone)
	req.DivisionCode = strings.TrimSpace(req.DivisionCode)
	if err := checkDivisionCode("division_code", req.DivisionCode); err != nil {
		return Created{}, err
	}
	county := access.CountyOf(req.DivisionCode)
	platform := p.CountyCode == access.PlatformDomain
	// Where the account would go decides first whether the caller may be here at all.
	if platform {
		if err := s.guard.Require(ctx, p, access.PlatformDomain, "county", req.Username, "provision"); err != nil {
			return Created{}, err
		}
		if len(req.DivisionCode) != 6 || county == access.PlatformDomain {
			return Created{}, errPlatformScope()
		}
	} else {
		if !access.Sees(p, req.DivisionCode) {
			return Created{}, errDivisionNotFound("division_code", req.DivisionCode)
		}
		if err := s.guard.Require(ctx, p, req.DivisionCode, "user", req.Username, "manage"); err != nil {
			return Created{}, err
		}
	}
	for _, check := range []error{checkUsername(req.Username), checkDisplayName(req.DisplayName), checkPhone(req.Phone)} {
		if check != nil {
			return Created{}, check
		}
	}
	if platform && len(req.Roles) == 0 {
		return Created{}, httpx.Invalid("roles", "请至少授予一个管理员角色", "Grant at least one administrator role")
	}
	password, generated := req.Password, req.Password == ""
	if generated {
		var err error
		if password, err = oneTimePassword(); err != nil {
			return Created{}, err
		}
	} else if err := checkInitialPassword(password); err != nil {
		return Created{}, err
	}
	hash, err := identity.HashPassword(password)
	if err != nil {
		return Created{}, err
	}
	enc, index, masked, err := s.sealPhone(req.Phone)
	if err != nil {
		return Created{}, err
	}

	var out Created
	err = s.inTx(ctx, p, func(tx *sqlx.Tx, a actor, roles map[string]Role) error {
		if a.platform {
			if err := db.SetScope(ctx, tx, db.CountyScope(county)); err != nil {
				return err
			}
		}
		if err := s.checkHomeDivision(ctx, tx, a, county, req.DivisionCode); err != nil {
			return err
		}
		var held []string
		seen := map[RoleRequest]bool{}
		for i, rr := range req.Roles {
			rr = RoleRequest{RoleKey: strings.TrimSpace(rr.RoleKey), DivisionCode: strings.TrimSpace(rr.DivisionCode)}
			req.Roles[i] = rr
			if _, err := s.checkGrant(ctx, tx, a, roles, county, rr.RoleKey, rr.DivisionCode, "division_code", held); err != nil {
				return err
			}
			if seen[rr] {
				return errRoleHeld(roles[rr.RoleKey], rr.DivisionCode)
			}
			seen[rr] = true
			held = append(held, rr.RoleKey)
		}
		id, err := insertAccount(ctx, tx, newAccount{County: county, Division: req.DivisionCode, Username: req.Username,
			DisplayName: req.DisplayName, PhoneEnc: enc, PhoneIndex: index, PhoneMasked: masked, PasswordHash: hash})
		if isUniqueViolation(err) {
			return errUsernameTaken(req.Username)
		}
		if err != nil {
			return err
		}
		granted := []RoleRequest{}
		for _, rr := range req.Roles {
			if err := insertRole(ctx, tx, county, id, rr.RoleKey, rr.DivisionCode, p.UserID); err != nil {
				if isUniqueViolation(err) {
					return errRoleHeld(roles[rr.RoleKey], rr.DivisionCode)
				}
				return err
			}
			granted = append(granted, rr)
		}
		acc, err := loadAccount(ctx, tx, county, id, false)
		if err != nil {
			return err
		}
		detail := audit.Changes(nil, snapshotOf(acc), "phone:phone")
		detail["roles"] = granted
		detail["initial_password"] = map[bool]string{true: "generated", false: "given"}[generated]
		if err := s.audit(ctx, tx, a, acc, "user.create", meta, detail); err != nil {
			return err
		}
		out.User = s.view(acc, roles, en)
		return nil
	})
	if err != nil {
		return Created{}, err
	}
	if len(req.Roles) > 0 {
		s.invalidate(ctx, county)
	}
	if generated {
		out.InitialPassword = password
	}
	return out, nil
}

// change runs one audited change of an account in one transaction: find it (404), check
// the permission (403) and the account rules, apply, audit, and read it back.
func (s *Service) change(ctx context.Context, p access.Principal, id int64, perm, action string, meta identity.Meta, en bool,
	apply func(tx *sqlx.Tx, a actor, roles map[string]Role, acc account) (map[string]any, error)) (User, account, error) {
	var out User
	var after account
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, a actor, roles map[string]Role) error {
		acc, err := s.target(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if err := s.require(ctx, a, acc.DivisionCode, acc.Username, perm); err != nil {
			return err
		}
		if perm == permManage {
			if err := mayManage(a, acc, roles); err != nil {
				return err
			}
		} else if acc.ID == a.p.UserID {
			return errOwnAccount()
		}
		detail, err := apply(tx, a, roles, acc)
		if err != nil {
			return err
		}
		if detail == nil { // nothing changed: nothing to record
			after = acc
			out = s.view(acc, roles, en)
			return nil
		}
		if after, err = loadAccount(ctx, tx, acc.CountyCode, acc.ID, false); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, after, action, meta, detail); err != nil {
			return err
		}
		out = s.view(after, roles, en)
		return nil
	})
	if err == nil {
		// Signed-in principals are cached per instance (identity.CachePrincipals).
		s.invalidate(ctx, after.CountyCode)
	}
	return out, after, err
}

// Update changes an account's name, phone or division.
func (s *Service) Update(ctx context.Context, p access.Principal, id int64, req UpdateRequest, meta identity.Meta, en bool) (User, error) {
	out, _, err := s.change(ctx, p, id, permManage, "user.update", meta, en,
		func(tx *sqlx.Tx, a actor, _ map[string]Role, acc account) (map[string]any, error) {
			before, next := snapshotOf(acc), snapshotOf(acc)
			if req.DisplayName != nil {
				next.DisplayName = strings.TrimSpace(*req.DisplayName)
				if err := checkDisplayName(next.DisplayName); err != nil {
					return nil, err
				}
			}
			if req.DivisionCode != nil && strings.TrimSpace(*req.DivisionCode) != acc.DivisionCode {
				next.DivisionCode = strings.TrimSpace(*req.DivisionCode)
				if err := s.checkHomeDivision(ctx, tx, a, acc.CountyCode, next.DivisionCode); err != nil {
					return nil, err
				}
			}
			phoneChanged := false
			if req.Phone != nil {
				phone := strings.TrimSpace(*req.Phone)
				if err := checkPhone(phone); err != nil {
					return nil, err
				}
				enc, index, masked, err := s.sealPhone(phone)
				if err != nil {
					return nil, err
				}
				// Phones are compared by their blind index: the same number typed again
				// changes nothing.
				if changed, err := s.phoneDiffers(ctx, tx, acc, index); err != nil {
					return nil, err
				} else if changed {
					if err := updatePhone(ctx, tx, acc, enc, index, masked); err != nil {
						return nil, err
					}
					phoneChanged, next.Phone = true, ""
					if masked != nil {
						next.Phone = *masked
					}
				}
			}
			if next.DisplayName != acc.DisplayName || next.DivisionCode != acc.DivisionCode {
				if err := updateProfile(ctx, tx, acc, next.DisplayName, next.DivisionCode); err != nil {
					return nil, err
				}
			}
			detail := audit.Changes(before, next, "phone:phone")
			if detail == nil && phoneChanged { // another number behind the same mask
				detail = map[string]any{"after": map[string]any{"phone": next.Phone}, "phone_changed": true}
			}
			return detail, nil
		})
	return out, err
}

// phoneDiffers reports whether the account's stored phone is not the one with this blind
// index (nil: no phone).
func (s *Service) phoneDiffers(ctx context.Context, tx *sqlx.Tx, acc account, index []byte) (bool, error) {
	var same bool
	err := tx.GetContext(ctx, &same, `SELECT phone_index IS NOT DISTINCT FROM $3 FROM users WHERE county_code = $1 AND id = $2`,
		acc.CountyCode, acc.ID, index)
	if err != nil {
		return false, fmt.Errorf("staff: compare phone of user %d: %w", acc.ID, err)
	}
	return !same, nil
}

// Disable stops an account and ends its sessions at once.
func (s *Service) Disable(ctx context.Context, p access.Principal, id int64, meta identity.Meta, en bool) (User, error) {
	out, acc, err := s.change(ctx, p, id, permManage, "user.disable", meta, en,
		func(tx *sqlx.Tx, _ actor, _ map[string]Role, acc account) (map[string]any, error) {
			if acc.Status == "disabled" {
				return nil, errState("user_already_disabled", "该账号已是停用状态", "The account is already disabled")
			}
			if err := setStatus(ctx, tx, acc, "disabled"); err != nil {
				return nil, err
			}
			return map[string]any{"before": map[string]any{"status": acc.Status}, "after": map[string]any{"status": "disabled"}}, nil
		})
	if err != nil {
		return User{}, err
	}
	return out, s.endSessions(ctx, acc.ID)
}

// Enable lets a disabled account sign in again.
func (s *Service) Enable(ctx context.Context, p access.Principal, id int64, meta identity.Meta, en bool) (User, error) {
	out, _, err := s.change(ctx, p, id, permManage, "user.enable", meta, en,
		func(tx *sqlx.Tx, _ actor, _ map[string]Role, acc account) (map[string]any, error) {
			if acc.Status == "active" {
				return nil, errState("user_already_active", "该账号已是启用状态", "The account is already active")
			}
			if err := setStatus(ctx, tx, acc, "active"); err != nil {
				return nil, err
			}
			return map[string]any{"before": map[string]any{"status": acc.Status}, "after": map[string]any{"status": "active"}}, nil
		})
	return out, err
}

// Unlock lifts a lockout after too many failed sign-ins.
func (s *Service) Unlock(ctx context.Context, p access.Principal, id int64, meta identity.Meta, en bool) (User, error) {
	out, _, err := s.change(ctx, p, id, permManage, "user.unlock", meta, en,
		func(tx *sqlx.Tx, _ actor, _ map[string]Role, acc account) (map[string]any, error) {
			if !acc.LockedUntil.Valid || !acc.LockedUntil.Time.After(s.now()) {
				return nil, errState("user_not_locked", "该账号没有被锁定", "The account is not locked")
			}
			if err := clearLock(ctx, tx, acc); err != nil {
				return nil, err
			}
			return map[string]any{"locked_until": acc.LockedUntil.Time.UTC()}, nil
		})
	return out, err
}

// ResetPassword gives the account a new one-time password (answered once), to be changed
// at the next sign-in, and ends its sessions at once.
func (s *Service) ResetPassword(ctx context.Context, p access.Principal, id int64, meta identity.Meta, en bool) (PasswordReset, error) {
	password, err := oneTimePassword()
	if err != nil {
		return PasswordReset{}, err
	}
	hash, err := identity.HashPassword(password)
	if err != nil {
		return PasswordReset{}, err
	}
	out, acc, err := s.change(ctx, p, id, permManage, "user.reset_password", meta, en,
		func(tx *sqlx.Tx, _ actor, _ map[string]Role, acc account) (map[string]any, error) {
			if err := resetPassword(ctx, tx, acc, hash); err != nil {
				return nil, err
			}
			return map[string]any{"must_change_password": true, "password": audit.Hidden}, nil
		})
	if err != nil {
		return PasswordReset{}, err
	}
	if err := s.endSessions(ctx, acc.ID); err != nil {
		return PasswordReset{}, err
	}
	return PasswordReset{User: out, Password: password}, nil
}

// ResetTOTP removes an account's second factor (a lost phone): the security
// administrator's audited action. The user enrols again at the next sign-in; their
// sessions end now.
func (s *Service) ResetTOTP(ctx context.Context, p access.Principal, id int64, meta identity.Meta, en bool) (User, error) {
	out, acc, err := s.change(ctx, p, id, permSecurity, "user.totp_reset", meta, en,
		func(tx *sqlx.Tx, _ actor, _ map[string]Role, acc account) (map[string]any, error) {
			if !acc.TOTPEnabled {
				return nil, errState("totp_not_enabled", "该账号没有绑定身份验证器", "The account has no authenticator set up")
			}
			if err := identity.ClearTOTP(ctx, tx, acc.CountyCode, acc.ID); err != nil {
				return nil, err
			}
			return map[string]any{"before": map[string]any{"totp_enabled": true}, "after": map[string]any{"totp_enabled": false}}, nil
		})
	if err != nil {
		return User{}, err
	}
	return out, s.endSessions(ctx, acc.ID)
}

// Grant gives an account a role at a division, under the grant rules.
func (s *Service) Grant(ctx context.Context, p access.Principal, id int64, req RoleRequest, meta identity.Meta, en bool) (User, error) {
	req.RoleKey, req.DivisionCode = strings.TrimSpace(req.RoleKey), strings.TrimSpace(req.DivisionCode)
	if req.RoleKey == "" {
		return User{}, httpx.Invalid("role_key", "请选择角色", "Choose a role")
	}
	out, _, err := s.change(ctx, p, id, permManage, "user.role_grant", meta, en,
		func(tx *sqlx.Tx, a actor, roles map[string]Role, acc account) (map[string]any, error) {
			r, err := s.checkGrant(ctx, tx, a, roles, acc.CountyCode, req.RoleKey, req.DivisionCode, "division_code", acc.roleKeys())
			if err != nil {
				return nil, err
			}
			if acc.holds(r.Key, req.DivisionCode) {
				return nil, errRoleHeld(r, req.DivisionCode)
			}
			if err := insertRole(ctx, tx, acc.CountyCode, acc.ID, r.Key, req.DivisionCode, a.p.UserID); err != nil {
				if isSplitViolation(err) { // a concurrent grant got there first; the database's wall held
					return nil, errSeparationDB()
				}
				return nil, err
			}
			return map[string]any{"after": map[string]any{"role_key": r.Key, "division_code": req.DivisionCode}}, nil
		})
	if err != nil {
		return User{}, err
	}
	return out, nil // change has invalidated the county's assignments
}

// Revoke takes a role at a division away from an account, under the same rules.
func (s *Service) Revoke(ctx context.Context, p access.Principal, id int64, role, division string, meta identity.Meta, en bool) (User, error) {
	out, _, err := s.change(ctx, p, id, permManage, "user.role_revoke", meta, en,
		func(tx *sqlx.Tx, a actor, roles map[string]Role, acc account) (map[string]any, error) {
			r, ok := roles[role]
			if !ok {
				return nil, errUnknownRole("role_key", role)
			}
			if !acc.holds(role, division) {
				return nil, errRoleNotHeld(r, division)
			}
			if !a.platform {
				if !access.Sees(a.p, division) {
					return nil, errDivisionNotFound("division_code", division)
				}
				if err := s.guard.Require(ctx, a.p, division, "user", acc.Username, "manage"); err != nil {
					return nil, err
				}
			}
			if !a.mayGrant(r) {
				return nil, errRoleNotGrantable(r)
			}
			if err := deleteRole(ctx, tx, acc.CountyCode, acc.ID, role, division); err != nil {
				return nil, err
			}
			return map[string]any{"before": map[string]any{"role_key": role, "division_code": division}}, nil
		})
	if err != nil {
		return User{}, err
	}
	return out, nil // change has invalidated the county's assignments
}

// parseID reads a path id; anything else is an account that does not exist.
func parseID(s string) (int64, error) {
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil || id <= 0 || fmt.Sprint(id) != s {
		return 0, errUserNotFound()
	}
	return id, nil
}
