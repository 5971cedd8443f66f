package household

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/httpx"
)

// ListParams are the query of GET /households, as sent.
type ListParams struct {
	Division string // default: the caller's area
	Query    string // a prefix of the head's name, or a whole ID number
	IDNumber string // a whole ID number of any member
	Status   string
	After    string // cursor: "<division_code>:<id>"
	Limit    string
}

// ListItem is one household in a list: no member details, sensitive values masked.
type ListItem struct {
	ID                 int64     `json:"id" db:"id"`
	DivisionCode       string    `json:"division_code" db:"division_code"`
	DivisionName       string    `json:"division_name" db:"division_name"`
	Category           string    `json:"category" db:"category"`
	HeadName           string    `json:"head_name" db:"head_name"`
	HeadIDNumberMasked string    `json:"head_id_number_masked" db:"head_id_number_masked"`
	PhoneMasked        string    `json:"phone_masked" db:"phone_masked"`
	MemberCount        int       `json:"member_count" db:"member_count"`
	Status             string    `json:"status" db:"status"`
	Version            int       `json:"version" db:"version"`
	UpdatedAt          time.Time `json:"updated_at" db:"updated_at"`
}

// Page is one page of households, in village order; NextCursor is the `after` of the next
// page ("" at the end).
type Page struct {
	Items      []ListItem `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

var (
	divisionPattern = regexp.MustCompile(`^([0-9]{6}|[0-9]{9}|[0-9]{12})$`)
	cursorPattern   = regexp.MustCompile(`^([0-9]{12}):([0-9]{1,18})$`)
	idLike          = regexp.MustCompile(`^[0-9]{17}[0-9Xx]$`)
)

// List searches the households of a division and everything below it: by a prefix of the
// head's name, by a whole ID number of any member (through the blind index), by village,
// by status. Pages follow (division_code, id), which the indexes of 0007 serve in order.
func (s *Service) List(ctx context.Context, p access.Principal, lp ListParams) (Page, error) {
	limit := 50
	if lp.Limit != "" {
		n, err := strconv.Atoi(lp.Limit)
		if err != nil || n < 1 || n > 200 {
			return Page{}, httpx.Invalid("limit", "每页条数须为 1–200", "limit must be 1–200")
		}
		limit = n
	}
	f := listFilter{Limit: limit + 1}
	if lp.After != "" {
		m := cursorPattern.FindStringSubmatch(lp.After)
		if m == nil {
			return Page{}, httpx.Invalid("after", "分页游标无效", "Invalid page cursor")
		}
		f.AfterDivision = m[1]
		f.AfterID, _ = strconv.ParseInt(m[2], 10, 64)
	}
	if lp.Status != "" && !slices.Contains(statuses, lp.Status) {
		return Page{}, httpx.Invalid("status", "状态须为 registered、applying、enrolled 或 exited",
			"status must be registered, applying, enrolled or exited")
	}
	f.Status = lp.Status
	q := strings.TrimSpace(lp.Query)
	if utf8.RuneCountInString(q) > 50 {
		return Page{}, httpx.Invalid("q", "搜索内容最多 50 个字", "The search is at most 50 characters")
	}
	number := NormalizeIDNumber(lp.IDNumber)
	if number == "" && idLike.MatchString(q) {
		number, q = NormalizeIDNumber(q), ""
	}
	if number != "" {
		if _, err := ParseIDNumber(number, s.now()); err != nil {
			ip := err.(*idProblem)
			return Page{}, httpx.Invalid("id_number", ip.zh, ip.en)
		}
		f.IDIndex = s.box.Index(IDNumberField, number)
	}
	f.NamePrefix = q
	if lp.Division != "" && !divisionPattern.MatchString(lp.Division) {
		return Page{}, httpx.Invalid("division", fmt.Sprintf("区划代码 %q 格式不对：县 6 位、乡镇 9 位、村（社区）12 位数字", lp.Division),
			fmt.Sprintf("Division code %q is malformed: 6 digits for a county, 9 for a township, 12 for a village", lp.Division))
	}
	div, ok := access.WorkingDivision(p, lp.Division)
	if !ok || p.CountyCode == access.PlatformDomain {
		return Page{}, errDivisionNotFound("division", lp.Division)
	}
	if err := s.guard.Require(ctx, p, div, "household", "", "read"); err != nil {
		return Page{}, err
	}
	f.County, f.Division = access.CountyOf(div), div
	query, args := listQuery(f)
	stmt, err := s.stmts.Prepared(ctx, query)
	if err != nil {
		return Page{}, fmt.Errorf("household: list %s: %w", div, err)
	}
	// One statement, one round trip: it sets its own scope (app_statement_scope, 0016) and
	// runs outside a transaction block, prepared, so its plan is made once per connection.
	var rows []ListItem
	if err := stmt.SelectContext(ctx, &rows, args...); err != nil {
		return Page{}, fmt.Errorf("household: list %s: %w", div, err)
	}
	out := Page{Items: []ListItem{}}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[len(rows)-1]
		out.NextCursor = last.DivisionCode + ":" + idStr(last.ID)
	}
	if rows != nil {
		out.Items = rows
	}
	return out, nil
}

type listFilter struct {
	County, Division string
	NamePrefix       string
	IDIndex          []byte
	Status           string
	AfterDivision    string
	AfterID          int64
	Limit            int
}

// listQuery is the search. The division range and the keyset ride the index
// households_division (county_code, division_code, id); a name prefix uses
// households_head_name (county_code, head_name text_pattern_ops, division_code); an ID
// number goes through household_members_id_number to the few households that list the
// person. Every value is a parameter, the page size too, so that each combination of
// filters is one statement text.
func listQuery(f listFilter) (string, []any) {
	var where strings.Builder
	args := []any{f.County, f.Division}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where.WriteString(`h.county_code = $1 AND h.division_code >= $2 AND h.division_code < $2 || '~'`)
	order := "h.division_code"
	if f.NamePrefix != "" {
		// A range of the pattern operators rather than LIKE: they are leakproof, so under
		// row-level security they may still be index conditions (LIKE may not).
		fmt.Fprintf(&where, ` AND h.head_name ~>=~ %s`, arg(f.NamePrefix))
		if upper, ok := prefixUpper(f.NamePrefix); ok {
			fmt.Fprintf(&where, ` AND h.head_name ~<~ %s`, arg(upper))
		}
		// Found through households_head_name, then sorted: the same order by an expression
		// the division index cannot give keeps the planner from walking a whole county in
		// division order in search of a rare name.
		order = "(h.division_code || '')"
	}
	if f.IDIndex != nil {
		// The member's blind index is the entry point: ARRAY(...) runs once as an initplan
		// and the households are then fetched by key. As IN (subquery) the planner walked
		// the whole township by division and probed members per household (bench: 30-40 ms
		// at 1.5 M households against 0.4 ms this way).
		fmt.Fprintf(&where, ` AND h.id = ANY (ARRAY(SELECT x.household_id FROM household_members x WHERE x.county_code = $1 AND x.id_number_index = %s))`, arg(f.IDIndex))
	}
	if f.Status != "" {
		fmt.Fprintf(&where, ` AND h.status = %s`, arg(f.Status))
	}
	if f.AfterDivision != "" {
		fmt.Fprintf(&where, ` AND (h.county_code, h.division_code, h.id) > ($1, %s, %s)`, arg(f.AfterDivision), arg(f.AfterID))
	}
	// One table: the member count and the head's masked ID number live on the household
	// (0015), so a page reads no members at all.
	// The village's name as a subquery, not a join: joined, the planner hashed all of the
	// platform's divisions for every page (a sequential scan of ~7,000 rows under
	// row-level security, 5 ms of a 5.5 ms query at 1.5 M households); this way it looks
	// up the page's few villages by key.
	// $1 and $2, the county and the division, are also the statement's scope (0016): the
	// lateral subquery runs after app_statement_scope() has set it.
	q := `SELECT q.* FROM app_statement_scope($1, $2) AS scope CROSS JOIN LATERAL (
		SELECT h.id, h.division_code, coalesce((SELECT d.name FROM divisions d WHERE d.code = h.division_code), '') AS division_name,
			h.category, h.head_name, h.head_id_number_masked, h.phone_masked, h.status, h.version, h.updated_at, h.member_count
		FROM households h WHERE scope.ready AND ` + where.String() + `
		ORDER BY ` + order + `, h.id LIMIT ` + arg(f.Limit) + `) AS q
		ORDER BY q.division_code, q.id`
	return q, args
}

// prefixUpper is the least string greater than every string that begins with s, in the
// byte order of the pattern operators (for UTF-8, code point order): s with its last
// character moved on by one. ok is false when there is none (s is all U+10FFFF).
func prefixUpper(s string) (string, bool) {
	r := []rune(s)
	for len(r) > 0 {
		last := r[len(r)-1] + 1
		if last == 0xD800 { // surrogates are not characters
			last = 0xE000
		}
		if last <= utf8.MaxRune {
			r[len(r)-1] = last
			return string(r), true
		}
		r = r[:len(r)-1]
	}
	return "", false
}
