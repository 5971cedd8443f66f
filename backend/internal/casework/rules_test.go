package casework

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/httpx"
)

func panelOf(kinds ...string) []PanelMember {
	var out []PanelMember
	for i, k := range kinds {
		out = append(out, PanelMember{Name: fmt.Sprintf("成员%d", i), Kind: k})
	}
	return out
}

func TestCheckPanel(t *testing.T) {
	const r, c, p, o = "villager_representative", "cadre", "party_member", "other"
	for _, tc := range []struct {
		kinds        []string
		f, a, ab     int
		field, words string
	}{
		{[]string{r, r, c}, 2, 1, 0, "", ""},
		{[]string{r, r, c, p, o}, 3, 1, 1, "", ""},
		{[]string{r, r, r, r, r, r, r}, 7, 0, 0, "", ""},
		{[]string{r, c}, 2, 0, 0, "members", "奇数"},
		{[]string{r}, 1, 0, 0, "members", "奇数"},
		{[]string{r, p, p, p, c}, 5, 0, 0, "members", "村民代表"},      // 1 of 5 < 1/3
		{[]string{r, r, c, c, p}, 5, 0, 0, "members", "村干部"},       // 2 of 5 > 1/3
		{[]string{r, r, r, c, c, c, p}, 7, 0, 0, "members", "村干部"}, // 3 of 7 > 1/3
		{[]string{r, r, c}, 1, 1, 0, "votes_for", "之和"},
		{[]string{r, r, c}, 4, -1, 0, "votes_for", "负数"},
	} {
		err := CheckPanel(panelOf(tc.kinds...), tc.f, tc.a, tc.ab)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%v %d/%d/%d: %v", tc.kinds, tc.f, tc.a, tc.ab, err)
			}
			continue
		}
		var he *httpx.Error
		if !errors.As(err, &he) || he.Status != 400 || he.Details["field"] != tc.field ||
			!strings.Contains(fmt.Sprint(he.Args[0]), tc.words) {
			t.Errorf("%v %d/%d/%d: %v, want 400 on %s saying %s", tc.kinds, tc.f, tc.a, tc.ab, err, tc.field, tc.words)
		}
	}
}

func TestDrawIsRepeatableAndFair(t *testing.T) {
	pop := []int64{3, 5, 8, 13, 21, 34, 55, 89, 144, 233}
	a, b := Draw(pop, 30, 42), Draw(pop, 30, 42)
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a) != 3 {
		t.Fatalf("draw %v then %v", a, b)
	}
	if len(Draw(pop, 1, 7)) != 1 || len(Draw(pop, 0, 7)) != 0 || len(Draw(pop, 100, 7)) != 10 || len(Draw(nil, 50, 7)) != 0 {
		t.Fatal("sizes: ceil(n × percent / 100)")
	}
	// Every case is drawn about as often as the others.
	hits := map[int64]int{}
	for seed := int64(0); seed < 5000; seed++ {
		for _, id := range Draw(pop, 20, seed) {
			hits[id]++
		}
	}
	for _, id := range pop {
		if hits[id] < 800 || hits[id] > 1200 { // expected 1000
			t.Fatalf("case %d drawn %d times in 5000 draws of 2 in 10", id, hits[id])
		}
	}
}

func TestNoticeTextHoldsOnlyThePublicFields(t *testing.T) {
	n := Notice{HeadName: "张三", VillageName: "梅溪村", CoveredPeople: 3, MonthlyAmountFen: 123450, Category: "urban",
		StartsOn: civil.Date{Year: 2026, Month: 7, Day: 1}, EndsOn: civil.Date{Year: 2026, Month: 7, Day: 7}}
	got := NoticeText(n)
	for _, want := range []string{"梅溪村 张三 户", "城镇最低生活保障", "保障人数 3 人", "月保障金 1234.50 元", "2026年7月1日", "2026年7月7日"} {
		if !strings.Contains(got, want) {
			t.Errorf("notice %q lacks %q", got, want)
		}
	}
}

// Every action names its states and role; the closed states allow nothing but a county
// visit or its signature on an approved case.
func TestRulesAreComplete(t *testing.T) {
	for _, a := range actionOrder {
		r, ok := rules[a]
		if !ok || r.zh == "" || r.roleZH == "" || len(r.from) == 0 {
			t.Errorf("action %s has no complete rule", a)
		}
	}
	for _, s := range []State{NotAccepted, Denied} {
		for _, a := range actionOrder {
			if a.allowedIn(s) {
				t.Errorf("%s allowed from closed state %s", a, s)
			}
		}
	}
	for _, a := range actionOrder {
		if a.allowedIn(Approved) && a != ActCountyVisit && a != ActSignVisit {
			t.Errorf("%s allowed after approval", a)
		}
	}
}
