package tenancy

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Service holds the division use cases. Every one checks who may do it before acting.
type Service struct {
	db    *sqlx.DB
	guard *access.Guard
	now   func() time.Time
}

// NewService wires the use cases on the app's connection.
func NewService(conn *sqlx.DB, guard *access.Guard, now func() time.Time) *Service {
	return &Service{db: conn, guard: guard, now: now}
}

// Page sizes.
const (
	DefaultChildrenLimit = 500
	MaxChildrenLimit     = 1000
	DefaultSearchLimit   = 20
	MaxSearchLimit       = 100
	historyLimit         = 200
)

// PathItem is one ancestor of a division.
type PathItem struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// Root is a division the caller may work in, where their tree starts.
type Root struct {
	Division
	Path []PathItem `json:"path"`
}

// Detail is one division with its ancestors and its history.
type Detail struct {
	Division
	Path           []PathItem     `json:"path"`
	ActiveChildren int            `json:"active_children"`
	History        []HistoryEntry `json:"history"`
}

// Children is one page of a division's children.
type Children struct {
	Items     []Division `json:"items"`
	NextAfter string     `json:"next_after,omitempty"` // pass as ?after= for the next page
}

// platformWide reports whether p reads the whole tree: platform staff, whose role at the
// platform covers no county but who provision and import every county's divisions.
func (s *Service) platformWide(ctx context.Context, p access.Principal) bool {
	return s.guard.Allowed(ctx, p, PlatformCode, "division", "read")
}

// canRead answers nil when p may read the division code, 404 when it is outside p's scope
// and 403 when p sees it but may not read divisions.
func (s *Service) canRead(ctx context.Context, p access.Principal, code string) error {
	if s.platformWide(ctx, p) {
		return nil
	}
	if !access.Sees(p, code) {
		return notFound(code)
	}
	return s.guard.Require(ctx, p, code, "division", code, "read")
}

// canManage answers nil when p may change the division code (or add below it).
func (s *Service) canManage(ctx context.Context, p access.Principal, code string) error {
	if !access.Sees(p, code) && !s.platformWide(ctx, p) {
		return notFound(code)
	}
	return s.guard.Require(ctx, p, code, "division", code, "manage")
}

// MayProvision answers nil when p may provision counties (a 403 otherwise).
func (s *Service) MayProvision(ctx context.Context, p access.Principal) error {
	return s.guard.Require(ctx, p, PlatformCode, "county", "", "provision")
}

// MayImport answers nil when p may import code lists (into county, when known).
func (s *Service) MayImport(ctx context.Context, p access.Principal, county string) error {
	return s.guard.Require(ctx, p, PlatformCode, "division", county, "import")
}

// scopeFor is the database scope of work on code for p: the county, narrowed to p's
// broadest role division covering code. Platform staff work in the county as a whole.
// Anyone else gets an empty scope, which sees no tenant row (fail closed).
func (s *Service) scopeFor(ctx context.Context, p access.Principal, code string) db.Scope {
	county := access.CountyOf(code)
	best := ""
	for _, a := range p.Roles {
		if access.Covers(a.DivisionCode, code) && (best == "" || len(a.DivisionCode) < len(best)) {
			best = a.DivisionCode
		}
	}
	if best != "" {
		return db.Scope{County: county, Division: best}
	}
	if s.platformWide(ctx, p) {
		return db.CountyScope(county)
	}
	return db.Scope{}
}

// Roots lists the divisions p holds roles at (the broadest of nested ones), with their paths.
func (s *Service) Roots(ctx context.Context, p access.Principal) ([]Root, error) {
	var codes []string
	for _, a := range p.Roles {
		if s.guard.Allowed(ctx, p, a.DivisionCode, "division", "read") {
			codes = append(codes, a.DivisionCode)
		}
	}
	if len(codes) == 0 {
		return nil, s.guard.Require(ctx, p, p.DivisionCode, "division", "", "read")
	}
	codes = broadest(codes)
	out := []Root{}
	err := db.WithScope(ctx, s.db, db.Scope{}, func(tx *sqlx.Tx) error {
		ds, err := divisionsByCode(ctx, tx, codes)
		if err != nil {
			return err
		}
		for _, d := range ds {
			path, err := s.path(ctx, tx, d.Code)
			if err != nil {
				return err
			}
			out = append(out, Root{Division: d, Path: path})
		}
		return nil
	})
	return out, err
}

// ChildrenOf lists the divisions directly below code, retired ones included.
func (s *Service) ChildrenOf(ctx context.Context, p access.Principal, code, after string, limit int) (Children, error) {
	if LevelOfCode(code) == "" {
		return Children{}, notFound(code)
	}
	if err := s.canRead(ctx, p, code); err != nil {
		return Children{}, err
	}
	limit = clamp(limit, DefaultChildrenLimit, MaxChildrenLimit)
	var out Children
	err := db.WithScope(ctx, s.db, db.Scope{}, func(tx *sqlx.Tx) error {
		if _, err := getDivision(ctx, tx, code); db.IsNotFound(err) {
			return notFound(code)
		} else if err != nil {
			return err
		}
		items, err := listChildren(ctx, tx, code, after, limit+1)
		if err != nil {
			return err
		}
		if len(items) > limit {
			items = items[:limit]
			out.NextAfter = items[limit-1].Code
		}
		out.Items = items
		return nil
	})
	return out, err
}

