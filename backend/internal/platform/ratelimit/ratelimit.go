// Package ratelimit counts requests per key in fixed windows in Redis, for the public
// endpoints (DESIGN.md 4.3): every instance shares the counts, and a count lives only as
// long as its window, so Redis never holds the only copy of anything that matters.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter counts requests in Redis under keys beginning with a prefix.
type Limiter struct {
	rdb    *redis.Client
	prefix string
}

// New uses keys beginning with prefix.
func New(rdb *redis.Client, prefix string) *Limiter { return &Limiter{rdb: rdb, prefix: prefix} }

// The window starts with its first request and ends a whole window later; the count and
// the expiry are set in one script, so a crash between them cannot leave a key that never
// expires.
var hit = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

// Allow counts one request under key (the caller puts a hash tag in it, such as
// "{330523}", so that a Redis Cluster keeps a county's keys together) and reports whether
// it is within limit requests per window; when it is not, retryAfter is how long until the
// window ends.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error) {
	res, err := hit.Run(ctx, l.rdb, []string{l.prefix + "ratelimit:" + key}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: count %s: %w", key, err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("ratelimit: count %s: unexpected answer %v", key, res)
	}
	if res[0] <= int64(limit) {
		return true, 0, nil
	}
	return false, time.Duration(res[1]) * time.Millisecond, nil
}
