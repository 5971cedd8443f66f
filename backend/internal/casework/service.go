package casework

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/calendar"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

// Service holds the workflow's use cases.
type Service struct {
	db       *sqlx.DB
	guard    *access.Guard
	cal      Calendars
	box      *secure.Box
	quoter   AmountQuoter
	enroller Enroller
	now      func() time.Time
	seed     func() int64 // spot-check seeds; crypto/rand unless a test fixes them
}

// NewService wires the use cases. quoter and enroller are enrolment's (ports.go).
func NewService(conn *sqlx.DB, guard *access.Guard, cal Calendars, box *secure.Box, quoter AmountQuoter, enroller Enroller,
	now func() time.Time) *Service {
	return &Service{db: conn, guard: guard, cal: cal, box: box, quoter: quoter, enroller: enroller, now: now, seed: cryptoSeed}
}

func cryptoSeed() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("casework: no randomness: %v", err))
	}
	// 53 bits: the seed stays exact as a JSON number in a browser, so anyone can repeat the
	// draw from what the page shows.
	return int64(binary.BigEndian.Uint64(b[:]) >> 11)
}

func (s *Service) today() civil.Date { return civil.Today(s.now()) }

// callerScope is the transaction scope of a caller's work: their broadest division. ok is
// false for a caller with no role (nothing exists for them).
func callerScope(p access.Principal) (db.Scope, bool) {
	div, ok := access.WorkingDivision(p, "")
	if !ok || p.CountyCode == "" || p.CountyCode == access.PlatformDomain {
		return db.Scope{}, false
	}
	return db.Scope{County: access.CountyOf(div), Division: div}, true
}

// work is one action on one locked case inside its transaction.
type work struct {
	tx      *sqlx.Tx
	p       access.Principal
	f       *caseFile
	st      Settings
	cal     *calendar.Calendar
	today   civil.Date
	now     time.Time
	meta    identity.Meta
	action  Action
	flagged bool // a registered relative is in the household (stored or found now)
}

// change is what an action did, for the case row, its timeline and the audit log.
type change struct {
	to          State // "" keeps the state
	opinion     string
	attachments []int64
	detail      map[string]any
}

// act runs one action on case id: 404 when the caller does not see it, 403 for a
// recused staff member or a role without the permission, 409 for a stale version or a
// state the action does not start from, then fn, then the timeline entry, the audit row
// and the new version, all in one transaction. It answers the case as it now stands.
func (s *Service) act(ctx context.Context, p access.Principal, id int64, a Action, version int, meta identity.Meta,
	fn func(w *work) (change, error)) (Detail, error) {
	if version <= 0 {
		return Detail{}, required("version", "版本号", "version")
	}
	var out Detail
	var recused *Case
	err := s.inCase(ctx, p, id, true, func(w *work) error {
		w.meta, w.action = meta, a
		c := w.f.c
		if w.f.relatedTo(p.UserID) {
			recused = &c
			return errRecusal()
		}
		if err := s.permit(ctx, w, a); err != nil {
			return err
		}
		if version != c.Version {
			return errVersion(version, c.Version)
		}
		if !a.allowedIn(c.State) {
			return errState(a, c.State)
		}
		ch, err := fn(w)
		if err != nil {
			return err
		}
		if err := w.commit(ctx, ch); err != nil {
			return err
		}
		if err := w.reload(ctx); err != nil {
			return err
		}
		out, err = s.detail(ctx, w)
		return err
	})
	if recused != nil {
		s.recordRecusal(ctx, p, *recused, a, meta)
	}
	return out, err
}

// inCase loads case id for the caller (locked when lock) with its settings and calendar
// and runs fn in the caller's scope.
func (s *Service) inCase(ctx context.Context, p access.Principal, id int64, lock bool, fn func(w *work) error) error {
	scope, ok := callerScope(p)
	if !ok {
		return errCaseNotFound()
	}
	// Load the county's policy and the calendar before the transaction holds a connection,
	// so one request never needs two at once.
	s.guard.Allowed(ctx, p, scope.Division, "case", "read")
	cal, err := s.cal.Current(ctx)
	if err != nil {
		return err
	}
	return db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		c, err := loadCase(ctx, tx, scope.County, id, lock)
		if errors.Is(err, errNoCase) || (err == nil && !access.Sees(p, c.DivisionCode)) {
			return errCaseNotFound()
		}
		if err != nil {
			return err
		}
		f, err := loadFile(ctx, tx, c)
		if err != nil {
			return err
		}
		st, err := loadSettings(ctx, tx, c.CountyCode)
		if err != nil {
			return err
		}
		now := s.now()
		w := &work{tx: tx, p: p, f: f, st: st, cal: cal, today: civil.Today(now), now: now,
			flagged: c.RelativeFlag || len(f.related) > 0}
		return fn(w)
	})
}

