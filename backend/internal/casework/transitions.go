package casework

import (
	"context"
	"fmt"

	"dibao/backend/internal/access"
	"dibao/backend/internal/household"
	"dibao/backend/internal/identity"
)

// TransitionRequest is the body of a step that needs only an opinion: the version the
// user saw, what they have to say and the registry attachments that back it.
type TransitionRequest struct {
	Version     int     `json:"version"`
	Opinion     string  `json:"opinion"`
	Attachments []int64 `json:"attachments"`
}

// ReasonRequest is the body of a step that needs a written reason.
type ReasonRequest struct {
	Version     int     `json:"version"`
	Reason      string  `json:"reason"`
	Attachments []int64 `json:"attachments"`
}

// simple is a step whose body is an opinion and whose effect is fn (which may be nil).
func (s *Service) simple(ctx context.Context, p access.Principal, id int64, a Action, to State, req TransitionRequest,
	meta identity.Meta, need bool, fn func(w *work) error) (Detail, error) {
	return s.act(ctx, p, id, a, req.Version, meta, func(w *work) (change, error) {
		if err := s.ready(w, a); err != nil {
			return change{}, err
		}
		if err := checkOpinion("opinion", &req.Opinion, need); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, w.f.c.CountyCode, w.f.c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		if fn != nil {
			if err := fn(w); err != nil {
				return change{}, err
			}
		}
		return change{to: to, opinion: req.Opinion, attachments: req.Attachments}, nil
	})
}

// Accept takes a submitted application in (受理): the household's members enter the
// platform-wide person index (a member active in another case anywhere refuses it, naming
// the county) and the decision clock starts.
func (s *Service) Accept(ctx context.Context, p access.Principal, id int64, req TransitionRequest, meta identity.Meta) (Detail, error) {
	return s.simple(ctx, p, id, ActAccept, Accepted, req, meta, false, func(w *work) error {
		c := w.f.c
		if err := household.ActivatePersons(ctx, w.tx, c.CountyCode, c.HouseholdID); err != nil {
			return err
		}
		due := w.cal.AddWorkdays(w.today, w.st.DecisionWorkdays)
		_, err := w.tx.ExecContext(ctx, `UPDATE cases SET accepted_on = $3, due_on = $4, original_due_on = $4,
			evaluation_required = evaluation_required OR $5 WHERE county_code = $1 AND id = $2`,
			c.CountyCode, c.ID, w.today, due, w.st.EvaluationAlways)
		if err != nil {
			return fmt.Errorf("casework: accept case %d: %w", c.ID, err)
		}
		return nil
	})
}

// NotAccept refuses to take an application in (不予受理), with a written reason; the
// household returns to the registry.
func (s *Service) NotAccept(ctx context.Context, p access.Principal, id int64, req ReasonRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActNotAccept, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := checkOpinion("reason", &req.Reason, true); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE cases SET not_accepted_reason = $3 WHERE county_code = $1 AND id = $2`,
			c.CountyCode, c.ID, req.Reason); err != nil {
			return change{}, fmt.Errorf("casework: not accept case %d: %w", c.ID, err)
		}
		if err := release(ctx, w); err != nil {
			return change{}, err
		}
		return change{to: NotAccepted, opinion: req.Reason, attachments: req.Attachments}, nil
	})
}

// release returns a household whose case ended without enrolment to the registry: its
// members leave the person index (a no-op if the case was never accepted).
func release(ctx context.Context, w *work) error {
	c := w.f.c
	if err := household.DeactivatePersons(ctx, w.tx, c.CountyCode, c.HouseholdID); err != nil {
		return err
	}
	return household.SetStatus(ctx, w.tx, c.CountyCode, c.HouseholdID, household.StatusRegistered)
}

// StartInvestigation begins the economic check and home visit (调查核实).
func (s *Service) StartInvestigation(ctx context.Context, p access.Principal, id int64, req TransitionRequest, meta identity.Meta) (Detail, error) {
	return s.simple(ctx, p, id, ActStartInvestigation, Investigating, req, meta, false, nil)
}

// ReferEvaluation sends a fully investigated case to democratic evaluation, where the
// county's policy or an objection requires one.
func (s *Service) ReferEvaluation(ctx context.Context, p access.Principal, id int64, req TransitionRequest, meta identity.Meta) (Detail, error) {
	return s.simple(ctx, p, id, ActReferEvaluation, Evaluating, req, meta, false, nil)
}

// SignOff is the township leader signing the caseworker's proposal: the township's review
// is done.
func (s *Service) SignOff(ctx context.Context, p access.Principal, id int64, req TransitionRequest, meta identity.Meta) (Detail, error) {
	return s.simple(ctx, p, id, ActSignOff, TownshipReviewed, req, meta, false, func(w *work) error {
		_, err := w.tx.ExecContext(ctx, `UPDATE cases SET signed_off_by = $3, signed_off_at = $4 WHERE county_code = $1 AND id = $2`,
			w.f.c.CountyCode, w.f.c.ID, w.p.UserID, w.now)
		if err != nil {
			return fmt.Errorf("casework: sign off case %d: %w", w.f.c.ID, err)
		}
		return nil
	})
}

// ReturnReview is the leader sending the proposal back to the caseworker with an opinion.
func (s *Service) ReturnReview(ctx context.Context, p access.Principal, id int64, req TransitionRequest, meta identity.Meta) (Detail, error) {
	return s.simple(ctx, p, id, ActReturnReview, "", req, meta, true, func(w *work) error {
		return clearProposal(ctx, w)
	})
}

func clearProposal(ctx context.Context, w *work) error {
	_, err := w.tx.ExecContext(ctx, `UPDATE cases SET recommendation = NULL, proposal = NULL, proposed_amount_fen = NULL,
		proposal_reason = NULL, proposed_by = NULL, proposed_at = NULL, signed_off_by = NULL, signed_off_at = NULL
		WHERE county_code = $1 AND id = $2`, w.f.c.CountyCode, w.f.c.ID)
	if err != nil {
		return fmt.Errorf("casework: clear proposal of case %d: %w", w.f.c.ID, err)
	}
	return nil
}

// ExtendDeadline extends the decision deadline once, to the county's longer limit, with a
// recorded reason.
func (s *Service) ExtendDeadline(ctx context.Context, p access.Principal, id int64, req ReasonRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActExtendDeadline, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := s.ready(w, ActExtendDeadline); err != nil {
			return change{}, err
		}
		if err := checkOpinion("reason", &req.Reason, true); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		due := w.cal.AddWorkdays(*c.AcceptedOn, w.st.ExtendedWorkdays)
		if !due.After(*c.DueOn) {
			return change{}, errIncomplete("extension_not_longer", "按本县设置，延长后的期限并不晚于现有期限",
				"Under the county's settings the extended deadline would not be later than the current one")
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE cases SET due_on = $3, extension_reason = $4, extended_by = $5, extended_at = $6
			WHERE county_code = $1 AND id = $2`, c.CountyCode, c.ID, due, req.Reason, w.p.UserID, w.now); err != nil {
			return change{}, fmt.Errorf("casework: extend case %d: %w", c.ID, err)
		}
		return change{opinion: req.Reason, attachments: req.Attachments,
			detail: map[string]any{"due_on": due.String(), "previous_due_on": c.DueOn.String()}}, nil
	})
}
