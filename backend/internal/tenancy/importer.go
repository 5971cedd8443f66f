package tenancy

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// ImportResult counts what an import added.
type ImportResult struct {
	Rows      int `json:"rows"`      // data rows read
	Townships int `json:"townships"` // townships added
	Villages  int `json:"villages"`  // villages added
	Skipped   int `json:"skipped"`   // rows of the county itself or above it, left as they are
}

// ImportError is a file with problems: nothing was written.
type ImportError struct {
	Rows     int
	Problems []Problem
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("tenancy: import: %d problems in %d rows", len(e.Problems), e.Rows)
}

// Import adds the townships and villages of a code list to a provisioned county: every
// row is checked first, and either all are added in one transaction or, when any row is
// wrong, none is and the answer is an *ImportError listing every problem.
func (s *Service) Import(ctx context.Context, p access.Principal, county, filename string, data []byte) (ImportResult, error) {
	if err := s.guard.Require(ctx, p, PlatformCode, "division", county, "import"); err != nil {
		return ImportResult{}, err
	}
	if !ValidCountyCode(county) {
		return ImportResult{}, countyNotProvisioned(county)
	}
	rows, fileProblems, err := readImportFile(data)
	if err != nil {
		return ImportResult{}, err
	}
	if len(fileProblems) > 0 {
		return ImportResult{}, &ImportError{Problems: fileProblems}
	}
	filename = clip(strings.TrimSpace(filename), 100) // recorded as the reason of each history row
	res := ImportResult{Rows: len(rows)}
	a := actorOf(ctx, p)
	err = db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		// Locking the county's row makes two imports into one county run one after the other.
		cd, err := getDivisionForUpdate(ctx, tx, county)
		if db.IsNotFound(err) || err == nil && cd.Level != LevelCounty {
			return countyNotProvisioned(county)
		} else if err != nil {
			return err
		}
		existing, err := existingCodes(ctx, tx, codesNamed(rows))
		if err != nil {
			return err
		}
		plan, problems := checkImport(rows, county, existing)
		if len(problems) > 0 {
			return &ImportError{Rows: len(rows), Problems: problems}
		}
		now := s.now()
		if err := insertDivisions(ctx, tx, plan.townships, now); err != nil {
			return err
		}
		if err := insertDivisions(ctx, tx, plan.villages, now); err != nil {
			return err
		}
		history := make([]historyRow, 0, len(plan.townships)+len(plan.villages))
		for _, list := range [][]newDivision{plan.townships, plan.villages} {
			for _, d := range list {
				after := fields(d.Name, d.UrbanRural, d.Level)
				after["parent_code"] = d.Parent
				history = append(history, a.history(county, d.Code, "import", nil, after, filename))
			}
		}
		if err := insertHistory(ctx, tx, history, now); err != nil {
			return err
		}
		res.Townships, res.Villages, res.Skipped = len(plan.townships), len(plan.villages), plan.skipped
		detail := map[string]any{"county": county, "file": filename, "rows": res.Rows,
			"townships": res.Townships, "villages": res.Villages, "skipped": res.Skipped}
		if err := a.audit(ctx, tx, county, county, "division.import", detail); err != nil {
			return err
		}
		// The platform's own log says the same, for the operator's records.
		if err := db.SetScope(ctx, tx, db.CountyScope(PlatformCode)); err != nil {
			return err
		}
		return a.audit(ctx, tx, PlatformCode, PlatformCode, "division.import", detail)
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// codesNamed lists every code a file names (shortened), as codes and as parents.
func codesNamed(rows []rawRow) []string {
	set := map[string]bool{}
	for _, r := range rows {
		for _, c := range []string{r.Code, r.Parent} {
			if c = ShortenCode(c); allDigits(c) && len(c) <= 12 {
				set[c] = true
				if p := ParentOf(c); p != "" {
					set[p] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	return out
}

func countyNotProvisioned(county string) error {
	return httpx.Msg(http.StatusNotFound, "county_not_provisioned",
		fmt.Sprintf("县 %s 尚未开通，请先开通该县", county),
		fmt.Sprintf("County %s is not provisioned; provision it first", county))
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
