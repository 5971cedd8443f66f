package enrolment_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// person is a member of a test household.
type person struct {
	name, relation, sex, birth string
	grade                      int
	serious                    bool
	labour                     string // full, partial, none
	uncovered                  bool
}

// income is a monthly income item of a test household.
type income struct {
	kind    string
	fen     int64
	counted bool
}

var personSeq atomic.Int64

// addHousehold registers a household in village as the schema owner (the registry's
// checks are the registry's tests) and returns its id and the members' full ID numbers.
func addHousehold(t *testing.T, env *apptest.Env, village, category string, people []person, incomes []income) (int64, []string) {
	t.Helper()
	county := access.CountyOf(village)
	var id int64
	var numbers []string
	err := db.WithScope(context.Background(), env.DB.Owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
		if err := tx.Get(&id, `INSERT INTO households (county_code, division_code, category, head_name)
			VALUES ($1, $2, $3, $4) RETURNING id`, county, village, category, people[0].name); err != nil {
			return err
		}
		for _, p := range people {
			birth, err := civil.ParseDate(p.birth)
			if err != nil {
				return err
			}
			seq := int(personSeq.Add(1)%499)*2 + 1 // odd: a man
			if p.sex == "female" {
				seq--
			}
			number := household.MakeIDNumber("330523", birth, seq)
			numbers = append(numbers, number)
			enc, err := env.Box.Seal(household.IDNumberField, number)
			if err != nil {
				return err
			}
			labour := p.labour
			if labour == "" {
				labour = "none"
			}
			if _, err := tx.Exec(`INSERT INTO household_members (county_code, household_id, division_code, name,
				id_number_enc, id_number_index, id_number_masked, sex, birth_date, relation, disability_grade,
				serious_illness, labour_capacity, covered)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
				county, id, village, p.name, enc, env.Box.Index(household.IDNumberField, number), secure.MaskIDNumber(number),
				p.sex, birth, p.relation, p.grade, p.serious, labour, !p.uncovered); err != nil {
				return err
			}
		}
		for _, in := range incomes {
			if _, err := tx.Exec(`INSERT INTO household_incomes (county_code, household_id, division_code, kind, monthly_fen, counted)
				VALUES ($1, $2, $3, $4, $5, $6)`, county, id, village, in.kind, in.fen, in.counted); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add household in %s: %v", village, err)
	}
	return id, numbers
}

// oneElder is a household of one elderly man without income: eligible for the whole standard.
func oneElder(t *testing.T, env *apptest.Env, village, category, name string) int64 {
	t.Helper()
	id, _ := addHousehold(t, env, village, category, []person{{name: name, relation: "self", sex: "male", birth: "1950-05-01"}}, nil)
	return id
}

// addStandards gives 安吉县 its standards since 2020: urban 1300 yuan, rural 1250 yuan.
func addStandards(t testing.TB, env *apptest.Env) {
	t.Helper()
	env.DB.Super.MustExec(`INSERT INTO benefit_standards (county_code, division_code, category, monthly_fen, effective_month)
		VALUES ('330523', '330523', 'urban', 130000, '2020-01-01'), ('330523', '330523', 'rural', 125000, '2020-01-01')`)
}

// service is the enrolment service as casework would hold it.
func service(env *apptest.Env) *enrolment.Service {
	return enrolment.NewService(env.DB.App, nil, env.Clock.Now)
}

// enrol enrols a household as a county approver's decision of today would, in a county-scoped transaction.
func enrol(t *testing.T, env *apptest.Env, householdID int64, village string) (enrolment.Enrolled, error) {
	t.Helper()
	var out enrolment.Enrolled
	county := access.CountyOf(village)
	err := db.WithScope(context.Background(), env.DB.App, db.CountyScope(county), func(tx *sqlx.Tx) error {
		var err error
		out, err = service(env).Enroll(context.Background(), tx, enrolment.Enrolment{County: county, Division: village,
			CaseID: 9000 + householdID, HouseholdID: householdID, ActorID: 0, DecidedOn: civil.Today(env.Clock.Now())})
		return err
	})
	return out, err
}

func mustEnrol(t *testing.T, env *apptest.Env, householdID int64, village string) enrolment.Enrolled {
	t.Helper()
	out, err := enrol(t, env, householdID, village)
	if err != nil {
		t.Fatalf("enrol household %d: %v", householdID, err)
	}
	return out
}

func count(t *testing.T, env *apptest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.DB.Super.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
