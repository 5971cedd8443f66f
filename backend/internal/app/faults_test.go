package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/app"
	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/platform/redisx"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis runs a private redis-server so the test can stop and restart it.
func startRedis(t *testing.T, port int) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("this test needs the redis-server binary (apt-get install redis-server): %v", err)
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return cmd
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return nil
}

func TestRedisOutageAndRecovery(t *testing.T) {
	port := freePort(t)
	redisProc := startRedis(t, port)
	env := apptest.NewWith(t, apptest.Options{RedisURL: fmt.Sprintf("redis://127.0.0.1:%d/0", port)})
	c := env.Client(t)
	c.Login("ax.clerk", apptest.DemoPassword)

	_ = redisProc.Process.Kill()
	_, _ = redisProc.Process.Wait()

	r := c.Do(http.MethodGet, "/readyz", nil)
	if r.Status != 503 || !strings.Contains(string(r.Body), "redis") || strings.Contains(string(r.Body), "postgresql") {
		t.Fatalf("readyz with Redis down: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodGet, "/healthz", nil); r.Status != 200 {
		t.Fatalf("healthz with Redis down: %d", r.Status)
	}
	r = env.Client(t).Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.clerk", "password": apptest.DemoPassword})
	if r.Status != 503 || r.ErrorCode() != "unavailable" {
		t.Fatalf("login with Redis down: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 503 {
		t.Fatalf("me with Redis down: %d %s", r.Status, r.Body)
	}

	startRedis(t, port) // an empty Redis: sessions are gone, sign-in works again
	deadline := time.Now().Add(10 * time.Second)
	for {
		if r := c.Do(http.MethodGet, "/readyz", nil); r.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover after Redis came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	env.Client(t).Login("ax.clerk", apptest.DemoPassword)
}

func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	env := apptest.New(t)
	cfg := env.Config
	cfg.Port = freePort(t)
	cfg.ShutdownTimeout = 10 * time.Second
	srv, err := app.New(app.Deps{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DB: env.DB.App,
		Redis: env.Redis, RedisMode: redisx.External, RedisPrefix: env.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv.Engine().GET("/test-only-slow", func(c *gin.Context) {
		close(started)
		time.Sleep(700 * time.Millisecond)
		c.String(200, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()
	base := fmt.Sprintf("http://127.0.0.1:%d", cfg.Port)
	for i := 0; ; i++ {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	type result struct {
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		r, err := http.Get(base + "/test-only-slow")
		if err != nil {
			res <- result{err: err}
			return
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		res <- result{string(b), err}
	}()
	<-started
	cancel() // as SIGTERM does
	got := <-res
	if got.err != nil || got.body != "finished" {
		t.Fatalf("in-flight request: %q %v", got.body, got.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}
