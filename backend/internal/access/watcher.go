package access

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/casbin/casbin/v2/persist"
	rediswatcher "github.com/casbin/redis-watcher/v2"
	"github.com/redis/go-redis/v9"
)

// WatcherChannel is the Redis channel of invalidations under the key prefix. Pub/sub
// channels are not keys: Redis Cluster broadcasts them to every node, so they need no
// {county} hash tag.
func WatcherChannel(prefix string) string { return prefix + "access:policy" }

// Watcher carries "county X's assignments changed" between instances through Casbin's
// Redis watcher. The message is the watcher's UpdateForRemoveFilteredPolicy on g with the
// domain field (index 2) equal to the county: "the g lines at and below this domain are
// stale". Receivers drop that county's enforcer; a message they cannot read drops all.
type Watcher struct {
	w      *rediswatcher.Watcher
	logger *slog.Logger

	mu       sync.Mutex
	onCounty func(county string)
	onAll    func()
	closed   bool
}

// gDomainField is the index of the domain in a g line (sub, role, domain).
const gDomainField = 2

// NewWatcher subscribes to the invalidation channel with connections of its own, made
// with the options of client (the app's Redis): the watcher closes its clients when it
// closes, so it must not share the app's.
func NewWatcher(client *redis.Client, prefix string, logger *slog.Logger) (*Watcher, error) {
	if logger == nil {
		logger = slog.Default()
	}
	opts := *client.Options()
	wt := &Watcher{logger: logger}
	pw, err := rediswatcher.NewWatcher(opts.Addr, rediswatcher.WatcherOptions{
		Options:                opts,
		Channel:                WatcherChannel(prefix),
		IgnoreSelf:             true, // this instance has already dropped the county
		OptionalUpdateCallback: wt.receive,
	})
	if err != nil {
		return nil, fmt.Errorf("access: redis watcher on %s: %w", opts.Addr, err)
	}
	wt.w = pw.(*rediswatcher.Watcher)
	return wt, nil
}

var _ persist.WatcherEx = (*rediswatcher.Watcher)(nil)

// publish tells the other instances that the county's assignments changed.
func (wt *Watcher) publish(_ context.Context, county string) error {
	return wt.w.UpdateForRemoveFilteredPolicy("g", "g", gDomainField, county)
}

// receive runs on the watcher's goroutine for each message from another instance.
func (wt *Watcher) receive(payload string) {
	wt.mu.Lock()
	onCounty, onAll, closed := wt.onCounty, wt.onAll, wt.closed
	wt.mu.Unlock()
	if closed || onCounty == nil {
		return
	}
	var msg rediswatcher.MSG
	if err := msg.UnmarshalBinary([]byte(payload)); err == nil &&
		msg.Method == rediswatcher.UpdateForRemoveFilteredPolicy && msg.Ptype == "g" &&
		msg.FieldIndex == gDomainField && len(msg.FieldValues) == 1 && countyCode.MatchString(msg.FieldValues[0]) {
		onCounty(msg.FieldValues[0])
		return
	}
	wt.logger.Warn("access: watcher message not understood; dropping every county's policy", "payload", payload)
	onAll()
}

// attach points the watcher at the Authorizer's drop functions.
func (wt *Watcher) attach(onCounty func(string), onAll func()) {
	wt.mu.Lock()
	wt.onCounty, wt.onAll = onCounty, onAll
	wt.mu.Unlock()
}

// Close unsubscribes and closes the watcher's connections.
func (wt *Watcher) Close() {
	wt.mu.Lock()
	if wt.closed {
		wt.mu.Unlock()
		return
	}
	wt.closed = true
	wt.mu.Unlock()
	wt.w.Close()
}
