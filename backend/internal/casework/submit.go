package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/household"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
)

// SubmitRequest is POST /cases: an application of a registered household.
type SubmitRequest struct {
	HouseholdID int64  `json:"household_id"`
	Channel     string `json:"channel"` // window, village, online
	// ApplicantName: one applicant per household; the head of household when empty.
	ApplicantName     string `json:"applicant_name"`
	ApplicationReason string `json:"application_reason"`
	// The household's signed authorisation for the economic check: the date it was signed
	// and, when scanned, the registry attachment holding the scan.
	AuthorisationSignedOn     *civil.Date `json:"authorisation_signed_on"`
	AuthorisationAttachmentID *int64      `json:"authorisation_attachment_id"`
	Opinion                   string      `json:"opinion"`
	Attachments               []int64     `json:"attachments"`
}

// Submit opens a case for a household (village workers, or the township window).
func (s *Service) Submit(ctx context.Context, p access.Principal, req SubmitRequest, meta identity.Meta) (Detail, error) {
	scope, ok := callerScope(p)
	if !ok || req.HouseholdID <= 0 {
		return Detail{}, household.ErrNotFound
	}
	s.guard.Allowed(ctx, p, scope.Division, "case", "submit")
	cal, err := s.cal.Current(ctx)
	if err != nil {
		return Detail{}, err
	}
	var out Detail
	err = db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		h, err := household.LoadForUpdate(ctx, tx, scope.County, req.HouseholdID)
		if errors.Is(err, household.ErrNotFound) || (err == nil && !access.Sees(p, h.DivisionCode)) {
			return household.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.guard.Require(ctx, p, h.DivisionCode, "case", fmt.Sprint(h.ID), "submit"); err != nil {
			return errRole(ActSubmit)
		}
		now := s.now()
		today := civil.Today(now)
		if err := validateSubmit(&req, h, today); err != nil {
			return err
		}
		if err := checkAttachments(ctx, tx, h.CountyCode, h.ID, "attachments", req.Attachments); err != nil {
			return err
		}
		if req.AuthorisationAttachmentID != nil {
			if err := checkAuthorisationScan(ctx, tx, h.CountyCode, h.ID, *req.AuthorisationAttachmentID); err != nil {
				return err
			}
		}
		if h.Status == household.StatusEnrolled {
			return errHouseholdEnrolled()
		}
		if len(h.Members) == 0 {
			return errIncomplete("household_incomplete", "该户档案没有家庭成员，请先完善户档案", "The household has no members; complete its record first")
		}
		var open bool
		if err := tx.GetContext(ctx, &open, `SELECT EXISTS (SELECT FROM cases WHERE county_code = $1 AND household_id = $2
			AND closed_at IS NULL)`, h.CountyCode, h.ID); err != nil {
			return fmt.Errorf("casework: open case of household %d: %w", h.ID, err)
		}
		if open {
			return errOpenCase()
		}
		related, err := relatedStaff(ctx, tx, h.CountyCode, h.ID)
		if err != nil {
			return fmt.Errorf("casework: relatives of household %d: %w", h.ID, err)
		}
		var id int64
		err = tx.GetContext(ctx, &id, `INSERT INTO cases (county_code, division_code, household_id, channel, applicant_name,
				application_reason, authorisation_signed_on, authorisation_attachment_id, submitted_by, submitted_at,
				relative_flag, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10) RETURNING id`,
			h.CountyCode, h.DivisionCode, h.ID, req.Channel, req.ApplicantName, req.ApplicationReason,
			*req.AuthorisationSignedOn, req.AuthorisationAttachmentID, p.UserID, now, len(related) > 0)
		if err != nil {
			if isUniqueViolation(err, "cases_one_open") {
				return errOpenCase()
			}
			return fmt.Errorf("casework: submit for household %d: %w", h.ID, err)
		}
		if err := household.SetStatus(ctx, tx, h.CountyCode, h.ID, household.StatusApplying); err != nil {
			return err
		}
		detail := map[string]any{"household_id": h.ID, "channel": req.Channel, "relative_flag": len(related) > 0}
		if err := insertEvent(ctx, tx, event{County: h.CountyCode, CaseID: id, Division: h.DivisionCode, At: now,
			ActorID: p.UserID, ActorName: p.DisplayName, Action: string(ActSubmit), From: Submitted, To: Submitted,
			Opinion: req.Opinion, Attachments: req.Attachments, Detail: detail}); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: h.CountyCode,
			DivisionCode: h.DivisionCode, Action: "case.submit", ObjectType: "case", ObjectID: fmt.Sprint(id),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail}); err != nil {
			return err
		}
		c, err := loadCase(ctx, tx, h.CountyCode, id, false)
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
		w := &work{tx: tx, p: p, f: f, st: st, cal: cal, today: today, now: now, flagged: c.RelativeFlag}
		out, err = s.detail(ctx, w)
		return err
	})
	return out, err
}

