// Package access decides who may do what where. Roles are held at divisions and cover
// every division below them; permissions are granted to roles (Casbin policy).
package access

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

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

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Policy answers role-permission questions from the embedded Casbin model and policy.
type Policy struct {
	enforcer *casbin.SyncedCachedEnforcer
	byRole   map[string][]string
}

// NewPolicy loads the model and the policy file.
func NewPolicy() (*Policy, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("access: model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("access: enforcer: %w", err)
	}
	byRole := map[string][]string{}
	for i, line := range strings.Split(policyText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		if len(f) != 4 || f[0] != "p" {
			return nil, fmt.Errorf("access: policy.csv line %d: want p, role, object, action", i+1)
		}
		if _, err := e.AddPolicy(f[1], f[2], f[3]); err != nil {
			return nil, fmt.Errorf("access: policy.csv line %d: %w", i+1, err)
		}
		byRole[f[1]] = append(byRole[f[1]], f[2]+":"+f[3])
	}
	return &Policy{enforcer: e, byRole: byRole}, nil
}

// Allowed reports whether p may do act on obj in division (PlatformDomain for the platform).
func (pol *Policy) Allowed(p Principal, division, obj, act string) bool {
	for _, a := range p.Roles {
		if !Covers(a.Domain(), division) {
			continue
		}
		if ok, err := pol.enforcer.Enforce(a.RoleKey, obj, act); err == nil && ok {
			return true
		}
	}
	return false
}

// Permissions lists the "object:action" permissions of the given roles, sorted and unique.
func (pol *Policy) Permissions(roles []Assignment) []string {
	set := map[string]bool{}
	for _, a := range roles {
		for _, perm := range pol.byRole[a.RoleKey] {
			set[perm] = true
		}
	}
	out := make([]string, 0, len(set))
	for perm := range set {
		out = append(out, perm)
	}
	sort.Strings(out)
	return out
}

// Roles lists the role keys the policy knows.
func (pol *Policy) Roles() []string {
	out := make([]string, 0, len(pol.byRole))
	for r := range pol.byRole {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
