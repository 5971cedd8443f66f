package identity

import (
	"slices"
	"sync"
	"time"

	"dibao/backend/internal/access"
)

// principalCache keeps, for a short while, what Authenticate reads from the database on
// every request: the account as a Principal (with its role grants) and its Standing. These
// change only through use cases (role grants, account changes, password and second-factor
// changes, county security settings) that then call InvalidateCounty, which reaches this
// cache on this instance at once and on the others through the access watcher. The TTL
// bounds what a lost watcher message can leave stale. Sessions are not cached: ending one
// (sign-out, disabling, a password reset) still takes effect on the next request.
type principalCache struct {
	ttl time.Duration
	max int

	mu     sync.Mutex
	gen    uint64 // bumped by every forget, so a load that raced one is not kept
	byUser map[cacheKey]cachedPrincipal
}

type cacheKey struct {
	county string
	user   int64
}

type cachedPrincipal struct {
	p     access.Principal
	st    Standing
	until time.Time
}

func newPrincipalCache(ttl time.Duration, max int) *principalCache {
	return &principalCache{ttl: ttl, max: max, byUser: map[cacheKey]cachedPrincipal{}}
}

// get returns the cached principal of the user, if there is a fresh one, and the
// generation to hand back to put after loading it otherwise.
func (c *principalCache) get(county string, user int64, now time.Time) (access.Principal, Standing, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byUser[cacheKey{county, user}]
	if !ok || !now.Before(e.until) {
		return access.Principal{}, Standing{}, false, c.gen
	}
	p := e.p
	p.Roles = slices.Clone(e.p.Roles) // callers own what they get
	return p, e.st, true, c.gen
}

// put keeps a principal loaded at generation gen, unless something was forgotten since.
func (c *principalCache) put(gen uint64, p access.Principal, st Standing, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.byUser) >= c.max {
		// Rare (more signed-in users than max within a TTL): start again rather than
		// keep an LRU on the request path.
		clear(c.byUser)
	}
	p.Roles = slices.Clone(p.Roles)
	c.byUser[cacheKey{p.CountyCode, p.UserID}] = cachedPrincipal{p: p, st: st, until: now.Add(c.ttl)}
}

// forgetCounty drops the county's principals ("" drops all).
func (c *principalCache) forgetCounty(county string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if county == "" {
		clear(c.byUser)
		return
	}
	for k := range c.byUser {
		if k.county == county {
			delete(c.byUser, k)
		}
	}
}
