package access

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDeciderAgreesWithEnforceOnRoleChains: the decider follows g the way Casbin's g()
// does (HasLink: through roles held by roles, at covering domains, to the same depth), not
// only the one-step assignments user_roles makes today. Random g lines mix users holding
// roles with roles holding roles (cycles included) at divisions of every level.
func TestDeciderAgreesWithEnforceOnRoleChains(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	perms, err := EmbeddedPermissions()
	if err != nil {
		t.Fatal(err)
	}
	roles := []string{}
	seen := map[string]bool{}
	for _, p := range perms {
		if !seen[p.RoleKey] {
			seen[p.RoleKey] = true
			roles = append(roles, p.RoleKey)
		}
	}
	// Roles that carry nothing themselves, reached only through others.
	roles = append(roles, "group_a", "group_b", "group_c")
	domains := []string{"100101", "100101101", "100101102", "100101101201", "100101101202", "100101102201", PlatformDomain}
	var grants [][]string
	for u := range 60 {
		for range 1 + rng.IntN(2) {
			grants = append(grants, []string{fmt.Sprintf("u:%d", u), roles[rng.IntN(len(roles))], domains[rng.IntN(len(domains))]})
		}
	}
	for range 25 { // role → role, including cycles
		grants = append(grants, []string{roles[rng.IntN(len(roles))], roles[rng.IntN(len(roles))], domains[rng.IntN(len(domains))]})
	}
	e := memEnforcer(t, dedupe(grants))
	d, err := newDecider(e)
	if err != nil {
		t.Fatal(err)
	}
	allowed := 0
	const requests = 20_000
	for range requests {
		sub := fmt.Sprintf("u:%d", rng.IntN(62))
		if rng.IntN(10) == 0 {
			sub = roles[rng.IntN(len(roles))] // a role asked as a subject
		}
		dom := domains[rng.IntN(len(domains))]
		p := perms[rng.IntN(len(perms))]
		want, err := e.Enforce(sub, dom, p.Object, p.Action)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.allowed(sub, dom, p.Object, p.Action); got != want {
			t.Fatalf("%s in %s, %s: decider %v, Enforce %v (g lines %v)", sub, dom, p, got, want, grants)
		}
		if want {
			allowed++
		}
	}
	if allowed < requests/20 {
		t.Fatalf("only %d of %d allowed: the comparison proves little", allowed, requests)
	}
	t.Logf("%d of %d allowed", allowed, requests)
}

func dedupe(lines [][]string) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, l := range lines {
		k := fmt.Sprint(l)
		if !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	return out
}

// TestDeciderAllocatesNothing: a decision is a walk over the user's links and map lookups.
func TestDeciderAllocatesNothing(t *testing.T) {
	e := memEnforcer(t, scratchCounty())
	d, err := newDecider(e)
	if err != nil {
		t.Fatal(err)
	}
	if !d.allowed("u:1016", "100101102201", "case", "accept") {
		t.Fatal("a caseworker of 100101102 cannot accept a case in one of its villages")
	}
	if n := testing.AllocsPerRun(1000, func() { d.allowed("u:1016", "100101102201", "case", "accept") }); n != 0 {
		t.Fatalf("%.0f allocations per decision", n)
	}
}

// BenchmarkDecider is a decision on one county's policy in memory (compare
// BenchmarkFirstDecision, Casbin's Enforce without its cache).
func BenchmarkDecider(b *testing.B) {
	e := memEnforcer(&testing.T{}, scratchCounty())
	d, err := newDecider(e)
	if err != nil {
		b.Fatal(err)
	}
	perms, _ := EmbeddedPermissions()
	rng := rand.New(rand.NewPCG(1, 2))
	type req struct{ sub, dom, obj, act string }
	reqs := make([]req, 4096)
	for i := range reqs {
		p := perms[rng.IntN(len(perms))]
		reqs[i] = req{fmt.Sprintf("u:%d", 1000+rng.IntN(300)), fmt.Sprintf("100101%03d%03d", 101+rng.IntN(10), 201+rng.IntN(12)), p.Object, p.Action}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reqs[i%len(reqs)]
		d.allowed(r.sub, r.dom, r.obj, r.act)
	}
}
