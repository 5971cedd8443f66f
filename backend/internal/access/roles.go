package access

import (
	"slices"
	"sync"

	"github.com/casbin/casbin/v2/log"
	"github.com/casbin/casbin/v2/rbac"
)

// divisionRoles is the role manager of g: who holds which role at which division.
//
// Casbin's default domain manager keeps one role graph per domain and copies the links of
// every covering domain into each (a county with 131 divisions held about 2.6 MB and took
// up to 60 ms to build; a first decision took ~50 µs). Here a subject's links are one short
// list, and a link applies to a request's domain when the domain-matching function
// registered with AddNamedDomainMatchingFunc (coversMatch: code prefixes) says so. The
// semantics are Casbin's RBAC with domains, with one difference on purpose: a name is not
// linked to itself (Casbin's g(x, x, d) is true), so only user_roles grants anything.
type divisionRoles struct {
	mu       sync.RWMutex
	links    map[string][]roleLink // subject (user or role) → what it holds, where
	domainFn rbac.MatchingFunc     // request domain, link domain
	maxDepth int
}

type roleLink struct {
	role, domain string
}

var _ rbac.RoleManager = (*divisionRoles)(nil)

func newDivisionRoles() *divisionRoles {
	return &divisionRoles{links: map[string][]roleLink{}, maxDepth: 10}
}

// applies reports whether a link held at linkDomain applies to a request in domain.
func (r *divisionRoles) applies(linkDomain, domain string) bool {
	if linkDomain == domain {
		return true
	}
	return r.domainFn != nil && r.domainFn(domain, linkDomain)
}

func domainOf(domain []string) string {
	if len(domain) == 0 {
		return ""
	}
	return domain[0]
}

// Clear forgets every link.
func (r *divisionRoles) Clear() error {
	r.mu.Lock()
	r.links = map[string][]roleLink{}
	r.mu.Unlock()
	return nil
}

// AddLink records that name1 holds role name2 at the domain.
func (r *divisionRoles) AddLink(name1, name2 string, domain ...string) error {
	l := roleLink{role: name2, domain: domainOf(domain)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.links[name1], l) {
		r.links[name1] = append(r.links[name1], l)
	}
	return nil
}

// BuildRelationship is deprecated in Casbin and does nothing.
func (r *divisionRoles) BuildRelationship(string, string, ...string) error { return nil }

// DeleteLink removes a link.
func (r *divisionRoles) DeleteLink(name1, name2 string, domain ...string) error {
	l := roleLink{role: name2, domain: domainOf(domain)}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.links[name1] = slices.DeleteFunc(r.links[name1], func(x roleLink) bool { return x == l })
	if len(r.links[name1]) == 0 {
		delete(r.links, name1)
	}
	return nil
}

// HasLink reports whether name1 holds role name2 (directly or through roles it holds)
// at a division that covers the domain.
func (r *divisionRoles) HasLink(name1, name2 string, domain ...string) (bool, error) {
	d := domainOf(domain)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.hasLink(name1, name2, d, r.maxDepth), nil
}

func (r *divisionRoles) hasLink(name1, name2, domain string, depth int) bool {
	if depth <= 0 {
		return false
	}
	for _, l := range r.links[name1] {
		if !r.applies(l.domain, domain) {
			continue
		}
		if l.role == name2 || r.hasLink(l.role, name2, domain, depth-1) {
			return true
		}
	}
	return false
}

// anyRole reports whether visit says yes to a role that name holds in the domain, directly
// or through roles it holds: exactly the roles r for which HasLink(name, r, domain) is true
// (the same walk, the same depth limit), visited without building a list. The decisions use
// it (decide.go); visit runs under the read lock and must not call back into r.
func (r *divisionRoles) anyRole(name, domain string, visit func(role string) bool) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.walk(name, domain, r.maxDepth, visit)
}

