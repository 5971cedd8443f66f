// Package enrolment turns an approved case into a beneficiary (保障对象): the county's
// standards (保障标准) and benefit settings (施保设置), the amount of a household under them
// (benefit.Compute with its working), enrolment with a re-check class and a start month,
// the certificate (低保证) with a number unique in the county, and the recomputation of
// every active beneficiary when a standard changes (DESIGN.md 3.3, 3.5).
//
// Casework calls Quote while a case is open and Enroll inside its decision transaction;
// both work in the caller's transaction and scope. The HTTP use cases (standards,
// settings, beneficiaries, certificates) open their own.
package enrolment

import (
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/civil"
)

// Enrolment is what an approving decision hands over (casework's Enrolment, mirrored so
// this package does not depend on casework).
type Enrolment struct {
	County, Division string // the case's county and division (the household's village or above)
	CaseID           int64
	HouseholdID      int64
	ActorID          int64 // who decided
	DecidedOn        civil.Date
}

// Enrolled is what the decision records of an enrolment (casework's Enrolled, mirrored).
type Enrolled struct {
	CertificateNo string `json:"certificate_no"`
	AmountFen     int64  `json:"amount_fen"`
	StartMonth    string `json:"start_month"`   // 2026-12: the month after the decision
	RecheckClass  string `json:"recheck_class"` // A, B or C
	BeneficiaryID int64  `json:"beneficiary_id"`
}

// Service holds the use cases.
type Service struct {
	db    *sqlx.DB
	guard *access.Guard
	now   func() time.Time
}

// NewService builds the service. now is the clock (tests move it).
func NewService(conn *sqlx.DB, guard *access.Guard, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: conn, guard: guard, now: now}
}

// today is the civil date in Asia/Shanghai.
func (s *Service) today() civil.Date { return civil.Today(s.now()) }
