package casework

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Get answers one case with everything recorded on it and the caller's next actions.
func (s *Service) Get(ctx context.Context, p access.Principal, id int64) (Detail, error) {
	var out Detail
	err := s.inCase(ctx, p, id, false, func(w *work) error {
		if err := s.guard.Require(ctx, p, w.f.c.DivisionCode, "case", fmt.Sprint(id), "read"); err != nil {
			return err
		}
		var err error
		out, err = s.detail(ctx, w)
		return err
	})
	return out, err
}

// Summary is one case in a list.
type Summary struct {
	ID                int64       `json:"id" db:"id"`
	CaseNo            string      `json:"case_no" db:"-"`
	DivisionCode      string      `json:"division_code" db:"division_code"`
	VillageName       string      `json:"village_name" db:"village_name"`
	HouseholdID       int64       `json:"household_id" db:"household_id"`
	HeadName          string      `json:"head_name" db:"head_name"`
	Category          string      `json:"category" db:"category"`
	ApplicantName     string      `json:"applicant_name" db:"applicant_name"`
	State             State       `json:"state" db:"state"`
	Version           int         `json:"version" db:"version"`
	Channel           string      `json:"channel" db:"channel"`
	SubmittedAt       time.Time   `json:"submitted_at" db:"submitted_at"`
	AcceptedOn        *civil.Date `json:"accepted_on" db:"accepted_on"`
	DueOn             *civil.Date `json:"due_on" db:"due_on"`
	Extended          bool        `json:"extended" db:"extended"`
	WorkdaysLeft      *int        `json:"workdays_left" db:"-"`
	Overdue           bool        `json:"overdue" db:"-"`
	DueSoon           bool        `json:"due_soon" db:"-"`
	RelativeFlag      bool        `json:"relative_flag" db:"relative_flag"`
	Recommendation    *string     `json:"recommendation" db:"recommendation"`
	ProposedAmountFen *int64      `json:"proposed_amount_fen" db:"proposed_amount_fen"`
	AmountFen         *int64      `json:"amount_fen" db:"amount_fen"` // the approved monthly amount
	DecidedOn         *civil.Date `json:"decided_on" db:"decided_on"`
	CertificateNo     *string     `json:"certificate_no" db:"certificate_no"`
	SpotCheckID       *int64      `json:"spot_check_id" db:"spot_check_id"`
	CountyCode        string      `json:"-" db:"county_code"`
	DueSort           civil.Date  `json:"-" db:"due_sort"`
}

// Page is one page of cases; NextCursor is the after= of the next page ("" at the end).
type Page struct {
	Items      []Summary `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

// ListParams are the query of GET /cases and the deadline lists.
type ListParams struct {
	Division string // the working division (default: the caller's broadest)
	State    string // a state, several separated by commas, "open" (default) or "all"
	Queue    string // "decision": cases awaiting the decision
	// Household narrows the list to one household's cases (its page lists them all with
	// State "all"); a household outside the working division simply has none.
	Household string
	After     string
	Limit     string
}

// Lists.
const (
	listAll     = "all"
	listDueSoon = "due_soon"
	listOverdue = "overdue"
)

var cursorPattern = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})_([0-9]{1,18})$`)

// List is the work list: cases in the working division by deadline (cases not yet
// accepted last), optionally of some states.
func (s *Service) List(ctx context.Context, p access.Principal, q ListParams) (Page, error) {
	return s.list(ctx, p, q, listAll)
}

// DueSoon lists cases whose decision is due within 5 working days.
func (s *Service) DueSoon(ctx context.Context, p access.Principal, q ListParams) (Page, error) {
	return s.list(ctx, p, q, listDueSoon)
}

// Overdue lists cases past their decision deadline and still undecided.
func (s *Service) Overdue(ctx context.Context, p access.Principal, q ListParams) (Page, error) {
	return s.list(ctx, p, q, listOverdue)
}

