package casework

import (
	"context"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/benefit"
	"dibao/backend/internal/calendar"
	"dibao/backend/internal/platform/civil"
)

// What casework needs from enrolment (internal/enrolment implements both; app.go wires it).
// Both run inside the case's transaction, whose scope covers the household's village.

// AmountQuoter gives the township review its computed amount.
type AmountQuoter interface {
	Quote(ctx context.Context, tx *sqlx.Tx, county string, householdID int64, on civil.Date) (benefit.Result, error)
}

// Enroller enrols an approved household, inside the decision's transaction.
type Enroller interface {
	Enroll(ctx context.Context, tx *sqlx.Tx, e Enrolment) (Enrolled, error)
}

// Enrolment is an approval handed to the Enroller.
type Enrolment struct {
	County, Division             string
	CaseID, HouseholdID, ActorID int64
	DecidedOn                    civil.Date
}

// Enrolled is what the Enroller made of it.
type Enrolled struct {
	CertificateNo string
	AmountFen     int64
	StartMonth    string /* 2026-12 */
	RecheckClass  string /* A|B|C */
}

// Calendars gives the working-day calendar as it stands (calendar.Service).
type Calendars interface {
	Current(ctx context.Context) (*calendar.Calendar, error)
}
