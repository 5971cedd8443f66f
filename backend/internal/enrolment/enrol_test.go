package enrolment_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/benefit"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

const meixi = "330523101201" // 梅溪村

// A family of three under the rural standard of 1250 yuan: a father who can work, a
// severely disabled mother, a child of ten; 600 yuan of counted wages a month and 200 of
// uncounted transfers. Supplements: severely disabled 30% of the standard, minors 100 yuan.
func familyOfThree(t *testing.T, env *apptest.Env) (int64, []string) {
	return addHousehold(t, env, meixi, "rural", []person{
		{name: "张建国", relation: "self", sex: "male", birth: "1981-03-01", labour: "full"},
		{name: "李秀英", relation: "spouse", sex: "female", birth: "1983-05-01", grade: 1},
		{name: "张小明", relation: "child", sex: "male", birth: "2016-07-01"},
	}, []income{{"wages", 60000, true}, {"transfer", 20000, false}})
}

func TestEnrolComputesAmountClassAndCertificate(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	admin := env.SignIn(t, "ax.admin")
	if r := admin.Do("PUT", "/api/v1/counties/330523/benefit-settings", map[string]any{
		"supplements":         map[string]any{"severe_disability": map[string]any{"share_bp": 3000}, "minor": map[string]any{"fixed_fen": 10000}},
		"minimum_payment_fen": 1000}); r.Status != http.StatusOK {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	hh, numbers := familyOfThree(t, env)
	today := civil.Today(env.Clock.Now())
	start := enrolment.MonthOf(today).Add(1)

	got := mustEnrol(t, env, hh, meixi)
	// (1250 − 600/3) × 3 = 3150, + 375 (30% of 1250) + 100 = 3625 yuan.
	want := enrolment.Enrolled{CertificateNo: fmt.Sprintf("330523-%04d-000001", today.Year), AmountFen: 362500,
		StartMonth: start.String(), RecheckClass: "C", BeneficiaryID: got.BeneficiaryID}
	if got != want {
		t.Fatalf("enrolled %+v, want %+v", got, want)
	}
	// What was written, behind the app's back.
	var b struct {
		Status, Category, Class string
		Covered                 int
		Amount                  int64
		From, Start             civil.Date
	}
	if err := env.DB.Super.QueryRow(`SELECT status, category, recheck_class, covered_count, amount_fen, amount_from, start_month
		FROM beneficiaries WHERE county_code = '330523' AND id = $1`, got.BeneficiaryID).
		Scan(&b.Status, &b.Category, &b.Class, &b.Covered, &b.Amount, &b.From, &b.Start); err != nil {
		t.Fatal(err)
	}
	if b.Status != "active" || b.Category != "rural" || b.Class != "C" || b.Covered != 3 || b.Amount != 362500 ||
		b.From != start.First() || b.Start != start.First() {
		t.Fatalf("beneficiary row %+v", b)
	}
	if n := count(t, env, `SELECT count(*) FROM amount_changes WHERE beneficiary_id = $1 AND reason = 'enrolment'
		AND before_fen = 0 AND after_fen = 362500 AND effective_month = $2`, got.BeneficiaryID, start.First()); n != 1 {
		t.Fatalf("%d enrolment amount entries", n)
	}
	if n := count(t, env, `SELECT count(*) FROM households WHERE id = $1 AND status = 'enrolled'`, hh); n != 1 {
		t.Fatal("household status is not enrolled")
	}
	if n := count(t, env, `SELECT count(*) FROM person_index WHERE county_code = '330523' AND household_id = $1`, hh); n != 3 {
		t.Fatalf("%d members in the person index, want 3", n)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'beneficiary.enrol' AND object_id = $1
		AND (detail->'after'->>'amount_fen')::bigint = 362500`, fmt.Sprint(got.BeneficiaryID)); n != 1 {
		t.Fatalf("%d audit entries", n)
	}

	// The beneficiary page shows the working.
	clerk := env.SignIn(t, "ax.clerk")
	r := clerk.Do("GET", fmt.Sprintf("/api/v1/beneficiaries/%d", got.BeneficiaryID), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("detail: %d %s", r.Status, r.Body)
	}
	var detail enrolment.BeneficiaryDetail
	r.JSON(t, &detail)
	w := detail.Working
	if detail.HeadName != "张建国" || detail.DivisionName != "梅溪村" || detail.CertificateNo != got.CertificateNo ||
		w.Rules.StandardFen != 125000 || w.Result.PerCapitaIncomeFen != 20000 || w.Result.GapFen != 315000 ||
		len(w.Result.Supplements) != 2 || w.Result.SupplementFen != 47500 || w.Result.AmountFen != 362500 ||
		len(w.Members) != 3 || w.Members[1].Name != "李秀英" || len(detail.Changes) != 1 {
		t.Fatalf("detail %s", r.Body)
	}
	if !strings.Contains(detail.HeadIDNumberMasked, "*") {
		t.Fatalf("head ID number not masked: %q", detail.HeadIDNumberMasked)
	}

	// The certificate, for printing: masked, never a full ID number.
	r = clerk.Do("GET", "/api/v1/certificates/"+got.CertificateNo, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("certificate: %d %s", r.Status, r.Body)
	}
	var cert enrolment.Certificate
	r.JSON(t, &cert)
	if cert.Issuer != "安吉县民政局" || cert.TownshipName != "梅溪镇" || cert.VillageName != "梅溪村" || cert.HeadName != "张建国" ||
		cert.Category != "rural" || cert.CoveredCount != 3 || len(cert.CoveredMembers) != 3 || cert.AmountFen != 362500 ||
		cert.StartMonth != start || cert.IssuedOn != today || cert.Status != "valid" {
		t.Fatalf("certificate %s", r.Body)
	}
	for _, n := range numbers {
		if strings.Contains(string(r.Body), n) {
			t.Fatalf("the certificate shows the full ID number %s", n)
		}
	}

	// Quote gives the same amount while a case is open; twice enrolled is refused.
	err := db.WithScope(context.Background(), env.DB.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		res, err := service(env).Quote(context.Background(), tx, "330523", hh, start.First())
		if err == nil && res.AmountFen != 362500 {
			err = fmt.Errorf("quote %+v", res)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = enrol(t, env, hh, meixi)
	if code := errCode(err); code != "already_enrolled" {
		t.Fatalf("second enrolment: %v", err)
	}
	if n := count(t, env, `SELECT count(*) FROM beneficiaries WHERE household_id = $1`, hh); n != 1 {
		t.Fatalf("%d enrolments of one household", n)
	}
}

func errCode(err error) string {
	var he *httpx.Error
	if errors.As(err, &he) {
		return he.Code
	}
	return fmt.Sprint(err)
}

func TestEnrolRefusalsWriteNothing(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	// Income above the line: 3000 yuan for two people against 1250.
	rich, _ := addHousehold(t, env, meixi, "rural", []person{
		{name: "钱富", relation: "self", sex: "male", birth: "1970-01-01", labour: "full"},
		{name: "孙梅", relation: "spouse", sex: "female", birth: "1972-01-01", labour: "full"},
	}, []income{{"business", 300000, true}})
	before := env.TenantDigest(t)
	_, err := enrol(t, env, rich, meixi)
	if code := errCode(err); code != "not_eligible" {
		t.Fatalf("rich household: %v", err)
	}
	if !strings.Contains(err.Error(), "not_eligible") || env.TenantDigest(t) != before {
		t.Fatal("a refused enrolment changed the database")
	}
	// Changxing has no standard yet.
	cx, _ := addHousehold(t, env, "330522101201", "rural", []person{{name: "周老汉", relation: "self", sex: "male", birth: "1948-01-01"}}, nil)
	before = env.TenantDigest(t)
	_, err = enrol(t, env, cx, "330522101201")
	if code := errCode(err); code != "standard_missing" || env.TenantDigest(t) != before {
		t.Fatalf("no standard: %v", err)
	}
	// The counter did not move: the next enrolment gets number 1.
	ok := mustEnrol(t, env, oneElder(t, env, meixi, "rural", "吴老伯"), meixi)
	if !strings.HasSuffix(ok.CertificateNo, "-000001") || ok.RecheckClass != "A" || ok.AmountFen != 125000 {
		t.Fatalf("enrolled %+v", ok)
	}
}

func TestCertificateNumbersAreUniqueUnderConcurrency(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	const n = 6
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = oneElder(t, env, meixi, "rural", fmt.Sprintf("并发户%d", i))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var numbers []string
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := enrol(t, env, id, meixi)
			if err != nil {
				t.Errorf("enrol %d: %v", id, err)
				return
			}
			mu.Lock()
			numbers = append(numbers, out.CertificateNo)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Strings(numbers)
	year := civil.Today(env.Clock.Now()).Year
	for i, no := range numbers {
		if want := fmt.Sprintf("330523-%04d-%06d", year, i+1); no != want {
			t.Fatalf("numbers %v: #%d is %s, want %s", numbers, i, no, want)
		}
	}
}

func TestQuoteUsesTheRulesInForceOnTheDate(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	next := enrolment.MonthOf(civil.Today(env.Clock.Now())).Add(1)
	env.DB.Super.MustExec(`INSERT INTO benefit_standards (county_code, division_code, category, monthly_fen, effective_month)
		VALUES ('330523', '330523', 'rural', 140000, $1)`, next.First())
	// A woman turning 60 on the first of next month: elderly then, not now.
	birth := next.First()
	hh, _ := addHousehold(t, env, meixi, "rural", []person{{name: "郑阿婆", relation: "self", sex: "female",
		birth: fmt.Sprintf("%04d-%02d-01", birth.Year-60, birth.Month)}}, []income{{"transfer", 25000, true}})
	env.DB.Super.MustExec(`INSERT INTO benefit_settings (county_code, division_code, elderly_fixed_fen) VALUES ('330523', '330523', 5000)`)
	quote := func(on civil.Date) benefit.Result {
		var res benefit.Result
		err := db.WithScope(context.Background(), env.DB.App, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
			var err error
			res, err = service(env).Quote(context.Background(), tx, "330523", hh, on)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	now := quote(next.First().AddDays(-1))
	then := quote(next.First())
	if now.StandardFen != 125000 || now.AmountFen != 100000 || len(now.Supplements) != 0 {
		t.Fatalf("before next month: %+v", now)
	}
	if then.StandardFen != 140000 || then.AmountFen != 120000 || len(then.Supplements) != 1 {
		t.Fatalf("from next month: %+v", then)
	}
}

func TestDemoDataEnrolsThreeHouseholdsOnce(t *testing.T) {
	env := apptest.New(t)
	n, err := enrolment.SeedDemo(context.Background(), env.DB.Owner, env.Box, env.Clock.Now())
	if err != nil || n != 3 {
		t.Fatalf("demo: %d, %v", n, err)
	}
	if n, err := enrolment.SeedDemo(context.Background(), env.DB.Owner, env.Box, env.Clock.Now()); err != nil || n != 0 {
		t.Fatalf("demo again: %d, %v", n, err)
	}
	var page enrolment.BeneficiaryPage
	env.SignIn(t, "ax.clerk").Do("GET", "/api/v1/beneficiaries", nil).JSON(t, &page)
	want := map[string]struct {
		amount int64
		class  string
	}{"王阿大": {106400, "A"}, "陈国强": {274100, "C"}, "李桂芳": {268400, "B"}}
	if len(page.Items) != 3 {
		t.Fatalf("%d demo beneficiaries", len(page.Items))
	}
	for _, b := range page.Items {
		if w, ok := want[b.HeadName]; !ok || b.AmountFen != w.amount || b.RecheckClass != w.class {
			t.Errorf("demo %s: %d %s", b.HeadName, b.AmountFen, b.RecheckClass)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM benefit_standards WHERE county_code = '330522'`); n != 4 {
		t.Fatalf("Changxing has %d standards", n)
	}
}
