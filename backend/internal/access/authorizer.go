package access

import (
	"container/list"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/httpx"
)

// AuthorizerConfig sets up an Authorizer. Only DB is required.
type AuthorizerConfig struct {
	DB *sqlx.DB
	// MaxCounties bounds how many counties' enforcers one instance keeps (least recently
	// used ones are dropped and reloaded on their next use). Default 1000.
	MaxCounties int
	// MaxAge reloads a county's policy this long after it was loaded, so that a lost
	// watcher message (Redis down) leaves an instance stale for a bounded time. Default 5m.
	MaxAge time.Duration
	// LoadTimeout bounds one county's load. Default 5s.
	LoadTimeout time.Duration
	// Watcher tells the other instances about invalidations; nil for one instance.
	Watcher *Watcher
	Logger  *slog.Logger
	Now     func() time.Time
}

// Authorizer is the server's Checker and Invalidator: one Casbin enforcer per county (and
// the decider on it, decide.go), created on first use from the Adapter, kept in an LRU.
type Authorizer struct {
	cfg     AuthorizerConfig
	model   model.Model
	adapter *Adapter

	mu      sync.Mutex
	byCode  map[string]*countyEntry
	lru     *list.List // of *countyEntry, most recently used first
	loads   uint64     // counties loaded since start (tests and metrics)
	evicted uint64

	// forgetters are told of every invalidation, local or from another instance ("" for
	// all counties): other caches of what a county's accounts are (identity's principals).
	forgetters []func(county string)
}

// countyEntry is one county's policy, or its load in progress (ready not yet closed).
type countyEntry struct {
	county   string
	ready    chan struct{}
	policy   *countyPolicy
	err      error
	loadedAt time.Time
	elem     *list.Element
	// dropped is set when the entry leaves the map (invalidated or evicted): a load that
	// finishes after that still answers the requests that waited for it, but is not kept.
	dropped bool
}

var (
	_ Checker     = (*Authorizer)(nil)
	_ Invalidator = (*Authorizer)(nil)
)

// NewAuthorizer builds an Authorizer and, if cfg.Watcher is set, subscribes it to the
// other instances' invalidations.
func NewAuthorizer(cfg AuthorizerConfig) (*Authorizer, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("access: authorizer: no database")
	}
	if cfg.MaxCounties <= 0 {
		cfg.MaxCounties = 1000
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 5 * time.Minute
	}
	if cfg.LoadTimeout <= 0 {
		cfg.LoadTimeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m, err := parseModel()
	if err != nil {
		return nil, err
	}
	a := &Authorizer{cfg: cfg, model: m, adapter: NewAdapter(cfg.DB), byCode: map[string]*countyEntry{}, lru: list.New()}
	if cfg.Watcher != nil {
		cfg.Watcher.attach(a.drop, a.dropAll)
	}
	return a, nil
}

// Allowed implements Checker. The request's domain is the target division; the subject is
// the user. A division outside the principal's county (or, for platform staff, outside the
// platform) is refused before the policy is asked. The county's decider answers: the roles
// the user holds in the division (the enforcer's role manager), then the index of the
// permissions (decide.go); the answer is Enforce's without evaluating the matcher once per
// p line. Errors refuse (fail closed) and are logged.
func (a *Authorizer) Allowed(ctx context.Context, p Principal, division, obj, act string) bool {
	county := CountyOf(division)
	if p.UserID == 0 || len(division) < 6 || county != p.CountyCode {
		return false
	}
	cp, err := a.county(ctx, county)
	if err != nil {
		httpx.Logger(ctx).Error("access: policy not loaded; refusing", "county", county, "error", err.Error())
		return false
	}
	return cp.decide.allowed(Subject(p.UserID), division, obj, act)
}

// Enforce asks the same question as Allowed, with the same county check, of the county's
// Casbin enforcer: SyncedCachedEnforcer.Enforce, which evaluates model.conf's matcher once per
// p line (and caches the answer for MaxAge). The decisions are Allowed's; Enforce stays as
// the reference they are tested against (TestAllowedAgreesWithEnforce) and measured with
// (make bench).
func (a *Authorizer) Enforce(ctx context.Context, p Principal, division, obj, act string) (bool, error) {
	county := CountyOf(division)
	if p.UserID == 0 || len(division) < 6 || county != p.CountyCode {
		return false, nil
	}
	cp, err := a.county(ctx, county)
	if err != nil {
		return false, err
	}
	ok, err := cp.enforcer.Enforce(Subject(p.UserID), division, obj, act)
	if err != nil {
		return false, fmt.Errorf("access: enforce in %s: %w", county, err)
	}
	return ok, nil
}

