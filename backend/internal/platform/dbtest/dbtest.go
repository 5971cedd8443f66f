// Package dbtest gives each test package a PostgreSQL database of its own, migrated and
// dropped when the test ends, and a Redis key prefix of its own.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"dibao/backend/internal/migrations"
	"dibao/backend/internal/platform/db"
)

// AdminURL is the superuser connection the tests create databases with.
func AdminURL() string {
	if v := os.Getenv("TEST_PG_ADMIN_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis the tests use.
func RedisURL() string {
	if v := os.Getenv("TEST_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

// DB is a fresh, migrated database.
type DB struct {
	Name     string
	App      *sqlx.DB // as dibao_app: what the server uses, subject to RLS
	Owner    *sqlx.DB // as dibao_owner: migrations and seeding (row-level security applies: it is FORCEd)
	Super    *sqlx.DB // as the superuser: for checks and tampering behind the app's back
	AppURL   string
	OwnerURL string
}

// New creates and migrates a database; it is dropped when t ends. A missing PostgreSQL
// fails the test with instructions, never skips it.
func New(t testing.TB) *DB {
	t.Helper()
	d := NewEmpty(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, d.Owner, ms); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	if d.App, err = db.Open(ctx, d.AppURL, 8); err != nil {
		t.Fatalf("connect as app: %v", err)
	}
	t.Cleanup(func() { d.App.Close() })
	return d
}

// NewEmpty creates a database with no schema; App is nil until the caller migrates.
func NewEmpty(t testing.TB) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := db.Open(ctx, AdminURL(), 2)
	if err != nil {
		t.Fatalf("PostgreSQL is required for this test and is not reachable: %v\n"+
			"Start it (pg_ctlcluster 15 main start) or set TEST_PG_ADMIN_URL to a superuser connection.", err)
	}
	name := "dibao_test_" + randomHex(6)
	if err := db.Bootstrap(ctx, admin, name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	d := &DB{Name: name, OwnerURL: withUserAndDB(t, AdminURL(), db.OwnerRole, name), AppURL: withUserAndDB(t, AdminURL(), db.AppRole, name)}
	if d.Owner, err = db.Open(ctx, d.OwnerURL, 4); err != nil {
		t.Fatalf("connect as owner: %v", err)
	}
	t.Cleanup(func() { d.Owner.Close() })
	superURL := withUserAndDB(t, AdminURL(), "", name)
	if d.Super, err = db.Open(ctx, superURL, 2); err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	t.Cleanup(func() { d.Super.Close() })
	return d
}

// Redis connects to the test Redis and returns a key prefix unique to this test.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis is required for this test and is not reachable at %s: %v\n"+
			"Start it (redis-server --daemonize yes) or set TEST_REDIS_URL.", opts.Addr, err)
	}
	prefix := "dibaotest:" + randomHex(4) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return c, prefix
}

func withUserAndDB(t testing.TB, raw, user, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TEST_PG_ADMIN_URL: %v", err)
	}
	if user != "" {
		u.User = url.User(user)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
