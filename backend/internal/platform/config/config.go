// Package config reads the process configuration from environment variables.
// Every variable is documented in the README with its default.
package config

import (
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything the binary needs to know about its environment.
type Config struct {
	Env              string // development or production
	Port             int
	DatabaseURL      string // the app role: not owner, not superuser, not BYPASSRLS
	DatabaseOwnerURL string // the schema owner: migrations and seeding
	RedisURL         string // empty: try 127.0.0.1:6379, else embedded
	RedisPrefix      string // namespaces every key, so instances can share a Redis
	DataKey          []byte // SM4 key, 16 bytes
	IndexKey         []byte // HMAC-SM3 key for blind indexes, 32 bytes
	CookieSecure     bool
	TrustedProxies   []string // proxies whose X-Forwarded-For is believed; none by default
	LogLevel         string
	MaxBodyBytes     int64
	MaxUploadBytes   int64  // multipart uploads (imports, attachments)
	FilesDir         string // where attachment files live, named by their SHA-256
	AccessCounties   int    // counties whose access policy one instance keeps loaded (LRU)
	DBMaxConns       int    // the app role's connection pool
	PprofAddr        string // where Go's profiler listens (loopback); empty: not at all
	AutoMigrate      bool
	SeedDemo         bool
	ReadTimeout      time.Duration
	WriteTimeout     time.Duration
	ShutdownTimeout  time.Duration
}

// Development keys are public and only for demo data on a developer's machine.
const (
	devDataKey  = "646962616f2d6465762d6b65792d3031"
	devIndexKey = "646962616f2d6465762d696e6465782d6b65792d303132333435363738396162"
)

// DefaultDatabaseURL and DefaultOwnerURL point at a local PostgreSQL with the roles
// created by deploy/postgres/roles.sql.
const (
	DefaultDatabaseURL = "postgres://dibao_app@127.0.0.1:5432/dibao?sslmode=disable"
	DefaultOwnerURL    = "postgres://dibao_owner@127.0.0.1:5432/dibao?sslmode=disable"
)

// Load reads the environment. Warnings are returned for the caller to log.
func Load() (Config, []string, error) {
	var warnings []string
	c := Config{
		Env:              env("DIBAO_ENV", "development"),
		DatabaseURL:      env("DATABASE_URL", DefaultDatabaseURL),
		DatabaseOwnerURL: env("DATABASE_OWNER_URL", DefaultOwnerURL),
		RedisURL:         os.Getenv("REDIS_URL"),
		RedisPrefix:      env("REDIS_PREFIX", "dibao:"),
		LogLevel:         env("LOG_LEVEL", "info"),
		FilesDir:         env("DIBAO_FILES_DIR", "./var/files"),
		PprofAddr:        os.Getenv("DIBAO_PPROF_ADDR"),
	}
	var err error
	if c.Port, err = intEnv("PORT", 8080); err != nil {
		return c, nil, err
	}
	maxBody, err := intEnv("MAX_BODY_BYTES", 1<<20)
	if err != nil {
		return c, nil, err
	}
	c.MaxBodyBytes = int64(maxBody)
	maxUpload, err := intEnv("MAX_UPLOAD_BYTES", 64<<20)
	if err != nil {
		return c, nil, err
	}
	c.MaxUploadBytes = int64(maxUpload)
	if c.AccessCounties, err = intEnv("ACCESS_MAX_COUNTIES", 1000); err != nil {
		return c, nil, err
	}
	if c.DBMaxConns, err = intEnv("DB_MAX_CONNS", 20); err != nil {
		return c, nil, err
	}
	for _, p := range strings.Split(os.Getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if c.CookieSecure, err = boolEnv("COOKIE_SECURE", false); err != nil {
		return c, nil, err
	}
	if c.AutoMigrate, err = boolEnv("DIBAO_AUTO_MIGRATE", false); err != nil {
		return c, nil, err
	}
	if c.SeedDemo, err = boolEnv("DIBAO_SEED_DEMO", false); err != nil {
		return c, nil, err
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"HTTP_READ_TIMEOUT", &c.ReadTimeout, 15 * time.Second},
		{"HTTP_WRITE_TIMEOUT", &c.WriteTimeout, 60 * time.Second},
		{"SHUTDOWN_TIMEOUT", &c.ShutdownTimeout, 20 * time.Second},
	} {
		if *d.dst, err = durationEnv(d.name, d.def); err != nil {
			return c, nil, err
		}
	}
	if c.Env != "development" && c.Env != "production" {
		return c, nil, fmt.Errorf("config: DIBAO_ENV must be development or production, got %q", c.Env)
	}
	dataHex, indexHex := os.Getenv("DIBAO_DATA_KEY"), os.Getenv("DIBAO_INDEX_KEY")
	if dataHex == "" || indexHex == "" {
		if c.Env == "production" {
			return c, nil, fmt.Errorf("config: DIBAO_DATA_KEY and DIBAO_INDEX_KEY are required when DIBAO_ENV=production")
		}
		warnings = append(warnings, "DIBAO_DATA_KEY/DIBAO_INDEX_KEY not set: using the public development keys; never use them for real data")
		if dataHex == "" {
			dataHex = devDataKey
		}
		if indexHex == "" {
			indexHex = devIndexKey
		}
	}
	if c.DataKey, err = keyEnv("DIBAO_DATA_KEY", dataHex, 16); err != nil {
		return c, nil, err
	}
	if c.IndexKey, err = keyEnv("DIBAO_INDEX_KEY", indexHex, 32); err != nil {
		return c, nil, err
	}
	return c, warnings, nil
}

func env(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func intEnv(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("config: %s must be a positive whole number, got %q", name, v)
	}
	return n, nil
}

func boolEnv(name string, def bool) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("config: %s must be true or false, got %q", name, v)
	}
	return b, nil
}

func durationEnv(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("config: %s must be a duration such as 30s, got %q", name, v)
	}
	return d, nil
}

func keyEnv(name, hexValue string, size int) ([]byte, error) {
	k, err := hex.DecodeString(hexValue)
	if err != nil || len(k) != size {
		return nil, fmt.Errorf("config: %s must be %d hex characters (%d bytes)", name, size*2, size)
	}
	return k, nil
}
