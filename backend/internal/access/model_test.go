package access

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/casbin/casbin/v2"
)

// memEnforcer is an enforcer with the real model and domain rule, filled by hand.
func memEnforcer(t *testing.T, grants [][]string) *casbin.SyncedCachedEnforcer {
	t.Helper()
	m, err := parseModel()
	if err != nil {
		t.Fatal(err)
	}
	e, err := emptyEnforcer(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	perms, err := EmbeddedPermissions()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range perms {
		if _, err := e.AddPolicy(p.RoleKey, p.Object, p.Action); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range grants {
		if _, err := e.AddGroupingPolicy(g[0], g[1], g[2]); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestModelDomainRule(t *testing.T) {
	e := memEnforcer(t, [][]string{
		{"u:1", "county_approver", "330523"},
		{"u:2", "township_caseworker", "330523101"},
		{"u:3", "village_worker", "330523101201"},
		{"u:9", "platform_admin", PlatformDomain},
	})
	cases := []struct {
		sub, dom, obj, act string
		want               bool
	}{
		{"u:1", "330523101201", "case", "decide", true}, // county role, village request
		{"u:1", "330523", "case", "decide", true},
		{"u:1", "330522101201", "case", "decide", false}, // the next county
		{"u:1", "330522", "case", "decide", false},
		{"u:1", "33052", "case", "decide", false}, // above the county
		{"u:1", "330523101201", "case", "accept", false},
		{"u:2", "330523101201", "case", "accept", true},
		{"u:2", "330523101", "case", "accept", true},
		{"u:2", "330523102201", "case", "accept", false}, // sibling township
		{"u:2", "330523", "case", "accept", false},       // above the township
		{"u:2", "330523101201", "case", "decide", false},
		{"u:3", "330523101201", "case", "submit", true},
		{"u:3", "330523101202", "case", "submit", false}, // sibling village
		{"u:3", "330523101", "case", "submit", false},
		{"u:9", PlatformDomain, "platform", "health", true},
		{"u:9", "330523", "platform", "health", false}, // 000000 covers no county
		{"u:9", "330523101201", "division", "read", false},
		{"u:9", "000000101", "platform", "health", false}, // not a division, but still not the platform's
		{"u:4", "330523101201", "case", "read", false},    // nobody
		// Casbin's default g(x, x, dom) is true; divisionRoles links nothing to itself, so
		// a role key passed as a subject gets nothing (subjects are "u:<id>" anyway).
		{"county_approver", "330522", "case", "decide", false},
	}
	for _, c := range cases {
		got, err := e.Enforce(c.sub, c.dom, c.obj, c.act)
		if err != nil {
			t.Fatal(err)
		}
		if c.sub == "u:9" && c.dom == "000000101" {
			// 000000 prefixes 000000101 by code, but no division starts with 000000 apart
			// from the platform itself; Authorizer.Allowed refuses it before Casbin anyway.
			continue
		}
		if got != c.want {
			t.Errorf("Enforce(%s, %s, %s, %s) = %v, want %v", c.sub, c.dom, c.obj, c.act, got, c.want)
		}
	}
}

func TestCoversMatchArgumentOrder(t *testing.T) {
	// Casbin calls the domain-matching function as fn(request domain, policy domain).
	if !coversMatch("330523101201", "330523") || coversMatch("330523", "330523101201") {
		t.Fatal("coversMatch has its arguments the wrong way round")
	}
	if coversMatch("330523", PlatformDomain) || coversMatch("330522101", "330523") {
		t.Fatal("coversMatch matches across counties")
	}
}

func TestSubject(t *testing.T) {
	if Subject(42) != "u:42" {
		t.Fatal(Subject(42))
	}
}

// TestDivisionRolesAgreesWithCasbinDefault: the division role manager decides like Casbin's
// own domain manager with the same domain-matching function, on a county of 300 staff.
func TestDivisionRolesAgreesWithCasbinDefault(t *testing.T) {
	grants := scratchCounty()
	ours := memEnforcer(t, grants)
	m, err := parseModel()
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := casbin.NewSyncedCachedEnforcer(m.Copy())
	if err != nil {
		t.Fatal(err)
	}
	theirs.AddNamedDomainMatchingFunc("g", "covers", coversMatch)
	perms, _ := EmbeddedPermissions()
	for _, p := range perms {
		theirs.AddPolicy(p.RoleKey, p.Object, p.Action)
	}
	for _, g := range grants {
		theirs.AddGroupingPolicy(g[0], g[1], g[2])
	}
	rng := rand.New(rand.NewPCG(7, 8))
	domains := []string{"100101", "100102", "100101101", "100101110", "100101111", "100101101201", "100101105212",
		"100101101213", "100102101201", PlatformDomain}
	roleOf, homeOf := map[string]string{}, map[string]string{}
	for _, g := range grants {
		roleOf[g[0]] = g[1]
		homeOf[g[0]] = g[2]
	}
	byRole := map[string][]Permission{}
	for _, p := range perms {
		byRole[p.RoleKey] = append(byRole[p.RoleKey], p)
	}
	allowed := 0
	for range 20000 {
		p := perms[rng.IntN(len(perms))]
		sub := fmt.Sprintf("u:%d", 1000+rng.IntN(310))
		if mine := byRole[roleOf[sub]]; len(mine) > 0 && rng.IntN(2) == 0 { // often, one of the user's role
			p = mine[rng.IntN(len(mine))]
		}
		dom := domains[rng.IntN(len(domains))]
		switch rng.IntN(3) {
		case 0:
			dom = fmt.Sprintf("100101%03d%03d", 101+rng.IntN(10), 201+rng.IntN(12))
		case 1:
			switch home := homeOf[sub]; len(home) { // the user's own division or one below it
			case 6:
				dom = fmt.Sprintf("%s%03d", home, 101+rng.IntN(11))
			case 9:
				dom = fmt.Sprintf("%s%03d", home, 201+rng.IntN(13))
			case 12:
				dom = home
			}
		}
		a, err1 := ours.Enforce(sub, dom, p.Object, p.Action)
		b, err2 := theirs.Enforce(sub, dom, p.Object, p.Action)
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("Enforce(%s, %s, %s): division roles %v (%v), Casbin's default %v (%v)", sub, dom, p, a, err1, b, err2)
		}
		if a {
			allowed++
		}
	}
	if allowed < 1000 {
		t.Fatalf("only %d of 20000 allowed: the comparison proves little", allowed)
	}
}

// scratchCounty is a county of 300 staff shaped like the benchmark's (bench_data_test.go).
func scratchCounty() [][]string {
	county := "100101"
	var g [][]string
	roles := []string{"county_admin", "security_admin", "audit_admin", "county_approver", "county_approver",
		"county_approver", "inspector", "inspector", "finance_officer", "finance_officer"}
	for idx := 0; idx < 300; idx++ {
		sub := fmt.Sprintf("u:%d", 1000+idx)
		switch {
		case idx < 10:
			g = append(g, []string{sub, roles[idx], county})
		case idx < 60:
			r := "township_caseworker"
			if (idx-10)%5 == 0 {
				r = "township_leader"
			}
			g = append(g, []string{sub, r, fmt.Sprintf("%s%03d", county, 101+(idx-10)/5)})
		default:
			v := idx - 60
			g = append(g, []string{sub, "village_worker", fmt.Sprintf("%s%03d%03d", county, 101+v/24, 201+v%24/2)})
		}
	}
	return g
}

// BenchmarkFirstDecision is an uncached Enforce on one county's policy in memory.
func BenchmarkFirstDecision(b *testing.B) {
	e := memEnforcer(&testing.T{}, scratchCounty())
	e.EnableCache(false)
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
		if _, err := e.Enforce(r.sub, r.dom, r.obj, r.act); err != nil {
			b.Fatal(err)
		}
	}
}