// InvalidateCounty implements Invalidator: this instance forgets the county's enforcer at
// once (the next decision reloads it from the committed rows) and the watcher tells the
// other instances to do the same.
func (a *Authorizer) InvalidateCounty(ctx context.Context, county string) error {
	a.drop(county)
	if a.cfg.Watcher != nil {
		if err := a.cfg.Watcher.publish(ctx, county); err != nil {
			return fmt.Errorf("access: invalidate %s on other instances: %w", county, err)
		}
	}
	return nil
}

// Load makes sure the county's policy is loaded (benchmarks, warming up).
func (a *Authorizer) Load(ctx context.Context, county string) error {
	_, err := a.county(ctx, county)
	return err
}

// Stats tells how many counties are held and how many loads and evictions happened.
func (a *Authorizer) Stats() (held int, loads, evicted uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.byCode), a.loads, a.evicted
}

// county returns the county's policy, loading it on first use. Concurrent first uses
// share one load.
func (a *Authorizer) county(ctx context.Context, county string) (*countyPolicy, error) {
	a.mu.Lock()
	en, ok := a.byCode[county]
	if ok && isReady(en) && a.cfg.Now().Sub(en.loadedAt) > a.cfg.MaxAge {
		a.removeLocked(en)
		ok = false
	}
	if ok {
		a.lru.MoveToFront(en.elem)
		a.mu.Unlock()
		select {
		case <-en.ready:
			return en.policy, en.err
		case <-ctx.Done():
			return nil, fmt.Errorf("access: waiting for the policy of %s: %w", county, ctx.Err())
		}
	}
	en = &countyEntry{county: county, ready: make(chan struct{})}
	en.elem = a.lru.PushFront(en)
	a.byCode[county] = en
	for a.lru.Len() > a.cfg.MaxCounties {
		a.removeLocked(a.lru.Back().Value.(*countyEntry))
		a.evicted++
	}
	a.loads++
	a.mu.Unlock()

	// The load outlives a cancelled first request: others may be waiting for it.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.LoadTimeout)
	defer cancel()
	cp, err := loadCounty(a.model, a.adapter, CountyFilter{Ctx: lctx, County: county}, a.cfg.MaxAge)

	a.mu.Lock()
	en.policy, en.err, en.loadedAt = cp, err, a.cfg.Now()
	if err != nil && !en.dropped {
		a.removeLocked(en) // errors are not cached: the next request tries again
	}
	close(en.ready)
	a.mu.Unlock()
	return cp, err
}

func isReady(en *countyEntry) bool {
	select {
	case <-en.ready:
		return true
	default:
		return false
	}
}

func (a *Authorizer) removeLocked(en *countyEntry) {
	if en.dropped {
		return
	}
	en.dropped = true
	a.lru.Remove(en.elem)
	if a.byCode[en.county] == en {
		delete(a.byCode, en.county)
	}
}

// drop forgets one county (an invalidation from here or from another instance).
func (a *Authorizer) drop(county string) {
	a.mu.Lock()
	if en, ok := a.byCode[county]; ok {
		a.removeLocked(en)
	}
	forgetters := a.forgetters
	a.mu.Unlock()
	for _, f := range forgetters {
		f(county)
	}
}

// dropAll forgets every county (a message naming none).
func (a *Authorizer) dropAll() {
	a.mu.Lock()
	for _, en := range a.byCode {
		a.removeLocked(en)
	}
	forgetters := a.forgetters
	a.mu.Unlock()
	for _, f := range forgetters {
		f("")
	}
}

// OnInvalidate adds f to what an invalidation of a county (local, or from another
// instance through the watcher) also tells; "" means every county.
func (a *Authorizer) OnInvalidate(f func(county string)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.forgetters = append(slices.Clip(a.forgetters), f)
}
