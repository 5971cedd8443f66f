package enrolment_test

import (
	"fmt"
	"net/http"
	"testing"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/platform/civil"
)

// A new rural standard recomputes every active rural beneficiary from its effective month,
// in one transaction, with one change record each; urban and stopped ones are left alone.
func TestNewStandardRecomputesActiveBeneficiaries(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	next := enrolment.MonthOf(civil.Today(env.Clock.Now())).Add(1)

	elder := mustEnrol(t, env, oneElder(t, env, meixi, "rural", "甲老汉"), meixi) // 1250
	withIncome, _ := addHousehold(t, env, meixi, "rural", []person{
		{name: "乙大娘", relation: "self", sex: "female", birth: "1955-02-01"},
		{name: "乙小妹", relation: "grandchild", sex: "female", birth: "2012-02-01"},
	}, []income{{"transfer", 50000, true}}) // (1250 − 250) × 2 = 2000
	pair := mustEnrol(t, env, withIncome, meixi)
	other := mustEnrol(t, env, oneElder(t, env, "330523101202", "rural", "丙老汉"), "330523101202") // 荆湾村, 1250
	urban := mustEnrol(t, env, oneElder(t, env, "330523101001", "urban", "丁师傅"), "330523101001") // 梅溪社区, 1300
	stopped := mustEnrol(t, env, oneElder(t, env, meixi, "rural", "戊老汉"), meixi)
	env.DB.Super.MustExec(`UPDATE beneficiaries SET status = 'stopped' WHERE id = $1`, stopped.BeneficiaryID)

	admin := env.SignIn(t, "ax.admin")
	var view enrolment.StandardsView
	r := admin.Do("GET", "/api/v1/standards", nil)
	r.JSON(t, &view)
	if r.Status != http.StatusOK || !view.CanManage || view.ActiveBeneficiaries["rural"] != 3 || view.ActiveBeneficiaries["urban"] != 1 ||
		view.Rural == nil || view.Rural.MonthlyFen != 125000 || len(view.History) != 2 {
		t.Fatalf("standards before: %d %s", r.Status, r.Body)
	}

	r = admin.Do("POST", "/api/v1/standards", map[string]any{"category": "rural", "monthly_fen": 135000,
		"effective_month": next.String(), "note": "安民〔2026〕12号"})
	if r.Status != http.StatusCreated {
		t.Fatalf("add standard: %d %s", r.Status, r.Body)
	}
	var created enrolment.StandardCreated
	r.JSON(t, &created)
	if created.Recomputed.Recomputed != 3 || created.Changed != 3 || created.NotEligible != 0 || created.Standard.MonthlyFen != 135000 ||
		created.Standard.EffectiveMonth != next || created.Standard.CreatedBy != "陈志强" {
		t.Fatalf("created %s", r.Body)
	}
	want := map[int64][2]int64{elder.BeneficiaryID: {125000, 135000}, pair.BeneficiaryID: {200000, 220000},
		other.BeneficiaryID: {125000, 135000}}
	for id, amounts := range want {
		if n := count(t, env, `SELECT count(*) FROM amount_changes WHERE beneficiary_id = $1 AND reason = 'standard_change'
			AND before_fen = $2 AND after_fen = $3 AND effective_month = $4 AND standard_id = $5`,
			id, amounts[0], amounts[1], next.First(), created.Standard.ID); n != 1 {
			t.Errorf("beneficiary %d: %d change records %v", id, n, amounts)
		}
		if n := count(t, env, `SELECT count(*) FROM beneficiaries WHERE id = $1 AND amount_fen = $2 AND amount_from = $3`,
			id, amounts[1], next.First()); n != 1 {
			t.Errorf("beneficiary %d: amount not %d from %s", id, amounts[1], next)
		}
	}
	for _, id := range []int64{urban.BeneficiaryID, stopped.BeneficiaryID} {
		if n := count(t, env, `SELECT count(*) FROM amount_changes WHERE beneficiary_id = $1 AND reason = 'standard_change'`, id); n != 0 {
			t.Errorf("beneficiary %d (urban or stopped) was recomputed", id)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'benefit_standard.create'
		AND (detail->>'recomputed')::int = 3 AND (detail->'after'->>'monthly_fen')::bigint = 135000
		AND (detail->'before'->>'monthly_fen')::bigint = 125000`); n != 1 {
		t.Fatalf("%d audit entries for the new standard", n)
	}

	// The beneficiary page shows the new working and both amounts.
	var detail enrolment.BeneficiaryDetail
	r = env.SignIn(t, "ax.clerk").Do("GET", fmt.Sprintf("/api/v1/beneficiaries/%d", pair.BeneficiaryID), nil)
	r.JSON(t, &detail)
	if detail.AmountFen != 220000 || detail.Working.Reason != "standard_change" || detail.Working.Rules.StandardFen != 135000 ||
		len(detail.Changes) != 2 || detail.Changes[1].BeforeFen != 200000 || detail.Changes[1].AfterFen != 220000 ||
		*detail.Changes[1].StandardFen != 135000 || len(detail.Working.Members) != 2 {
		t.Fatalf("detail after the change: %s", r.Body)
	}

	// Staff of a township see the standards in force (the new one is still to come), not the counts.
	view = enrolment.StandardsView{}
	r = env.SignIn(t, "ax.clerk").Do("GET", "/api/v1/standards", nil)
	r.JSON(t, &view)
	if r.Status != http.StatusOK || view.CanManage || view.ActiveBeneficiaries != nil || view.Rural.MonthlyFen != 125000 ||
		len(view.History) != 3 || view.History[0].MonthlyFen != 135000 {
		t.Fatalf("standards seen by the clerk: %s", r.Body)
	}

	// The same month again, or an earlier one, is refused and writes nothing.
	before := env.TenantDigest(t)
	for _, month := range []string{next.String(), next.Add(-1).String()} {
		r = admin.Do("POST", "/api/v1/standards", map[string]any{"category": "rural", "monthly_fen": 136000, "effective_month": month})
		if r.Status != http.StatusConflict || r.ErrorCode() != "standard_not_later" {
			t.Fatalf("standard for %s: %d %s", month, r.Status, r.Body)
		}
	}
	if env.TenantDigest(t) != before {
		t.Fatal("a refused standard changed the database")
	}
}

// A lower standard that leaves a household above the line keeps its amount for a re-check.
func TestLowerStandardKeepsAmountOfThoseNoLongerEligible(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	next := enrolment.MonthOf(civil.Today(env.Clock.Now())).Add(1)
	hh, _ := addHousehold(t, env, meixi, "rural", []person{{name: "己大伯", relation: "self", sex: "male", birth: "1952-01-01"}},
		[]income{{"transfer", 110000, true}}) // 1100 against 1250: 150 yuan
	b := mustEnrol(t, env, hh, meixi)
	admin := env.SignIn(t, "ax.admin")
	r := admin.Do("POST", "/api/v1/standards", map[string]any{"category": "rural", "monthly_fen": 100000, "effective_month": next.String()})
	var created enrolment.StandardCreated
	r.JSON(t, &created)
	if r.Status != http.StatusCreated || created.Recomputed.Recomputed != 1 || created.Changed != 0 || created.NotEligible != 1 {
		t.Fatalf("lower standard: %d %s", r.Status, r.Body)
	}
	if n := count(t, env, `SELECT count(*) FROM beneficiaries WHERE id = $1 AND amount_fen = 15000`, b.BeneficiaryID); n != 1 {
		t.Fatal("the amount of a beneficiary no longer eligible changed")
	}
	// The certificate still lists the covered member of the amount in force.
	var cert enrolment.Certificate
	env.SignIn(t, "ax.clerk").Do("GET", "/api/v1/certificates/"+b.CertificateNo, nil).JSON(t, &cert)
	if len(cert.CoveredMembers) != 1 || cert.CoveredMembers[0].Name != "己大伯" {
		t.Fatalf("certificate %+v", cert)
	}
}

func TestStandardBadInputAndPermissions(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	now := enrolment.MonthOf(civil.Today(env.Clock.Now()))
	admin := env.SignIn(t, "ax.admin")
	before := env.TenantDigest(t)
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"category": "town", "monthly_fen": 130000, "effective_month": now.Add(1).String()}, "category"},
		{map[string]any{"category": "rural", "monthly_fen": 0, "effective_month": now.Add(1).String()}, "monthly_fen"},
		{map[string]any{"category": "rural", "monthly_fen": -5, "effective_month": now.Add(1).String()}, "monthly_fen"},
		{map[string]any{"category": "rural", "monthly_fen": 130000, "effective_month": "2026-13"}, "effective_month"},
		{map[string]any{"category": "rural", "monthly_fen": 130000, "effective_month": now.Add(13).String()}, "effective_month"},
		{map[string]any{"category": "rural", "monthly_fen": 130000, "effective_month": now.Add(1).String(), "note": string(make([]rune, 201))}, "note"},
	} {
		r := admin.Do("POST", "/api/v1/standards", c.body, "Accept-Language", "en")
		var env2 struct {
			Error struct {
				Code    string
				Message string
				Details map[string]any
			}
		}
		r.JSON(t, &env2)
		if r.Status != http.StatusBadRequest || env2.Error.Details["field"] != c.field || env2.Error.Message == "" ||
			env2.Error.Message[0] >= 0x80 {
			t.Errorf("%v: %d %s (want 400 naming %s, in English)", c.body, r.Status, r.Body, c.field)
		}
	}
	// Fractions of a fen and unknown fields are refused by the decoder.
	for _, raw := range []string{`{"category":"rural","monthly_fen":1300.5,"effective_month":"2027-01"}`,
		`{"category":"rural","monthly_fen":130000,"effective_month":"2027-01","amount":1}`} {
		if r := admin.Do("POST", "/api/v1/standards", raw); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", raw, r.Status, r.Body)
		}
	}
	body := map[string]any{"category": "rural", "monthly_fen": 130000, "effective_month": now.Add(1).String()}
	if r := env.SignIn(t, "ax.approver").Do("POST", "/api/v1/standards", body); r.Status != http.StatusForbidden {
		t.Errorf("approver: %d %s", r.Status, r.Body)
	}
	if r := env.SignIn(t, "ax.clerk").Do("POST", "/api/v1/standards", body); r.Status != http.StatusNotFound {
		t.Errorf("township clerk: %d %s", r.Status, r.Body)
	}
	if r := env.SignIn(t, "ax.finance").Do("GET", "/api/v1/standards", nil); r.Status != http.StatusForbidden {
		t.Errorf("finance reading standards: %d %s", r.Status, r.Body)
	}
	if r := env.SignIn(t, "cx.clerk").Do("GET", "/api/v1/standards?division=330523", nil); r.Status != http.StatusNotFound {
		t.Errorf("another county's standards: %d %s", r.Status, r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("refused requests changed the database")
	}
}

func TestBenefitSettingsAreAuditedAndChecked(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	const path = "/api/v1/counties/330523/benefit-settings"
	var s enrolment.Settings
	r := admin.Do("GET", path, nil)
	r.JSON(t, &s)
	if r.Status != http.StatusOK || s.Version != 0 || s.ElderlyAge != 60 || s.Rounding != "half_up" {
		t.Fatalf("defaults: %d %s", r.Status, r.Body)
	}
	r = admin.Do("PUT", path, map[string]any{"elderly_age": 65, "rounding": "up", "minimum_payment_fen": 2000,
		"supplements": map[string]any{"elderly": map[string]any{"share_bp": 1000}}, "individual_ceiling_bp": 15000,
		"individual_share_bp": 5000, "gradual_exit_months": 3, "version": 0})
	r.JSON(t, &s)
	if r.Status != http.StatusOK || s.Version != 1 || s.ElderlyAge != 65 || s.Supplements["elderly"].ShareBP != 1000 ||
		s.GradualExitMonths != 3 || s.IndividualCeilingBP != 15000 {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'benefit_settings.update'
		AND (detail->'before'->>'elderly_age')::int = 60 AND (detail->'after'->>'elderly_age')::int = 65
		AND (detail->'after'->>'elderly_share_bp')::int = 1000`); n != 1 {
		t.Fatalf("%d audit entries", n)
	}
	before := env.TenantDigest(t)
	for _, c := range []struct {
		body   map[string]any
		status int
		field  string
	}{
		{map[string]any{"supplements": map[string]any{"minor": map[string]any{"share_bp": 500, "fixed_fen": 100}}}, 400, "supplements.minor"},
		{map[string]any{"supplements": map[string]any{"orphan": map[string]any{"fixed_fen": 100}}}, 400, "supplements.orphan"},
		{map[string]any{"elderly_age": 90}, 400, "elderly_age"},
		{map[string]any{"rounding": "bankers"}, 400, "rounding"},
		{map[string]any{"minimum_payment_fen": -100}, 400, "minimum_payment_fen"},
		{map[string]any{"individual_ceiling_bp": 0, "individual_share_bp": 20000}, 400, "individual_share_bp"},
		{map[string]any{"elderly_age": 61, "version": 0}, 409, ""},
	} {
		r := admin.Do("PUT", path, c.body)
		var e struct {
			Error struct{ Details map[string]any }
		}
		r.JSON(t, &e)
		if r.Status != c.status || (c.field != "" && e.Error.Details["field"] != c.field) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
	if r := env.SignIn(t, "ax.approver").Do("PUT", path, map[string]any{"elderly_age": 61}); r.Status != http.StatusForbidden {
		t.Errorf("approver changing settings: %d", r.Status)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("refused updates changed the database")
	}
	if r := env.SignIn(t, "ax.approver").Do("GET", path, nil); r.Status != http.StatusOK {
		t.Errorf("approver reading settings: %d %s", r.Status, r.Body)
	}
}

func TestBeneficiaryListIsScopedPagedAndMasked(t *testing.T) {
	env := apptest.New(t)
	addStandards(t, env)
	for i := 0; i < 3; i++ {
		mustEnrol(t, env, oneElder(t, env, meixi, "rural", fmt.Sprintf("梅溪户%d", i)), meixi)
	}
	mustEnrol(t, env, oneElder(t, env, "330523101202", "rural", "荆湾户"), "330523101202")
	mustEnrol(t, env, oneElder(t, env, "330523101001", "urban", "社区户"), "330523101001")

	list := func(c *apptest.Client, query string) (enrolment.BeneficiaryPage, int) {
		var p enrolment.BeneficiaryPage
		r := c.Do("GET", "/api/v1/beneficiaries"+query, nil)
		if r.Status == http.StatusOK {
			r.JSON(t, &p)
		}
		return p, r.Status
	}
	clerk := env.SignIn(t, "ax.clerk")
	all, status := list(clerk, "")
	if status != 200 || len(all.Items) != 5 {
		t.Fatalf("clerk sees %d (%d)", len(all.Items), status)
	}
	for _, b := range all.Items {
		if len(b.HeadIDNumberMasked) != 18 || b.HeadIDNumberMasked[6:14] != "********" || b.CertificateNo == "" || b.TownshipName != "梅溪镇" {
			t.Fatalf("item %+v", b)
		}
	}
	village, _ := list(env.SignIn(t, "ax.village"), "")
	if len(village.Items) != 3 {
		t.Fatalf("the village worker of 梅溪村 sees %d", len(village.Items))
	}
	page1, _ := list(clerk, "?limit=2")
	page2, _ := list(clerk, "?limit=2&after="+page1.NextCursor)
	page3, _ := list(clerk, "?limit=2&after="+page2.NextCursor)
	if len(page1.Items) != 2 || len(page2.Items) != 2 || len(page3.Items) != 1 || page3.NextCursor != "" || page2.Items[0].ID <= page1.Items[1].ID {
		t.Fatalf("pages %d %d %d", len(page1.Items), len(page2.Items), len(page3.Items))
	}
	if p, _ := list(clerk, "?category=urban"); len(p.Items) != 1 || p.Items[0].HeadName != "社区户" {
		t.Fatalf("urban: %+v", p.Items)
	}
	if p, _ := list(clerk, "?q=荆湾"); len(p.Items) != 1 {
		t.Fatalf("name prefix: %+v", p.Items)
	}
	if p, _ := list(clerk, "?division=330523101202"); len(p.Items) != 1 {
		t.Fatalf("division: %+v", p.Items)
	}
	for _, q := range []string{"?limit=0", "?limit=500", "?after=x", "?category=town", "?status=gone", "?division=33"} {
		if _, status := list(clerk, q); status != http.StatusBadRequest {
			t.Errorf("%s: %d", q, status)
		}
	}
	if _, status := list(env.SignIn(t, "cx.clerk"), "?division=330523101"); status != http.StatusNotFound {
		t.Errorf("another county: %d", status)
	}
	if _, status := list(env.SignIn(t, "ax.admin"), ""); status != http.StatusForbidden {
		t.Errorf("county admin: %d", status)
	}
}
