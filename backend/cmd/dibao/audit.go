package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"text/tabwriter"

	"dibao/backend/internal/audit"
	"dibao/backend/internal/platform/config"
)

var countyCode = regexp.MustCompile(`^[0-9]{6}$`)

// auditVerify is `dibao audit verify [--county CODE]`. It connects as the owner
// (DATABASE_OWNER_URL), which row-level security binds too: the verifier reads each county in
// that county's scope. A broken chain is an error, so the exit status is 1.
func auditVerify(ctx context.Context, cfg config.Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(out)
	county := fs.String("county", "", "verify only this county (6 digits; 000000 is the platform)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit verify: unexpected argument %q", fs.Arg(0))
	}
	if *county != "" && !countyCode.MatchString(*county) {
		return fmt.Errorf("audit verify: --county must be a 6-digit county code, not %q", *county)
	}
	owner, err := openOwner(ctx, cfg)
	if err != nil {
		return err
	}
	defer owner.Close()
	v := audit.NewVerifier(owner)
	counties := []string{*county}
	if *county == "" {
		if counties, err = v.Counties(ctx); err != nil {
			return err
		}
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "COUNTY\tCHAIN\tDETAIL")
	broken, err := v.Report(ctx, counties, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if broken > 0 {
		return fmt.Errorf("audit chain broken in %d of %d counties", broken, len(counties))
	}
	fmt.Fprintf(out, "audit chains intact in all %d counties\n", len(counties))
	return nil
}
