package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/httpx"
)

// Paging limits of the search.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Query is a search of the audit log. Dates are civil dates in Asia/Shanghai, both ends
// included; results come newest first, After is the id the previous page ended at.
type Query struct {
	Division   string
	Actor      string // a username, or a display name of a user in scope
	ObjectType string
	ObjectID   string
	Action     string // exact, or a prefix ending in '*' (auth.*)
	Outcome    string
	From, To   time.Time // [From, To): To is the midnight after the last day asked for
	After      int64
	Limit      int
}

// Record is one audit entry as the search shows it. Detail and the chain fields are filled
// only when one entry is asked for.
type Record struct {
	ID               int64          `json:"id" db:"id"`
	At               time.Time      `json:"at" db:"at"`
	ActorID          *int64         `json:"actor_id" db:"actor_id"`
	ActorName        string         `json:"actor_name" db:"actor_name"`
	ActorDisplayName string         `json:"actor_display_name" db:"actor_display_name"`
	CountyCode       string         `json:"county_code" db:"county_code"`
	DivisionCode     string         `json:"division_code" db:"division_code"`
	DivisionName     string         `json:"division_name" db:"division_name"`
	Action           string         `json:"action" db:"action"`
	ObjectType       string         `json:"object_type" db:"object_type"`
	ObjectID         string         `json:"object_id" db:"object_id"`
	Outcome          string         `json:"outcome" db:"outcome"`
	RequestID        string         `json:"request_id" db:"request_id"`
	ClientIP         string         `json:"client_ip" db:"client_ip"`
	Detail           map[string]any `json:"detail,omitempty" db:"-"`
	PrevID           int64          `json:"prev_id,omitempty" db:"prev_id"`
	PrevHash         string         `json:"prev_hash,omitempty" db:"prev_hash"`
	Hash             string         `json:"hash,omitempty" db:"hash"`
}

// Page is one page of a search.
type Page struct {
	Items []Record `json:"items"`
	// NextCursor is the after= of the next page, "" on the last one.
	NextCursor string `json:"next_cursor"`
}

var (
	divisionPattern   = regexp.MustCompile(`^[0-9]{6}([0-9]{3}){0,2}$`)
	objectTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	actionPattern     = regexp.MustCompile(`^[a-z][a-z0-9_.]{0,59}\*?$`)
	queryParams       = map[string]bool{"division": true, "actor": true, "object_type": true, "object_id": true,
		"action": true, "outcome": true, "from": true, "to": true, "after": true, "limit": true}
)

// ParseQuery reads a search from URL parameters, naming the first bad one in a 400.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Limit: DefaultLimit}
	for name, vals := range v {
		if !queryParams[name] {
			return q, httpx.Invalid(name, "不支持的查询参数："+name, "Unknown query parameter: "+name)
		}
		if len(vals) > 1 {
			return q, httpx.Invalid(name, "查询参数重复："+name, "Query parameter given more than once: "+name)
		}
	}
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	if q.Division = get("division"); q.Division != "" && !divisionPattern.MatchString(q.Division) {
		return q, httpx.Invalid("division", "区划代码应为 6、9 或 12 位数字", "The division code must have 6, 9 or 12 digits")
	}
	if q.Actor = get("actor"); utf8.RuneCountInString(q.Actor) > 50 {
		return q, httpx.Invalid("actor", "人员最多 50 个字符", "The person is at most 50 characters")
	}
	if q.ObjectType = get("object_type"); q.ObjectType != "" && !objectTypePattern.MatchString(q.ObjectType) {
		return q, httpx.Invalid("object_type", "对象类型应为小写字母、数字和下划线", "The object type is lower-case letters, digits and underscores")
	}
	if q.ObjectID = get("object_id"); utf8.RuneCountInString(q.ObjectID) > 100 {
		return q, httpx.Invalid("object_id", "对象编号最多 100 个字符", "The object id is at most 100 characters")
	}
	if q.Action = get("action"); q.Action != "" && !actionPattern.MatchString(q.Action) {
		return q, httpx.Invalid("action", "操作应形如 auth.login，或以 * 结尾表示前缀", "The action looks like auth.login, or ends in * for a prefix")
	}
	switch q.Outcome = get("outcome"); q.Outcome {
	case "", Success, Failure, Denied:
	default:
		return q, httpx.Invalid("outcome", "结果只能是 success、failure 或 denied", "The outcome is success, failure or denied")
	}
	var err error
	if q.From, err = civilDate(get("from")); err != nil {
		return q, httpx.Invalid("from", "开始日期应为 YYYY-MM-DD", "The start date must be YYYY-MM-DD")
	}
	to, err := civilDate(get("to"))
	if err != nil {
		return q, httpx.Invalid("to", "结束日期应为 YYYY-MM-DD", "The end date must be YYYY-MM-DD")
	}
	if !to.IsZero() {
		q.To = to.AddDate(0, 0, 1)
		if !q.From.IsZero() && to.Before(q.From) {
			return q, httpx.Invalid("to", "结束日期不能早于开始日期", "The end date cannot be before the start date")
		}
	}
	if s := get("after"); s != "" {
		if q.After, err = strconv.ParseInt(s, 10, 64); err != nil || q.After <= 0 {
			return q, httpx.Invalid("after", "分页游标无效", "The page cursor is not valid")
		}
	}
	if s := get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 1 || q.Limit > MaxLimit {
			return q, httpx.Invalid("limit", fmt.Sprintf("每页条数应在 1 到 %d 之间", MaxLimit),
				fmt.Sprintf("The page size must be between 1 and %d", MaxLimit))
		}
	}
	return q, nil
}

