// Package redisx connects to Redis: REDIS_URL if set, else a local server on
// 127.0.0.1:6379, else an embedded in-process Redis fit for one instance only.
package redisx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Mode says where Redis came from.
type Mode string

const (
	External Mode = "external"
	Embedded Mode = "embedded"
)

// DefaultURL is tried when REDIS_URL is not set.
const DefaultURL = "redis://127.0.0.1:6379/0"

// Conn is a connected client and how to let it go.
type Conn struct {
	Client *redis.Client
	Mode   Mode
	close  func()
}

// Close closes the client and stops an embedded server.
func (c *Conn) Close() { c.close() }

// Connect resolves Redis as described in the package comment. An explicit URL that does
// not answer is an error: falling back silently would hide a broken deployment.
func Connect(ctx context.Context, url string, log *slog.Logger) (*Conn, error) {
	return connect(ctx, url, DefaultURL, log)
}

func connect(ctx context.Context, url, fallback string, log *slog.Logger) (*Conn, error) {
	explicit := url != ""
	if !explicit {
		url = fallback
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis: parse REDIS_URL: %w", err)
	}
	tune(opts)
	client := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err == nil {
		return &Conn{Client: client, Mode: External, close: func() { client.Close() }}, nil
	} else if explicit {
		client.Close()
		return nil, fmt.Errorf("redis: connect to %s: %w", opts.Addr, err)
	}
	client.Close()
	mr, err := miniredis.Run()
	if err != nil {
		return nil, fmt.Errorf("redis: nothing answers on %s and the embedded Redis failed to start: %w; install Redis (apt-get install redis-server) or set REDIS_URL", opts.Addr, err)
	}
	log.Warn("no Redis on " + opts.Addr + " and REDIS_URL not set: using an embedded in-process Redis; sessions are lost on restart and it serves one instance only")
	eopts := &redis.Options{Addr: mr.Addr()}
	tune(eopts)
	client = redis.NewClient(eopts)
	return &Conn{Client: client, Mode: Embedded, close: func() { client.Close(); mr.Close() }}, nil
}

func tune(o *redis.Options) {
	o.DialTimeout = 2 * time.Second
	o.ReadTimeout = 2 * time.Second
	o.WriteTimeout = 2 * time.Second
	o.MaxRetries = 1
}

// LogThrough sends go-redis's own messages (a connection lost, the pool closing one) to
// log as structured warnings instead of plain lines on stderr. go-redis keeps one logger
// for the whole process, so the binary sets it once, at start.
func LogThrough(log *slog.Logger) { redis.SetLogger(libraryLog{log}) }

type libraryLog struct{ log *slog.Logger }

func (l libraryLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}
