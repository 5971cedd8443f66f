package audit

import (
	"context"
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Permissions of the audit screens (policy.csv): inspectors and audit admins read the log of
// their scope; audit admins may also check their county's chain.
const (
	objectAudit  = "audit"
	actionRead   = "read"
	actionVerify = "verify"
)

// Service holds the use cases of reading and checking the audit log.
type Service struct {
	db       *sqlx.DB
	guard    *access.Guard
	verifier *Verifier
}

// NewService wires the use cases on the app's connection.
func NewService(conn *sqlx.DB, guard *access.Guard) *Service {
	return &Service{db: conn, guard: guard, verifier: NewVerifier(conn)}
}

var errDivisionNotFound = httpx.Msg(http.StatusNotFound, "division_not_found",
	"区划不存在或不在您的管辖范围内", "No such division in your area")

// Search lists the entries of the caller's scope (or of q.Division inside it) that match q.
// Reading the log is not itself audited row by row; an export would be.
func (s *Service) Search(ctx context.Context, p access.Principal, q Query) (Page, error) {
	division, ok := access.WorkingDivision(p, q.Division)
	if !ok {
		return Page{}, errDivisionNotFound
	}
	if err := s.guard.Require(ctx, p, division, objectAudit, "", actionRead); err != nil {
		return Page{}, err
	}
	county := access.CountyOf(division)
	var page Page
	err := db.WithScope(ctx, s.db, db.Scope{County: county, Division: division}, func(tx *sqlx.Tx) error {
		var err error
		page, err = search(ctx, tx, county, division, q)
		return err
	})
	return page, err
}

// Get returns one entry of the caller's county with its detail: 404 when it is outside the
// caller's scope, 403 when the caller sees it but may not read the log.
func (s *Service) Get(ctx context.Context, p access.Principal, id int64) (Record, error) {
	var rec Record
	err := db.WithScope(ctx, s.db, db.CountyScope(p.CountyCode), func(tx *sqlx.Tx) error {
		var err error
		rec, err = getRecord(ctx, tx, p.CountyCode, id)
		return err
	})
	if db.IsNotFound(err) {
		return Record{}, httpx.ErrNotFound
	}
	if err != nil {
		return Record{}, err
	}
	if !access.Sees(p, rec.DivisionCode) {
		return Record{}, httpx.ErrNotFound
	}
	if err := s.guard.Require(ctx, p, rec.DivisionCode, objectAudit, strconv.FormatInt(id, 10), actionRead); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// VerifyChain walks the caller's county's chain and records that it did, with the outcome.
func (s *Service) VerifyChain(ctx context.Context, p access.Principal) (ChainResult, error) {
	county := p.CountyCode
	if err := s.guard.Require(ctx, p, county, objectAudit, county, actionVerify); err != nil {
		return ChainResult{}, err
	}
	res, err := s.verifier.VerifyCounty(ctx, county)
	if err != nil {
		return res, err
	}
	outcome, detail := Success, map[string]any{"rows": res.Rows, "last_id": res.LastID}
	if !res.OK {
		outcome = Failure
		detail["break"] = map[string]any{"kind": res.Break.Kind, "row_id": res.Break.RowID, "missing_id": res.Break.MissingID}
	}
	err = db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		return Write(ctx, tx, Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: county, DivisionCode: p.DivisionCode,
			Action: "audit.verify", ObjectType: "audit_chain", ObjectID: county, Outcome: outcome,
			RequestID: httpx.RequestID(ctx), ClientIP: httpx.ClientIP(ctx), Detail: detail})
	})
	return res, err
}
