package redisx

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestExplicitURLThatDoesNotAnswerIsAnError(t *testing.T) {
	_, err := Connect(context.Background(), "redis://127.0.0.1:1/0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Fatal("an unreachable REDIS_URL fell back silently")
	}
}

func TestBadURL(t *testing.T) {
	if _, err := Connect(context.Background(), "mysql://x", slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Fatal("accepted a non-redis URL")
	}
}

func TestFallsBackToEmbeddedWhenNothingAnswers(t *testing.T) {
	var logged strings.Builder
	c, err := connect(context.Background(), "", "redis://127.0.0.1:1/0", slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Mode != Embedded || !strings.Contains(logged.String(), "embedded") {
		t.Fatalf("mode %s, log %q", c.Mode, logged.String())
	}
	if err := c.Client.Set(context.Background(), "k", "v", 0).Err(); err != nil {
		t.Fatalf("embedded Redis does not work: %v", err)
	}
}

func TestLibraryMessagesAreStructured(t *testing.T) {
	var buf bytes.Buffer
	l := libraryLog{slog.New(slog.NewJSONHandler(&buf, nil))}
	l.Printf(context.Background(), "redis: %s:%d: connection pool: %v", "pool.go", 1458, "closed")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if line["level"] != "WARN" || line["component"] != "go-redis" || line["msg"] != "redis: pool.go:1458: connection pool: closed" {
		t.Fatalf("logged %v", line)
	}
}
