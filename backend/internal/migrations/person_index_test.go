package migrations_test

import (
	"testing"

	"dibao/backend/internal/platform/dbtest"
)

// The person index tells another county only where a person is active, through a narrow
// function; the app role cannot read other counties' rows, even by naming the purpose.
func TestPersonIndexIsNarrow(t *testing.T) {
	d := dbtest.New(t)
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name) VALUES
		('33', 'province', NULL, NULL, '浙江省'), ('3305', 'city', '33', NULL, '湖州市'),
		('330523', 'county', '3305', '330523', '安吉县'), ('330523101', 'township', '330523', '330523', '梅溪镇')`)
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type)
		VALUES ('330523101201', 'village', '330523101', '330523', '梅溪村', '220')`)
	d.Super.MustExec(`INSERT INTO households (county_code, id, division_code, category, head_name) VALUES ('330523', 1, '330523101201', 'rural', '张三')`)
	d.Super.MustExec(`INSERT INTO person_index (id_number_index, county_code, household_id, member_id) VALUES ('\x01', '330523', 1, 1)`)

	tx := d.App.MustBegin()
	defer tx.Rollback()
	tx.MustExec(`SELECT set_config('app.county_code', '330522', true), set_config('app.division_code', '330522', true)`)
	var county string
	if err := tx.Get(&county, `SELECT coalesce(person_active_county('\x01'), '')`); err != nil || county != "330523" {
		t.Fatalf("person_active_county = %q, %v", county, err)
	}
	var n int
	if err := tx.Get(&n, `SELECT count(*) FROM person_index`); err != nil || n != 0 {
		t.Fatalf("Changxing reads %d person_index rows (%v)", n, err)
	}
	tx.MustExec(`SELECT set_config('app.purpose', 'person_lookup', true)`)
	if err := tx.Get(&n, `SELECT count(*) FROM person_index`); err != nil || n != 0 {
		t.Fatalf("the app role opened the owner's door: %d rows (%v)", n, err)
	}
	tx.MustExec(`SELECT set_config('app.purpose', 'sign_in', true)`)
	tx.MustExec(`SELECT person_active_county('\x02')`)
	var purpose string
	if err := tx.Get(&purpose, `SELECT current_setting('app.purpose')`); err != nil || purpose != "sign_in" {
		t.Fatalf("the function did not restore the caller's purpose: %q %v", purpose, err)
	}
}
