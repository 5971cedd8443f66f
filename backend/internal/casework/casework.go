// Package casework is the application workflow of DESIGN.md 3.2: a household's application
// goes from submission through acceptance, the economic check and home visit, democratic
// evaluation where required, the township's review, public notice and the decision, each
// step a server-side rule allowed only to its role and recorded on the case's timeline.
//
// Every action names the version of the case its user saw; a stale version is refused
// (409 case_version_conflict), so two people acting on one case at once cannot both
// succeed. Deadlines count working days (internal/calendar). Staff register their close
// relatives; a case of a registered relative's household is flagged, its related staff
// member must recuse, and the county visits it before deciding. The county draws approved
// cases at random for spot checks.
//
// The registry (internal/household) supplies the household; enrolment (AmountQuoter,
// Enroller in ports.go) supplies the amount and enrols on approval, inside the decision's
// transaction.
package casework

import (
	"fmt"
	"time"

	"dibao/backend/internal/platform/civil"
)

// State is where a case stands (cases.state).
type State string

// The states of DESIGN.md 3.2, in order.
const (
	Submitted        State = "submitted"
	Accepted         State = "accepted"
	NotAccepted      State = "not_accepted" // 不予受理, closed
	Investigating    State = "investigating"
	Evaluating       State = "evaluating"
	TownshipReviewed State = "township_reviewed"
	Noticed          State = "noticed"
	Approved         State = "approved" // closed
	Denied           State = "denied"   // closed
)

// States lists every state in order, for validation and the SPA.
var States = []State{Submitted, Accepted, NotAccepted, Investigating, Evaluating, TownshipReviewed, Noticed, Approved, Denied}

// Closed reports whether a case in s is finished.
func (s State) Closed() bool { return s == NotAccepted || s == Approved || s == Denied }

// Pending reports whether a decision is due on a case in s (its deadline clock runs).
func (s State) Pending() bool { return !s.Closed() && s != Submitted }

var stateNames = map[State][2]string{
	Submitted:        {"已申请", "submitted"},
	Accepted:         {"已受理", "accepted"},
	NotAccepted:      {"不予受理", "not accepted"},
	Investigating:    {"调查核实中", "under investigation"},
	Evaluating:       {"民主评议中", "under evaluation"},
	TownshipReviewed: {"乡镇已审核", "reviewed by the township"},
	Noticed:          {"公示中", "on public notice"},
	Approved:         {"已批准", "approved"},
	Denied:           {"不予批准", "denied"},
}

// Name is the state's display name, in Chinese and English.
func (s State) Name() (zh, en string) {
	n, ok := stateNames[s]
	if !ok {
		return string(s), string(s)
	}
	return n[0], n[1]
}

// Channels an application comes in through.
var Channels = []string{"window", "village", "online"}

// Recommendations of the township's proposal.
const (
	RecommendApprove = "approve"
	RecommendDeny    = "deny"
)

// Case is one application as stored.
type Case struct {
	CountyCode                string      `db:"county_code"`
	ID                        int64       `db:"id"`
	DivisionCode              string      `db:"division_code"`
	HouseholdID               int64       `db:"household_id"`
	State                     State       `db:"state"`
	Version                   int         `db:"version"`
	Round                     int         `db:"round"`
	Channel                   string      `db:"channel"`
	ApplicantName             string      `db:"applicant_name"`
	ApplicationReason         string      `db:"application_reason"`
	AuthorisationSignedOn     civil.Date  `db:"authorisation_signed_on"`
	AuthorisationAttachmentID *int64      `db:"authorisation_attachment_id"`
	SubmittedBy               *int64      `db:"submitted_by"`
	SubmittedAt               time.Time   `db:"submitted_at"`
	AcceptedOn                *civil.Date `db:"accepted_on"`
	DueOn                     *civil.Date `db:"due_on"`
	OriginalDueOn             *civil.Date `db:"original_due_on"`
	ExtensionReason           *string     `db:"extension_reason"`
	ExtendedBy                *int64      `db:"extended_by"`
	ExtendedAt                *time.Time  `db:"extended_at"`
	EvaluationRequired        bool        `db:"evaluation_required"`
	HouseholdSize             *int        `db:"household_size"`
	HouseholdIncomeFen        *int64      `db:"household_income_fen"`
	PerCapitaIncomeFen        *int64      `db:"per_capita_income_fen"`
	Recommendation            *string     `db:"recommendation"`
	Proposal                  []byte      `db:"proposal"` // benefit.Result as JSON, or nil
	ProposedAmountFen         *int64      `db:"proposed_amount_fen"`
	ProposalReason            *string     `db:"proposal_reason"`
	ProposedBy                *int64      `db:"proposed_by"`
	ProposedAt                *time.Time  `db:"proposed_at"`
	SignedOffBy               *int64      `db:"signed_off_by"`
	SignedOffAt               *time.Time  `db:"signed_off_at"`
	RelativeFlag              bool        `db:"relative_flag"`
	NotAcceptedReason         *string     `db:"not_accepted_reason"`
	DecidedOn                 *civil.Date `db:"decided_on"`
	DecidedBy                 *int64      `db:"decided_by"`
	DecisionLevel             *string     `db:"decision_level"`
	DenialReason              *string     `db:"denial_reason"`
	CertificateNo             *string     `db:"certificate_no"`
	AmountFen                 *int64      `db:"amount_fen"`
	StartMonth                *string     `db:"start_month"`
	RecheckClass              *string     `db:"recheck_class"`
	SpotCheckID               *int64      `db:"spot_check_id"`
	ClosedAt                  *time.Time  `db:"closed_at"`
	UpdatedAt                 time.Time   `db:"updated_at"`
}

// CaseNo is the number staff and applicants quote: county, year of submission, id.
func (c Case) CaseNo() string { return caseNo(c.CountyCode, c.SubmittedAt, c.ID) }

func caseNo(county string, submitted time.Time, id int64) string {
	return fmt.Sprintf("%s-%d-%06d", county, submitted.In(civil.Shanghai).Year(), id)
}
