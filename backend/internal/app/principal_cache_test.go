package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
)

// A signed-in user's principal is cached per instance (identity.CachePrincipals). A change
// made through one instance reaches the cache of another through the access watcher; one
// that bypasses the use cases (and so tells nobody) lasts at most the cache's TTL.
func TestCachedPrincipalFollowsChangesOnOtherInstances(t *testing.T) {
	a := apptest.New(t)
	b := a.Instance(t)
	admin := a.SignIn(t, "ax.admin")
	clerkID := a.AddUser(t, "mx.cache", "township_caseworker", "330523101")
	clerkA := a.SignIn(t, "mx.cache")
	clerkB := clerkA.On(b)
	const list = "/api/v1/households?division=330523101"
	if r := clerkB.Do(http.MethodGet, list, nil); r.Status != http.StatusOK {
		t.Fatalf("the caseworker lists households on instance B: %d %s", r.Status, r.Body)
	}

	// Revoked through instance A: B refuses within the watcher's delivery time.
	if r := admin.Do(http.MethodDelete, fmt.Sprintf("/api/v1/users/%d/roles", clerkID)+"/township_caseworker/330523101", nil); r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := clerkA.Do(http.MethodGet, list, nil); r.Status == http.StatusOK {
		t.Fatalf("instance A still lets the revoked caseworker list households")
	}
	took, ok := waitFor(2*time.Second, func() bool { return clerkB.Do(http.MethodGet, list, nil).Status != http.StatusOK })
	if !ok {
		t.Fatalf("instance B still lets the revoked caseworker list households after 2 s")
	}
	t.Logf("instance B refused %s after the revoke", took)

	// The standing is the principal's alone (Casbin holds none of it): the security
	// administrator enforces second factors through A, and the approver, who holds none,
	// is held at enrolment on B as soon as the watcher delivers.
	approverB := a.SignIn(t, "ax.approver").On(b)
	if r := approverB.Do(http.MethodGet, list, nil); r.Status != http.StatusOK {
		t.Fatalf("the approver lists households on B: %d %s", r.Status, r.Body)
	}
	sec := a.SignIn(t, "ax.security")
	if r := sec.Do(http.MethodPut, "/api/v1/counties/330523/settings/security", map[string]any{"mfa_enforced": true}); r.Status != http.StatusOK {
		t.Fatalf("enforce second factors: %d %s", r.Status, r.Body)
	}
	took, ok = waitFor(2*time.Second, func() bool {
		r := approverB.Do(http.MethodGet, list, nil)
		return r.Status == http.StatusForbidden && r.ErrorCode() == "mfa_enrolment_required"
	})
	if !ok {
		t.Fatalf("instance B still serves the approver without a second factor 2 s after enforcement")
	}
	t.Logf("instance B held the approver at enrolment %s after the setting changed", took)

	// A change behind the use cases' back tells nobody: B goes on with its cached
	// principal until the TTL runs out, and not longer.
	other := a.SignIn(t, "ax.clerk")
	otherB := other.On(b)
	if r := otherB.Do(http.MethodGet, list, nil); r.Status != http.StatusOK {
		t.Fatalf("ax.clerk lists households on B: %d %s", r.Status, r.Body)
	}
	a.DB.Super.MustExec(`UPDATE users SET must_change_password = true WHERE username = 'ax.clerk'`)
	if r := otherB.Do(http.MethodGet, list, nil); r.Status != http.StatusOK {
		t.Fatalf("B re-read the principal before its TTL without being told: %d %s", r.Status, r.Body)
	}
	a.Clock.Advance(11 * time.Second)
	if r := otherB.Do(http.MethodGet, list, nil); r.Status != http.StatusForbidden || r.ErrorCode() != "password_change_required" {
		t.Fatalf("after the TTL B must see the forced password change: %d %s", r.Status, r.Body)
	}
}

func waitFor(limit time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < limit {
		if cond() {
			return time.Since(start), true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return limit, false
}
