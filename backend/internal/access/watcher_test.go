package access_test

import (
	"context"
	"testing"
	"time"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/dbtest"
)

// instance is one server's access control: its own watcher and Authorizer.
func instance(t *testing.T, d *dbtest.DB, prefix string) *access.Authorizer {
	t.Helper()
	rc, _ := dbtest.Redis(t)
	w, err := access.NewWatcher(rc, prefix, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return newAuthorizer(t, d, access.AuthorizerConfig{Watcher: w})
}

// eventually polls cond for up to 3 s.
func eventually(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 3*time.Second {
			t.Fatalf("%s: not within 3s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// TestTwoInstancesStayConsistent: a grant and a revocation made through instance A reach
// instance B's decisions through the Redis watcher.
func TestTwoInstancesStayConsistent(t *testing.T) {
	d := demoDB(t)
	_, prefix := dbtest.Redis(t)
	a, b := instance(t, d, prefix), instance(t, d, prefix)
	ctx := context.Background()
	village := principal(t, d, "ax.village")
	decide := func(x *access.Authorizer) bool { return x.Allowed(ctx, village, "330523101201", "case", "accept") }
	if decide(a) || decide(b) {
		t.Fatal("allowed before the grant")
	}

	grant(t, d, village, "township_caseworker", "330523101")
	time.Sleep(50 * time.Millisecond)
	if decide(b) {
		t.Fatal("B changed without being told: the test proves nothing")
	}
	if err := a.InvalidateCounty(ctx, "330523"); err != nil {
		t.Fatal(err)
	}
	if !decide(a) {
		t.Fatal("A does not see its own grant at once")
	}
	took := eventually(t, "grant reaching B", func() bool { return decide(b) })
	t.Logf("grant reached B in %s", took)

	revoke(t, d, village, "township_caseworker", "330523101")
	if err := a.InvalidateCounty(ctx, "330523"); err != nil {
		t.Fatal(err)
	}
	if decide(a) {
		t.Fatal("A does not see its own revocation at once")
	}
	took = eventually(t, "revocation reaching B", func() bool { return !decide(b) })
	t.Logf("revocation reached B in %s", took)

	// The other way round, B to A.
	grant(t, d, village, "township_caseworker", "330523101")
	if err := b.InvalidateCounty(ctx, "330523"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "grant reaching A", func() bool { return decide(a) })
}

// TestWatcherKeepsOtherCounties: an invalidation of one county leaves the other instance's
// other counties loaded; a message the watcher cannot place drops them all.
func TestWatcherKeepsOtherCounties(t *testing.T) {
	d := demoDB(t)
	rc, prefix := dbtest.Redis(t)
	a, b := instance(t, d, prefix), instance(t, d, prefix)
	ctx := context.Background()
	clerk, cx := principal(t, d, "ax.clerk"), principal(t, d, "cx.clerk")
	b.Allowed(ctx, clerk, "330523101", "case", "read")
	b.Allowed(ctx, cx, "330522101", "case", "read")
	if held, _, _ := b.Stats(); held != 2 {
		t.Fatalf("B holds %d counties", held)
	}
	_ = a.InvalidateCounty(ctx, "330523")
	eventually(t, "330523 dropped on B", func() bool { held, _, _ := b.Stats(); return held == 1 })
	// 330522 is still held: using it loads nothing.
	_, loads, _ := b.Stats()
	b.Allowed(ctx, cx, "330522101", "case", "read")
	if _, l, _ := b.Stats(); l != loads {
		t.Fatal("330522 was dropped with 330523")
	}
	// A plain Casbin "Update" (from a tool, say) names no county: everything goes.
	if err := rc.Publish(ctx, access.WatcherChannel(prefix), `{"Method":"Update","ID":"someone-else"}`).Err(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "everything dropped on B", func() bool { held, _, _ := b.Stats(); return held == 0 })
	// Another deployment's prefix is another channel: its messages do not reach B.
	b.Allowed(ctx, cx, "330522101", "case", "read")
	if err := rc.Publish(ctx, access.WatcherChannel(prefix+"other:"), `{"Method":"Update","ID":"x"}`).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if held, _, _ := b.Stats(); held != 1 {
		t.Fatal("a message on another prefix's channel reached B")
	}
}
