package redisx

import (
	"context"
	"io"
	"log/slog"
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
