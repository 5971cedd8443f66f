package access

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// docRoles are the columns of the role × action table, in the catalogue's order of rank
// (0001_tenancy_identity.sql), with the short names a reader knows them by.
var docRoles = []struct{ key, short string }{
	{"platform_admin", "平台管理员<br>`platform_admin`"},
	{"county_admin", "县系统管理员<br>`county_admin`"},
	{"security_admin", "安全管理员<br>`security_admin`"},
	{"audit_admin", "审计管理员<br>`audit_admin`"},
	{"county_approver", "县审批<br>`county_approver`"},
	{"inspector", "纪检监督<br>`inspector`"},
	{"finance_officer", "财政<br>`finance_officer`"},
	{"township_leader", "乡镇领导<br>`township_leader`"},
	{"township_caseworker", "乡镇经办<br>`township_caseworker`"},
	{"village_worker", "村工作组<br>`village_worker`"},
}

// roleActionTable renders policy.csv as a markdown table: one row per object:action, one
// column per role.
func roleActionTable(perms []Permission) string {
	var actions []string
	has := map[string]bool{}
	for _, p := range perms {
		if !slices.Contains(actions, p.String()) {
			actions = append(actions, p.String())
		}
		has[p.RoleKey+" "+p.String()] = true
	}
	slices.Sort(actions)
	var b strings.Builder
	b.WriteString("| object:action |")
	for _, r := range docRoles {
		b.WriteString(" " + r.short + " |")
	}
	b.WriteString("\n|---|")
	for range docRoles {
		b.WriteString(":-:|")
	}
	b.WriteString("\n")
	for _, a := range actions {
		b.WriteString("| `" + a + "` |")
		for _, r := range docRoles {
			if has[r.key+" "+a] {
				b.WriteString(" ✓ |")
			} else {
				b.WriteString("   |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

const (
	tableStart = "<!-- role-action-table:start (generated from internal/access/policy.csv; DIBAO_UPDATE_DOCS=1 go test ./internal/access -run DocTable) -->\n"
	tableEnd   = "<!-- role-action-table:end -->"
)

// TestAccessControlDocTableIsCurrent fails when docs/access-control.md's table differs from
// policy.csv. DIBAO_UPDATE_DOCS=1 rewrites it.
func TestAccessControlDocTableIsCurrent(t *testing.T) {
	perms, err := EmbeddedPermissions()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range perms {
		if !slices.ContainsFunc(docRoles, func(r struct{ key, short string }) bool { return r.key == p.RoleKey }) {
			t.Fatalf("policy.csv names role %s, which has no column in the table (docRoles)", p.RoleKey)
		}
	}
	path := filepath.Join("..", "..", "..", "docs", "access-control.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, tableStart)
	j := strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: the table markers are missing", path)
	}
	want := roleActionTable(perms)
	if doc[i+len(tableStart):j] == want {
		return
	}
	if os.Getenv("DIBAO_UPDATE_DOCS") == "1" {
		doc = doc[:i+len(tableStart)] + want + doc[j:]
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the table in %s", path)
		return
	}
	t.Fatalf("the role × action table in docs/access-control.md is out of date with policy.csv; regenerate it:\n" +
		"  cd backend && DIBAO_UPDATE_DOCS=1 go test ./internal/access -run DocTable")
}

func TestRoleActionTableShape(t *testing.T) {
	got := roleActionTable([]Permission{{"inspector", "case", "read"}, {"village_worker", "case", "read"}, {"village_worker", "case", "submit"}})
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[2], "| `case:read` |") || strings.Count(lines[2], "✓") != 2 ||
		strings.Count(lines[3], "✓") != 1 {
		t.Fatalf("table:\n%s", got)
	}
}