func validateSubmit(req *SubmitRequest, h household.Household, today civil.Date) error {
	if !slices.Contains(Channels, req.Channel) {
		return invalid("channel", "申请渠道须为 window（乡镇窗口）、village（村代办）或 online（网上申请）",
			"channel must be window, village or online")
	}
	req.ApplicantName = strings.TrimSpace(req.ApplicantName)
	if req.ApplicantName == "" {
		req.ApplicantName = h.HeadName
	}
	if utf8.RuneCountInString(req.ApplicantName) > 50 {
		return invalid("applicant_name", "申请人姓名最多 50 个字", "applicant_name is at most 50 characters")
	}
	known := false
	for _, m := range h.Members {
		known = known || m.Name == req.ApplicantName
	}
	if !known {
		return invalid("applicant_name", "申请人须是该户的家庭成员", "The applicant must be a member of the household")
	}
	req.ApplicationReason = strings.TrimSpace(req.ApplicationReason)
	if utf8.RuneCountInString(req.ApplicationReason) > 2000 {
		return invalid("application_reason", "申请理由最多 2000 个字", "application_reason is at most 2000 characters")
	}
	if req.AuthorisationSignedOn == nil {
		return required("authorisation_signed_on", "经济状况核对授权书签署日期", "The date the economic-check authorisation was signed")
	}
	if req.AuthorisationSignedOn.After(today) {
		return invalid("authorisation_signed_on", "授权书签署日期不能晚于今天", "authorisation_signed_on cannot be in the future")
	}
	return checkOpinion("opinion", &req.Opinion, false)
}

// checkOpinion trims an opinion or reason and checks its length; required ones must say
// something.
func checkOpinion(field string, s *string, need bool) error {
	*s = strings.TrimSpace(*s)
	if need && *s == "" {
		return invalid(field, "请填写理由或意见", field+" is required")
	}
	if utf8.RuneCountInString(*s) > 2000 {
		return invalid(field, "意见或理由最多 2000 个字", field+" is at most 2000 characters")
	}
	return nil
}

// checkAttachments: every id must be one of the household's attachments, not removed. The
// rows are locked in share mode until the step commits, so the uploader withdrawing a file
// (household.DeleteAttachment locks it for update, then looks for citations) either goes
// first, and the step is refused, or waits and then finds the step citing it.
func checkAttachments(ctx context.Context, tx *sqlx.Tx, county string, householdID int64, field string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > 20 {
		return invalid(field, "一次最多附 20 个附件", field+" holds at most 20 attachments")
	}
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT id FROM household_attachments
		WHERE county_code = $1 AND household_id = $2 AND id = ANY($3) AND deleted_at IS NULL FOR SHARE) a`,
		county, householdID, pq.Array(ids)); err != nil {
		return fmt.Errorf("casework: check attachments: %w", err)
	}
	if n != len(ids) || hasDuplicates(ids) {
		return errNotTheHouseholds(field)
	}
	return nil
}

func errNotTheHouseholds(field string) error {
	return invalid(field, "附件须是该户档案中的附件（不能重复、不能是已删除的）",
		"Attachments must be the household's own attachments, each once and not removed")
}

// checkAuthorisationScan: the application's authorisation is one of the household's
// attachments, not removed, filed as the scan of the signed authorisation (not any file of
// the household). Locked in share mode like checkAttachments.
func checkAuthorisationScan(ctx context.Context, tx *sqlx.Tx, county string, householdID, id int64) error {
	const field = "authorisation_attachment_id"
	var kind string
	err := tx.GetContext(ctx, &kind, `SELECT kind FROM household_attachments
		WHERE county_code = $1 AND household_id = $2 AND id = $3 AND deleted_at IS NULL FOR SHARE`, county, householdID, id)
	if db.IsNotFound(err) {
		return errNotTheHouseholds(field)
	}
	if err != nil {
		return fmt.Errorf("casework: check the authorisation scan: %w", err)
	}
	if kind != "authorisation" {
		return invalid(field, "授权书附件须是类别为“授权书”的扫描件", "The authorisation must be an attachment of kind authorisation")
	}
	return nil
}

func hasDuplicates(ids []int64) bool {
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}

func isUniqueViolation(err error, constraint string) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505" && pe.Constraint == constraint
}
