package access

import (
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

//go:embed model.conf
var modelText string

// Subject is the Casbin subject of a user: g lines and requests name users this way, so a
// user id can never be mistaken for a role key.
func Subject(userID int64) string { return "u:" + strconv.FormatInt(userID, 10) }

// coversMatch is the domain-matching function of g: the request's domain (a division)
// matches a g line's domain (where the role is held) when the holder covers it.
// Casbin calls it as fn(requestDomain, policyDomain).
func coversMatch(requestDomain, policyDomain string) bool { return Covers(policyDomain, requestDomain) }

// parseModel parses model.conf; each enforcer gets its own copy of the result.
func parseModel() (model.Model, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("access: model.conf: %w", err)
	}
	return m, nil
}

// loadCounty builds the cached, synchronised enforcer of one county, loading its policy
// through the adapter, and the decider on it (decide.go). cacheTTL bounds how long Enforce
// remembers one answer (a Duration: a bare number would be nanoseconds).
func loadCounty(m model.Model, a *Adapter, filter CountyFilter, cacheTTL time.Duration) (*countyPolicy, error) {
	e, err := emptyEnforcer(m, a)
	if err != nil {
		return nil, fmt.Errorf("access: enforcer for %s: %w", filter.County, err)
	}
	e.SetExpireTime(cacheTTL)
	if err := e.LoadFilteredPolicy(filter); err != nil {
		return nil, fmt.Errorf("access: load policy of %s: %w", filter.County, err)
	}
	d, err := newDecider(e)
	if err != nil {
		return nil, fmt.Errorf("access: policy of %s: %w", filter.County, err)
	}
	return &countyPolicy{enforcer: e, decide: d}, nil
}

// emptyEnforcer builds an enforcer with the division role manager and the domain rule in
// place, before any policy is loaded (role links are built with them). a may be nil.
func emptyEnforcer(m model.Model, a persist.Adapter) (*casbin.SyncedCachedEnforcer, error) {
	params := []interface{}{m.Copy()}
	if a != nil {
		params = append(params, a)
	}
	e, err := casbin.NewSyncedCachedEnforcer(params...)
	if err != nil {
		return nil, err
	}
	e.SetRoleManager(newDivisionRoles())
	e.AddNamedDomainMatchingFunc("g", "covers", coversMatch)
	return e, nil
}
