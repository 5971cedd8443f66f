package casework

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// County spot checks (抽查): the county approving officer draws a share (the county's
// spotcheck_percent) of the approved cases decided in a period, other than relatives'
// cases, which the county visits anyway. The draw keeps its seed and population, so
// Draw(population, percent, seed) repeats it exactly.

// Draw picks ceil(len(population) × percent / 100) ids from population (sorted ascending)
// with a generator seeded by seed, and answers them sorted. The same arguments always give
// the same answer.
func Draw(population []int64, percent int, seed int64) []int64 {
	n := len(population)
	k := (n*percent + 99) / 100
	if k > n {
		k = n
	}
	pool := slices.Clone(population)
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	for i := 0; i < k; i++ {
		j := i + r.IntN(n-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	out := slices.Clone(pool[:k])
	slices.Sort(out)
	return out
}

// SpotCheckRequest is POST /spot-checks.
type SpotCheckRequest struct {
	Division    string      `json:"division"` // the area (default: the caller's county)
	DecidedFrom *civil.Date `json:"decided_from"`
	DecidedTo   *civil.Date `json:"decided_to"`
}

// SpotCheck is one recorded draw.
type SpotCheck struct {
	ID           int64         `json:"id" db:"id"`
	DivisionCode string        `json:"division_code" db:"division_code"`
	DecidedFrom  civil.Date    `json:"decided_from" db:"decided_from"`
	DecidedTo    civil.Date    `json:"decided_to" db:"decided_to"`
	Percent      int           `json:"percent" db:"percent"`
	Seed         int64         `json:"seed" db:"seed"`
	Population   pq.Int64Array `json:"population" db:"population"`
	Drawn        pq.Int64Array `json:"drawn" db:"drawn"`
	OrderedBy    int64         `json:"ordered_by" db:"ordered_by"`
	OrderedAt    time.Time     `json:"ordered_at" db:"ordered_at"`
	Cases        []Summary     `json:"cases"`
}

// SpotCheckPage is one page of draws, newest first.
type SpotCheckPage struct {
	Items            []SpotCheck `json:"items"`
	NextCursor       string      `json:"next_cursor"`
	SpotcheckPercent int         `json:"spotcheck_percent"` // the county's setting now
}

// OrderSpotCheck draws approved cases for a county spot check and marks them; each drawn
// case then takes the county's visit.
func (s *Service) OrderSpotCheck(ctx context.Context, p access.Principal, req SpotCheckRequest, meta identity.Meta) (SpotCheck, error) {
	div, err := s.listScope(ctx, p, req.Division, "spotcheck", "order")
	if err != nil {
		return SpotCheck{}, err
	}
	if req.DecidedFrom == nil {
		return SpotCheck{}, required("decided_from", "审批日期起", "decided_from")
	}
	if req.DecidedTo == nil {
		return SpotCheck{}, required("decided_to", "审批日期止", "decided_to")
	}
	if req.DecidedTo.Before(*req.DecidedFrom) {
		return SpotCheck{}, invalid("decided_to", "审批日期止不能早于起", "decided_to cannot be before decided_from")
	}
	county := access.CountyOf(div)
	var out SpotCheck
	err = db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error {
		// One draw at a time per county, so two cannot take the same case.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('spot_check'), hashtext($1))`, county); err != nil {
			return fmt.Errorf("casework: lock spot checks of %s: %w", county, err)
		}
		st, err := loadSettings(ctx, tx, county)
		if err != nil {
			return err
		}
		if st.SpotcheckPercent == 0 {
			return httpx.Msg(http.StatusConflict, "spotcheck_disabled", "本县抽查比例设为 0，不抽取案件",
				"The county's spot-check share is 0: nothing is drawn")
		}
		population := []int64{}
		if err := tx.SelectContext(ctx, &population, `SELECT id FROM cases WHERE county_code = $1 AND division_code >= $2
				AND division_code < $2 || '~' AND state = 'approved' AND decided_on BETWEEN $3 AND $4
				AND NOT relative_flag AND spot_check_id IS NULL ORDER BY id`, county, div, *req.DecidedFrom, *req.DecidedTo); err != nil {
			return fmt.Errorf("casework: spot-check population in %s: %w", div, err)
		}
		if len(population) == 0 {
			return httpx.Msg(http.StatusConflict, "nothing_to_draw", "该期间没有可抽查的已批准案件",
				"No approved cases to draw from in that period")
		}
		seed := s.seed()
		drawn := Draw(population, st.SpotcheckPercent, seed)
		now := s.now()
		if err := tx.GetContext(ctx, &out.ID, `INSERT INTO spot_checks (county_code, division_code, decided_from, decided_to,
				percent, seed, population, drawn, ordered_by, ordered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, county, div, *req.DecidedFrom, *req.DecidedTo,
			st.SpotcheckPercent, seed, pq.Array(population), pq.Array(drawn), p.UserID, now); err != nil {
			return fmt.Errorf("casework: record spot check in %s: %w", div, err)
		}
		var marked []struct {
			ID       int64  `db:"id"`
			Division string `db:"division_code"`
			Version  int    `db:"version"`
		}
		if err := tx.SelectContext(ctx, &marked, `UPDATE cases SET spot_check_id = $3, version = version + 1, updated_at = $4
			WHERE county_code = $1 AND id = ANY($2) RETURNING id, division_code, version`,
			county, pq.Array(drawn), out.ID, now); err != nil {
			return fmt.Errorf("casework: mark spot-checked cases: %w", err)
		}
		for _, m := range marked {
			if err := insertEvent(ctx, tx, event{County: county, CaseID: m.ID, Division: m.Division, At: now,
				ActorID: p.UserID, ActorName: p.DisplayName, Action: "spot_check_drawn", From: Approved, To: Approved,
				Detail: map[string]any{"spot_check_id": out.ID}}); err != nil {
				return err
			}
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: county,
			DivisionCode: div, Action: "spotcheck.order", ObjectType: "spot_check", ObjectID: fmt.Sprint(out.ID),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP,
			Detail: map[string]any{"seed": seed, "percent": st.SpotcheckPercent, "population": len(population), "drawn": drawn}}); err != nil {
			return err
		}
		out, err = loadSpotCheck(ctx, tx, county, out.ID)
		return err
	})
	return out, err
}

func loadSpotCheck(ctx context.Context, tx *sqlx.Tx, county string, id int64) (SpotCheck, error) {
	var sc SpotCheck
	if err := tx.GetContext(ctx, &sc, `SELECT id, division_code, decided_from, decided_to, percent, seed, population, drawn,
		ordered_by, ordered_at FROM spot_checks WHERE county_code = $1 AND id = $2`, county, id); err != nil {
		return sc, fmt.Errorf("casework: spot check %d: %w", id, err)
	}
	return sc, fillDrawn(ctx, tx, county, []*SpotCheck{&sc})
}

// fillDrawn adds the drawn cases' summaries.
func fillDrawn(ctx context.Context, tx *sqlx.Tx, county string, scs []*SpotCheck) error {
	var ids []int64
	for _, sc := range scs {
		ids = append(ids, sc.Drawn...)
	}
	var rows []Summary
	if err := tx.SelectContext(ctx, &rows, `SELECT c.id, c.county_code, c.division_code, coalesce(d.name, '') AS village_name,
			c.household_id, h.head_name, h.category, c.applicant_name, c.state, c.version, c.channel, c.submitted_at,
			c.accepted_on, c.due_on, c.extension_reason IS NOT NULL AS extended, c.relative_flag, c.recommendation,
			c.proposed_amount_fen, c.decided_on, c.certificate_no, c.spot_check_id, c.due_sort
		FROM cases c JOIN households h ON h.county_code = c.county_code AND h.id = c.household_id
		LEFT JOIN divisions d ON d.code = c.division_code
		WHERE c.county_code = $1 AND c.id = ANY($2) ORDER BY c.id`, county, pq.Array(ids)); err != nil {
		return fmt.Errorf("casework: drawn cases: %w", err)
	}
	for _, sc := range scs {
		sc.Cases = []Summary{}
		for _, r := range rows {
			if slices.Contains(sc.Drawn, r.ID) {
				r.CaseNo = caseNo(r.CountyCode, r.SubmittedAt, r.ID)
				sc.Cases = append(sc.Cases, r)
			}
		}
	}
	return nil
}

// SpotChecks lists the draws of the working division, newest first.
func (s *Service) SpotChecks(ctx context.Context, p access.Principal, division, after, rawLimit string) (SpotCheckPage, error) {
	div, err := s.listScope(ctx, p, division, "spotcheck", "order")
	if err != nil {
		return SpotCheckPage{}, err
	}
	limit, err := parseLimit(rawLimit)
	if err != nil {
		return SpotCheckPage{}, err
	}
	before := int64(1<<62 - 1)
	if after != "" {
		if before, err = strconv.ParseInt(after, 10, 64); err != nil || before <= 0 {
			return SpotCheckPage{}, invalid("after", "分页游标无效", "Invalid page cursor")
		}
	}
	county := access.CountyOf(div)
	out := SpotCheckPage{Items: []SpotCheck{}}
	err = db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &out.Items, `SELECT id, division_code, decided_from, decided_to, percent, seed,
				population, drawn, ordered_by, ordered_at FROM spot_checks
			WHERE county_code = $1 AND division_code >= $2 AND division_code < $2 || '~' AND id < $3
			ORDER BY id DESC LIMIT $4`, county, div, before, limit+1); err != nil {
			return fmt.Errorf("casework: spot checks in %s: %w", div, err)
		}
		if len(out.Items) > limit {
			out.Items = out.Items[:limit]
			out.NextCursor = strconv.FormatInt(out.Items[limit-1].ID, 10)
		}
		ptrs := make([]*SpotCheck, len(out.Items))
		for i := range out.Items {
			ptrs[i] = &out.Items[i]
		}
		st, err := loadSettings(ctx, tx, county)
		if err != nil {
			return err
		}
		out.SpotcheckPercent = st.SpotcheckPercent
		return fillDrawn(ctx, tx, county, ptrs)
	})
	return out, err
}
