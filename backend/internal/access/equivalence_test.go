package access_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/dbtest"
)

// TestAllowedAgreesWithEnforce: the decisions (Authorizer.Allowed: the county's role
// manager gives the user's roles in the division, an index of the p lines answers) are
// exactly Casbin's full Enforce on the same loaded policy, on 60,000 random requests over
// five counties and the platform: every user, divisions at every level (and codes no
// division has), permissions the user's roles carry and ones they do not, unknown
// permissions, unknown users and users of other counties.
func TestAllowedAgreesWithEnforce(t *testing.T) {
	d := demoDB(t)
	rng := rand.New(rand.NewPCG(11, 12))
	world := equivalenceWorld(t, d, rng)
	a := newAuthorizer(t, d, access.AuthorizerConfig{})
	ctx := context.Background()

	perms, err := access.EmbeddedPermissions()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	byRole := map[string][]string{}
	for _, p := range perms {
		if !slices.Contains(all, p.String()) {
			all = append(all, p.String())
		}
		byRole[p.RoleKey] = append(byRole[p.RoleKey], p.String())
	}
	unknown := []string{"household:destroy", "case:approve_all", "county_admin:read", "nothing:read", "case:", ":read"}

	const requests = 60_000
	allowed, crossCounty := 0, 0
	levels := map[int]int{}
	for i := range requests {
		county := world.counties[rng.IntN(len(world.counties))]
		staff := world.staff[county]
		u := staff[rng.IntN(len(staff))]
		p := access.Principal{UserID: u.id, CountyCode: county}
		switch n := rng.IntN(20); {
		case n == 0: // nobody
			p.UserID = 987_654_321
		case n == 1: // someone of another county claiming this one
			other := world.counties[rng.IntN(len(world.counties))]
			p.UserID = world.staff[other][rng.IntN(len(world.staff[other]))].id
		}
		division := world.randomDivision(rng, county, u)
		if rng.IntN(25) == 0 { // another county's division
			other := world.counties[rng.IntN(len(world.counties))]
			division = world.randomDivision(rng, other, world.staff[other][0])
		}
		perm := all[rng.IntN(len(all))]
		switch n := rng.IntN(10); {
		case n < 5: // one the user's roles carry
			var mine []string
			for _, role := range u.roles {
				mine = append(mine, byRole[role]...)
			}
			if len(mine) > 0 {
				perm = mine[rng.IntN(len(mine))]
			}
		case n == 5:
			perm = unknown[rng.IntN(len(unknown))]
		}
		obj, act, _ := strings.Cut(perm, ":")

		got := a.Allowed(ctx, p, division, obj, act)
		want, err := a.Enforce(ctx, p, division, obj, act)
		if err != nil {
			t.Fatalf("request %d: Enforce: %v", i, err)
		}
		if got != want {
			t.Fatalf("request %d: user %d (roles %v) of %s, %s:%s in %q: Allowed %v, Casbin's Enforce %v",
				i, p.UserID, u.grants, p.CountyCode, obj, act, division, got, want)
		}
		if got {
			allowed++
		}
		if access.CountyOf(division) != county {
			crossCounty++
		}
		levels[len(division)]++
	}
	t.Logf("%d requests, %d allowed, %d in another county's division; by length of division code: %v",
		requests, allowed, crossCounty, levels)
	if allowed < requests/5 || allowed > requests*4/5 {
		t.Fatalf("%d of %d allowed: the comparison needs plenty of both answers", allowed, requests)
	}
	for _, n := range []int{6, 9, 12} {
		if levels[n] < requests/20 {
			t.Fatalf("only %d requests at divisions of %d digits", levels[n], n)
		}
	}
	if held, _, _ := a.Stats(); held != len(world.counties) {
		t.Fatalf("%d counties loaded, want %d", held, len(world.counties))
	}
}

type equivalenceUser struct {
	id     int64
	roles  []string
	homes  []string // where the roles are held
	grants []string // role@division, for messages
}

type eqWorld struct {
	counties  []string
	divisions map[string][]string // county → its divisions (county, townships, villages)
	staff     map[string][]equivalenceUser
}

// randomDivision picks a division of the county at any level, often at or below one of
// the user's own divisions, sometimes a code that no division has.
func (w eqWorld) randomDivision(rng *rand.Rand, county string, u equivalenceUser) string {
	if county == access.PlatformDomain {
		return []string{access.PlatformDomain, access.PlatformDomain, access.PlatformDomain, "000000101", "000000101201"}[rng.IntN(5)]
	}
	ds := w.divisions[county]
	switch n := rng.IntN(10); {
	case n < 4 && len(u.homes) > 0: // at or below the user's own division
		home := u.homes[rng.IntN(len(u.homes))]
		var below []string
		for _, d := range ds {
			if strings.HasPrefix(d, home) {
				below = append(below, d)
			}
		}
		if len(below) > 0 {
			return below[rng.IntN(len(below))]
		}
		return home
	case n == 4: // codes no division has
		return []string{county + "999", county + "101999", county + "999201"}[rng.IntN(3)]
	case n == 5:
		return county
	default:
		return ds[rng.IntN(len(ds))]
	}
}

