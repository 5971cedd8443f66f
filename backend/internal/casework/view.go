package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

// Detail is GET /cases/:id and the answer of every action: the case as it stands, its
// household, what was recorded on it, its timeline, its deadline and what the caller may
// do next.
type Detail struct {
	ID                 int64               `json:"id"`
	CaseNo             string              `json:"case_no"`
	CountyCode         string              `json:"county_code"`
	DivisionCode       string              `json:"division_code"`
	State              State               `json:"state"`
	Version            int                 `json:"version"`
	Round              int                 `json:"round"`
	Channel            string              `json:"channel"`
	ApplicantName      string              `json:"applicant_name"`
	ApplicationReason  string              `json:"application_reason"`
	Authorisation      Authorisation       `json:"authorisation"`
	SubmittedAt        time.Time           `json:"submitted_at"`
	Household          household.Household `json:"household"`
	Income             IncomeFigures       `json:"income"`
	Deadline           *Deadline           `json:"deadline"`
	EvaluationRequired bool                `json:"evaluation_required"`
	Checks             []Check             `json:"checks"`
	Visits             []Visit             `json:"visits"`
	Evaluations        []Evaluation        `json:"evaluations"`
	Proposal           *Proposal           `json:"proposal"`
	Notices            []Notice            `json:"notices"`
	Objections         []Objection         `json:"objections"`
	NotAcceptedReason  string              `json:"not_accepted_reason,omitempty"`
	Decision           *Decision           `json:"decision"`
	RelativeFlag       bool                `json:"relative_flag"`
	CountyVisitDone    bool                `json:"county_visit_done"`
	SpotCheckID        *int64              `json:"spot_check_id"`
	Recused            bool                `json:"recused"` // the caller must recuse: they may only read
	Timeline           []Event             `json:"timeline"`
	AllowedActions     []Action            `json:"allowed_actions"`
	PendingSignatures  []int64             `json:"pending_signatures"` // visits the caller is to sign
	NoticeDays         int                 `json:"notice_days"`
	ExtendedWorkdays   int                 `json:"extended_workdays"`
	DecisionDelegated  bool                `json:"decision_delegated"`
}

// Authorisation is the household's signed authorisation for the economic check, and its
// scan when one was attached (named so the case page can offer it; a scan removed from
// the registry since is still named, marked removed).
type Authorisation struct {
	SignedOn     civil.Date `json:"signed_on"`
	AttachmentID *int64     `json:"attachment_id"`
	File         *EventFile `json:"file"`
}

// IncomeFigures is the household's counted income as the registry holds it now, and as
// the township's proposal took it.
type IncomeFigures struct {
	HouseholdSize         int    `json:"household_size"`
	CountedMonthlyFen     int64  `json:"counted_monthly_fen"`
	PerCapitaMonthlyFen   int64  `json:"per_capita_monthly_fen"`
	ProposalPerCapitaFen  *int64 `json:"proposal_per_capita_fen"`
	ProposalHouseholdSize *int   `json:"proposal_household_size"`
}

// Deadline is the decision deadline in working days.
type Deadline struct {
	AcceptedOn      civil.Date `json:"accepted_on"`
	DueOn           civil.Date `json:"due_on"`
	OriginalDueOn   civil.Date `json:"original_due_on"`
	Extended        bool       `json:"extended"`
	ExtensionReason string     `json:"extension_reason,omitempty"`
	// WorkdaysLeft counts working days after today up to the deadline (0 on the day
	// itself, negative once it has passed); only while a decision is pending.
	WorkdaysLeft *int `json:"workdays_left"`
	Overdue      bool `json:"overdue"`
	DueSoon      bool `json:"due_soon"` // within 5 working days
}

// Proposal is the township's review: the caseworker's proposal with its computed amount,
// and the leader's sign-off.
type Proposal struct {
	Recommendation string          `json:"recommendation"`
	AmountFen      *int64          `json:"amount_fen"`
	Reason         string          `json:"reason,omitempty"`
	Working        json.RawMessage `json:"working"` // benefit.Result
	ProposedAt     *time.Time      `json:"proposed_at"`
	ProposedBy     string          `json:"proposed_by"`
	SignedOffAt    *time.Time      `json:"signed_off_at"`
	SignedOffBy    string          `json:"signed_off_by"`
}

// Decision is the county's (or delegated township's) decision.
type Decision struct {
	Outcome       State      `json:"outcome"` // approved, denied
	DecidedOn     civil.Date `json:"decided_on"`
	DecidedBy     string     `json:"decided_by"`
	Level         string     `json:"level"` // county, township
	DenialReason  string     `json:"denial_reason,omitempty"`
	CertificateNo string     `json:"certificate_no,omitempty"`
	AmountFen     *int64     `json:"amount_fen,omitempty"`
	StartMonth    string     `json:"start_month,omitempty"`
	RecheckClass  string     `json:"recheck_class,omitempty"`
}

