package tenancy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The SQL of the division tree. Every function runs inside the caller's scoped
// transaction; reads of divisions need no scope (names and codes are public), writes are
// confined to the scope's county by row-level security, and history is a tenant table.

const divisionColumns = `d.code, d.name, d.level, coalesce(d.parent_code, '') AS parent_code,
	coalesce(d.county_code, '') AS county_code, coalesce(d.urban_rural_type, '') AS urban_rural_type,
	d.status, d.created_at, d.updated_at, d.retired_at,
	(EXISTS (SELECT 1 FROM divisions c WHERE c.parent_code = d.code)
	 OR (d.level = 'platform' AND EXISTS (SELECT 1 FROM divisions c WHERE c.parent_code IS NULL AND c.level = 'province'))) AS has_children`

// getDivision loads one division; sql.ErrNoRows when there is none.
func getDivision(ctx context.Context, q sqlx.QueryerContext, code string) (Division, error) {
	var d Division
	err := sqlx.GetContext(ctx, q, &d, `SELECT `+divisionColumns+` FROM divisions d WHERE d.code = $1`, code)
	if err != nil {
		return d, fmt.Errorf("tenancy: load %s: %w", code, err)
	}
	return d, nil
}

// getDivisionForUpdate loads one division and locks its row until the transaction ends,
// so two changes to one division happen one after the other.
func getDivisionForUpdate(ctx context.Context, q sqlx.QueryerContext, code string) (Division, error) {
	var d Division
	err := sqlx.GetContext(ctx, q, &d, `SELECT `+divisionColumns+` FROM divisions d WHERE d.code = $1 FOR UPDATE`, code)
	if err != nil {
		return d, fmt.Errorf("tenancy: lock %s: %w", code, err)
	}
	return d, nil
}

// divisionsByCode loads the divisions with the given codes, in code order.
func divisionsByCode(ctx context.Context, q sqlx.QueryerContext, codes []string) ([]Division, error) {
	out := []Division{}
	if len(codes) == 0 {
		return out, nil
	}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+divisionColumns+` FROM divisions d
		WHERE d.code = ANY($1) ORDER BY d.code`, pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("tenancy: load %d divisions: %w", len(codes), err)
	}
	return out, nil
}

// listChildren lists the divisions directly below parent, after the code after (keyset).
// The platform's children are the provinces.
func listChildren(ctx context.Context, q sqlx.QueryerContext, parent, after string, limit int) ([]Division, error) {
	out := []Division{}
	var err error
	if parent == PlatformCode {
		err = sqlx.SelectContext(ctx, q, &out, `SELECT `+divisionColumns+` FROM divisions d
			WHERE d.parent_code IS NULL AND d.level = 'province' AND d.code > $1 ORDER BY d.code LIMIT $2`, after, limit)
	} else {
		err = sqlx.SelectContext(ctx, q, &out, `SELECT `+divisionColumns+` FROM divisions d
			WHERE d.parent_code = $1 AND d.code > $2 ORDER BY d.code LIMIT $3`, parent, after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy: children of %s: %w", parent, err)
	}
	return out, nil
}

// SearchHit is a division found by search, with its parent's name for context.
type SearchHit struct {
	Division
	ParentName string `json:"parent_name" db:"parent_name"`
}

// searchDivisions finds divisions inside the code range [from, to) whose
// code starts with q or whose name contains it. Code matches come first.
func searchDivisions(ctx context.Context, q sqlx.QueryerContext, from, to, text string, limit int) ([]SearchHit, error) {
	out := []SearchHit{}
	rangeCond := `d.code >= $1 AND d.code < $2`
	var err error
	if allDigits(text) {
		err = sqlx.SelectContext(ctx, q, &out, `SELECT `+divisionColumns+`, coalesce(p.name, '') AS parent_name
			FROM divisions d LEFT JOIN divisions p ON p.code = d.parent_code
			WHERE `+rangeCond+` AND d.code >= $3 AND d.code < $3 || '~' AND d.level <> 'platform'
			ORDER BY d.code LIMIT $4`, from, to, text, limit)
	} else {
		err = sqlx.SelectContext(ctx, q, &out, `SELECT `+divisionColumns+`, coalesce(p.name, '') AS parent_name
			FROM divisions d LEFT JOIN divisions p ON p.code = d.parent_code
			WHERE `+rangeCond+` AND strpos(d.name, $3) > 0 AND d.level <> 'platform'
			ORDER BY length(d.code), d.code LIMIT $4`, from, to, text, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy: search %q: %w", text, err)
	}
	return out, nil
}

// newDivision is a row to insert.
type newDivision struct {
	Code, Level, Parent, County, Name, UrbanRural string
}

// insertDivisions adds divisions in one statement per call; parents must come first or
// already exist. Provinces and cities carry no county.
func insertDivisions(ctx context.Context, tx *sqlx.Tx, rows []newDivision, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	codes, levels, parents, counties, names, types := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n)
	for i, r := range rows {
		codes[i], levels[i], parents[i], counties[i], names[i], types[i] = r.Code, r.Level, r.Parent, r.County, r.Name, r.UrbanRural
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type, created_at, updated_at)
		SELECT c, l, NULLIF(p, ''), NULLIF(k, ''), n, NULLIF(u, ''), $7, $7
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(c, l, p, k, n, u)`,
		pq.Array(codes), pq.Array(levels), pq.Array(parents), pq.Array(counties), pq.Array(names), pq.Array(types), now)
	if err != nil {
		return fmt.Errorf("tenancy: insert %d divisions (first %s): %w", n, codes[0], err)
	}
	return nil
}

// updateDivision writes a division's name and urban-rural type. A division the scope may
// not change matches no row (row-level security hides it) and comes back as errNoRow.
func updateDivision(ctx context.Context, tx *sqlx.Tx, code, name, urbanRural string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE divisions SET name = $2, urban_rural_type = NULLIF($3, ''), updated_at = $4
		WHERE code = $1`, code, name, urbanRural, now)
	return oneRow(res, err, "update", code)
}

