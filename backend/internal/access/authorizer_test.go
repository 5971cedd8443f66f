package access_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/dbtest"
)

// TestRolePermissionsMatchPolicyCSV: policy.csv is the readable source; after every
// migration the table the enforcers load must say exactly the same.
func TestRolePermissionsMatchPolicyCSV(t *testing.T) {
	d := dbtest.New(t)
	want, err := access.EmbeddedPermissions()
	if err != nil {
		t.Fatal(err)
	}
	var got []access.Permission
	if err := d.Super.Select(&got, `SELECT role_key, object, action FROM role_permissions`); err != nil {
		t.Fatal(err)
	}
	key := func(p access.Permission) string { return p.RoleKey + "," + p.Object + "," + p.Action }
	inTable := map[string]bool{}
	for _, p := range got {
		inTable[key(p)] = true
	}
	inFile := map[string]bool{}
	var add, del []string
	for _, p := range want {
		inFile[key(p)] = true
		if !inTable[key(p)] {
			add = append(add, fmt.Sprintf("    ('%s', '%s', '%s')", p.RoleKey, p.Object, p.Action))
		}
	}
	for _, p := range got {
		if !inFile[key(p)] {
			del = append(del, fmt.Sprintf("    ('%s', '%s', '%s')", p.RoleKey, p.Object, p.Action))
		}
	}
	if len(add)+len(del) == 0 {
		return
	}
	sort.Strings(add)
	sort.Strings(del)
	var sql strings.Builder
	if len(add) > 0 {
		sql.WriteString("INSERT INTO role_permissions (role_key, object, action) VALUES\n" + strings.Join(add, ",\n") + ";\n")
	}
	if len(del) > 0 {
		sql.WriteString("DELETE FROM role_permissions WHERE (role_key, object, action) IN (\n" + strings.Join(del, ",\n") + ");\n")
	}
	t.Fatalf("role_permissions differs from internal/access/policy.csv: %d to add, %d to remove.\n"+
		"Before 0005_access.sql is committed, edit its INSERT; after, add a migration with:\n\n%s", len(add), len(del), sql.String())
}

