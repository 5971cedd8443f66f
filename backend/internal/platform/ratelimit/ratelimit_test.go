package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/ratelimit"
)

func TestLimitPerKeyAndWindow(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	l := ratelimit.New(rdb, prefix)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if ok, _, err := l.Allow(ctx, "{330523}:t:1.2.3.4", 3, time.Hour); err != nil || !ok {
			t.Fatalf("request %d refused: %v", i, err)
		}
	}
	ok, retry, err := l.Allow(ctx, "{330523}:t:1.2.3.4", 3, time.Hour)
	if err != nil || ok || retry <= 59*time.Minute || retry > time.Hour {
		t.Fatalf("4th request: ok %v retry %s err %v", ok, retry, err)
	}
	// Another address, or another county, has its own count.
	for _, key := range []string{"{330523}:t:5.6.7.8", "{330522}:t:1.2.3.4"} {
		if ok, _, err := l.Allow(ctx, key, 3, time.Hour); err != nil || !ok {
			t.Fatalf("%s refused: %v", key, err)
		}
	}
	// The key expires with its window.
	if ttl := rdb.PTTL(ctx, prefix+"ratelimit:{330523}:t:1.2.3.4").Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("ttl %s", ttl)
	}
	// A short window ends and the count starts again.
	for i := 0; i < 2; i++ {
		l.Allow(ctx, "{330523}:short", 1, 50*time.Millisecond)
	}
	if ok, _, _ := l.Allow(ctx, "{330523}:short", 1, 50*time.Millisecond); ok {
		t.Fatal("over the limit within the window")
	}
	time.Sleep(80 * time.Millisecond)
	if ok, _, err := l.Allow(ctx, "{330523}:short", 1, 50*time.Millisecond); !ok || err != nil {
		t.Fatalf("a new window refused: %v", err)
	}
}