// DueSoonWorkdays is the horizon of the due-soon list.
const DueSoonWorkdays = 5

func (s *Service) detail(ctx context.Context, w *work) (Detail, error) {
	f, c := w.f, w.f.c
	h, err := household.Load(ctx, w.tx, c.CountyCode, c.HouseholdID)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{ID: c.ID, CaseNo: c.CaseNo(), CountyCode: c.CountyCode, DivisionCode: c.DivisionCode, State: c.State,
		Version: c.Version, Round: c.Round, Channel: c.Channel, ApplicantName: c.ApplicantName,
		ApplicationReason: c.ApplicationReason, SubmittedAt: c.SubmittedAt, Household: h,
		Authorisation:      Authorisation{SignedOn: c.AuthorisationSignedOn, AttachmentID: c.AuthorisationAttachmentID},
		EvaluationRequired: c.EvaluationRequired, Checks: f.checks, Visits: f.visits, Evaluations: f.evaluations,
		Notices: f.notices, Objections: f.objections, RelativeFlag: w.flagged, CountyVisitDone: f.countyVisitDone(),
		SpotCheckID: c.SpotCheckID, Recused: f.relatedTo(w.p.UserID), Timeline: f.events,
		PendingSignatures: f.unsignedVisits(w.p.UserID), NoticeDays: w.st.NoticeDays, ExtendedWorkdays: w.st.ExtendedWorkdays,
		DecisionDelegated: w.st.DecisionDelegated}
	if c.AuthorisationAttachmentID != nil {
		if d.Authorisation.File, err = attachmentFile(ctx, w.tx, c, *c.AuthorisationAttachmentID); err != nil {
			return Detail{}, fmt.Errorf("casework: authorisation scan of case %d: %w", c.ID, err)
		}
	}
	d.Income = IncomeFigures{HouseholdSize: len(h.Members), CountedMonthlyFen: h.CountedMonthlyIncome(),
		ProposalPerCapitaFen: c.PerCapitaIncomeFen, ProposalHouseholdSize: c.HouseholdSize}
	if n := int64(len(h.Members)); n > 0 {
		d.Income.PerCapitaMonthlyFen = (2*d.Income.CountedMonthlyFen + n) / (2 * n) // half up, as benefit does
	}
	if c.NotAcceptedReason != nil {
		d.NotAcceptedReason = *c.NotAcceptedReason
	}
	d.Deadline = deadlineOf(c, w)
	if c.Recommendation != nil {
		p := &Proposal{Recommendation: *c.Recommendation, AmountFen: c.ProposedAmountFen, Working: json.RawMessage(c.Proposal),
			ProposedAt: c.ProposedAt, ProposedBy: f.lastActor(ActPropose), SignedOffAt: c.SignedOffAt}
		if c.ProposalReason != nil {
			p.Reason = *c.ProposalReason
		}
		if c.SignedOffAt != nil {
			p.SignedOffBy = f.lastActor(ActSignOff)
		}
		d.Proposal = p
	}
	if c.DecidedOn != nil {
		dec := &Decision{Outcome: c.State, DecidedOn: *c.DecidedOn, AmountFen: c.AmountFen}
		dec.DecidedBy = f.lastActor(ActApprove) + f.lastActor(ActDeny)
		for _, v := range []struct {
			dst *string
			src *string
		}{{&dec.Level, c.DecisionLevel}, {&dec.DenialReason, c.DenialReason}, {&dec.CertificateNo, c.CertificateNo},
			{&dec.StartMonth, c.StartMonth}, {&dec.RecheckClass, c.RecheckClass}} {
			if v.src != nil {
				*v.dst = *v.src
			}
		}
		d.Decision = dec
	}
	d.AllowedActions = s.allowed(ctx, w)
	return d, nil
}

func deadlineOf(c Case, w *work) *Deadline {
	if c.AcceptedOn == nil || c.DueOn == nil {
		return nil
	}
	d := &Deadline{AcceptedOn: *c.AcceptedOn, DueOn: *c.DueOn, OriginalDueOn: *c.DueOn, Extended: c.ExtensionReason != nil}
	if c.OriginalDueOn != nil {
		d.OriginalDueOn = *c.OriginalDueOn
	}
	if c.ExtensionReason != nil {
		d.ExtensionReason = *c.ExtensionReason
	}
	if c.State.Pending() {
		left := w.cal.WorkdaysBetween(w.today, *c.DueOn)
		d.WorkdaysLeft = &left
		d.Overdue = w.today.After(*c.DueOn)
		d.DueSoon = !d.Overdue && !c.DueOn.After(w.cal.AddWorkdays(w.today, DueSoonWorkdays))
	}
	return d
}

// lastActor is who last took action a, from the timeline.
func (f *caseFile) lastActor(a Action) string {
	for i := len(f.events) - 1; i >= 0; i-- {
		if f.events[i].Action == string(a) {
			return f.events[i].ActorName
		}
	}
	return ""
}
