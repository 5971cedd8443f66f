// Package audit records who did what, when and where, and lets inspectors and audit
// administrators search it. The app role may add rows but never change or remove them; the
// database chains each county's rows with SHA-256 as they are inserted (migration 0004), and
// Verifier recomputes the chains (`dibao audit verify`) to find a row edited or removed
// behind the app's back. Rows are kept at least 180 days; only a DBA archives older ones.
package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
)

// Outcomes of an audited action.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Entry is one audited event. Detail must never hold a sensitive value unmasked.
type Entry struct {
	ActorID      int64
	ActorName    string
	CountyCode   string
	DivisionCode string
	Action       string // e.g. auth.login
	ObjectType   string
	ObjectID     string
	Outcome      string
	RequestID    string
	ClientIP     string
	Detail       map[string]any
}

// Write inserts e using q (a connection or the transaction doing the audited work, so the
// entry commits or rolls back with it). The database gives it its id and its place in the
// county's hash chain. Describe a change with Changes (before/after, sensitive values masked).
func Write(ctx context.Context, q sqlx.ExecerContext, e Entry) error {
	if e.CountyCode == "" {
		return fmt.Errorf("audit: %s has no county", e.Action)
	}
	if e.DivisionCode == "" {
		e.DivisionCode = e.CountyCode
	}
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("audit: encode detail of %s: %w", e.Action, err)
		}
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log
		(actor_id, actor_name, county_code, division_code, action, object_type, object_id, outcome, request_id, client_ip, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		nullInt(e.ActorID), e.ActorName, e.CountyCode, e.DivisionCode, e.Action,
		e.ObjectType, e.ObjectID, e.Outcome, e.RequestID, e.ClientIP, db.JSONB(detail))
	if err != nil {
		return fmt.Errorf("audit: write %s: %w", e.Action, err)
	}
	return nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
