package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/benefit"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// The living township (issue 4 item 9): 梅溪镇 with the seed report's rolls, 711 rural
// households covering 1,302 people and 229 urban households covering 312, paying out
// about 610,000 yuan a quarter. It runs after enrolment.SeedDemo (the standards, the
// settings and three stand-in beneficiaries, which count towards the figures) and tops the
// township up to them: the registry rows are copied in bulk, each household's amount comes
// from enrolment's own computation (QuoteWorking, then benefit.Compute on the same
// working while the counted incomes are chosen), and every household is enrolled through
// enrolment.Enroll, so the certificates, the amount history, the person index and the
// households' status are what a real approval leaves. Running it again adds nothing.

// The seed report's figures (DESIGN.md 1).
const (
	TargetRuralHouseholds = 711
	TargetRuralPeople     = 1302
	TargetUrbanHouseholds = 229
	TargetUrbanPeople     = 312
	TargetQuarterFen      = 61_000_000 // 610,000 yuan a quarter
)

const demoTownship = "330523101"

// TownshipResult says what a run added and where the township stands afterwards.
type TownshipResult struct {
	Added       int   // households enrolled by this run
	AddedPeople int   // people they cover
	Rural       Rolls // the township's active beneficiaries after the run
	Urban       Rolls
	MonthlyFen  int64 // what the township's active beneficiaries receive a month
	Cases       int   // open and closed demo cases added by this run
	Took        time.Duration
}

// Rolls count the active beneficiaries of one category.
type Rolls struct {
	Households int `db:"households"`
	People     int `db:"people"`
}

// QuarterFen is the quarterly payout at the current amounts.
func (r TownshipResult) QuarterFen() int64 { return 3 * r.MonthlyFen }

