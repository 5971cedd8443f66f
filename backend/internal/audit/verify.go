package audit

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
)

// What can be wrong with a chain, at the first row where it breaks.
const (
	// The row's content no longer matches its hash: it was edited.
	BreakContentChanged = "content_changed"
	// The row links to a row that is not there (or the head names a last row that is not
	// there): rows were removed.
	BreakRowMissing = "row_missing"
	// The row's link (prev_id, prev_hash) does not match the row before it: the link was
	// edited, or the row before it was rewritten together with its hash.
	BreakPrevMismatch = "prev_mismatch"
	// The county's head does not match its last row: the last row was rewritten with a
	// fresh hash, or the head was edited.
	BreakHeadMismatch = "head_mismatch"
	// The county has audit rows but no head.
	BreakHeadMissing = "head_missing"
)

// Break is the first broken link of a county's chain.
type Break struct {
	Kind string `json:"kind"`
	// RowID is the row where the chain breaks (for a removed last row, the id the head names).
	RowID int64 `json:"row_id"`
	// MissingID is, for row_missing, the id of the row that is gone (the last one of a run).
	MissingID int64 `json:"missing_id,omitempty"`
	// Message says the same in English, for the command line and logs.
	Message string `json:"message"`
}

// ChainResult is the outcome of walking one county's chain.
type ChainResult struct {
	County  string `json:"county_code"`
	OK      bool   `json:"ok"`
	Rows    int64  `json:"rows"` // rows checked (up to the break, if there is one)
	FirstID int64  `json:"first_id"`
	LastID  int64  `json:"last_id"`
	Break   *Break `json:"break,omitempty"`
}

// Verifier walks audit chains and recomputes their hashes.
type Verifier struct {
	db *sqlx.DB
}

// NewVerifier builds a Verifier. conn may be the app's connection (it then verifies the
// counties it is scoped to, one at a time) or the owner's (`dibao audit verify`), which
// row-level security also binds: each county is read in that county's scope.
func NewVerifier(conn *sqlx.DB) *Verifier { return &Verifier{db: conn} }

// verifyPurpose lets the owner list every county's chain head (policy of migration 0004).
const verifyPurpose = "audit_verify"

// Counties lists every county that has, or should have, a chain: those with a chain head
// and every county (and the platform) in the division table. Only the owner sees every head.
func (v *Verifier) Counties(ctx context.Context) ([]string, error) {
	var out []string
	err := db.WithScope(ctx, v.db, db.Scope{Purpose: verifyPurpose}, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, `SELECT county_code FROM audit_chain_heads
			UNION SELECT code FROM divisions WHERE level IN ('platform', 'county')
			ORDER BY 1`)
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list chains: %w", err)
	}
	return out, nil
}

