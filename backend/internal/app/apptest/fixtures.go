package apptest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/household"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// AddDivision adds a township or village (and nothing above it) as the schema owner.
func (e *Env) AddDivision(t testing.TB, code, name, urbanRural string) {
	t.Helper()
	level, parent := "township", code[:6]
	if len(code) == 12 {
		level, parent = "village", code[:9]
	}
	county := access.CountyOf(code)
	err := db.WithScope(context.Background(), e.DB.Owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')) ON CONFLICT (code) DO NOTHING`, code, level, parent, county, name, urbanRural)
		return err
	})
	if err != nil {
		t.Fatalf("add division %s: %v", code, err)
	}
}

// AddUser adds an active account with the demo password and one role at division.
func (e *Env) AddUser(t testing.TB, username, role, division string) int64 {
	t.Helper()
	hash, err := identity.HashPassword(DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	county := access.CountyOf(division)
	var id int64
	err = db.WithScope(context.Background(), e.DB.Owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
		if err := tx.Get(&id, `INSERT INTO users (county_code, division_code, username, display_name, password_hash, must_change_password)
			VALUES ($1, $2, $3, $3, $4, false) RETURNING id`, county, division, username, hash); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO login_names (username, county_code, user_id) VALUES ($1, $2, $3)`, username, county, id); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ($1, $2, $3, $4)`,
			county, id, role, division)
		return err
	})
	if err != nil {
		t.Fatalf("add user %s: %v", username, err)
	}
	// As a use case would after committing an assignment: the county's policy reloads.
	if err := e.App.Invalidator().InvalidateCounty(context.Background(), county); err != nil {
		t.Fatalf("add user %s: invalidate %s: %v", username, county, err)
	}
	return id
}

// SignIn returns a client signed in as username with the demo password.
func (e *Env) SignIn(t testing.TB, username string) *Client {
	t.Helper()
	c := e.Client(t)
	c.Login(username, DemoPassword)
	return c
}

// TenantDigest fingerprints every table except the audit log's, so a test can show that
// a refused request changed nothing.
func (e *Env) TenantDigest(t testing.TB) string {
	t.Helper()
	var tables []string
	if err := e.DB.Super.Select(&tables, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'
		AND tablename NOT LIKE 'audit%' ORDER BY tablename`); err != nil {
		t.Fatal(err)
	}
	digest := ""
	for _, tbl := range tables {
		var d string
		q := `SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM "` + tbl + `" x`
		if err := e.DB.Super.Get(&d, q); err != nil {
			t.Fatalf("digest %s: %v", tbl, err)
		}
		digest += tbl + ":" + d + ";"
	}
	return digest
}

var householdSeq atomic.Int64

// AddHousehold registers a rural household in village (12 digits) headed by head, with the
// head as its one member (a man born in 1960 with a fresh, valid ID number), as the schema
// owner. It returns the household's id.
func (e *Env) AddHousehold(t testing.TB, village, head string) int64 {
	t.Helper()
	county := access.CountyOf(village)
	n := householdSeq.Add(1)
	birth := civil.Date{Year: 1960, Month: 1, Day: 1}.AddDays(int(n / 500))
	number := household.MakeIDNumber("330523", birth, int(2*(n%500)+1)) // odd: a man
	enc, err := e.Box.Seal(household.IDNumberField, number)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = db.WithScope(context.Background(), e.DB.Owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
		if err := tx.Get(&id, `INSERT INTO households (county_code, division_code, category, head_name)
			VALUES ($1, $2, 'rural', $3) RETURNING id`, county, village, head); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO household_members (county_code, household_id, division_code, name, id_number_enc,
			id_number_index, id_number_masked, sex, birth_date, relation)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'male', $8, 'self')`,
			county, id, village, head, enc, e.Box.Index(household.IDNumberField, number), secure.MaskIDNumber(number), birth)
		return err
	})
	if err != nil {
		t.Fatalf("add household in %s: %v", village, err)
	}
	return id
}
