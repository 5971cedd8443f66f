package casework

import (
	"context"
	"fmt"
	"net/http"

	"dibao/backend/internal/access"
	"dibao/backend/internal/household"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/httpx"
)

// The decision (审核确认): the county approving officer's, or the township leader's where
// the county has delegated it. Approval enrols the household in the same transaction;
// denial needs a written reason and gives a printable letter.

// decisionLevel is who decides: the county unless only the delegation lets the caller.
func (s *Service) decisionLevel(ctx context.Context, w *work) string {
	if s.guard.Allowed(ctx, w.p, w.f.c.DivisionCode, "case", "decide") {
		return "county"
	}
	return "township"
}

// Approve approves a case whose notice has run without objection. The household is
// enrolled (certificate, amount, start month, re-check class) by the Enroller inside this
// transaction: if enrolment fails, nothing is approved.
func (s *Service) Approve(ctx context.Context, p access.Principal, id int64, req TransitionRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActApprove, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := s.ready(w, ActApprove); err != nil {
			return change{}, err
		}
		if err := checkOpinion("opinion", &req.Opinion, false); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		if s.enroller == nil {
			return change{}, httpx.Msg(http.StatusServiceUnavailable, "enrolment_unavailable",
				"低保对象纳入服务尚未接入，暂不能批准", "Enrolment is not available yet, so nothing can be approved")
		}
		got, err := s.enroller.Enroll(ctx, w.tx, Enrolment{County: c.CountyCode, Division: c.DivisionCode, CaseID: c.ID,
			HouseholdID: c.HouseholdID, ActorID: w.p.UserID, DecidedOn: w.today})
		if err != nil {
			return change{}, err
		}
		level := s.decisionLevel(ctx, w)
		if _, err := w.tx.ExecContext(ctx, `UPDATE cases SET decided_on = $3, decided_by = $4, decision_level = $5,
				certificate_no = $6, amount_fen = $7, start_month = $8, recheck_class = $9
			WHERE county_code = $1 AND id = $2`, c.CountyCode, c.ID, w.today, w.p.UserID, level, got.CertificateNo,
			got.AmountFen, got.StartMonth, got.RecheckClass); err != nil {
			return change{}, fmt.Errorf("casework: approve case %d: %w", c.ID, err)
		}
		if err := completeNotice(ctx, w); err != nil {
			return change{}, err
		}
		return change{to: Approved, opinion: req.Opinion, attachments: req.Attachments, detail: map[string]any{
			"level": level, "certificate_no": got.CertificateNo, "amount_fen": got.AmountFen, "start_month": got.StartMonth,
			"recheck_class": got.RecheckClass}}, nil
	})
}

// Deny refuses a case with a written reason (township-reviewed with a proposal to deny, or
// after its notice). The household's members leave the person index.
func (s *Service) Deny(ctx context.Context, p access.Principal, id int64, req ReasonRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActDeny, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := s.ready(w, ActDeny); err != nil {
			return change{}, err
		}
		if err := checkOpinion("reason", &req.Reason, true); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		level := s.decisionLevel(ctx, w)
		if _, err := w.tx.ExecContext(ctx, `UPDATE cases SET decided_on = $3, decided_by = $4, decision_level = $5,
				denial_reason = $6 WHERE county_code = $1 AND id = $2`, c.CountyCode, c.ID, w.today, w.p.UserID, level,
			req.Reason); err != nil {
			return change{}, fmt.Errorf("casework: deny case %d: %w", c.ID, err)
		}
		if err := completeNotice(ctx, w); err != nil {
			return change{}, err
		}
		if err := release(ctx, w); err != nil {
			return change{}, err
		}
		return change{to: Denied, opinion: req.Reason, attachments: req.Attachments, detail: map[string]any{"level": level}}, nil
	})
}

func completeNotice(ctx context.Context, w *work) error {
	_, err := w.tx.ExecContext(ctx, `UPDATE case_notices SET status = 'completed', closed_at = $3
		WHERE county_code = $1 AND case_id = $2 AND status = 'open'`, w.f.c.CountyCode, w.f.c.ID, w.now)
	if err != nil {
		return fmt.Errorf("casework: complete notice of case %d: %w", w.f.c.ID, err)
	}
	return nil
}

// Letter is a written decision to print and deliver to the applicant: a refusal to accept
// (不予受理通知书) or a denial (不予批准通知书), with the reason.
type Letter struct {
	Kind          State      `json:"kind"` // not_accepted, denied
	CaseNo        string     `json:"case_no"`
	ApplicantName string     `json:"applicant_name"`
	HeadName      string     `json:"head_name"`
	VillageName   string     `json:"village_name"`
	TownshipName  string     `json:"township_name"`
	CountyName    string     `json:"county_name"`
	SubmittedOn   civil.Date `json:"submitted_on"`
	DecidedOn     civil.Date `json:"decided_on"`
	Reason        string     `json:"reason"`
	// Issuer is the authority in whose name the letter goes out: the county civil affairs
	// bureau, or the township government where it decided or refused acceptance.
	Issuer string `json:"issuer"`
	// DeliverBy: the letter reaches the applicant within 3 working days of the decision.
	DeliverBy civil.Date `json:"deliver_by"`
}

// Letter answers the written decision of a case that was not accepted or was denied.
func (s *Service) Letter(ctx context.Context, p access.Principal, id int64) (Letter, error) {
	var out Letter
	err := s.inCase(ctx, p, id, false, func(w *work) error {
		c := w.f.c
		if err := s.guard.Require(ctx, p, c.DivisionCode, "case", fmt.Sprint(c.ID), "read"); err != nil {
			return err
		}
		if c.State != Denied && c.State != NotAccepted {
			return errIncomplete("no_letter", "只有不予受理或不予批准的案件才有书面通知", "Only a case not accepted or denied has a letter")
		}
		h, err := household.Load(ctx, w.tx, c.CountyCode, c.HouseholdID)
		if err != nil {
			return err
		}
		names := map[string]string{}
		var rows []struct {
			Code string `db:"code"`
			Name string `db:"name"`
		}
		if err := w.tx.SelectContext(ctx, &rows, `SELECT code, name FROM divisions WHERE code IN ($1, $2, $3)`,
			c.CountyCode, c.DivisionCode[:9], c.DivisionCode); err != nil {
			return fmt.Errorf("casework: letter of case %d: %w", c.ID, err)
		}
		for _, r := range rows {
			names[r.Code] = r.Name
		}
		out = Letter{Kind: c.State, CaseNo: c.CaseNo(), ApplicantName: c.ApplicantName, HeadName: h.HeadName,
			VillageName: names[c.DivisionCode], TownshipName: names[c.DivisionCode[:9]], CountyName: names[c.CountyCode],
			SubmittedOn: civil.Today(c.SubmittedAt)}
		switch c.State {
		case NotAccepted:
			out.Reason = deref(c.NotAcceptedReason)
			out.DecidedOn = civil.Today(*c.ClosedAt)
			out.Issuer = names[c.DivisionCode[:9]] + "人民政府"
		case Denied:
			out.Reason = deref(c.DenialReason)
			out.DecidedOn = *c.DecidedOn
			out.Issuer = names[c.CountyCode] + "民政局"
			if deref(c.DecisionLevel) == "township" {
				out.Issuer = names[c.DivisionCode[:9]] + "人民政府"
			}
		}
		out.DeliverBy = w.cal.AddWorkdays(out.DecidedOn, 3)
		return nil
	})
	return out, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