// civilDate parses YYYY-MM-DD as midnight in Asia/Shanghai; "" is the zero time.
func civilDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation("2006-01-02", s, civil.Shanghai)
}

const recordColumns = `a.id, a.at, a.actor_id, a.actor_name, coalesce(u.display_name, '') AS actor_display_name,
	a.county_code, a.division_code, coalesce(d.name, '') AS division_name, a.action, a.object_type,
	a.object_id, a.outcome, a.request_id, a.client_ip`

const recordJoins = `FROM audit_log a
	LEFT JOIN users u ON u.county_code = a.county_code AND u.id = a.actor_id
	LEFT JOIN divisions d ON d.code = a.division_code`

// search runs q within division (of county) in a transaction scoped to it.
func search(ctx context.Context, tx *sqlx.Tx, county, division string, q Query) (Page, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{
		"a.county_code = " + arg(county),
		"a.division_code >= " + arg(division),
		"a.division_code < " + arg(division+"~"),
	}
	if q.After > 0 {
		where = append(where, "a.id < "+arg(q.After))
	}
	if q.Actor != "" {
		// A person is a username (lower case) or the display name of accounts in scope,
		// resolved first so that the search runs on the (county, actor_name, id) index.
		names := []string{strings.ToLower(q.Actor)}
		var more []string
		if err := tx.SelectContext(ctx, &more, `SELECT username FROM users WHERE county_code = $1 AND display_name = $2`,
			county, q.Actor); err != nil {
			return Page{}, fmt.Errorf("audit: search %s: resolve %q: %w", division, q.Actor, err)
		}
		where = append(where, "a.actor_name = ANY("+arg(pq.Array(append(names, more...)))+")")
	}
	if q.ObjectType != "" {
		where = append(where, "a.object_type = "+arg(q.ObjectType))
	}
	if q.ObjectID != "" {
		where = append(where, "a.object_id = "+arg(q.ObjectID))
	}
	if prefix, ok := strings.CutSuffix(q.Action, "*"); ok {
		where = append(where, "starts_with(a.action, "+arg(prefix)+")")
	} else if q.Action != "" {
		where = append(where, "a.action = "+arg(q.Action))
	}
	if q.Outcome != "" {
		where = append(where, "a.outcome = "+arg(q.Outcome))
	}
	if !q.From.IsZero() {
		where = append(where, "a.at >= "+arg(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "a.at < "+arg(q.To))
	}
	sqlText := `SELECT ` + recordColumns + ` ` + recordJoins + `
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY a.id DESC LIMIT ` + arg(q.Limit+1)
	page := Page{Items: []Record{}}
	if err := tx.SelectContext(ctx, &page.Items, sqlText, args...); err != nil {
		return page, fmt.Errorf("audit: search %s: %w", division, err)
	}
	if len(page.Items) > q.Limit {
		page.Items = page.Items[:q.Limit]
		page.NextCursor = strconv.FormatInt(page.Items[q.Limit-1].ID, 10)
	}
	for i := range page.Items {
		page.Items[i].At = page.Items[i].At.In(civil.Shanghai)
	}
	return page, nil
}

// getRecord loads one entry of county with its detail and chain fields.
func getRecord(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Record, error) {
	var row struct {
		Record
		DetailText []byte `db:"detail"`
	}
	err := tx.GetContext(ctx, &row, `SELECT `+recordColumns+`, a.detail, a.prev_id,
		encode(a.prev_hash, 'hex') AS prev_hash, encode(a.hash, 'hex') AS hash `+recordJoins+`
		WHERE a.county_code = $1 AND a.id = $2`, county, id)
	if err != nil {
		return Record{}, fmt.Errorf("audit: load entry %d of %s: %w", id, county, err)
	}
	rec := row.Record
	rec.At = rec.At.In(civil.Shanghai)
	rec.Detail = map[string]any{}
	if err := json.Unmarshal(row.DetailText, &rec.Detail); err != nil {
		return Record{}, fmt.Errorf("audit: decode detail of entry %d: %w", id, err)
	}
	return rec, nil
}
