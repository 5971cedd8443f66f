package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
)

// The SQL of cases and their records. Every query names the county; row-level security is
// the second wall.

var errNoCase = errors.New("casework: no such case")

const caseColumns = `county_code, id, division_code, household_id, state, version, round, channel, applicant_name,
	application_reason, authorisation_signed_on, authorisation_attachment_id, submitted_by, submitted_at, accepted_on, due_on,
	original_due_on, extension_reason, extended_by, extended_at, evaluation_required, household_size, household_income_fen,
	per_capita_income_fen, recommendation, proposal, proposed_amount_fen, proposal_reason, proposed_by, proposed_at,
	signed_off_by, signed_off_at, relative_flag, not_accepted_reason, decided_on, decided_by, decision_level, denial_reason,
	certificate_no, amount_fen, start_month, recheck_class, spot_check_id, closed_at, updated_at`

func loadCase(ctx context.Context, tx *sqlx.Tx, county string, id int64, lock bool) (Case, error) {
	q := `SELECT ` + caseColumns + ` FROM cases WHERE county_code = $1 AND id = $2`
	if lock {
		q += ` FOR UPDATE`
	}
	var c Case
	if err := tx.GetContext(ctx, &c, q, county, id); err != nil {
		if db.IsNotFound(err) {
			return Case{}, errNoCase
		}
		return Case{}, fmt.Errorf("casework: load case %s/%d: %w", county, id, err)
	}
	return c, nil
}

// event is one timeline entry.
type event struct {
	County, Division string
	CaseID           int64
	At               time.Time
	ActorID          int64 // 0 for the public
	ActorName        string
	Action           string
	From, To         State
	Opinion          string
	Attachments      []int64
	Detail           map[string]any
}

