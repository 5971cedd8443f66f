// Package access decides who may do what where. Roles are held at divisions and cover
// every division below them; permissions are granted to roles. The decisions are Casbin's
// (RBAC with domains, model.conf), with permissions and assignments stored in PostgreSQL
// and loaded per county; see docs/access-control.md.
package access

import "strings"

// PlatformDomain is the pseudo-division of the platform, where platform_admin is held:
// apart from every county, it covers none of them.
const PlatformDomain = "000000"

// Assignment is one role held at one division (PlatformDomain for the platform).
type Assignment struct {
	RoleKey      string `json:"role_key" db:"role_key"`
	DivisionCode string `json:"division_code" db:"division_code"`
}

// Domain is the Casbin domain of the assignment.
func (a Assignment) Domain() string { return a.DivisionCode }

// Principal is the signed-in user as the use cases see them.
type Principal struct {
	UserID       int64
	Username     string
	DisplayName  string
	CountyCode   string // PlatformDomain for platform staff
	DivisionCode string // PlatformDomain for platform staff
	Roles        []Assignment
}

// Covers reports whether a role held at holder applies to work in division target:
// a division covers itself and every division whose code it prefixes.
func Covers(holder, target string) bool {
	return holder != "" && strings.HasPrefix(target, holder)
}
