package config

import (
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	for _, k := range []string{"PORT", "DIBAO_ENV", "DIBAO_DATA_KEY", "DIBAO_INDEX_KEY", "DATABASE_URL", "MAX_BODY_BYTES"} {
		t.Setenv(k, "")
	}
	c, warnings, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.DatabaseURL != DefaultDatabaseURL || c.MaxBodyBytes != 1<<20 || len(c.DataKey) != 16 || len(c.IndexKey) != 32 {
		t.Fatalf("defaults: %+v", c)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "development keys") {
		t.Fatalf("warnings %v", warnings)
	}
}

func TestProductionNeedsKeys(t *testing.T) {
	t.Setenv("DIBAO_ENV", "production")
	t.Setenv("DIBAO_DATA_KEY", "")
	if _, _, err := Load(); err == nil || !strings.Contains(err.Error(), "DIBAO_DATA_KEY") {
		t.Fatalf("production without keys: %v", err)
	}
}

func TestBadValuesAreNamed(t *testing.T) {
	for k, v := range map[string]string{"PORT": "eighty", "COOKIE_SECURE": "maybe", "HTTP_READ_TIMEOUT": "5", "DIBAO_DATA_KEY": "abc", "DIBAO_ENV": "staging"} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			if _, _, err := Load(); err == nil || !strings.Contains(err.Error(), k) {
				t.Fatalf("%s=%s: %v", k, v, err)
			}
		})
	}
}