// permit checks the caller's role for a on the case (recording a refusal).
func (s *Service) permit(ctx context.Context, w *work, a Action) error {
	c := w.f.c
	id := fmt.Sprint(c.ID)
	switch a {
	case ActSignVisit:
		return nil // the named investigators sign; checked by the action
	case ActApprove, ActDeny:
		if s.guard.Allowed(ctx, w.p, c.DivisionCode, "case", "decide") {
			return nil
		}
		if w.st.DecisionDelegated {
			if err := s.guard.Require(ctx, w.p, c.DivisionCode, "case", id, "decide_delegated"); err != nil {
				return errRole(a)
			}
			return nil
		}
	}
	r := rules[a]
	if err := s.guard.Require(ctx, w.p, c.DivisionCode, r.obj, id, r.act); err != nil {
		return errRole(a)
	}
	return nil
}

// may reports, without recording anything, whether the caller's roles allow a.
func (s *Service) may(ctx context.Context, w *work, a Action) bool {
	c := w.f.c
	switch a {
	case ActSignVisit:
		return true
	case ActApprove, ActDeny:
		return s.guard.Allowed(ctx, w.p, c.DivisionCode, "case", "decide") ||
			(w.st.DecisionDelegated && s.guard.Allowed(ctx, w.p, c.DivisionCode, "case", "decide_delegated"))
	}
	r := rules[a]
	return s.guard.Allowed(ctx, w.p, c.DivisionCode, r.obj, r.act)
}

// commit writes the new state and version, the timeline entry and the audit row.
func (w *work) commit(ctx context.Context, ch change) error {
	c := w.f.c
	to := ch.to
	if to == "" {
		to = c.State
	}
	res, err := w.tx.ExecContext(ctx, `UPDATE cases SET state = $4, version = version + 1, updated_at = $5,
			closed_at = CASE WHEN $6 AND closed_at IS NULL THEN $5 ELSE closed_at END, relative_flag = relative_flag OR $7
		WHERE county_code = $1 AND id = $2 AND version = $3`,
		c.CountyCode, c.ID, c.Version, string(to), w.now, to.Closed(), w.flagged)
	if err != nil {
		return fmt.Errorf("casework: %s case %d: %w", w.action, c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errVersion(c.Version, c.Version+1)
	}
	if err := insertEvent(ctx, w.tx, event{County: c.CountyCode, CaseID: c.ID, Division: c.DivisionCode, At: w.now,
		ActorID: w.p.UserID, ActorName: w.p.DisplayName, Action: string(w.action), From: c.State, To: to,
		Opinion: ch.opinion, Attachments: ch.attachments, Detail: ch.detail}); err != nil {
		return err
	}
	detail := map[string]any{"from": c.State, "to": to, "version": c.Version + 1}
	for k, v := range ch.detail {
		detail[k] = v
	}
	if err := audit.Write(ctx, w.tx, audit.Entry{ActorID: w.p.UserID, ActorName: w.p.Username, CountyCode: c.CountyCode,
		DivisionCode: c.DivisionCode, Action: "case." + string(w.action), ObjectType: "case", ObjectID: fmt.Sprint(c.ID),
		Outcome: audit.Success, RequestID: w.meta.RequestID, ClientIP: w.meta.ClientIP, Detail: detail}); err != nil {
		return err
	}
	w.f.c.State, w.f.c.Version = to, c.Version+1
	if w.flagged {
		w.f.c.RelativeFlag = true
	}
	return nil
}

// reload re-reads the case row after an action changed it.
func (w *work) reload(ctx context.Context) error {
	c, err := loadCase(ctx, w.tx, w.f.c.CountyCode, w.f.c.ID, false)
	if err != nil {
		return err
	}
	f, err := loadFile(ctx, w.tx, c)
	if err != nil {
		return err
	}
	w.f = f
	return nil
}

// recordRecusal writes the refusal of a recused staff member to the audit log, outside the
// rolled-back transaction.
func (s *Service) recordRecusal(ctx context.Context, p access.Principal, c Case, a Action, meta identity.Meta) {
	err := db.WithScope(ctx, s.db, db.Scope{County: c.CountyCode, Division: c.DivisionCode}, func(tx *sqlx.Tx) error {
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: c.CountyCode,
			DivisionCode: c.DivisionCode, Action: "access.denied", ObjectType: "case", ObjectID: fmt.Sprint(c.ID),
			Outcome: audit.Denied, RequestID: meta.RequestID, ClientIP: meta.ClientIP,
			Detail: map[string]any{"action": string(a), "reason": "recusal"}})
	})
	if err != nil {
		httpx.Logger(ctx).Error("record recusal", "error", err.Error())
	}
}