// Township loads the township's beneficiaries as the schema owner, in one transaction (a
// failure leaves nothing half-loaded), with now as today.
func Township(ctx context.Context, owner *sqlx.DB, box *secure.Box, now time.Time) (TownshipResult, error) {
	began := time.Now()
	var res TownshipResult
	var caseHouseholds []int64
	err := db.WithScope(ctx, owner, db.CountyScope(demoRegion), func(tx *sqlx.Tx) error {
		before, err := townshipTotals(ctx, tx)
		if err != nil {
			return err
		}
		needRural := TargetRuralHouseholds - before.Rural.Households
		needUrban := TargetUrbanHouseholds - before.Urban.Households
		if needRural <= 0 && needUrban <= 0 {
			return nil
		}
		var approver int64
		if err := tx.GetContext(ctx, &approver, `SELECT id FROM users WHERE county_code = $1 AND username = 'ax.approver'`,
			demoRegion); err != nil {
			return fmt.Errorf("seed: township: the demo approver: %w", err)
		}
		today := civil.Today(now)
		r := rand.New(rand.NewPCG(2011, 940)) // the report's year and rolls: the same township every run
		taken := map[string]bool{}
		plan := planTownship(r, "rural", needRural, TargetRuralPeople-before.Rural.People, demoVillages("220"), today, taken)
		plan = append(plan, planTownship(r, "urban", needUrban, TargetUrbanPeople-before.Urban.People, demoVillages("121"), today, taken)...)
		byDecision(plan)
		// The applicants of the demo's cases: households of 梅溪村 in the registry, not enrolled.
		applicants := planTownship(r, "rural", casesPerState*len(caseScript), casesPerState*len(caseScript)*2,
			[]place{caseVillage}, today, taken)
		all := append(append([]plannedHousehold{}, plan...), applicants...)

		ids, err := writeRegistry(ctx, tx, box, all)
		if err != nil {
			return err
		}
		svc := enrolment.NewService(nil, nil, func() time.Time { return now })
		works := make([]enrolment.Computation, len(all))
		for i, h := range all {
			on := enrolment.MonthOf(h.DecidedOn).Add(1).First()
			if i >= len(plan) {
				on = today
			}
			if works[i], err = svc.QuoteWorking(ctx, tx, demoRegion, ids[i], on); err != nil {
				return fmt.Errorf("seed: township: quote household %d: %w", ids[i], err)
			}
		}
		incomes, planned, err := chooseIncomes(plan, works[:len(plan)], TargetQuarterFen/3-before.MonthlyFen)
		if err != nil {
			return err
		}
		incomes = append(incomes, applicantIncomes(applicants, works[len(plan):])...)
		if err := writeIncomes(ctx, tx, r, all, ids, incomes); err != nil {
			return err
		}
		caseHouseholds = ids[len(plan):]
		var enrolled int64
		for i, h := range plan {
			out, err := svc.Enroll(ctx, tx, enrolment.Enrolment{County: demoRegion, Division: h.Village.code,
				HouseholdID: ids[i], ActorID: approver, DecidedOn: h.DecidedOn})
			if err != nil {
				return fmt.Errorf("seed: township: enrol %s (%s): %w", h.head().Name, h.Village.name, err)
			}
			enrolled += out.AmountFen
			res.Added++
			res.AddedPeople += h.Covered
		}
		if enrolled != planned {
			return fmt.Errorf("seed: township: enrolment computed %d fen a month, the plan %d", enrolled, planned)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	// The cases run through casework's use cases, each step in its own transaction, after
	// their households are committed. Run alone, a failure here leaves the beneficiaries
	// loaded and the cases opened so far; Everything runs it inside one transaction, where
	// such a failure leaves nothing.
	if len(caseHouseholds) > 0 {
		if res.Cases, err = demoCases(ctx, owner, box, caseHouseholds, now); err != nil {
			return res, err
		}
	}
	err = db.WithScope(ctx, owner, db.CountyScope(demoRegion), func(tx *sqlx.Tx) error {
		after, err := townshipTotals(ctx, tx)
		res.Rural, res.Urban, res.MonthlyFen = after.Rural, after.Urban, after.MonthlyFen
		return err
	})
	res.Took = time.Since(began)
	return res, err
}

type totals struct {
	Rural, Urban Rolls
	MonthlyFen   int64
}

// townshipTotals counts the township's active beneficiaries.
func townshipTotals(ctx context.Context, tx *sqlx.Tx) (totals, error) {
	var rows []struct {
		Category   string `db:"category"`
		Households int    `db:"households"`
		People     int    `db:"people"`
		Fen        int64  `db:"fen"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT category, count(*) AS households, coalesce(sum(covered_count), 0) AS people,
		coalesce(sum(amount_fen), 0) AS fen FROM beneficiaries
		WHERE county_code = $1 AND division_code >= $2 AND division_code < $2 || '~' AND status = 'active'
		GROUP BY category`, demoRegion, demoTownship); err != nil {
		return totals{}, fmt.Errorf("seed: township: count beneficiaries: %w", err)
	}
	var t totals
	for _, r := range rows {
		switch r.Category {
		case enrolment.Rural:
			t.Rural = Rolls{r.Households, r.People}
		case enrolment.Urban:
			t.Urban = Rolls{r.Households, r.People}
		}
		t.MonthlyFen += r.Fen
	}
	return t, nil
}

// chooseIncomes picks each household's counted monthly income so that the amounts
// enrolment will compute add up to targetFen a month: each household's per-capita income
// falls short of the standard by its own weight times one common factor, found by
// bisection, and each amount is benefit.Compute on the household's own working from
// QuoteWorking with only the income changed. It also checks that every household is
// covered as planned, and returns the incomes and the total they give.
func chooseIncomes(plan []plannedHousehold, works []enrolment.Computation, targetFen int64) ([]int64, int64, error) {
	incomeAt := func(i int, factor int64) int64 {
		c := works[i]
		size := int64(len(c.Household.Members))
		share := plan[i].Level // 单人保: above the line, fixed
		if !plan[i].Individual {
			// The shortfall in basis points of the standard: at least 1 %, at most all of it.
			share = 10000 - min(max(plan[i].Level*factor/100000, 100), 10000)
		}
		return size * c.Rules.StandardFen * share / 10000 / 100 * 100 // whole yuan, as ledgers record them
	}
	total := func(factor int64, check bool) (int64, []int64, error) {
		var sum int64
		incomes := make([]int64, len(plan))
		for i, c := range works {
			hh := c.Household
			hh.MonthlyIncomeFen = incomeAt(i, factor)
			res, err := benefit.Compute(hh, c.Rules)
			if err != nil {
				return 0, nil, fmt.Errorf("seed: township: compute: %w", err)
			}
			if check && (!res.Eligible || len(res.CoveredMembers) != plan[i].Covered || res.Individual != plan[i].Individual) {
				return 0, nil, fmt.Errorf("seed: township: %s (%s) would cover %d people (individual %v, reason %s), planned %d",
					plan[i].head().Name, plan[i].Kind, len(res.CoveredMembers), res.Individual, res.Reason, plan[i].Covered)
			}
			incomes[i] = hh.MonthlyIncomeFen
			sum += res.AmountFen
		}
		return sum, incomes, nil
	}
	// A larger factor, a larger shortfall, more money: find the largest factor whose total
	// stays within the target.
	lo, hi := int64(0), int64(10_000_000)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		sum, _, err := total(mid, false)
		if err != nil {
			return nil, 0, err
		}
		if sum <= targetFen {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	sum, incomes, err := total(lo, true)
	return incomes, sum, err
}

// applicantIncomes are the counted incomes of the applicants: the level each was drawn
// with, and for the last three of the script (those to be denied) above the standard.
func applicantIncomes(applicants []plannedHousehold, works []enrolment.Computation) []int64 {
	out := make([]int64, len(applicants))
	for i, c := range works {
		level := max(3000, 10000-applicants[i].Level/3) // per-capita income: 30–90 % of the standard
		if applicants[i].Individual {
			level = applicants[i].Level
		}
		if caseScript[(i/casesPerState)%len(caseScript)] == casework.Denied {
			level = 12000 + int64(i%casesPerState)*1000
		}
		out[i] = int64(len(c.Household.Members)) * c.Rules.StandardFen * level / 10000 / 100 * 100
	}
	return out
}

// The registry rows go in with COPY into temporary tables shaped like the registry's, then
// one INSERT … SELECT per table in the county's scope, where row-level security checks
// every row (COPY cannot write into a table whose row-level security is forced).
const demoTempTables = `
CREATE TEMP TABLE demo_households (LIKE households INCLUDING DEFAULTS) ON COMMIT DROP;
CREATE TEMP TABLE demo_members (LIKE household_members INCLUDING DEFAULTS) ON COMMIT DROP;
CREATE TEMP TABLE demo_incomes (LIKE household_incomes INCLUDING DEFAULTS) ON COMMIT DROP;`

// writeRegistry writes the planned households and their members and returns the
// households' ids, in plan order.
func writeRegistry(ctx context.Context, tx *sqlx.Tx, box *secure.Box, plan []plannedHousehold) ([]int64, error) {
	if _, err := tx.ExecContext(ctx, demoTempTables); err != nil {
		return nil, fmt.Errorf("seed: township: temporary tables: %w", err)
	}
	people := 0
	for _, h := range plan {
		people += len(h.Members)
	}
	hIDs, err := nextIDs(ctx, tx, "households_id_seq", len(plan))
	if err != nil {
		return nil, err
	}
	mIDs, err := nextIDs(ctx, tx, "household_members_id_seq", people)
	if err != nil {
		return nil, err
	}
	hRows := make([][]any, 0, len(plan))
	mRows := make([][]any, 0, people)
	mi := 0
	for n, h := range plan {
		phone, err := sealValue(box, household.PhoneField, h.Phone, secure.MaskPhone)
		if err != nil {
			return nil, err
		}
		acc, err := sealValue(box, household.BankAccountField, h.BankAccount, secure.MaskAccount)
		if err != nil {
			return nil, err
		}
		hRows = append(hRows, []any{demoRegion, hIDs[n], h.Village.code, h.Category, h.head().Name, h.Address, h.hukou(),
			phone.enc, phone.index, phone.masked, h.BankName, h.head().Name, acc.enc, acc.index, acc.masked})
		for _, m := range h.Members {
			id, err := sealValue(box, household.IDNumberField, m.IDNumber, secure.MaskIDNumber)
			if err != nil {
				return nil, err
			}
			mRows = append(mRows, []any{demoRegion, mIDs[mi], hIDs[n], h.Village.code, m.Name, id.enc, id.index, id.masked,
				m.Sex, m.Birth.String(), m.Relation, m.Identity, m.Disability, m.DisabilityType, m.Chronic, m.Serious,
				m.Labour, m.Employment, m.School})
			mi++
		}
	}
	if err := copyRows(ctx, tx, "demo_households", []string{"county_code", "id", "division_code", "category", "head_name",
		"address", "hukou_place", "phone_enc", "phone_index", "phone_masked", "bank_name", "bank_holder", "bank_account_enc",
		"bank_account_index", "bank_account_masked"}, hRows); err != nil {
		return nil, err
	}
	if err := copyRows(ctx, tx, "demo_members", []string{"county_code", "id", "household_id", "division_code", "name",
		"id_number_enc", "id_number_index", "id_number_masked", "sex", "birth_date", "relation", "identity_category",
		"disability_grade", "disability_type", "chronic_illness", "serious_illness", "labour_capacity", "employment",
		"school"}, mRows); err != nil {
		return nil, err
	}
	for _, q := range []string{
		`INSERT INTO households SELECT * FROM demo_households`,
		`INSERT INTO household_members SELECT * FROM demo_members`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("seed: township: %s: %w", q, err)
		}
	}
	return hIDs, nil
}

// writeIncomes writes each household's counted income as the items a ledger would show:
// pensions of its old members, then work (wages, tea and bamboo) where someone can work,
// else support from relatives or a rent.
func writeIncomes(ctx context.Context, tx *sqlx.Tx, r *rand.Rand, plan []plannedHousehold, ids []int64, incomes []int64) error {
	var rows [][]any
	for i, h := range plan {
		left := incomes[i]
		add := func(kind, source string, fen int64) {
			if fen <= 0 {
				return
			}
			rows = append(rows, []any{demoRegion, ids[i], h.Village.code, kind, source, fen})
			left -= fen
		}
		pension, source := int64(25000+100*r.IntN(80)), "城乡居民基本养老金"
		if h.Category == enrolment.Urban && r.IntN(3) == 0 {
			pension, source = int64(90000+100*r.IntN(200)), "企业职工基本养老金"
		}
		worker := false
		for _, m := range h.Members {
			age := birthReference - m.Birth.Year
			if age >= 60 {
				add("transfer", source, min(pension, left))
			}
			if age >= 18 && age < 60 && m.Labour != "none" {
				worker = true
			}
		}
		switch {
		case worker && h.Category == enrolment.Rural:
			if r.IntN(2) == 0 {
				add("farming", []string{"白茶采摘", "竹林经营", "毛竹砍伐", "种植水稻"}[r.IntN(4)], left)
			} else {
				add("wages", []string{"竹制品厂务工", "季节性零工", "景区保洁"}[r.IntN(3)], left)
			}
		case worker:
			add("wages", []string{"灵活就业", "超市理货员", "物业保洁", "快递分拣临时工"}[r.IntN(4)], left)
		case r.IntN(4) == 0:
			if h.Category == enrolment.Rural {
				add("property", "土地流转租金", left)
			} else {
				add("property", "房屋出租收入", left)
			}
		default:
			add("transfer", []string{"子女赡养费", "亲属资助"}[min(r.IntN(3), 1)], left)
		}
	}
	if err := copyRows(ctx, tx, "demo_incomes", []string{"county_code", "household_id", "division_code", "kind", "source",
		"monthly_fen"}, rows); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO household_incomes SELECT * FROM demo_incomes`); err != nil {
		return fmt.Errorf("seed: township: incomes: %w", err)
	}
	return nil
}

// copyRows copies rows into table with COPY FROM STDIN.
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("seed: township: copy into %s: %w", table, err)
	}
	defer st.Close()
	for _, row := range rows {
		if _, err := st.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("seed: township: copy into %s: %w", table, err)
		}
	}
	if _, err := st.ExecContext(ctx); err != nil {
		return fmt.Errorf("seed: township: copy into %s: %w", table, err)
	}
	return nil
}

// nextIDs takes n values of a registry sequence.
func nextIDs(ctx context.Context, tx *sqlx.Tx, seq string, n int) ([]int64, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval($1::regclass) FROM generate_series(1, $2)`, seq, n); err != nil {
		return nil, fmt.Errorf("seed: township: take %d ids of %s: %w", n, seq, err)
	}
	return ids, nil
}

type sealedValue struct {
	enc, index []byte
	masked     string
}

// sealValue is a sensitive value as the registry stores it: ciphertext, blind index, mask.
func sealValue(box *secure.Box, field, value string, mask func(string) string) (sealedValue, error) {
	enc, err := box.Seal(field, value)
	if err != nil {
		return sealedValue{}, fmt.Errorf("seed: township: seal %s: %w", field, err)
	}
	return sealedValue{enc: enc, index: box.Index(field, value), masked: mask(value)}, nil
}
