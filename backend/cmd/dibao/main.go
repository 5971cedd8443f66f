// Command dibao is the whole product in one binary: the server and its admin commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/app"
	"dibao/backend/internal/migrations"
	"dibao/backend/internal/platform/config"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/redisx"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/seed"
)

const usage = `Usage: dibao <command>

Commands:
  serve             run the HTTP server (API and web app)
  migrate up        apply pending database migrations (as DATABASE_OWNER_URL)
  migrate status    list migrations and whether they are applied
  seed demo         load the demo counties and accounts (idempotent)
  seed synthetic --counties N --households-per-county M [--seed S] [--workers W] [--staff-password P]
                    generate plausible registry data at any scale for benchmarks (counties that
                    exist are left alone); reports rows/s
  db bootstrap      create the database roles and the database (as DATABASE_ADMIN_URL, a superuser)
  audit verify [--county CODE]
                    recompute the audit log's hash chains (every county, or one) and report
                    the first broken link; exit status 1 when one is broken
  version           print the version

Configuration comes from environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dibao:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("no command given")
	}
	if args[0] == "version" {
		fmt.Fprintln(out, app.Version)
		return nil
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(out, usage)
		return nil
	}
	cfg, warnings, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	redisx.LogThrough(log)
	for _, w := range warnings {
		log.Warn(w)
	}
	if len(args) >= 2 && args[0] == "audit" && args[1] == "verify" {
		return auditVerify(ctx, cfg, args[2:], out)
	}
	if len(args) >= 2 && args[0] == "seed" && args[1] == "synthetic" {
		return seedSynthetic(ctx, cfg, log, args[2:], out)
	}
	switch strings.Join(args, " ") {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate up":
		return migrateUp(ctx, cfg, log)
	case "migrate status":
		return migrateStatus(ctx, cfg, out)
	case "seed demo":
		return seedDemo(ctx, cfg, log)
	case "db bootstrap":
		return bootstrap(ctx, cfg, log)
	default:
		fmt.Fprint(out, usage)
		return fmt.Errorf("unknown command %q", strings.Join(args, " "))
	}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.AutoMigrate {
		if err := migrateUp(ctx, cfg, log); err != nil {
			return err
		}
	}
	if cfg.SeedDemo {
		if err := seedDemo(ctx, cfg, log); err != nil {
			return err
		}
	}
	conn, err := db.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return fmt.Errorf("%w\nIs PostgreSQL running, and was `dibao db bootstrap` run? See README.md.", err)
	}
	defer conn.Close()
	if err := refuseOwnerConnection(ctx, conn); err != nil {
		return err
	}
	rc, err := redisx.Connect(ctx, cfg.RedisURL, log)
	if err != nil {
		return err
	}
	defer rc.Close()
	srv, err := app.New(app.Deps{Config: cfg, Logger: log, DB: conn, Redis: rc.Client, RedisMode: rc.Mode, RedisPrefix: cfg.RedisPrefix})
	if err != nil {
		return err
	}
	if cfg.PprofAddr != "" {
		startProfiler(ctx, cfg.PprofAddr, log)
	}
	log.Info("serving", "url", fmt.Sprintf("http://localhost:%d", cfg.Port), "version", app.Version, "redis", string(rc.Mode))
	return srv.ListenAndServe(ctx)
}

// refuseOwnerConnection stops the server from running as a role that row-level security
// would not bind: a superuser, a BYPASSRLS role or the owner of the tables.
func refuseOwnerConnection(ctx context.Context, conn *sqlx.DB) error {
	var r struct {
		Name      string `db:"rolname"`
		Super     bool   `db:"rolsuper"`
		BypassRLS bool   `db:"rolbypassrls"`
		OwnsUsers bool   `db:"owns_users"`
	}
	err := conn.GetContext(ctx, &r, `SELECT rolname, rolsuper, rolbypassrls,
		EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = 'users' AND tableowner = current_user) AS owns_users
		FROM pg_roles WHERE rolname = current_user`)
	if err != nil {
		return fmt.Errorf("check database role: %w", err)
	}
	if r.Super || r.BypassRLS || r.OwnsUsers {
		return fmt.Errorf("DATABASE_URL connects as %q, which is a superuser, BYPASSRLS or the schema owner; "+
			"the server must connect as the app role (dibao_app) so row-level security applies", r.Name)
	}
	return nil
}

func openOwner(ctx context.Context, cfg config.Config) (*sqlx.DB, error) {
	conn, err := db.Open(ctx, cfg.DatabaseOwnerURL, 4)
	if err != nil {
		return nil, fmt.Errorf("%w\nIs PostgreSQL running, and was `dibao db bootstrap` run? See README.md.", err)
	}
	return conn, nil
}

func migrateUp(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	owner, err := openOwner(ctx, cfg)
	if err != nil {
		return err
	}
	defer owner.Close()
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	applied, err := db.Migrate(ctx, owner, ms)
	if err != nil {
		return err
	}
	log.Info("migrations applied", "applied", applied, "known", len(ms))
	return nil
}

func migrateStatus(ctx context.Context, cfg config.Config, out io.Writer) error {
	owner, err := openOwner(ctx, cfg)
	if err != nil {
		return err
	}
	defer owner.Close()
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	st, err := db.Status(ctx, owner, ms)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tAPPLIED")
	for _, m := range st {
		applied := "pending"
		if m.AppliedAt != nil {
			applied = m.AppliedAt.Format("2006-01-02 15:04:05 MST")
		}
		fmt.Fprintf(w, "%04d\t%s\t%s\n", m.Version, m.Name, applied)
	}
	return w.Flush()
}

func seedDemo(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	owner, err := openOwner(ctx, cfg)
	if err != nil {
		return err
	}
	defer owner.Close()
	box, err := secure.NewBox(cfg.DataKey, cfg.IndexKey)
	if err != nil {
		return err
	}
	all, err := seed.Everything(ctx, owner, box, time.Now())
	if err != nil {
		return fmt.Errorf("load the demo data (nothing of it was kept): %w", err)
	}
	// The benefit screens' standards and enrolled households; the seed township's rolls (940
	// households, about 610,000 yuan a quarter) and its open cases.
	town := all.Township
	log.Info("demo data loaded", "divisions_added", all.Demo.Divisions, "users_added", all.Demo.Users,
		"enrolled", all.Enrolled, "households_added", town.Added, "people_added", town.AddedPeople, "cases_added", town.Cases,
		"rural_households", town.Rural.Households, "rural_people", town.Rural.People,
		"urban_households", town.Urban.Households, "urban_people", town.Urban.People,
		"yuan_per_quarter", town.QuarterFen()/100, "took", town.Took.Round(time.Millisecond).String())
	return nil
}

// bootstrap creates the roles and the database named in DATABASE_OWNER_URL.
func bootstrap(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	adminURL := os.Getenv("DATABASE_ADMIN_URL")
	if adminURL == "" {
		adminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(cfg.DatabaseOwnerURL)
	if err != nil {
		return fmt.Errorf("DATABASE_OWNER_URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return errors.New("DATABASE_OWNER_URL names no database")
	}
	admin, err := db.Open(ctx, adminURL, 2)
	if err != nil {
		return fmt.Errorf("%w\nSet DATABASE_ADMIN_URL to a superuser connection.", err)
	}
	defer admin.Close()
	if err := db.Bootstrap(ctx, admin, name); err != nil {
		return err
	}
	log.Info("database ready", "database", name, "owner", db.OwnerRole, "app_role", db.AppRole)
	return nil
}
