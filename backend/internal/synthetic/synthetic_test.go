package synthetic_test

import (
	"context"
	"testing"
	"time"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/synthetic"
)

func TestGenerate(t *testing.T) {
	d := dbtest.New(t)
	box, err := secure.NewBox(make([]byte, 16), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o := synthetic.Options{Counties: 3, HouseholdsPerCounty: 1500, Seed: 7, Samples: 10}
	res, err := synthetic.Generate(ctx, d.Owner, box, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows in %s: %.0f rows/s", res.Rows(), res.Took, res.RowsPerSecond())
	if res.Created != 3 || res.Households != 4500 || res.Members < 8000 || res.Members > 10500 || len(res.Samples) != 30 {
		t.Fatalf("result = %+v", res)
	}

	// What the database holds agrees, and every household has exactly one head.
	var n struct {
		Households, Members, Heads, Urban, Townships, Villages int
	}
	if err := d.Super.QueryRow(`SELECT (SELECT count(*) FROM households), (SELECT count(*) FROM household_members),
		(SELECT count(*) FROM household_members WHERE relation = 'self'), (SELECT count(*) FROM households WHERE category = 'urban'),
		(SELECT count(*) FROM divisions WHERE level = 'township' AND county_code LIKE '41%'),
		(SELECT count(*) FROM divisions WHERE level = 'village' AND county_code LIKE '41%')`).
		Scan(&n.Households, &n.Members, &n.Heads, &n.Urban, &n.Townships, &n.Villages); err != nil {
		t.Fatal(err)
	}
	if n.Households != 4500 || n.Members != res.Members || n.Heads != 4500 || n.Urban < 300 || n.Urban > 1500 ||
		n.Townships < 30 || n.Villages < 12*n.Townships {
		t.Errorf("database = %+v", n)
	}

	// ID numbers: valid, unique, of the county, and agreeing with sex and birth date.
	rows, err := d.Super.Query(`SELECT m.county_code, m.id_number_enc, m.id_number_index, m.id_number_masked, m.sex, m.birth_date::text
		FROM household_members m`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for rows.Next() {
		var county, masked, sex, birth string
		var enc, idx []byte
		if err := rows.Scan(&county, &enc, &idx, &masked, &sex, &birth); err != nil {
			t.Fatal(err)
		}
		number, err := box.Open(household.IDNumberField, enc)
		if err != nil {
			t.Fatal(err)
		}
		id, err := household.ParseIDNumber(number, time.Now())
		switch {
		case err != nil:
			t.Fatalf("%s: %v", number, err)
		case number[:6] != county || id.Sex != sex || id.BirthDate.String() != birth || seen[number]:
			t.Fatalf("%s in %s: sex %s birth %s (seen before: %v)", number, county, sex, birth, seen[number])
		case string(idx) != string(box.Index(household.IDNumberField, number)) || masked != secure.MaskIDNumber(number):
			t.Fatalf("%s: blind index or mask wrong", number)
		}
		seen[number] = true
	}
	rows.Close()

	// The app role sees a county's households in its scope, and none without one.
	tx := d.App.MustBegin()
	tx.MustExec(`SELECT set_config('app.county_code', $1, true), set_config('app.division_code', $1, true)`, res.Counties[0].Code)
	var inScope int
	tx.Get(&inScope, `SELECT count(*) FROM households`)
	tx.Rollback()
	if inScope != 1500 {
		t.Errorf("%d households in the scope of %s, want 1500", inScope, res.Counties[0].Code)
	}

	// A sample names a real household; a second run adds nothing and finds the same samples.
	s := res.Samples[0]
	var head string
	if err := d.Super.Get(&head, `SELECT h.head_name FROM households h JOIN household_members m
		ON m.county_code = h.county_code AND m.household_id = h.id WHERE m.id_number_index = $1`,
		box.Index(household.IDNumberField, s.IDNumber)); err != nil || head != s.HeadName {
		t.Errorf("sample %+v: head %q, %v", s, head, err)
	}
	again, err := synthetic.Generate(ctx, d.Owner, box, o)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Households != 0 || len(again.Samples) != 30 {
		t.Errorf("second run = %+v", again)
	}
	found := false
	for _, x := range again.Samples {
		found = found || x == s
	}
	if !found {
		t.Error("the second run does not find the first run's samples")
	}
}
