package access

import (
	"slices"
	"strings"
	"testing"
)

func TestCovers(t *testing.T) {
	cases := []struct {
		holder, target string
		want           bool
	}{
		{"330523", "330523101201", true},
		{"330523", "330523", true},
		{"330523101", "330523101201", true},
		{"330523101", "330523102201", false},
		{"330523", "330522101", false},
		{"330523101201", "330523101", false},
		{"", "330523", false},
		{"330523", "", false},
		{PlatformDomain, "330523", false},
		{PlatformDomain, PlatformDomain, true},
		{"330523", PlatformDomain, false},
	}
	for _, c := range cases {
		if got := Covers(c.holder, c.target); got != c.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", c.holder, c.target, got, c.want)
		}
	}
}

func TestPolicyAllowed(t *testing.T) {
	pol, err := NewPolicy()
	if err != nil {
		t.Fatal(err)
	}
	clerk := Principal{Roles: []Assignment{{"township_caseworker", "330523101"}}}
	if !pol.Allowed(clerk, "330523101201", "case", "accept") {
		t.Error("a township caseworker cannot accept a case in a village of the township")
	}
	if pol.Allowed(clerk, "330523102201", "case", "accept") {
		t.Error("a township caseworker can act in a sibling township")
	}
	if pol.Allowed(clerk, "330523101201", "case", "decide") {
		t.Error("a township caseworker can decide a case")
	}
	village := Principal{Roles: []Assignment{{"village_worker", "330523101201"}}}
	if pol.Allowed(village, "330523101201", "case", "decide") {
		t.Error("a village worker can decide a case")
	}
	platform := Principal{Roles: []Assignment{{"platform_admin", PlatformDomain}}}
	if !pol.Allowed(platform, PlatformDomain, "platform", "health") {
		t.Error("the platform admin cannot see platform health")
	}
	if pol.Allowed(platform, "330523101", "household", "read") {
		t.Error("the platform admin can read case data by default")
	}
}

func TestPermissionsAreUniqueAndSorted(t *testing.T) {
	pol, err := NewPolicy()
	if err != nil {
		t.Fatal(err)
	}
	got := pol.Permissions([]Assignment{{"inspector", "330523"}, {"inspector", "330522"}})
	if !slices.IsSorted(got) || !slices.Contains(got, "audit:read") || slices.Contains(got, "case:decide") {
		t.Fatalf("inspector permissions = %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("duplicate permission %s", got[i])
		}
	}
	for _, role := range []string{"platform_admin", "county_admin", "county_approver", "township_leader",
		"township_caseworker", "finance_officer", "village_worker", "inspector", "security_admin", "audit_admin"} {
		if !slices.Contains(pol.Roles(), role) {
			t.Errorf("role %s has no permissions in policy.csv", role)
		}
	}
}

func TestParsePolicyCSV(t *testing.T) {
	ok, err := ParsePolicyCSV("# comment\n\np, inspector, case, read\np,village_worker,case,submit\n")
	if err != nil || len(ok) != 2 || ok[1] != (Permission{"village_worker", "case", "submit"}) {
		t.Fatalf("%v %v", ok, err)
	}
	for _, bad := range []string{
		"p, inspector, case",                                 // too short
		"g, u:1, inspector, 330523",                          // assignments are not policy.csv's
		"p, Inspector, case, read",                           // not a key
		"p, inspector, case, read\np, inspector, case, read", // repeated
	} {
		if _, err := ParsePolicyCSV(bad); err == nil || !strings.Contains(err.Error(), "policy.csv line") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestSystemAdminsAreSplit: 等保 three-way split: the security and audit administrators
// hold nothing of the county admin's and nothing of each other's.
func TestSystemAdminsAreSplit(t *testing.T) {
	pol, err := NewPolicy()
	if err != nil {
		t.Fatal(err)
	}
	exclusive := map[string]string{"user:manage": "county_admin", "security:manage": "security_admin", "audit:verify": "audit_admin"}
	for perm, owner := range exclusive {
		for _, role := range []string{"county_admin", "security_admin", "audit_admin"} {
			has := slices.Contains(pol.Permissions([]Assignment{{role, "330523"}}), perm)
			if has != (role == owner) {
				t.Errorf("%s has %s: %v", role, perm, has)
			}
		}
	}
}
