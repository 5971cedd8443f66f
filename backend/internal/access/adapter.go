package access

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
)

// Adapter is the Casbin adapter over PostgreSQL. It loads one county at a time: the p lines
// from role_permissions (the same for every county) and the g lines from that county's
// user_roles, read as the app role in the county's scope. It never writes: assignments
// change through the use cases that own user_roles, which then call InvalidateCounty.
type Adapter struct {
	db *sqlx.DB
}

// NewAdapter builds the adapter on the app's connection pool.
func NewAdapter(conn *sqlx.DB) *Adapter { return &Adapter{db: conn} }

// CountyFilter selects one county's policy. Ctx carries the deadline of the load, since
// Casbin's LoadFilteredPolicy takes none.
type CountyFilter struct {
	Ctx    context.Context
	County string
}

var countyCode = regexp.MustCompile(`^[0-9]{6}$`)

// ErrWholePolicy is returned when asked for every county's policy at once.
var ErrWholePolicy = errors.New("access: policy is loaded one county at a time (LoadFilteredPolicy with a CountyFilter)")

// ErrReadOnly is returned by the auto-save methods: Casbin never writes assignments here.
var ErrReadOnly = errors.New("access: the Casbin adapter is read-only; change user_roles and call InvalidateCounty")

var (
	_ persist.Adapter         = (*Adapter)(nil)
	_ persist.FilteredAdapter = (*Adapter)(nil)
)

// LoadPolicy refuses: with thousands of counties one enforcer must not hold them all.
func (a *Adapter) LoadPolicy(model.Model) error { return ErrWholePolicy }

// IsFiltered is always true, so Casbin never loads the whole policy on its own.
func (a *Adapter) IsFiltered() bool { return true }

// LoadFilteredPolicy loads the permissions and one county's assignments into m.
func (a *Adapter) LoadFilteredPolicy(m model.Model, filter interface{}) error {
	f, ok := filter.(CountyFilter)
	if !ok {
		return fmt.Errorf("access: filter %T: want access.CountyFilter", filter)
	}
	if !countyCode.MatchString(f.County) {
		return fmt.Errorf("access: load policy: %q is not a county code", f.County)
	}
	ctx := f.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	var perms []Permission
	var grants []struct {
		UserID   int64  `db:"user_id"`
		RoleKey  string `db:"role_key"`
		Division string `db:"division_code"`
	}
	err := db.WithScope(ctx, a.db, db.CountyScope(f.County), func(tx *sqlx.Tx) error {
		var err error
		if perms, err = loadPermissions(ctx, tx); err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &grants, `SELECT user_id, role_key, division_code FROM user_roles
			WHERE county_code = $1 ORDER BY user_id, role_key, division_code`, f.County); err != nil {
			return fmt.Errorf("access: read user_roles of %s: %w", f.County, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range perms {
		if err := persist.LoadPolicyArray([]string{"p", p.RoleKey, p.Object, p.Action}, m); err != nil {
			return fmt.Errorf("access: p line %s %s: %w", p.RoleKey, p, err)
		}
	}
	for _, g := range grants {
		if err := persist.LoadPolicyArray([]string{"g", Subject(g.UserID), g.RoleKey, g.Division}, m); err != nil {
			return fmt.Errorf("access: g line of user %d: %w", g.UserID, err)
		}
	}
	return nil
}

// SavePolicy implements persist.Adapter; see ErrReadOnly.
func (a *Adapter) SavePolicy(model.Model) error { return ErrReadOnly }

// AddPolicy implements persist.Adapter; see ErrReadOnly.
func (a *Adapter) AddPolicy(string, string, []string) error { return ErrReadOnly }

// RemovePolicy implements persist.Adapter; see ErrReadOnly.
func (a *Adapter) RemovePolicy(string, string, []string) error { return ErrReadOnly }

// RemoveFilteredPolicy implements persist.Adapter; see ErrReadOnly.
func (a *Adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return ErrReadOnly }