// setStatus retires (retiredAt set) or reactivates (nil) a division.
func setStatus(ctx context.Context, tx *sqlx.Tx, code, status string, retiredAt *time.Time, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE divisions SET status = $2, retired_at = $3, updated_at = $4 WHERE code = $1`,
		code, status, retiredAt, now)
	return oneRow(res, err, "set status of", code)
}

// activeChildren counts the divisions directly below code that are not retired.
func activeChildren(ctx context.Context, q sqlx.QueryerContext, code string) (int, error) {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM divisions WHERE parent_code = $1 AND status = 'active'`, code); err != nil {
		return 0, fmt.Errorf("tenancy: count children of %s: %w", code, err)
	}
	return n, nil
}

// existingCodes returns which of codes exist already, with their level and status.
func existingCodes(ctx context.Context, q sqlx.QueryerContext, codes []string) (map[string]Division, error) {
	rows, err := divisionsByCode(ctx, q, codes)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Division, len(rows))
	for _, d := range rows {
		out[d.Code] = d
	}
	return out, nil
}

// HistoryEntry is one recorded change of a division.
type HistoryEntry struct {
	ID            int64            `json:"id" db:"id"`
	DivisionCode  string           `json:"division_code" db:"division_code"`
	At            time.Time        `json:"at" db:"at"`
	Action        string           `json:"action" db:"action"`
	ActorUsername string           `json:"actor_username" db:"actor_username"`
	ActorName     string           `json:"actor_name" db:"actor_name"`
	Before        *json.RawMessage `json:"before" db:"before"`
	After         *json.RawMessage `json:"after" db:"after"`
	Reason        string           `json:"reason" db:"reason"`
}

// historyRow is a change to record.
type historyRow struct {
	County, Division, Action string
	ActorID                  int64
	ActorUsername, ActorName string
	Before, After            map[string]any
	Reason, RequestID        string
}

// insertHistory records changes, many at once for an import.
func insertHistory(ctx context.Context, tx *sqlx.Tx, rows []historyRow, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	counties, divisions, actions, users, names, befores, afters, reasons, reqs :=
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
		make([]*string, n), make([]*string, n), make([]string, n), make([]string, n)
	actors := make([]int64, n)
	for i, r := range rows {
		counties[i], divisions[i], actions[i], actors[i], users[i], names[i], reasons[i], reqs[i] =
			r.County, r.Division, r.Action, r.ActorID, r.ActorUsername, r.ActorName, r.Reason, r.RequestID
		var err error
		if befores[i], err = jsonOrNil(r.Before); err != nil {
			return err
		}
		if afters[i], err = jsonOrNil(r.After); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO division_history
		(county_code, division_code, action, actor_id, actor_username, actor_name, before, after, reason, request_id, at)
		SELECT k, d, a, NULLIF(u, 0), un, nm, b::jsonb, af::jsonb, r, q, $11
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
			AS t(k, d, a, u, un, nm, b, af, r, q)`,
		pq.Array(counties), pq.Array(divisions), pq.Array(actions), pq.Array(actors), pq.Array(users), pq.Array(names),
		pq.Array(befores), pq.Array(afters), pq.Array(reasons), pq.Array(reqs), now)
	if err != nil {
		return fmt.Errorf("tenancy: record %d history rows (first %s %s): %w", n, actions[0], divisions[0], err)
	}
	return nil
}

// listHistory lists a division's recorded changes, newest first.
func listHistory(ctx context.Context, q sqlx.QueryerContext, county, code string, limit int) ([]HistoryEntry, error) {
	out := []HistoryEntry{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, division_code, at, action, actor_username, actor_name, before, after, reason
		FROM division_history WHERE county_code = $1 AND division_code = $2 ORDER BY at DESC, id DESC LIMIT $3`, county, code, limit)
	if err != nil {
		return nil, fmt.Errorf("tenancy: history of %s: %w", code, err)
	}
	return out, nil
}

func jsonOrNil(v map[string]any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("tenancy: encode history: %w", err)
	}
	s := string(raw)
	return &s, nil
}

// errNoRow is an update that matched nothing: the division is missing or outside the
// transaction's scope.
var errNoRow = errors.New("no row changed")

func oneRow(res sql.Result, err error, what, code string) error {
	if err != nil {
		return fmt.Errorf("tenancy: %s %s: %w", what, code, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("tenancy: %s %s: %w", what, code, err)
	} else if n != 1 {
		return fmt.Errorf("tenancy: %s %s: %w", what, code, errNoRow)
	}
	return nil
}
