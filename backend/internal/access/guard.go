package access

import (
	"context"
	"net/http"

	"dibao/backend/internal/platform/httpx"
)

// Checker answers whether a principal may take an action on a kind of object in a division.
type Checker interface {
	Allowed(ctx context.Context, p Principal, division, obj, act string) bool
}

// Denial is an access refused, for the audit log.
type Denial struct {
	Principal Principal
	Division  string
	Object    string // the kind of object, e.g. "user"
	ObjectID  string
	Action    string
	RequestID string
	ClientIP  string
}

// DenialRecorder writes refused accesses to the audit log.
type DenialRecorder interface {
	RecordDenial(ctx context.Context, d Denial) error
}

// Guard is what use cases call before they act: it checks permission and records refusals.
type Guard struct {
	checker Checker
	denials DenialRecorder
}

// NewGuard builds a Guard; denials may be nil in unit tests.
func NewGuard(c Checker, denials DenialRecorder) *Guard { return &Guard{checker: c, denials: denials} }

// Allowed reports whether p may do act on obj in division, without recording anything.
func (g *Guard) Allowed(ctx context.Context, p Principal, division, obj, act string) bool {
	return g.checker.Allowed(ctx, p, division, obj, act)
}

// Require returns nil when p may do act on obj (id objectID) in division; otherwise it
// records the refusal and returns a 403. Call it only for objects the caller can see:
// for an object outside the caller's scope answer 404 (see Sees).
func (g *Guard) Require(ctx context.Context, p Principal, division, obj, objectID, act string) error {
	if g.checker.Allowed(ctx, p, division, obj, act) {
		return nil
	}
	if g.denials != nil {
		d := Denial{Principal: p, Division: division, Object: obj, ObjectID: objectID, Action: act,
			RequestID: httpx.RequestID(ctx), ClientIP: httpx.ClientIP(ctx)}
		if err := g.denials.RecordDenial(ctx, d); err != nil {
			httpx.Logger(ctx).Error("record access denied", "error", err.Error())
		}
	}
	return httpx.E(http.StatusForbidden, "forbidden")
}

// Sees reports whether any of p's roles covers division: whether objects there exist
// for p at all. Objects outside it answer 404, never 403.
func Sees(p Principal, division string) bool {
	for _, a := range p.Roles {
		if Covers(a.DivisionCode, division) {
			return true
		}
	}
	return false
}

// WorkingDivision resolves the division a request works in: requested if p sees it,
// else (when requested is empty) the broadest division p holds a role at. ok is false
// when requested is outside p's scope or p holds no role.
func WorkingDivision(p Principal, requested string) (string, bool) {
	if requested != "" {
		return requested, Sees(p, requested)
	}
	best := ""
	for _, a := range p.Roles {
		if best == "" || len(a.DivisionCode) < len(best) {
			best = a.DivisionCode
		}
	}
	return best, best != ""
}

// CountyOf is the county (tenant) a division belongs to.
func CountyOf(division string) string {
	if len(division) >= 6 {
		return division[:6]
	}
	return division
}

// Invalidator forgets what an instance has cached about a county's role assignments, on
// this instance and the others. Call it after committing a change to user_roles.
type Invalidator interface {
	InvalidateCounty(ctx context.Context, county string) error
}
