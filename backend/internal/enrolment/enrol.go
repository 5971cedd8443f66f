package enrolment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Enroll makes the household of an approved case a beneficiary, inside the decision's
// transaction (whose scope must cover the household's village): its amount under the
// rules in force in the start month (the month after the decision), its re-check class,
// the certificate with the county's next number, the first entry of its amount history,
// the household's members in the platform-wide person index and the household's status.
// It is casework's Enroller. Errors the decider should read are *httpx.Error (409
// already_enrolled, standard_missing, not_eligible); on any error the caller rolls back.
func (s *Service) Enroll(ctx context.Context, tx *sqlx.Tx, e Enrolment) (Enrolled, error) {
	if len(e.County) != 6 || e.HouseholdID <= 0 || e.DecidedOn.IsZero() {
		return Enrolled{}, fmt.Errorf("enrolment: enrol: incomplete request %+v", e)
	}
	if err := lockStandards(ctx, tx, e.County, false); err != nil {
		return Enrolled{}, err
	}
	h, err := household.LoadForUpdate(ctx, tx, e.County, e.HouseholdID)
	if err != nil {
		return Enrolled{}, err
	}
	if e.Division != "" && !access.Covers(e.Division, h.DivisionCode) {
		return Enrolled{}, fmt.Errorf("enrolment: enrol: household %s/%d is in %s, not under the case's division %s",
			e.County, e.HouseholdID, h.DivisionCode, e.Division)
	}
	if err := checkNotEnrolled(ctx, tx, e.County, e.HouseholdID); err != nil {
		return Enrolled{}, err
	}
	start := MonthOf(e.DecidedOn).Add(1)
	c, err := computeFor(ctx, tx, h, start.First())
	if err != nil {
		return Enrolled{}, err
	}
	if !c.Result.Eligible {
		return Enrolled{}, errNotEligible(c.Result)
	}
	c.Reason = "enrolment"
	settings, err := loadSettings(ctx, tx, e.County, false)
	if err != nil {
		return Enrolled{}, err
	}
	class := RecheckClassOf(h, start.First(), settings.ElderlyAge)

	var id int64
	err = tx.GetContext(ctx, &id, `INSERT INTO beneficiaries (county_code, household_id, division_code, case_id, category,
		status, recheck_class, covered_count, amount_fen, amount_from, start_month, decided_on, enrolled_by)
		VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $9, $10, $11) RETURNING id`,
		e.County, e.HouseholdID, h.DivisionCode, nullID(e.CaseID), h.Category, class, len(c.Result.CoveredMembers),
		c.Result.AmountFen, start, e.DecidedOn, nullID(e.ActorID))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return Enrolled{}, errAlreadyEnrolled()
	}
	if err != nil {
		return Enrolled{}, fmt.Errorf("enrolment: enrol household %s/%d: %w", e.County, e.HouseholdID, err)
	}
	compID, err := insertComputation(ctx, tx, e.County, h.DivisionCode, id, c, e.ActorID)
	if err != nil {
		return Enrolled{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO amount_changes (county_code, beneficiary_id, division_code, reason,
		effective_month, before_fen, after_fen, computation_id, standard_id, created_by)
		VALUES ($1, $2, $3, 'enrolment', $4, 0, $5, $6, $7, $8)`,
		e.County, id, h.DivisionCode, start, c.Result.AmountFen, compID, c.StandardID, nullID(e.ActorID)); err != nil {
		return Enrolled{}, fmt.Errorf("enrolment: record first amount of beneficiary %d: %w", id, err)
	}
	no, err := nextCertificateNo(ctx, tx, e.County, e.DecidedOn.Year)
	if err != nil {
		return Enrolled{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (county_code, certificate_no, beneficiary_id, household_id,
		division_code, issued_on, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.County, no, id, e.HouseholdID, h.DivisionCode, e.DecidedOn, nullID(e.ActorID)); err != nil {
		return Enrolled{}, fmt.Errorf("enrolment: issue certificate %s: %w", no, err)
	}
	if err := household.ActivatePersons(ctx, tx, e.County, e.HouseholdID); err != nil {
		return Enrolled{}, err
	}
	if err := household.SetStatus(ctx, tx, e.County, e.HouseholdID, household.StatusEnrolled); err != nil {
		return Enrolled{}, err
	}
	out := Enrolled{CertificateNo: no, AmountFen: c.Result.AmountFen, StartMonth: start.String(), RecheckClass: class,
		BeneficiaryID: id}
	if err := audit.Write(ctx, tx, audit.Entry{ActorID: e.ActorID, ActorName: actorName(ctx, tx, e.County, e.ActorID),
		CountyCode: e.County, DivisionCode: h.DivisionCode, Action: "beneficiary.enrol", ObjectType: "beneficiary",
		ObjectID: strconv.FormatInt(id, 10), Outcome: audit.Success,
		RequestID: httpx.RequestID(ctx), ClientIP: httpx.ClientIP(ctx),
		Detail: map[string]any{"after": map[string]any{"household_id": e.HouseholdID, "case_id": e.CaseID,
			"category": h.Category, "certificate_no": no, "amount_fen": out.AmountFen, "start_month": out.StartMonth,
			"recheck_class": class, "covered_count": len(c.Result.CoveredMembers), "standard_fen": c.Rules.StandardFen}},
	}); err != nil {
		return Enrolled{}, err
	}
	return out, nil
}

// checkNotEnrolled answers 409 when the household already has an enrolment that is not stopped.
func checkNotEnrolled(ctx context.Context, tx *sqlx.Tx, county string, householdID int64) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM beneficiaries
		WHERE county_code = $1 AND household_id = $2 AND status <> 'stopped'`, county, householdID); err != nil {
		return fmt.Errorf("enrolment: check enrolment of %s/%d: %w", county, householdID, err)
	}
	if n > 0 {
		return errAlreadyEnrolled()
	}
	return nil
}

// nextCertificateNo takes the county's next certificate number of a year, 330523-2026-000123.
// The upsert locks the counter row until the transaction ends, so two enrolments never
// get the same number, and a number is never handed out again: a rolled-back enrolment
// rolls the counter back with it, so no issued number is skipped or reused.
func nextCertificateNo(ctx context.Context, tx *sqlx.Tx, county string, year int) (string, error) {
	var n int64
	err := tx.GetContext(ctx, &n, `INSERT INTO certificate_counters (county_code, year, division_code, last_no)
		VALUES ($1, $2, $1, 1)
		ON CONFLICT (county_code, year) DO UPDATE SET last_no = certificate_counters.last_no + 1
		RETURNING last_no`, county, year)
	if err != nil {
		return "", fmt.Errorf("enrolment: next certificate number of %s/%d: %w", county, year, err)
	}
	return fmt.Sprintf("%s-%04d-%06d", county, year, n), nil
}

// actorName is the username of a staff member for the audit log, "" when the
// transaction's scope does not reach their account (a county approver seen from a township).
func actorName(ctx context.Context, tx *sqlx.Tx, county string, id int64) string {
	if id == 0 {
		return ""
	}
	var name string
	if err := tx.GetContext(ctx, &name, `SELECT username FROM users WHERE county_code = $1 AND id = $2`, county, id); err != nil {
		if !db.IsNotFound(err) {
			httpx.Logger(ctx).Warn("enrolment: actor name", "error", err.Error())
		}
		return ""
	}
	return name
}

func errAlreadyEnrolled() error {
	return httpx.Msg(http.StatusConflict, "already_enrolled", "该户已是在保对象，不能重复纳入低保",
		"The household is already enrolled")
}
