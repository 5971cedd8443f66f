package staff

import (
	"errors"
	"strings"
	"testing"

	"dibao/backend/internal/access"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
)

func catalogue() map[string]Role {
	rs := []Role{
		{"platform_admin", "platform", 100, "平台管理员", "Platform administrator"},
		{"county_admin", "county", 90, "县民政局系统管理员", "County system administrator"},
		{"security_admin", "county", 80, "安全管理员", "Security administrator"},
		{"audit_admin", "county", 80, "审计管理员", "Audit administrator"},
		{"county_approver", "county", 70, "县民政局审批人员", "County approving officer"},
		{"township_leader", "township", 50, "乡镇分管领导", "Township leader"},
		{"village_worker", "village", 20, "村(社区)低保工作小组成员", "Village worker"},
	}
	out := map[string]Role{}
	for _, r := range rs {
		out[r.Key] = r
	}
	return out
}

func principal(county string, roles ...string) access.Principal {
	p := access.Principal{UserID: 1, CountyCode: county}
	for _, r := range roles {
		p.Roles = append(p.Roles, access.Assignment{RoleKey: r, DivisionCode: county})
	}
	return p
}

func TestWhoMayGrantWhat(t *testing.T) {
	roles := catalogue()
	admin := newActor(principal("330523", "county_admin"), roles)
	security := newActor(principal("330523", "security_admin"), roles)
	platform := newActor(principal(access.PlatformDomain, "platform_admin"), roles)
	cases := []struct {
		who  actor
		role string
		ok   bool
	}{
		{admin, "platform_admin", false},
		{admin, "county_admin", false}, // not a peer
		{admin, "security_admin", true},
		{admin, "audit_admin", true},
		{admin, "village_worker", true},
		{security, "security_admin", false},
		{security, "county_approver", true}, // by rank; user:manage is what stops it
		{platform, "platform_admin", false},
		{platform, "county_admin", true},
		{platform, "audit_admin", true},
		{platform, "county_approver", false},
		{platform, "village_worker", false},
	}
	for _, tc := range cases {
		if got := tc.who.mayGrant(roles[tc.role]); got != tc.ok {
			t.Errorf("%v grants %s: %v", tc.who.p.Roles, tc.role, got)
		}
	}
}

func TestRoleLevelMustFitDivision(t *testing.T) {
	roles := catalogue()
	county := Division{Code: "330523", Level: "county", Name: "安吉县"}
	township := Division{Code: "330523101", Level: "township", Name: "梅溪镇"}
	village := Division{Code: "330523101201", Level: "village", Name: "梅溪村"}
	if levelFits(roles["county_approver"], county) != nil || levelFits(roles["township_leader"], township) != nil ||
		levelFits(roles["village_worker"], village) != nil {
		t.Error("a fitting level was refused")
	}
	err := levelFits(roles["village_worker"], township)
	var he *httpx.Error
	if !errors.As(err, &he) || he.Status != 400 || he.Code != "role_level_mismatch" || he.Details["field"] != "division_code" {
		t.Fatalf("village role at a township: %v", err)
	}
	if zh := he.Args[0].(httpx.Text).ZH; !strings.Contains(zh, "梅溪镇") || !strings.Contains(zh, "村（社区）") {
		t.Errorf("message %q", zh)
	}
}

func TestSplitConflict(t *testing.T) {
	for _, tc := range []struct {
		held []string
		key  string
		want string
	}{
		{nil, "county_admin", ""},
		{[]string{"county_admin"}, "security_admin", "county_admin"},
		{[]string{"county_admin"}, "audit_admin", "county_admin"},
		{[]string{"security_admin"}, "audit_admin", "security_admin"},
		{[]string{"audit_admin"}, "county_admin", "audit_admin"},
		{[]string{"county_admin"}, "county_approver", ""},
		{[]string{"county_approver", "inspector"}, "security_admin", ""},
		{[]string{"security_admin"}, "security_admin", ""}, // the same role elsewhere is no split
	} {
		if got := splitConflict(tc.held, tc.key); got != tc.want {
			t.Errorf("%v + %s: %q, want %q", tc.held, tc.key, got, tc.want)
		}
	}
}

func TestOneTimePasswordsAreStrongAndReadable(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p, err := oneTimePassword()
		if err != nil {
			t.Fatal(err)
		}
		if !identity.PasswordStrongEnough(p) || len(p) != 14 || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("password %q", p)
		}
		seen[p] = true
	}
}

func TestValidation(t *testing.T) {
	for _, ok := range []string{"ax.li", "wang-01", "u_9x"} {
		if checkUsername(ok) != nil {
			t.Errorf("username %q refused", ok)
		}
	}
	for _, bad := range []string{"", "ab", "Ax.li", ".li", "李四", strings.Repeat("a", 51)} {
		if checkUsername(bad) == nil {
			t.Errorf("username %q accepted", bad)
		}
	}
	if checkPhone("") != nil || checkPhone("13812345678") != nil || checkPhone("1381234567") == nil || checkPhone("23812345678") == nil {
		t.Error("phone rule")
	}
	if checkDivisionCode("d", "330523101201") != nil || checkDivisionCode("d", "3305231") == nil || checkDivisionCode("d", "") == nil {
		t.Error("division rule")
	}
	if checkDisplayName(strings.Repeat("张", 50)) != nil || checkDisplayName(strings.Repeat("张", 51)) == nil {
		t.Error("name length counts characters")
	}
}
