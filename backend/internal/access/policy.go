package access

import (
	"context"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"
)

// policyText is the one readable list of permissions: role, object, action. Migrations
// copy it into role_permissions (a test fails when the two differ).
//
//go:embed policy.csv
var policyText string

// Permission is one action on one kind of object granted to a role.
type Permission struct {
	RoleKey string `db:"role_key"`
	Object  string `db:"object"`
	Action  string `db:"action"`
}

// String is the "object:action" form the API and the SPA use.
func (p Permission) String() string { return p.Object + ":" + p.Action }

// ParsePolicyCSV reads "p, role, object, action" lines; blank lines and # comments are skipped.
func ParsePolicyCSV(text string) ([]Permission, error) {
	var out []Permission
	seen := map[Permission]bool{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		if len(f) != 4 || f[0] != "p" || !isKey(f[1]) || !isKey(f[2]) || !isKey(f[3]) {
			return nil, fmt.Errorf("access: policy.csv line %d: want p, role, object, action (lower-case keys), got %q", i+1, line)
		}
		p := Permission{RoleKey: f[1], Object: f[2], Action: f[3]}
		if seen[p] {
			return nil, fmt.Errorf("access: policy.csv line %d: %s %s repeated", i+1, p.RoleKey, p)
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, nil
}

// EmbeddedPermissions is the content of policy.csv.
func EmbeddedPermissions() ([]Permission, error) { return ParsePolicyCSV(policyText) }

func isKey(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// Policy answers which permissions roles carry, for /me and the SPA's menus. Decisions
// are the Authorizer's; both read role_permissions.
type Policy struct {
	byRole map[string][]string
	perms  []Permission
}

// NewPolicy builds a Policy from the embedded policy.csv, for tests without a database.
// The server uses LoadPolicy.
func NewPolicy() (*Policy, error) {
	perms, err := EmbeddedPermissions()
	if err != nil {
		return nil, err
	}
	return newPolicy(perms), nil
}

// LoadPolicy reads role_permissions, the table the enforcers load their p lines from.
func LoadPolicy(ctx context.Context, conn *sqlx.DB) (*Policy, error) {
	perms, err := loadPermissions(ctx, conn)
	if err != nil {
		return nil, err
	}
	return newPolicy(perms), nil
}

func loadPermissions(ctx context.Context, q sqlx.QueryerContext) ([]Permission, error) {
	var perms []Permission
	if err := sqlx.SelectContext(ctx, q, &perms,
		`SELECT role_key, object, action FROM role_permissions ORDER BY role_key, object, action`); err != nil {
		return nil, fmt.Errorf("access: read role_permissions: %w", err)
	}
	return perms, nil
}

func newPolicy(perms []Permission) *Policy {
	byRole := map[string][]string{}
	for _, p := range perms {
		byRole[p.RoleKey] = append(byRole[p.RoleKey], p.String())
	}
	for _, list := range byRole {
		sort.Strings(list)
	}
	return &Policy{byRole: byRole, perms: perms}
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

// Has reports whether role carries obj:act.
func (pol *Policy) Has(role, obj, act string) bool {
	perm := obj + ":" + act
	for _, p := range pol.byRole[role] {
		if p == perm {
			return true
		}
	}
	return false
}

// Allowed decides from the principal's own assignments (loaded with the request) and this
// policy, without Casbin or a database: for unit tests of use cases. The server decides
// with the Authorizer.
func (pol *Policy) Allowed(p Principal, division, obj, act string) bool {
	for _, a := range p.Roles {
		if Covers(a.Domain(), division) && pol.Has(a.RoleKey, obj, act) {
			return true
		}
	}
	return false
}

// Check adapts Policy to Checker (unit tests).
func (pol *Policy) Check() Checker { return policyChecker{pol} }

type policyChecker struct{ pol *Policy }

func (c policyChecker) Allowed(_ context.Context, p Principal, division, obj, act string) bool {
	return c.pol.Allowed(p, division, obj, act)
}

// InvalidateCounty implements Invalidator for unit tests: Policy caches no assignments.
// The server's Invalidator is the Authorizer.
func (pol *Policy) InvalidateCounty(context.Context, string) error { return nil }
