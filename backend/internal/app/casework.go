package app

import (
	"context"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/casework"
	"dibao/backend/internal/enrolment"
)

// caseEnrolments lets casework quote amounts and enrol through enrolment, each package
// keeping its own types (neither depends on the other).
type caseEnrolments struct{ *enrolment.Service }

// Enroll implements casework.Enroller.
func (e caseEnrolments) Enroll(ctx context.Context, tx *sqlx.Tx, c casework.Enrolment) (casework.Enrolled, error) {
	got, err := e.Service.Enroll(ctx, tx, enrolment.Enrolment{County: c.County, Division: c.Division, CaseID: c.CaseID,
		HouseholdID: c.HouseholdID, ActorID: c.ActorID, DecidedOn: c.DecidedOn})
	if err != nil {
		return casework.Enrolled{}, err
	}
	return casework.Enrolled{CertificateNo: got.CertificateNo, AmountFen: got.AmountFen, StartMonth: got.StartMonth,
		RecheckClass: got.RecheckClass}, nil
}
