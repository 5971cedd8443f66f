package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"

	"dibao/backend/internal/platform/config"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/synthetic"
)

// seedSynthetic is `dibao seed synthetic --counties N --households-per-county M`: plausible
// registry data at any scale for benchmarks and load tests, written as the owner
// (DATABASE_OWNER_URL), each county in its own scope. Counties that exist are left alone.
func seedSynthetic(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("seed synthetic", flag.ContinueOnError)
	fs.SetOutput(out)
	counties := fs.Int("counties", 1, "counties to make (under real province codes, 180 per province)")
	perCounty := fs.Int("households-per-county", 1000, "households in each county (1–6 people each, about 2.05 on average)")
	seed := fs.Uint64("seed", 1, "the same seed makes the same data")
	workers := fs.Int("workers", max(2, runtime.GOMAXPROCS(0)), "counties generated and written side by side")
	staffPassword := fs.String("staff-password", "", "also give each county a township caseworker syn<county>.clerk with this password")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("seed synthetic: unexpected argument %q", fs.Arg(0))
	}
	if cfg.Env == "production" {
		// Made-up people mixed into a real registry would be paid: never there.
		return fmt.Errorf("seed synthetic: refused with DIBAO_ENV=production; synthetic data is for benchmark and test databases")
	}
	owner, err := db.Open(ctx, cfg.DatabaseOwnerURL, *workers+1)
	if err != nil {
		return fmt.Errorf("%w\nIs PostgreSQL running, and was `dibao db bootstrap` run? See README.md.", err)
	}
	defer owner.Close()
	box, err := secure.NewBox(cfg.DataKey, cfg.IndexKey)
	if err != nil {
		return err
	}
	res, err := synthetic.Generate(ctx, owner, box, synthetic.Options{Counties: *counties, HouseholdsPerCounty: *perCounty,
		Seed: *seed, Workers: *workers, Log: func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "synthetic data: %d counties made (%d already there), %d divisions, %d households, %d people, %d income items\n",
		res.Created, len(res.Counties)-res.Created, res.Divisions, res.Households, res.Members, res.Incomes)
	fmt.Fprintf(out, "%d rows in %s: %.0f rows/s\n", res.Rows(), res.Took.Round(1e7), res.RowsPerSecond())
	if *staffPassword != "" {
		names, err := synthetic.AddCaseworkers(ctx, owner, box, res.Counties, *staffPassword)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "caseworkers: %s … %s (%d)\n", names[0], names[len(names)-1], len(names))
	}
	return nil
}