func insertEvent(ctx context.Context, tx *sqlx.Tx, e event) error {
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("casework: encode event detail: %w", err)
		}
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	if e.Attachments == nil {
		e.Attachments = []int64{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (county_code, case_id, division_code, at, actor_id, actor_name,
		action, from_state, to_state, opinion, attachments, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.County, e.CaseID, e.Division, e.At, actor, e.ActorName, e.Action, string(e.From), string(e.To), e.Opinion,
		pq.Array(e.Attachments), db.JSONB(detail))
	if err != nil {
		return fmt.Errorf("casework: timeline of case %d: %w", e.CaseID, err)
	}
	return nil
}

// Check is one result of the economic check.
type Check struct {
	ID         int64      `json:"id" db:"id"`
	Round      int        `json:"round" db:"round"`
	Department string     `json:"department" db:"department"`
	Result     string     `json:"result" db:"result"` // consistent, discrepancy, no_record
	Findings   string     `json:"findings" db:"findings"`
	CheckedOn  civil.Date `json:"checked_on" db:"checked_on"`
	RecordedAt time.Time  `json:"recorded_at" db:"recorded_at"`
}

// Visit is a home visit with its investigators.
type Visit struct {
	ID            int64          `json:"id" db:"id"`
	Round         int            `json:"round" db:"round"`
	Kind          string         `json:"kind" db:"kind"` // home, county
	VisitedOn     civil.Date     `json:"visited_on" db:"visited_on"`
	Findings      string         `json:"findings" db:"findings"`
	RecordedBy    int64          `json:"recorded_by" db:"recorded_by"`
	RecordedAt    time.Time      `json:"recorded_at" db:"recorded_at"`
	Investigators []Investigator `json:"investigators"`
	Complete      bool           `json:"complete"` // at least 2 investigators, every one signed
}

// Investigator is one person named on a visit.
type Investigator struct {
	UserID   int64      `json:"user_id" db:"user_id"`
	Name     string     `json:"name" db:"name"`
	SignedAt *time.Time `json:"signed_at" db:"signed_at"`
}

// Evaluation is a democratic evaluation with its panel.
type Evaluation struct {
	ID           int64         `json:"id" db:"id"`
	Round        int           `json:"round" db:"round"`
	HeldOn       civil.Date    `json:"held_on" db:"held_on"`
	PanelSize    int           `json:"panel_size" db:"panel_size"`
	VotesFor     int           `json:"votes_for" db:"votes_for"`
	VotesAgainst int           `json:"votes_against" db:"votes_against"`
	VotesAbstain int           `json:"votes_abstain" db:"votes_abstain"`
	Passed       bool          `json:"passed" db:"passed"`
	Minutes      string        `json:"minutes" db:"minutes"`
	RecordedAt   time.Time     `json:"recorded_at" db:"recorded_at"`
	Members      []PanelMember `json:"members"`
}

// PanelMember is one member of an evaluation panel.
type PanelMember struct {
	Name string `json:"name" db:"name"`
	Kind string `json:"kind" db:"kind"` // villager_representative, cadre, party_member, other
}

// Notice is a public notice: only what DESIGN.md 3.6 allows to be published.
type Notice struct {
	ID               int64      `json:"id" db:"id"`
	CaseID           int64      `json:"case_id" db:"case_id"`
	Round            int        `json:"round" db:"round"`
	StartsOn         civil.Date `json:"starts_on" db:"starts_on"`
	EndsOn           civil.Date `json:"ends_on" db:"ends_on"`
	HeadName         string     `json:"head_name" db:"head_name"`
	VillageName      string     `json:"village_name" db:"village_name"`
	CoveredPeople    int        `json:"covered_people" db:"covered_people"`
	MonthlyAmountFen int64      `json:"monthly_amount_fen" db:"monthly_amount_fen"`
	Category         string     `json:"category" db:"category"`
	Text             string     `json:"text" db:"text"`
	Status           string     `json:"status" db:"status"` // open, objected, completed
	PostedAt         time.Time  `json:"posted_at" db:"posted_at"`
}

// Objection is an objection to a notice.
type Objection struct {
	ID         int64      `json:"id" db:"id"`
	NoticeID   int64      `json:"notice_id" db:"notice_id"`
	Source     string     `json:"source" db:"source"` // village, public
	ReceivedOn civil.Date `json:"received_on" db:"received_on"`
	Content    string     `json:"content" db:"content"`
	Objector   string     `json:"objector" db:"objector"`
	RecordedAt time.Time  `json:"recorded_at" db:"recorded_at"`
	// From the public portal only: the objector's phone, masked, and their receipt code.
	PhoneMasked string  `json:"phone_masked" db:"phone_masked"`
	ReceiptCode *string `json:"receipt_code" db:"receipt_code"`
}

// Event is one entry of the case's timeline.
type Event struct {
	ID          int64           `json:"id" db:"id"`
	At          time.Time       `json:"at" db:"at"`
	ActorID     *int64          `json:"actor_id" db:"actor_id"`
	ActorName   string          `json:"actor_name" db:"actor_name"`
	Action      string          `json:"action" db:"action"`
	FromState   State           `json:"from_state" db:"from_state"`
	ToState     State           `json:"to_state" db:"to_state"`
	Opinion     string          `json:"opinion" db:"opinion"`
	Attachments pq.Int64Array   `json:"attachments" db:"attachments"`
	Detail      json.RawMessage `json:"detail" db:"detail"`
	// AttachmentFiles names the attachments, in the order of Attachments, so the timeline
	// can offer them for download (a removed one is named but no longer served).
	AttachmentFiles []EventFile `json:"attachment_files" db:"-"`
}

// EventFile is a registry attachment named on a timeline entry.
type EventFile struct {
	ID          int64  `json:"id" db:"id"`
	FileName    string `json:"file_name" db:"file_name"`
	ContentType string `json:"content_type" db:"content_type"`
	SizeBytes   int64  `json:"size_bytes" db:"size_bytes"`
	Removed     bool   `json:"removed" db:"removed"`
}

// caseFile is a case with everything recorded on it.
type caseFile struct {
	c           Case
	checks      []Check
	visits      []Visit
	evaluations []Evaluation
	notices     []Notice
	objections  []Objection
	events      []Event
	related     []int64 // staff with a registered relative in the household
}

func loadFile(ctx context.Context, tx *sqlx.Tx, c Case) (*caseFile, error) {
	f := &caseFile{c: c, checks: []Check{}, visits: []Visit{}, evaluations: []Evaluation{}, notices: []Notice{},
		objections: []Objection{}, events: []Event{}, related: []int64{}}
	county, id := c.CountyCode, c.ID
	wrap := func(what string, err error) error {
		return fmt.Errorf("casework: load %s of case %d: %w", what, id, err)
	}
	if err := tx.SelectContext(ctx, &f.checks, `SELECT id, round, department, result, findings, checked_on, recorded_at
		FROM case_checks WHERE county_code = $1 AND case_id = $2 ORDER BY id`, county, id); err != nil {
		return nil, wrap("checks", err)
	}
	if err := tx.SelectContext(ctx, &f.visits, `SELECT id, round, kind, visited_on, findings, recorded_by, recorded_at
		FROM case_visits WHERE county_code = $1 AND case_id = $2 ORDER BY id`, county, id); err != nil {
		return nil, wrap("visits", err)
	}
	var invs []struct {
		VisitID int64 `db:"visit_id"`
		Investigator
	}
	if err := tx.SelectContext(ctx, &invs, `SELECT i.visit_id, i.user_id, i.name, i.signed_at FROM case_visit_investigators i
		JOIN case_visits v ON v.county_code = i.county_code AND v.id = i.visit_id
		WHERE v.county_code = $1 AND v.case_id = $2 ORDER BY i.visit_id, i.user_id`, county, id); err != nil {
		return nil, wrap("investigators", err)
	}
	for i := range f.visits {
		v := &f.visits[i]
		v.Investigators = []Investigator{}
		for _, inv := range invs {
			if inv.VisitID == v.ID {
				v.Investigators = append(v.Investigators, inv.Investigator)
			}
		}
		v.Complete = len(v.Investigators) >= 2
		for _, inv := range v.Investigators {
			if inv.SignedAt == nil {
				v.Complete = false
			}
		}
	}
	if err := tx.SelectContext(ctx, &f.evaluations, `SELECT id, round, held_on, panel_size, votes_for, votes_against,
		votes_abstain, passed, minutes, recorded_at FROM case_evaluations WHERE county_code = $1 AND case_id = $2 ORDER BY id`,
		county, id); err != nil {
		return nil, wrap("evaluations", err)
	}
	var members []struct {
		EvaluationID int64 `db:"evaluation_id"`
		PanelMember
	}
	if err := tx.SelectContext(ctx, &members, `SELECT m.evaluation_id, m.name, m.kind FROM case_evaluation_members m
		JOIN case_evaluations e ON e.county_code = m.county_code AND e.id = m.evaluation_id
		WHERE e.county_code = $1 AND e.case_id = $2 ORDER BY m.evaluation_id, m.seq`, county, id); err != nil {
		return nil, wrap("panel members", err)
	}
	for i := range f.evaluations {
		e := &f.evaluations[i]
		e.Members = []PanelMember{}
		for _, m := range members {
			if m.EvaluationID == e.ID {
				e.Members = append(e.Members, m.PanelMember)
			}
		}
	}
	if err := tx.SelectContext(ctx, &f.notices, `SELECT `+noticeColumns+` FROM case_notices
		WHERE county_code = $1 AND case_id = $2 ORDER BY id`, county, id); err != nil {
		return nil, wrap("notices", err)
	}
	if err := tx.SelectContext(ctx, &f.objections, `SELECT id, notice_id, source, received_on, content, objector, recorded_at,
		phone_masked, receipt_code FROM case_objections WHERE county_code = $1 AND case_id = $2 ORDER BY id`, county, id); err != nil {
		return nil, wrap("objections", err)
	}
	if err := tx.SelectContext(ctx, &f.events, `SELECT id, at, actor_id, actor_name, action, from_state, to_state, opinion,
		attachments, detail FROM case_events WHERE county_code = $1 AND case_id = $2 ORDER BY id`, county, id); err != nil {
		return nil, wrap("timeline", err)
	}
	if err := nameEventFiles(ctx, tx, c, f.events); err != nil {
		return nil, wrap("timeline attachments", err)
	}
	var err error
	if f.related, err = relatedStaff(ctx, tx, county, c.HouseholdID); err != nil {
		return nil, wrap("relatives", err)
	}
	return f, nil
}

// nameEventFiles fills in the names of the attachments the timeline's entries cite, with
// one query for the whole timeline.
func nameEventFiles(ctx context.Context, tx *sqlx.Tx, c Case, events []Event) error {
	var ids []int64
	for i := range events {
		events[i].AttachmentFiles = []EventFile{}
		ids = append(ids, events[i].Attachments...)
	}
	if len(ids) == 0 {
		return nil
	}
	var files []EventFile
	if err := tx.SelectContext(ctx, &files, `SELECT id, file_name, content_type, size_bytes, deleted_at IS NOT NULL AS removed
		FROM household_attachments WHERE county_code = $1 AND household_id = $2 AND id = ANY($3)`,
		c.CountyCode, c.HouseholdID, pq.Array(ids)); err != nil {
		return err
	}
	byID := make(map[int64]EventFile, len(files))
	for _, f := range files {
		byID[f.ID] = f
	}
	for i := range events {
		for _, id := range events[i].Attachments {
			if f, ok := byID[id]; ok {
				events[i].AttachmentFiles = append(events[i].AttachmentFiles, f)
			}
		}
	}
	return nil
}

// Citations tells the registry which attachments the cases' steps hold on to
// (household.Citations): a file is cited once it is a case's authorisation scan or on an
// entry of a case's timeline, and then its uploader may no longer withdraw it.
type Citations struct{}

// CitesAttachment reports whether a case of household householdID cites attachment
// attachmentID, in the caller's transaction.
func (Citations) CitesAttachment(ctx context.Context, tx *sqlx.Tx, county string, householdID, attachmentID int64) (bool, error) {
	var cited bool
	if err := tx.GetContext(ctx, &cited, `SELECT EXISTS (SELECT 1 FROM cases c
		WHERE c.county_code = $1 AND c.household_id = $2 AND (c.authorisation_attachment_id = $3
			OR EXISTS (SELECT 1 FROM case_events e WHERE e.county_code = c.county_code AND e.case_id = c.id
				AND $3 = ANY (e.attachments))))`, county, householdID, attachmentID); err != nil {
		return false, fmt.Errorf("casework: cases citing attachment %d of %s/%d: %w", attachmentID, county, householdID, err)
	}
	return cited, nil
}

// attachmentFile names attachment id of the case's household (nil if there is none).
func attachmentFile(ctx context.Context, tx *sqlx.Tx, c Case, id int64) (*EventFile, error) {
	var f EventFile
	err := tx.GetContext(ctx, &f, `SELECT id, file_name, content_type, size_bytes, deleted_at IS NOT NULL AS removed
		FROM household_attachments WHERE county_code = $1 AND household_id = $2 AND id = $3`, c.CountyCode, c.HouseholdID, id)
	if db.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}

const noticeColumns = `id, case_id, round, starts_on, ends_on, head_name, village_name, covered_people, monthly_amount_fen,
	category, text, status, posted_at`

// relatedStaff lists the staff whose registered close relative is a member of household.
func relatedStaff(ctx context.Context, q sqlx.QueryerContext, county string, household int64) ([]int64, error) {
	ids := []int64{}
	err := sqlx.SelectContext(ctx, q, &ids, `SELECT DISTINCT r.user_id FROM staff_relatives r
		JOIN household_members m ON m.county_code = r.county_code AND m.id_number_index = r.id_number_index
		WHERE r.county_code = $1 AND m.household_id = $2 AND r.removed_at IS NULL ORDER BY r.user_id`, county, household)
	return ids, err
}

func (f *caseFile) relatedTo(user int64) bool {
	for _, id := range f.related {
		if id == user {
			return true
		}
	}
	return false
}

// homeVisitDone reports whether the round has a home visit signed by at least two.
func (f *caseFile) homeVisitDone() bool {
	for _, v := range f.visits {
		if v.Kind == "home" && v.Round == f.c.Round && v.Complete {
			return true
		}
	}
	return false
}

// countyVisitDone reports whether the county has recorded its own visit, fully signed.
func (f *caseFile) countyVisitDone() bool {
	for _, v := range f.visits {
		if v.Kind == "county" && v.Complete {
			return true
		}
	}
	return false
}

func (f *caseFile) checksInRound() int {
	n := 0
	for _, c := range f.checks {
		if c.Round == f.c.Round {
			n++
		}
	}
	return n
}

// evaluation is the round's evaluation, or nil.
func (f *caseFile) evaluation() *Evaluation {
	for i := range f.evaluations {
		if f.evaluations[i].Round == f.c.Round {
			return &f.evaluations[i]
		}
	}
	return nil
}

// openNotice is the notice running or finished without objection, of the current round.
func (f *caseFile) openNotice() *Notice {
	for i := range f.notices {
		if n := &f.notices[i]; n.Round == f.c.Round && n.Status == "open" {
			return n
		}
	}
	return nil
}

// involved reports whether user investigated the case (named on any of its visits).
func (f *caseFile) investigated(user int64) bool {
	for _, v := range f.visits {
		for _, i := range v.Investigators {
			if i.UserID == user {
				return true
			}
		}
	}
	return false
}

// unsignedVisits lists the visits on which user is named and has not signed yet.
func (f *caseFile) unsignedVisits(user int64) []int64 {
	out := []int64{}
	for _, v := range f.visits {
		for _, i := range v.Investigators {
			if i.UserID == user && i.SignedAt == nil {
				out = append(out, v.ID)
			}
		}
	}
	return out
}
