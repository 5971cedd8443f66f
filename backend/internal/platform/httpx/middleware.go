package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

type ctxKey int

const (
	loggerKey ctxKey = iota
	requestIDKey
	clientIPKey
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// RequestContext gives each request an id (a sane incoming X-Request-ID is kept) and a
// logger that writes it on every line.
func RequestContext(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !validRequestID.MatchString(id) {
			id = newID()
		}
		c.Header("X-Request-ID", id)
		ctx := context.WithValue(c.Request.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, clientIPKey, c.ClientIP())
		ctx = context.WithValue(ctx, loggerKey, base.With("request_id", id))
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// AccessLog writes one line per request after it is done.
func AccessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		Logger(c.Request.Context()).Log(c.Request.Context(), level, "request",
			"method", c.Request.Method, "path", c.Request.URL.Path, "route", c.FullPath(),
			"status", status, "duration_ms", float64(time.Since(start).Microseconds())/1000,
			"bytes", c.Writer.Size(), "client_ip", c.ClientIP())
	}
}

// Recover turns a panic into a logged JSON 500; the process keeps serving.
func Recover() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p) // the client went away; let net/http handle it
				}
				Logger(c.Request.Context()).Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if c.Writer.Written() {
					c.Abort()
					return
				}
				Fail(c, fmt.Errorf("panic: %v", p))
			}
		}()
		c.Next()
	}
}

// LimitBody caps every request body at max bytes, and file uploads (multipart) at
// uploadMax; an upload handler may set a stricter limit of its own.
func LimitBody(max, uploadMax int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := max
		if strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/form-data") {
			max = uploadMax
		}
		if c.Request.ContentLength > max {
			Fail(c, E(http.StatusRequestEntityTooLarge, "body_too_large", max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// Logger returns the request's logger, or the default one outside a request.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// ClientIP returns the client's address as the server trusts it, or "" outside a request.
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey).(string)
	return ip
}

// RequestID returns the request's id, or "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