func TestLoadPolicyReadsTheTable(t *testing.T) {
	d := dbtest.New(t)
	fromDB, err := access.LoadPolicy(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := access.NewPolicy()
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range embedded.Roles() {
		a := []access.Assignment{{RoleKey: role, DivisionCode: "330523"}}
		if !slices.Equal(fromDB.Permissions(a), embedded.Permissions(a)) {
			t.Errorf("%s: table %v, policy.csv %v", role, fromDB.Permissions(a), embedded.Permissions(a))
		}
	}
	// A permission added to the table (by a migration) shows in /me without a rebuild.
	d.Super.MustExec(`INSERT INTO role_permissions VALUES ('village_worker', 'notice', 'print')`)
	fromDB, err = access.LoadPolicy(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(fromDB.Permissions([]access.Assignment{{RoleKey: "village_worker"}}), "notice:print") {
		t.Fatal("LoadPolicy did not read role_permissions")
	}
}

func newAuthorizer(t *testing.T, d *dbtest.DB, cfg access.AuthorizerConfig) *access.Authorizer {
	t.Helper()
	cfg.DB = d.App
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	a, err := access.NewAuthorizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAuthorizerDecisions(t *testing.T) {
	d := demoDB(t)
	a := newAuthorizer(t, d, access.AuthorizerConfig{})
	ctx := context.Background()
	clerk, approver, village := principal(t, d, "ax.clerk"), principal(t, d, "ax.approver"), principal(t, d, "ax.village")
	cx, platform := principal(t, d, "cx.clerk"), principal(t, d, "platform")
	cases := []struct {
		who                string
		p                  access.Principal
		division, obj, act string
		want               bool
	}{
		{"clerk in a village of the township", clerk, "330523101201", "case", "accept", true},
		{"clerk in the township", clerk, "330523101", "household", "create", true},
		{"clerk in a sibling township", clerk, "330523102201", "case", "accept", false},
		{"clerk county-wide", clerk, "330523", "case", "accept", false},
		{"clerk deciding", clerk, "330523101201", "case", "decide", false},
		{"approver in a village", approver, "330523101201", "case", "decide", true},
		{"approver in the next county", approver, "330522101201", "case", "decide", false},
		{"village worker at home", village, "330523101201", "case", "submit", true},
		{"village worker next door", village, "330523101202", "case", "submit", false},
		{"village worker deciding", village, "330523101201", "case", "decide", false},
		{"Changxing clerk in Anji", cx, "330523101201", "case", "read", false},
		{"Changxing clerk at home", cx, "330522101201", "case", "read", true},
		{"platform health", platform, access.PlatformDomain, "platform", "health", true},
		{"platform in a county", platform, "330523", "division", "read", false},
		{"platform reading households", platform, "330523101201", "household", "read", false},
		{"empty division", clerk, "", "case", "read", false},
		{"short division", clerk, "3305", "case", "read", false},
	}
	for _, c := range cases {
		if got := a.Allowed(ctx, c.p, c.division, c.obj, c.act); got != c.want {
			t.Errorf("%s: Allowed(%s, %s:%s) = %v, want %v", c.who, c.division, c.obj, c.act, got, c.want)
		}
	}

	// Decisions come from user_roles, not from what the principal claims.
	forged := clerk
	forged.Roles = []access.Assignment{{RoleKey: "county_approver", DivisionCode: "330523"}}
	if a.Allowed(ctx, forged, "330523101201", "case", "decide") {
		t.Error("a principal's own claim of a role was believed")
	}
	// Nor from its county: the Changxing clerk claiming Anji has no assignment there.
	moved := cx
	moved.CountyCode = "330523"
	if a.Allowed(ctx, moved, "330523101201", "case", "read") {
		t.Error("a principal claiming another county was allowed there")
	}
	// Platform staff claiming a county have no assignment in it either.
	platformIn := platform
	platformIn.CountyCode = "330523"
	if a.Allowed(ctx, platformIn, "330523", "division", "read") {
		t.Error("the platform admin was allowed in a county")
	}
	if held, loads, _ := a.Stats(); held != 3 || loads != 3 {
		t.Errorf("held %d counties after %d loads, want 3 and 3 (330523, 330522, 000000)", held, loads)
	}
}

func TestInvalidateCountyReloads(t *testing.T) {
	d := demoDB(t)
	a := newAuthorizer(t, d, access.AuthorizerConfig{})
	ctx := context.Background()
	village := principal(t, d, "ax.village")
	if a.Allowed(ctx, village, "330523101201", "case", "accept") {
		t.Fatal("village worker can accept before the grant")
	}
	grant(t, d, village, "township_caseworker", "330523101")
	if a.Allowed(ctx, village, "330523101201", "case", "accept") {
		t.Fatal("the loaded policy changed by itself: the test proves nothing")
	}
	if err := a.InvalidateCounty(ctx, "330523"); err != nil {
		t.Fatal(err)
	}
	if !a.Allowed(ctx, village, "330523101201", "case", "accept") {
		t.Fatal("grant not seen after InvalidateCounty")
	}
	revoke(t, d, village, "township_caseworker", "330523101")
	if err := a.InvalidateCounty(ctx, "330523"); err != nil {
		t.Fatal(err)
	}
	if a.Allowed(ctx, village, "330523101201", "case", "accept") {
		t.Fatal("revocation not seen after InvalidateCounty")
	}
	// Another county's enforcer is untouched by the invalidation.
	cx := principal(t, d, "cx.clerk")
	a.Allowed(ctx, cx, "330522101", "case", "read")
	_, before, _ := a.Stats()
	_ = a.InvalidateCounty(ctx, "330523")
	a.Allowed(ctx, cx, "330522101", "case", "read")
	if _, after, _ := a.Stats(); after != before {
		t.Errorf("invalidating 330523 reloaded 330522 (%d loads, then %d)", before, after)
	}
}

func TestCountiesAreBoundedLRU(t *testing.T) {
	d := demoDB(t)
	a := newAuthorizer(t, d, access.AuthorizerConfig{MaxCounties: 2})
	ctx := context.Background()
	clerk, cx, platform := principal(t, d, "ax.clerk"), principal(t, d, "cx.clerk"), principal(t, d, "platform")
	check := func() {
		t.Helper()
		if !a.Allowed(ctx, clerk, "330523101201", "case", "accept") || !a.Allowed(ctx, cx, "330522101", "case", "accept") ||
			!a.Allowed(ctx, platform, access.PlatformDomain, "platform", "health") {
			t.Fatal("a decision changed with eviction")
		}
	}
	check()
	held, loads, evicted := a.Stats()
	if held != 2 || loads != 3 || evicted != 1 {
		t.Fatalf("held %d, loads %d, evicted %d; want 2, 3, 1", held, loads, evicted)
	}
	// 330523 was used least recently and went; 330522 and 000000 stay.
	a.Allowed(ctx, platform, access.PlatformDomain, "platform", "health")
	a.Allowed(ctx, cx, "330522101", "case", "accept")
	if _, l, _ := a.Stats(); l != 3 {
		t.Fatalf("a held county was reloaded (%d loads)", l)
	}
	check()
}

func TestPolicyIsReloadedAfterMaxAge(t *testing.T) {
	d := demoDB(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newAuthorizer(t, d, access.AuthorizerConfig{MaxAge: time.Minute, Now: clock})
	ctx := context.Background()
	village := principal(t, d, "ax.village")
	a.Allowed(ctx, village, "330523101201", "case", "accept")
	// A change whose invalidation was lost (Redis down): seen once the policy is too old.
	grant(t, d, village, "township_caseworker", "330523101")
	if a.Allowed(ctx, village, "330523101201", "case", "accept") {
		t.Fatal("changed before MaxAge")
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	if !a.Allowed(ctx, village, "330523101201", "case", "accept") {
		t.Fatal("not reloaded after MaxAge")
	}
}

func TestConcurrentFirstUseSharesOneLoad(t *testing.T) {
	d := demoDB(t)
	a := newAuthorizer(t, d, access.AuthorizerConfig{})
	clerk := principal(t, d, "ax.clerk")
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !a.Allowed(context.Background(), clerk, "330523101201", "case", "accept") {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if _, loads, _ := a.Stats(); loads != 1 || refused != 0 {
		t.Fatalf("%d loads, %d refusals; want 1 and 0", loads, refused)
	}
}

// TestLoadErrorsFailClosed: when a county's policy cannot be loaded every decision is a
// refusal, and the error is not kept: the next request tries again.
func TestLoadErrorsFailClosed(t *testing.T) {
	d := demoDB(t)
	a := newAuthorizer(t, d, access.AuthorizerConfig{})
	ctx := context.Background()
	clerk := principal(t, d, "ax.clerk")
	d.Super.MustExec(`REVOKE SELECT ON role_permissions FROM dibao_app`)
	if a.Allowed(ctx, clerk, "330523101201", "case", "accept") {
		t.Fatal("allowed although the policy could not be read")
	}
	if held, _, _ := a.Stats(); held != 0 {
		t.Fatalf("a failed load was kept (%d held)", held)
	}
	if err := a.Load(ctx, "330523"); err == nil || !strings.Contains(err.Error(), "role_permissions") {
		t.Fatalf("load error: %v", err)
	}
	d.Super.MustExec(`GRANT SELECT ON role_permissions TO dibao_app`)
	if !a.Allowed(ctx, clerk, "330523101201", "case", "accept") {
		t.Fatal("still refused after the database recovered")
	}
	// A cancelled request is refused too, and does not spoil the load for others.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_ = a.InvalidateCounty(ctx, "330523")
	a.Allowed(cctx, clerk, "330523101201", "case", "accept")
	if !a.Allowed(ctx, clerk, "330523101201", "case", "accept") {
		t.Fatal("a cancelled first request spoiled the county's load")
	}
}

func TestAdapterLoadsOneCountyOnly(t *testing.T) {
	d := demoDB(t)
	ad := access.NewAdapter(d.App)
	if err := ad.LoadPolicy(nil); !errors.Is(err, access.ErrWholePolicy) {
		t.Fatalf("LoadPolicy: %v", err)
	}
	if err := ad.SavePolicy(nil); !errors.Is(err, access.ErrReadOnly) {
		t.Fatalf("SavePolicy: %v", err)
	}
	if err := ad.LoadFilteredPolicy(nil, "330523"); err == nil {
		t.Fatal("accepted a filter that is not a CountyFilter")
	}
	if err := ad.LoadFilteredPolicy(nil, access.CountyFilter{County: "3305"}); err == nil {
		t.Fatal("accepted a county code of 4 digits")
	}
	if !ad.IsFiltered() {
		t.Fatal("IsFiltered must be true so Casbin never loads every county")
	}
}