func (r *divisionRoles) walk(name, domain string, depth int, visit func(role string) bool) bool {
	if depth <= 0 {
		return false
	}
	for _, l := range r.links[name] {
		if !r.applies(l.domain, domain) {
			continue
		}
		if visit(l.role) || r.walk(l.role, domain, depth-1, visit) {
			return true
		}
	}
	return false
}

// GetRoles lists the roles name holds directly that apply in the domain.
func (r *divisionRoles) GetRoles(name string, domain ...string) ([]string, error) {
	d := domainOf(domain)
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for _, l := range r.links[name] {
		if r.applies(l.domain, d) && !slices.Contains(out, l.role) {
			out = append(out, l.role)
		}
	}
	return out, nil
}

// GetUsers lists who holds role name directly, applying in the domain.
func (r *divisionRoles) GetUsers(name string, domain ...string) ([]string, error) {
	d := domainOf(domain)
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for sub, ls := range r.links {
		for _, l := range ls {
			if l.role == name && r.applies(l.domain, d) {
				out = append(out, sub)
				break
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// GetImplicitRoles lists the roles name holds directly or through other roles.
func (r *divisionRoles) GetImplicitRoles(name string, domain ...string) ([]string, error) {
	var out []string
	queue := []string{name}
	for depth := 0; depth < r.maxDepth && len(queue) > 0; depth++ {
		var next []string
		for _, n := range queue {
			roles, _ := r.GetRoles(n, domain...)
			for _, role := range roles {
				if !slices.Contains(out, role) {
					out = append(out, role)
					next = append(next, role)
				}
			}
		}
		queue = next
	}
	return out, nil
}

// GetImplicitUsers lists who holds role name directly or through other roles.
func (r *divisionRoles) GetImplicitUsers(name string, domain ...string) ([]string, error) {
	var out []string
	queue := []string{name}
	for depth := 0; depth < r.maxDepth && len(queue) > 0; depth++ {
		var next []string
		for _, n := range queue {
			users, _ := r.GetUsers(n, domain...)
			for _, u := range users {
				if !slices.Contains(out, u) {
					out = append(out, u)
					next = append(next, u)
				}
			}
		}
		queue = next
	}
	return out, nil
}

// GetDomains lists the divisions where name holds a role.
func (r *divisionRoles) GetDomains(name string) ([]string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for _, l := range r.links[name] {
		if !slices.Contains(out, l.domain) {
			out = append(out, l.domain)
		}
	}
	return out, nil
}

// GetAllDomains lists every division where someone holds a role.
func (r *divisionRoles) GetAllDomains() ([]string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := map[string]bool{}
	for _, ls := range r.links {
		for _, l := range ls {
			set[l.domain] = true
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	slices.Sort(out)
	return out, nil
}

// PrintRoles prints nothing: assignments are personal data and stay out of logs.
func (r *divisionRoles) PrintRoles() error { return nil }

// SetLogger is a no-op (see PrintRoles).
func (r *divisionRoles) SetLogger(log.Logger) {}

// Match applies the domain-matching function: does pattern (where a role is held) cover str?
func (r *divisionRoles) Match(str, pattern string) bool { return r.applies(pattern, str) }

// AddMatchingFunc would allow patterns in role names; roles here are plain keys.
func (r *divisionRoles) AddMatchingFunc(string, rbac.MatchingFunc) {}

// AddDomainMatchingFunc sets the domain rule (coversMatch).
func (r *divisionRoles) AddDomainMatchingFunc(_ string, fn rbac.MatchingFunc) {
	r.mu.Lock()
	r.domainFn = fn
	r.mu.Unlock()
}

// DeleteDomain removes every link held at the domain.
func (r *divisionRoles) DeleteDomain(domain string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for sub, ls := range r.links {
		ls = slices.DeleteFunc(ls, func(l roleLink) bool { return l.domain == domain })
		if len(ls) == 0 {
			delete(r.links, sub)
		} else {
			r.links[sub] = ls
		}
	}
	return nil
}