// listScope resolves the working division of a list and checks a permission there: 404
// for a division outside the caller's area, 403 without the permission.
func (s *Service) listScope(ctx context.Context, p access.Principal, requested, obj, act string) (string, error) {
	if requested != "" && !divisionPattern.MatchString(requested) {
		return "", invalid("division", "区划代码格式不正确", "division is not a division code")
	}
	if p.CountyCode == "" || p.CountyCode == access.PlatformDomain {
		return "", httpx.Msg(404, "division_not_found", "区划不存在或不在您的管辖范围内", "No such division, or it is outside your area")
	}
	div, ok := access.WorkingDivision(p, requested)
	if !ok || access.CountyOf(div) != p.CountyCode {
		return "", httpx.Msg(404, "division_not_found", "区划不存在或不在您的管辖范围内", "No such division, or it is outside your area")
	}
	if err := s.guard.Require(ctx, p, div, obj, div, act); err != nil {
		return "", err
	}
	return div, nil
}

var divisionPattern = regexp.MustCompile(`^[0-9]{6}([0-9]{3}([0-9]{3})?)?$`)

func parseLimit(raw string) (int, error) {
	if raw == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 200 {
		return 0, invalid("limit", "每页条数须在 1 至 200 之间", "limit must be between 1 and 200")
	}
	return n, nil
}

func (s *Service) list(ctx context.Context, p access.Principal, q ListParams, which string) (Page, error) {
	div, err := s.listScope(ctx, p, q.Division, "case", "read")
	if err != nil {
		return Page{}, err
	}
	limit, err := parseLimit(q.Limit)
	if err != nil {
		return Page{}, err
	}
	var afterDue civil.Date
	var afterID int64
	if q.After != "" {
		m := cursorPattern.FindStringSubmatch(q.After)
		if m == nil {
			return Page{}, invalid("after", "分页游标无效", "Invalid page cursor")
		}
		afterDue, err = civil.ParseDate(m[1])
		if err != nil {
			return Page{}, invalid("after", "分页游标无效", "Invalid page cursor")
		}
		afterID, _ = strconv.ParseInt(m[2], 10, 64)
	}
	cal, err := s.cal.Current(ctx)
	if err != nil {
		return Page{}, err
	}
	today := s.today()
	where := []string{"c.county_code = $1", "c.division_code >= $2", "c.division_code < $2 || '~'"}
	args := []any{access.CountyOf(div), div}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	pending := pq.Array([]string{string(Accepted), string(Investigating), string(Evaluating), string(TownshipReviewed), string(Noticed)})
	switch which {
	case listDueSoon:
		where = append(where, "c.closed_at IS NULL", "c.state = ANY("+arg(pending)+")",
			"c.due_on >= "+arg(today), "c.due_on <= "+arg(cal.AddWorkdays(today, DueSoonWorkdays)))
	case listOverdue:
		where = append(where, "c.closed_at IS NULL", "c.state = ANY("+arg(pending)+")", "c.due_on < "+arg(today))
	}
	switch {
	case q.Queue == "decision":
		where = append(where, "(c.state = 'noticed' OR (c.state = 'township_reviewed' AND c.recommendation = 'deny'))")
	case q.Queue != "":
		return Page{}, invalid("queue", "queue 只能为 decision（待审批）", "queue must be decision")
	}
	switch st := strings.TrimSpace(q.State); st {
	case "", "open":
		if which == listAll {
			where = append(where, "c.closed_at IS NULL")
		}
	case "all":
	default:
		var states []string
		for _, one := range strings.Split(st, ",") {
			one = strings.TrimSpace(one)
			if !knownState(one) {
				return Page{}, invalid("state", fmt.Sprintf("未知的案件状态：%s", one), fmt.Sprintf("Unknown case state: %s", one))
			}
			states = append(states, one)
		}
		where = append(where, "c.state = ANY("+arg(pq.Array(states))+")")
	}
	if q.Household != "" {
		hid, err := strconv.ParseInt(q.Household, 10, 64)
		if err != nil || hid <= 0 {
			return Page{}, invalid("household_id", "household_id 须为户档案编号（正整数）", "household_id must be a household id (a positive integer)")
		}
		where = append(where, "c.household_id = "+arg(hid))
	}
	if q.After != "" {
		where = append(where, fmt.Sprintf("(c.due_sort, c.id) > (%s, %s)", arg(afterDue), arg(afterID)))
	}
	// The village's name by key per row (not a join, which the planner may answer by
	// hashing every division on the platform; see household/list.go).
	query := `SELECT c.id, c.county_code, c.division_code,
			coalesce((SELECT d.name FROM divisions d WHERE d.code = c.division_code), '') AS village_name, c.household_id, h.head_name,
			h.category, c.applicant_name, c.state, c.version, c.channel, c.submitted_at, c.accepted_on, c.due_on,
			c.extension_reason IS NOT NULL AS extended, c.relative_flag, c.recommendation, c.proposed_amount_fen,
			c.amount_fen, c.decided_on, c.certificate_no, c.spot_check_id, c.due_sort
		FROM cases c JOIN households h ON h.county_code = c.county_code AND h.id = c.household_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY c.due_sort, c.id LIMIT ` + arg(limit+1)
	page := Page{Items: []Summary{}}
	err = db.WithScope(ctx, s.db, db.Scope{County: access.CountyOf(div), Division: div}, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &page.Items, query, args...); err != nil {
			return fmt.Errorf("casework: list cases in %s: %w", div, err)
		}
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = fmt.Sprintf("%s_%d", last.DueSort, last.ID)
	}
	for i := range page.Items {
		it := &page.Items[i]
		it.CaseNo = caseNo(it.CountyCode, it.SubmittedAt, it.ID)
		if it.DueOn != nil && it.State.Pending() {
			left := cal.WorkdaysBetween(today, *it.DueOn)
			it.WorkdaysLeft = &left
			it.Overdue = today.After(*it.DueOn)
			it.DueSoon = !it.Overdue && !it.DueOn.After(cal.AddWorkdays(today, DueSoonWorkdays))
		}
	}
	return page, nil
}

