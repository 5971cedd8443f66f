// Package staff manages staff accounts: county administrators create, edit, disable,
// unlock and reset accounts in their county and grant the roles they may grant; the
// security administrator resets second factors and sets the county's sign-in rules; the
// platform administrator opens a county's administrator accounts.
//
// The rules of granting, stated once (grantRule below):
//   - only inside the granter's county, at divisions the granter's user:manage role covers
//     (the platform administrator: at the county division of any county);
//   - only roles ranked below the granter's highest role, never platform_admin (the
//     platform administrator: only county_admin, security_admin and audit_admin);
//   - a role's level fits the division's (county roles at the county, township roles at a
//     township, village_worker at a village);
//   - the three-way split (等保 三员分立): one account holds at most one of county_admin,
//     security_admin and audit_admin (the database refuses it too);
//   - nobody changes their own account here, and nobody manages an account that holds a
//     role ranked as high as their own (peers and superiors are the platform's).
package staff

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/httpx"
)

// Role is an entry of the role catalogue (table roles).
type Role struct {
	Key    string `db:"key"`
	Level  string `db:"level"` // platform, county, township or village
	Rank   int    `db:"rank"`
	NameZH string `db:"name_zh"`
	NameEN string `db:"name_en"`
}

// Name is the role's name in the caller's language.
func (r Role) Name(en bool) string {
	if en {
		return r.NameEN
	}
	return r.NameZH
}

// Division is the part of a division user management needs.
type Division struct {
	Code       string `db:"code"`
	Level      string `db:"level"`
	CountyCode string `db:"county_code"`
	Name       string `db:"name"`
	Status     string `db:"status"`
}

// splitRoles are the three-way split's roles: one account holds at most one of them.
func splitRoles() []string { return []string{"county_admin", "security_admin", "audit_admin"} }

// User is a staff account as the API shows it. The phone is only ever shown masked.
type User struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	DisplayName        string     `json:"display_name"`
	PhoneMasked        string     `json:"phone_masked"`
	CountyCode         string     `json:"county_code"`
	DivisionCode       string     `json:"division_code"`
	DivisionName       string     `json:"division_name"`
	Status             string     `json:"status"` // active or disabled
	Locked             bool       `json:"locked"`
	LockedUntil        *time.Time `json:"locked_until,omitempty"`
	MustChangePassword bool       `json:"must_change_password"`
	TOTPEnabled        bool       `json:"totp_enabled"`
	Roles              []UserRole `json:"roles"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// UserRole is one role an account holds at one division.
type UserRole struct {
	RoleKey      string `json:"role_key" db:"role_key"`
	RoleName     string `json:"role_name" db:"-"`
	DivisionCode string `json:"division_code" db:"division_code"`
	DivisionName string `json:"division_name" db:"division_name"`
}

// GrantableRole is a role the caller may grant, for the grant dialog.
type GrantableRole struct {
	Key   string `json:"key"`
	Level string `json:"level"`
	Rank  int    `json:"rank"`
	Name  string `json:"name"`
}

// actor is the caller as user management sees them.
type actor struct {
	p        access.Principal
	platform bool // a platform administrator, acting in some county on its admin accounts
	rank     int  // the highest rank the caller holds
}

func newActor(p access.Principal, roles map[string]Role) actor {
	a := actor{p: p, platform: p.CountyCode == access.PlatformDomain}
	for _, as := range p.Roles {
		a.rank = max(a.rank, roles[as.RoleKey].Rank)
	}
	return a
}

// mayGrant says whether the actor may grant (or revoke) role at all, wherever.
func (a actor) mayGrant(r Role) bool {
	if r.Key == "platform_admin" {
		return false
	}
	if a.platform {
		return slices.Contains(splitRoles(), r.Key)
	}
	return r.Rank < a.rank
}

// rankOf is the highest rank among assignments.
func rankOf(assignments []UserRole, roles map[string]Role) int {
	rank := 0
	for _, as := range assignments {
		rank = max(rank, roles[as.RoleKey].Rank)
	}
	return rank
}

// holdsSplitRole tells whether an account holds one of the three-way split's roles: the
// accounts a platform administrator sees in a county.
func holdsSplitRole(assignments []UserRole) bool {
	for _, as := range assignments {
		if slices.Contains(splitRoles(), as.RoleKey) {
			return true
		}
	}
	return false
}

// levelFits checks that a role is granted at a division of its level.
func levelFits(r Role, d Division) error {
	if r.Level == d.Level {
		return nil
	}
	return httpx.Msg(http.StatusBadRequest, "role_level_mismatch",
		fmt.Sprintf("“%s”须授予在%s级区划，而 %s（%s）是%s级", r.NameZH, levelZH(r.Level), d.Code, d.Name, levelZH(d.Level)),
		fmt.Sprintf("%s must be granted at a %s; %s (%s) is a %s", r.NameEN, r.Level, d.Code, d.Name, d.Level)).
		WithDetails(map[string]any{"field": "division_code", "role_key": r.Key, "division_code": d.Code})
}

// splitConflict returns the split role that granting key would combine with, or "".
func splitConflict(held []string, key string) string {
	if !slices.Contains(splitRoles(), key) {
		return ""
	}
	for _, h := range held {
		if h != key && slices.Contains(splitRoles(), h) {
			return h
		}
	}
	return ""
}

func levelZH(level string) string {
	switch level {
	case "county":
		return "县"
	case "township":
		return "乡镇（街道）"
	case "village":
		return "村（社区）"
	case "platform":
		return "平台"
	}
	return level
}