// VerifyCounty walks county's chain in id order in one snapshot, streaming the rows (memory
// stays flat however long the chain), and reports the first broken link.
func (v *Verifier) VerifyCounty(ctx context.Context, county string) (ChainResult, error) {
	res := ChainResult{County: county}
	tx, err := v.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return res, fmt.Errorf("audit: verify %s: begin: %w", county, err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if err := db.SetScope(ctx, tx, db.Scope{County: county, Division: county, Purpose: verifyPurpose}); err != nil {
		return res, err
	}
	var head struct {
		LastID   int64  `db:"last_id"`
		LastHash []byte `db:"last_hash"`
		BaseID   int64  `db:"base_id"`
		BaseHash []byte `db:"base_hash"`
	}
	hasHead := true
	err = tx.GetContext(ctx, &head, `SELECT last_id, last_hash, base_id, base_hash
		FROM audit_chain_heads WHERE county_code = $1`, county)
	if db.IsNotFound(err) {
		hasHead = false
		head.BaseHash = genesis
	} else if err != nil {
		return res, fmt.Errorf("audit: verify %s: read head: %w", county, err)
	}

	rows, err := tx.QueryxContext(ctx, `SELECT `+chainColumns+` FROM audit_log
		WHERE county_code = $1 AND id > $2 ORDER BY id`, county, head.BaseID)
	if err != nil {
		return res, fmt.Errorf("audit: verify %s: read rows: %w", county, err)
	}
	defer rows.Close()
	prevID, prevHash := head.BaseID, head.BaseHash
	for rows.Next() {
		var r chainRow
		if err := rows.StructScan(&r); err != nil {
			return res, fmt.Errorf("audit: verify %s: scan: %w", county, err)
		}
		res.Rows++
		if res.FirstID == 0 {
			res.FirstID = r.ID
		}
		res.LastID = r.ID
		if !hasHead {
			res.Break = &Break{Kind: BreakHeadMissing, RowID: r.ID,
				Message: fmt.Sprintf("county %s has audit rows but no chain head", county)}
			return res, nil
		}
		if b := checkRow(r, prevID, prevHash); b != nil {
			res.Break = b
			return res, nil
		}
		prevID, prevHash = r.ID, r.Hash
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("audit: verify %s: read rows: %w", county, err)
	}
	if hasHead {
		res.Break = checkHead(head.LastID, head.LastHash, prevID, prevHash)
	}
	res.OK = res.Break == nil
	return res, nil
}

// checkRow checks one row against the row before it in the chain.
func checkRow(r chainRow, prevID int64, prevHash []byte) *Break {
	if !bytes.Equal(rowHash(r.PrevHash, r), r.Hash) {
		return &Break{Kind: BreakContentChanged, RowID: r.ID,
			Message: fmt.Sprintf("row %d was changed: its content no longer matches its hash", r.ID)}
	}
	if r.PrevID != prevID {
		if r.PrevID > prevID && r.PrevID < r.ID {
			return &Break{Kind: BreakRowMissing, RowID: r.ID, MissingID: r.PrevID,
				Message: fmt.Sprintf("row %d follows row %d, which is missing (the row before it in the log is %d)", r.ID, r.PrevID, prevID)}
		}
		return &Break{Kind: BreakPrevMismatch, RowID: r.ID,
			Message: fmt.Sprintf("row %d links to row %d, but the row before it is %d", r.ID, r.PrevID, prevID)}
	}
	if !bytes.Equal(r.PrevHash, prevHash) {
		return &Break{Kind: BreakPrevMismatch, RowID: r.ID,
			Message: fmt.Sprintf("row %d does not link to the hash of row %d: one of them was rewritten", r.ID, prevID)}
	}
	return nil
}

// checkHead compares the county's head with the last row walked.
func checkHead(headID int64, headHash []byte, lastID int64, lastHash []byte) *Break {
	switch {
	case headID > lastID:
		return &Break{Kind: BreakRowMissing, RowID: headID, MissingID: headID,
			Message: fmt.Sprintf("the chain ends at row %d but its head names row %d, which is missing", lastID, headID)}
	case headID < lastID:
		return &Break{Kind: BreakHeadMismatch, RowID: lastID,
			Message: fmt.Sprintf("row %d is past the chain's head (row %d)", lastID, headID)}
	case !bytes.Equal(headHash, lastHash):
		return &Break{Kind: BreakHeadMismatch, RowID: lastID,
			Message: fmt.Sprintf("the chain's head does not match row %d: it was rewritten", lastID)}
	}
	return nil
}

// Report verifies each county in turn and writes one line per county to w, as `dibao audit
// verify` prints it. broken counts the counties whose chain is broken.
func (v *Verifier) Report(ctx context.Context, counties []string, w io.Writer) (broken int, err error) {
	for _, county := range counties {
		res, err := v.VerifyCounty(ctx, county)
		if err != nil {
			return broken, err
		}
		switch {
		case res.OK && res.Rows == 0:
			fmt.Fprintf(w, "%s\tOK\tno rows\n", county)
		case res.OK:
			fmt.Fprintf(w, "%s\tOK\t%d rows (ids %d to %d)\n", county, res.Rows, res.FirstID, res.LastID)
		default:
			broken++
			fmt.Fprintf(w, "%s\tBROKEN\t%s at row %d: %s\n", county, res.Break.Kind, res.Break.RowID, res.Break.Message)
		}
	}
	return broken, nil
}
