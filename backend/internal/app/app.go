// Package app wires the features into one server: it owns the connections and the router.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/calendar"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/household"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/ledger"
	"dibao/backend/internal/platform/config"
	"dibao/backend/internal/platform/openapi"
	"dibao/backend/internal/platform/ratelimit"
	"dibao/backend/internal/platform/redisx"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/staff"
	"dibao/backend/internal/tenancy"
	"dibao/backend/internal/web"
	"dibao/frontend"
)

// Version is set at build time with -ldflags "-X dibao/backend/internal/app.Version=...".
var Version = "dev"

// principalTTL bounds how long an instance may go on using a signed-in user's roles and
// standing after a change whose invalidation message it missed (Redis down, say); a
// message that arrives makes it forget at once.
const principalTTL = 10 * time.Second

// Deps are the connections the server runs on; the caller opens and closes them.
type Deps struct {
	Config    config.Config
	Logger    *slog.Logger
	DB        *sqlx.DB
	Redis     *redis.Client
	RedisMode redisx.Mode
	Now       func() time.Time
	// RedisPrefix namespaces every key (tests use their own).
	RedisPrefix string
}

// Server is the assembled HTTP application.
type Server struct {
	deps      Deps
	engine    *gin.Engine
	doc       *openapi.Doc
	startedAt time.Time
	metrics   *metrics
	authz     *access.Authorizer
	watcher   *access.Watcher
	imports   *ledger.Service // ledger imports run as jobs on this instance; Close stops them
}

// New assembles the server.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.RedisPrefix == "" {
		d.RedisPrefix = "dibao:"
	}
	// Access control: permissions and assignments live in PostgreSQL; one Casbin enforcer
	// per county, kept in step across instances by the Redis watcher (docs/access-control.md).
	startCtx, cancelStart := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelStart()
	policy, err := access.LoadPolicy(startCtx, d.DB)
	if err != nil {
		return nil, err
	}
	watcher, err := access.NewWatcher(d.Redis, d.RedisPrefix, d.Logger)
	if err != nil {
		return nil, err
	}
	authz, err := access.NewAuthorizer(access.AuthorizerConfig{DB: d.DB, Watcher: watcher, Logger: d.Logger,
		MaxCounties: d.Config.AccessCounties})
	if err != nil {
		watcher.Close()
		return nil, err
	}
	sessions := identity.NewSessions(d.Redis, d.RedisPrefix, d.Now)
	box, err := secure.NewBox(d.Config.DataKey, d.Config.IndexKey)
	if err != nil {
		return nil, err
	}
	idSvc, err := identity.NewService(d.DB, sessions, policy, box, d.Now)
	if err != nil {
		return nil, err
	}
	// Every request's principal is cached for a short while; invalidating a county's
	// assignments (here or on another instance) forgets it.
	idSvc.CachePrincipals(principalTTL, authz)
	authz.OnInvalidate(idSvc.ForgetCounty)
	guard := access.NewGuard(authz, audit.NewRecorder(d.DB))
	// enrolments: standards, amounts, beneficiaries and certificates; casework quotes and enrols through it.
	enrolments := enrolment.NewService(d.DB, guard, d.Now)
	files, err := household.NewFiles(d.Config.FilesDir)
	if err != nil {
		return nil, err
	}
	spa, err := web.New(frontend.Dist())
	if err != nil {
		return nil, err
	}
	if !spa.Built() {
		d.Logger.Warn("the web app is not built into this binary; run make build")
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{deps: d, engine: gin.New(), doc: openapi.NewDoc("Dibao API", Version), startedAt: d.Now(),
		metrics: newMetrics(prometheus.NewRegistry()), authz: authz, watcher: watcher}
	if err := s.engine.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("app: TRUSTED_PROXIES: %w", err)
	}
	// imports: the Excel ledger import (台账导入), run as background jobs.
	s.imports = ledger.NewService(ledger.Config{DB: d.DB, Redis: d.Redis, RedisPrefix: d.RedisPrefix, Box: box, Guard: guard,
		Now: d.Now, Logger: d.Logger})
	cases := casework.NewService(d.DB, guard, calendar.NewService(d.DB, guard), box,
		caseEnrolments{enrolments}, caseEnrolments{enrolments}, d.Now)
	s.routes(routeDeps{identity: identity.NewHandlers(idSvc, d.Config.CookieSecure), guard: guard, spa: spa,
		ledger:     ledger.NewHandlers(s.imports),
		audit:      audit.NewHandlers(audit.NewService(d.DB, guard), identity.PrincipalFrom),
		divisions:  tenancy.NewHandlers(tenancy.NewService(d.DB, guard, d.Now), identity.PrincipalFrom),
		calendar:   calendar.NewHandlers(calendar.NewService(d.DB, guard), d.Now),
		staff:      staff.NewHandlers(staff.NewService(d.DB, box, guard, sessions, authz, d.Now)),
		benefit:    enrolment.NewHandlers(enrolments),
		households: household.NewHandlers(household.NewService(d.DB, box, guard, files, casework.Citations{}, d.Now)),
		// cases: the application workflow; enrolment quotes its amounts and enrols on approval.
		cases: casework.NewHandlers(cases),
		// publicNotices: the portal's notices and objections, rate-limited per address in Redis.
		publicNotices: casework.NewPublicHandlers(cases, ratelimit.New(d.Redis, d.RedisPrefix))})
	return s, nil
}

// Invalidator is what use cases (and test fixtures) call after committing a change to
// user_roles: it reloads the county's policy here and on every other instance.
func (s *Server) Invalidator() access.Invalidator { return s.authz }

// Close lets go of the access-control watcher's Redis connections.
func (s *Server) Close() {
	s.imports.Close()
	s.watcher.Close()
}

// Handler is the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine exposes the router for route-listing tests.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Doc is the OpenAPI document.
func (s *Server) Doc() *openapi.Doc { return s.doc }

// ListenAndServe serves until ctx is cancelled, then lets in-flight requests finish.
func (s *Server) ListenAndServe(ctx context.Context) error {
	cfg := s.deps.Config
	srv := &http.Server{
		Addr:              fmt.Sprintf(":%d", cfg.Port),
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.deps.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.deps.Logger.Info("shutting down; waiting for requests in flight", "timeout", cfg.ShutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
