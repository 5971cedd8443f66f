package audit

import (
	"context"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/db"
)

// Recorder writes audit entries in their own transactions, for events that have no
// transaction of their own (an access refused changes nothing).
type Recorder struct {
	db *sqlx.DB
}

// NewRecorder builds a Recorder on the app's connection.
func NewRecorder(conn *sqlx.DB) *Recorder { return &Recorder{db: conn} }

// RecordDenial implements access.DenialRecorder. The entry goes to the actor's county,
// which is the only county whose log the actor's own staff may read.
func (r *Recorder) RecordDenial(ctx context.Context, d access.Denial) error {
	county := d.Principal.CountyCode
	return db.WithScope(ctx, r.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		return Write(ctx, tx, Entry{
			ActorID: d.Principal.UserID, ActorName: d.Principal.Username,
			CountyCode: county, DivisionCode: d.Principal.DivisionCode,
			Action: "access.denied", ObjectType: d.Object, ObjectID: d.ObjectID, Outcome: Denied,
			RequestID: d.RequestID, ClientIP: d.ClientIP,
			Detail: map[string]any{"attempted_action": d.Action, "division": d.Division},
		})
	})
}
