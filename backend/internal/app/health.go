package app

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/access"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
)

// readiness pings both stores; it returns the names of those that did not answer.
func (s *Server) readiness(ctx context.Context) (dbOK, redisOK bool) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	dbOK = s.deps.DB.PingContext(ctx) == nil
	redisOK = s.deps.Redis.Ping(ctx).Err() == nil
	return dbOK, redisOK
}

func (s *Server) readyz(c *gin.Context) {
	dbOK, redisOK := s.readiness(c.Request.Context())
	var failed []string
	if !dbOK {
		failed = append(failed, "postgresql")
	}
	if !redisOK {
		failed = append(failed, "redis")
	}
	if len(failed) > 0 {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "failed": failed})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// SystemStatus is what the platform admin sees of the running instance.
type SystemStatus struct {
	Version   string    `json:"version"`
	StartedAt time.Time `json:"started_at"`
	Database  string    `json:"database"`
	Redis     string    `json:"redis"`
	RedisMode string    `json:"redis_mode"`
}

func (s *Server) systemStatus(guard *access.Guard) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := identity.PrincipalFrom(c)
		if err := guard.Require(c.Request.Context(), p, access.PlatformDomain, "platform", "", "health"); err != nil {
			httpx.Fail(c, err)
			return
		}
		dbOK, redisOK := s.readiness(c.Request.Context())
		word := map[bool]string{true: "ok", false: "error"}
		c.JSON(http.StatusOK, SystemStatus{Version: Version, StartedAt: s.startedAt, Database: word[dbOK],
			Redis: word[redisOK], RedisMode: string(s.deps.RedisMode)})
	}
}