// equivalenceWorld adds two counties of four townships with three villages each to the
// demo data, gives all four counties 40 more staff with one to three roles at every level
// (a second or third role at another division for about a third of them), adds platform
// staff, and returns every county's staff as stored.
func equivalenceWorld(t *testing.T, d *dbtest.DB, rng *rand.Rand) eqWorld {
	t.Helper()
	tx := d.Super.MustBegin()
	defer tx.Rollback() //nolint:errcheck
	for _, c := range []struct{ code, name string }{{"330521", "德清县"}, {"330502", "吴兴区"}} {
		tx.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name) VALUES ($1, 'county', '3305', $1, $2)`, c.code, c.name)
		for ti := 1; ti <= 4; ti++ {
			town := fmt.Sprintf("%s%03d", c.code, 100+ti)
			tx.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name) VALUES ($1, 'township', $2, $2, $3)`,
				town, c.code, fmt.Sprintf("%s镇%d", c.name, ti))
			for vi := 1; vi <= 3; vi++ {
				tx.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type) VALUES ($1, 'village', $2, $3, $4, '220')`,
					fmt.Sprintf("%s%03d", town, 200+vi), town, c.code, fmt.Sprintf("村%d-%d", ti, vi))
			}
		}
	}
	counties := []string{"330523", "330522", "330521", "330502"}
	divisions := map[string][]string{}
	for _, c := range counties {
		var ds []string
		if err := tx.Select(&ds, `SELECT code FROM divisions WHERE county_code = $1 ORDER BY code`, c); err != nil {
			t.Fatal(err)
		}
		divisions[c] = ds
	}
	countyRoles := []string{"county_admin", "security_admin", "audit_admin", "county_approver", "inspector", "finance_officer"}
	extraRoles := []string{"county_approver", "inspector", "finance_officer", "township_leader", "township_caseworker", "village_worker"}
	roleAt := func(division string) string {
		switch len(division) {
		case 6:
			return countyRoles[rng.IntN(len(countyRoles))]
		case 9:
			return []string{"township_leader", "township_caseworker"}[rng.IntN(2)]
		default:
			return "village_worker"
		}
	}
	for _, c := range counties {
		for i := range 40 {
			home := divisions[c][rng.IntN(len(divisions[c]))]
			var id int64
			if err := tx.Get(&id, `INSERT INTO users (county_code, division_code, username, display_name, password_hash)
				VALUES ($1, $2, $3, $4, 'x') RETURNING id`, c, home, fmt.Sprintf("eq.%s.%d", c, i), fmt.Sprintf("职员%d", i)); err != nil {
				t.Fatal(err)
			}
			tx.MustExec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ($1, $2, $3, $4)`, c, id, roleAt(home), home)
			for extra := rng.IntN(6); extra >= 4; extra-- { // a third get one or two more
				tx.MustExec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
					c, id, extraRoles[rng.IntN(len(extraRoles))], divisions[c][rng.IntN(len(divisions[c]))])
			}
		}
	}
	for i := range 3 {
		var id int64
		if err := tx.Get(&id, `INSERT INTO users (county_code, division_code, username, display_name, password_hash)
			VALUES ('000000', '000000', $1, '平台职员', 'x') RETURNING id`, fmt.Sprintf("eq.platform.%d", i)); err != nil {
			t.Fatal(err)
		}
		tx.MustExec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ('000000', $1, 'platform_admin', '000000')`, id)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	w := eqWorld{counties: append(counties, access.PlatformDomain), divisions: divisions, staff: map[string][]equivalenceUser{}}
	for _, c := range w.counties {
		var rows []struct {
			ID       int64  `db:"id"`
			Role     string `db:"role_key"`
			Division string `db:"division_code"`
		}
		// Every user of the county, with or without roles (a user without any is refused).
		if err := d.Super.Select(&rows, `SELECT u.id, coalesce(r.role_key, '') AS role_key, coalesce(r.division_code, '') AS division_code
			FROM users u LEFT JOIN user_roles r ON r.county_code = u.county_code AND r.user_id = u.id
			WHERE u.county_code = $1 ORDER BY u.id, r.role_key, r.division_code`, c); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			n := len(w.staff[c])
			if n == 0 || w.staff[c][n-1].id != r.ID {
				w.staff[c] = append(w.staff[c], equivalenceUser{id: r.ID})
				n++
			}
			if r.Role != "" {
				u := &w.staff[c][n-1]
				u.roles = append(u.roles, r.Role)
				u.homes = append(u.homes, r.Division)
				u.grants = append(u.grants, r.Role+"@"+r.Division)
			}
		}
		if len(w.staff[c]) == 0 {
			t.Fatalf("no staff in %s", c)
		}
	}
	return w
}