func knownState(s string) bool {
	for _, st := range States {
		if string(st) == s {
			return true
		}
	}
	return false
}

// NoticeItem is one notice on the village's board.
type NoticeItem struct {
	Notice
	CaseNo       string    `json:"case_no" db:"-"`
	DivisionCode string    `json:"division_code" db:"division_code"`
	CountyCode   string    `json:"-" db:"county_code"`
	SubmittedAt  time.Time `json:"-" db:"submitted_at"`
}

// NoticePage is one page of notices.
type NoticePage struct {
	Items      []NoticeItem `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

// Notices lists the notices of the working division, newest first: those running (and
// finished but not yet decided) by default, every one with status=all.
func (s *Service) Notices(ctx context.Context, p access.Principal, status, after, rawLimit, division string) (NoticePage, error) {
	div, err := s.listScope(ctx, p, division, "notice", "read")
	if err != nil {
		return NoticePage{}, err
	}
	limit, err := parseLimit(rawLimit)
	if err != nil {
		return NoticePage{}, err
	}
	where := "n.county_code = $1 AND n.division_code >= $2 AND n.division_code < $2 || '~'"
	args := []any{access.CountyOf(div), div}
	switch status {
	case "", "open":
		where += " AND n.status = 'open'"
	case "all":
	default:
		return NoticePage{}, invalid("status", "status 只能为 open 或 all", "status must be open or all")
	}
	if after != "" {
		id, err := strconv.ParseInt(after, 10, 64)
		if err != nil || id <= 0 {
			return NoticePage{}, invalid("after", "分页游标无效", "Invalid page cursor")
		}
		args = append(args, id)
		where += fmt.Sprintf(" AND n.id < $%d", len(args))
	}
	args = append(args, limit+1)
	out := NoticePage{Items: []NoticeItem{}}
	err = db.WithScope(ctx, s.db, db.Scope{County: access.CountyOf(div), Division: div}, func(tx *sqlx.Tx) error {
		q := `SELECT n.id, n.case_id, n.round, n.starts_on, n.ends_on, n.head_name, n.village_name, n.covered_people,
				n.monthly_amount_fen, n.category, n.text, n.status, n.posted_at, n.division_code, n.county_code, c.submitted_at
			FROM case_notices n JOIN cases c ON c.county_code = n.county_code AND c.id = n.case_id
			WHERE ` + where + fmt.Sprintf(` ORDER BY n.id DESC LIMIT $%d`, len(args))
		if err := tx.SelectContext(ctx, &out.Items, q, args...); err != nil {
			return fmt.Errorf("casework: notices in %s: %w", div, err)
		}
		return nil
	})
	if err != nil {
		return NoticePage{}, err
	}
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
		out.NextCursor = strconv.FormatInt(out.Items[limit-1].ID, 10)
	}
	for i := range out.Items {
		it := &out.Items[i]
		it.CaseNo = caseNo(it.CountyCode, it.SubmittedAt, it.CaseID)
	}
	return out, nil
}