// Search finds divisions in p's scope (the whole tree for platform staff) whose code
// starts with text or whose name contains it.
func (s *Service) Search(ctx context.Context, p access.Principal, text string, limit int) ([]SearchHit, error) {
	if text == "" {
		return nil, httpx.Invalid("q", "请输入要搜索的区划名称或代码", "Enter a division name or code to search for")
	}
	if len([]rune(text)) > 50 {
		return nil, httpx.Invalid("q", "搜索内容最多 50 个字", "The search text may have at most 50 characters")
	}
	limit = clamp(limit, DefaultSearchLimit, MaxSearchLimit)
	type codeRange struct{ from, to string }
	var ranges []codeRange
	if s.platformWide(ctx, p) {
		ranges = []codeRange{{"", "~"}}
	} else {
		var codes []string
		for _, a := range p.Roles {
			if s.guard.Allowed(ctx, p, a.DivisionCode, "division", "read") {
				codes = append(codes, a.DivisionCode)
			}
		}
		if len(codes) == 0 {
			return nil, s.guard.Require(ctx, p, p.DivisionCode, "division", "", "read")
		}
		for _, c := range broadest(codes) {
			ranges = append(ranges, codeRange{c, c + "~"})
		}
	}
	var hits []SearchHit
	err := db.WithScope(ctx, s.db, db.Scope{}, func(tx *sqlx.Tx) error {
		for _, r := range ranges {
			found, err := searchDivisions(ctx, tx, r.from, r.to, text, limit)
			if err != nil {
				return err
			}
			hits = append(hits, found...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ranges) > 1 {
		sort.Slice(hits, func(i, j int) bool {
			if len(hits[i].Code) != len(hits[j].Code) && !allDigits(text) {
				return len(hits[i].Code) < len(hits[j].Code)
			}
			return hits[i].Code < hits[j].Code
		})
	}
	if len(hits) > limit {
		hits = hits[:limit]
	}
	if hits == nil {
		hits = []SearchHit{}
	}
	return hits, nil
}

// Get loads one division with its path, its count of active children and its history.
func (s *Service) Get(ctx context.Context, p access.Principal, code string) (Detail, error) {
	if LevelOfCode(code) == "" {
		return Detail{}, notFound(code)
	}
	if err := s.canRead(ctx, p, code); err != nil {
		return Detail{}, err
	}
	var out Detail
	scope := db.Scope{}
	if hasHistory(LevelOfCode(code)) {
		scope = s.scopeFor(ctx, p, code)
	}
	err := db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		d, err := getDivision(ctx, tx, code)
		if db.IsNotFound(err) {
			return notFound(code)
		} else if err != nil {
			return err
		}
		out.Division = d
		if out.Path, err = s.path(ctx, tx, code); err != nil {
			return err
		}
		if out.ActiveChildren, err = activeChildren(ctx, tx, code); err != nil {
			return err
		}
		out.History = []HistoryEntry{}
		if hasHistory(d.Level) {
			out.History, err = listHistory(ctx, tx, d.CountyCode, code, historyLimit)
		}
		return err
	})
	return out, err
}

// path lists the ancestors of code that exist, from the province down.
func (s *Service) path(ctx context.Context, q sqlx.QueryerContext, code string) ([]PathItem, error) {
	ds, err := divisionsByCode(ctx, q, Ancestors(code))
	if err != nil {
		return nil, err
	}
	out := make([]PathItem, 0, len(ds))
	for _, d := range ds {
		out = append(out, PathItem{Code: d.Code, Name: d.Name, Level: d.Level})
	}
	return out, nil
}

// hasHistory: counties and what is inside them keep a history; provinces and cities,
// which belong to no county, are recorded in the platform's audit log only.
func hasHistory(level string) bool {
	return level == LevelCounty || level == LevelTownship || level == LevelVillage
}

// broadest drops codes covered by another code of the list, keeping order and uniqueness.
func broadest(codes []string) []string {
	var out []string
	for i, c := range codes {
		covered := false
		for j, o := range codes {
			if i != j && o != c && access.Covers(o, c) {
				covered = true
				break
			}
			if j < i && o == c {
				covered = true // a duplicate of an earlier one
				break
			}
		}
		if !covered {
			out = append(out, c)
		}
	}
	return out
}

func clamp(n, def, max int) int {
	if n <= 0 {
		return def
	}
	if n > max {
		return max
	}
	return n
}

// Actor is who does a change, for the history and the audit log.
type actor struct {
	p         access.Principal
	requestID string
	clientIP  string
}

func actorOf(ctx context.Context, p access.Principal) actor {
	return actor{p: p, requestID: httpx.RequestID(ctx), clientIP: httpx.ClientIP(ctx)}
}

// audit writes an audit row about a division into county's log, inside tx.
func (a actor) audit(ctx context.Context, tx *sqlx.Tx, county, division, action string, detail map[string]any) error {
	return audit.Write(ctx, tx, audit.Entry{
		ActorID: a.p.UserID, ActorName: a.p.Username, CountyCode: county, DivisionCode: division,
		Action: action, ObjectType: "division", ObjectID: division, Outcome: audit.Success,
		RequestID: a.requestID, ClientIP: a.clientIP, Detail: detail,
	})
}

func (a actor) history(county, division, action string, before, after map[string]any, reason string) historyRow {
	return historyRow{County: county, Division: division, Action: action, ActorID: a.p.UserID,
		ActorUsername: a.p.Username, ActorName: a.p.DisplayName, Before: before, After: after,
		Reason: reason, RequestID: a.requestID}
}

func notFound(code string) error {
	return httpx.Msg(http.StatusNotFound, "division_not_found",
		fmt.Sprintf("区划 %s 不存在或不在您的管辖范围内", code),
		fmt.Sprintf("Division %s does not exist or is outside your area", code))
}
