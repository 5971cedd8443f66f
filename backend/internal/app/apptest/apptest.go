// Package apptest runs the whole server against a fresh database and real Redis for
// integration tests, with a clock the test can move.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"dibao/backend/internal/app"
	"dibao/backend/internal/platform/config"
	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/redisx"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/seed"
)

// Clock is a settable time source.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Env is a running server with its stores.
type Env struct {
	DB     *dbtest.DB
	Redis  *redis.Client
	Prefix string
	Clock  *Clock
	App    *app.Server
	Server *httptest.Server
	Box    *secure.Box
	Config config.Config
}

// Options change how the environment is built.
type Options struct {
	RedisURL string // another Redis than the shared test one
}

// New starts a server on a fresh, migrated database with the demo data loaded.
func New(t testing.TB) *Env { return NewWith(t, Options{}) }

// NewWith is New with options.
func NewWith(t testing.TB, o Options) *Env {
	t.Helper()
	d := dbtest.New(t)
	e := &Env{DB: d, Clock: &Clock{t: time.Now()}}
	if o.RedisURL == "" {
		e.Redis, e.Prefix = dbtest.Redis(t)
	} else {
		opts, err := redis.ParseURL(o.RedisURL)
		if err != nil {
			t.Fatal(err)
		}
		e.Redis, e.Prefix = redis.NewClient(opts), "dibaotest:"
		t.Cleanup(func() { e.Redis.Close() })
	}
	cfg, _, err := config.Load()
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.MaxBodyBytes = 64 << 10
	cfg.FilesDir = t.TempDir()
	e.Config = cfg
	if e.Box, err = secure.NewBox(cfg.DataKey, cfg.IndexKey); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := seed.Demo(ctx, d.Owner, e.Box); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewJSONHandler(testWriter{t}, nil))
	}
	e.App, err = app.New(app.Deps{Config: cfg, Logger: logger, DB: d.App, Redis: e.Redis, RedisMode: redisx.External,
		Now: e.Clock.Now, RedisPrefix: e.Prefix})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	t.Cleanup(e.App.Close)
	e.Server = httptest.NewServer(e.App.Handler())
	t.Cleanup(e.Server.Close)
	return e
}

// Instance starts a second server on the same database and Redis, as a second
// instance behind a load balancer would run.
func (e *Env) Instance(t testing.TB) *Env {
	t.Helper()
	twin := *e
	var err error
	twin.App, err = app.New(app.Deps{Config: e.Config, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), DB: e.DB.App,
		Redis: e.Redis, RedisMode: redisx.External, Now: e.Clock.Now, RedisPrefix: e.Prefix})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	t.Cleanup(twin.App.Close)
	twin.Server = httptest.NewServer(twin.App.Handler())
	t.Cleanup(twin.Server.Close)
	return &twin
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Client is a browser-like client with a cookie jar and the CSRF token of its session.
type Client struct {
	t        testing.TB
	base     string
	http     *http.Client
	CSRF     string
	Lang     string
	Username string // who signed in, for messages
}

// Client returns a new client without a session.
func (e *Env) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: e.Server.URL, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// On is the same browser (cookies and CSRF token) talking to another instance.
func (c *Client) On(e *Env) *Client {
	twin := *c
	twin.base = e.Server.URL
	return &twin
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode is the code of an error envelope, or "".
func (r *Response) ErrorCode() string {
	var env struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &env)
	return env.Error.Code
}

// ErrorMessage is the message of an error envelope, or "".
func (r *Response) ErrorMessage() string {
	var env struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &env)
	return env.Error.Message
}

// Do sends a request; body is JSON-encoded unless it is a string or []byte.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// Login signs in and keeps the CSRF token; it fails the test unless the answer is 200.
func (c *Client) Login(username, password string) *Response {
	c.t.Helper()
	r := c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password})
	if r.Status != http.StatusOK {
		c.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	var p struct {
		CSRF string `json:"csrf_token"`
	}
	r.JSON(c.t, &p)
	c.CSRF = p.CSRF
	c.Username = username
	return r
}

// DemoPassword is the demo accounts' password.
const DemoPassword = seed.DemoPassword
