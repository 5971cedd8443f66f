package household_test

import (
	"fmt"
	"net/http"
	"testing"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/household"
)

// The list's member count and head's masked ID number live on the household (0015) and
// follow every change of its members: added, removed, the head's number changed.
func TestListSummaryFollowsMembers(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	h := register(t, clerk, twoMembers("吴长林", 701))
	path := fmt.Sprintf("/api/v1/households/%d", h.ID)
	listed := func(step string) household.ListItem {
		t.Helper()
		var page household.Page
		r := clerk.Do(http.MethodGet, "/api/v1/households?q=%E5%90%B4%E9%95%BF%E6%9E%97", nil) // 吴长林
		r.JSON(t, &page)
		if r.Status != http.StatusOK || len(page.Items) != 1 {
			t.Fatalf("%s: search %d %s", step, r.Status, r.Body)
		}
		// And the same for every household of the registry, against its members.
		var wrong int
		env.DB.Super.Get(&wrong, `SELECT count(*) FROM households h WHERE
			h.member_count <> (SELECT count(*) FROM household_members m WHERE m.county_code = h.county_code AND m.household_id = h.id)
			OR h.head_id_number_masked <> coalesce((SELECT m.id_number_masked FROM household_members m
				WHERE m.county_code = h.county_code AND m.household_id = h.id AND m.relation = 'self'), '')`)
		if wrong != 0 {
			t.Fatalf("%s: %d households whose summary disagrees with their members", step, wrong)
		}
		return page.Items[0]
	}
	if it := listed("registered"); it.MemberCount != 2 || it.HeadIDNumberMasked != h.Members[0].IDNumberMasked {
		t.Fatalf("registered: %+v, head %s", it, h.Members[0].IDNumberMasked)
	}

	// A child joins and the head's number is corrected.
	b := twoMembers("吴长林", 701)
	ms := b["members"].([]map[string]any)
	newHead := person(1962, 703)
	ms[0]["id"], ms[0]["id_number"] = h.Members[0].ID, newHead
	ms[1]["id"], ms[1]["id_number"] = h.Members[1].ID, ""
	b["members"] = append(ms, map[string]any{"name": "吴小花", "id_number": person(2014, 704), "relation": "child"})
	b["incomes"], b["version"] = []map[string]any{}, 1
	delete(b, "phone")
	delete(b, "bank_account")
	var u created
	r := clerk.Do(http.MethodPut, path, b)
	r.JSON(t, &u)
	if r.Status != http.StatusOK || len(u.Members) != 3 {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	if it := listed("grown"); it.MemberCount != 3 || it.HeadIDNumberMasked != u.Members[0].IDNumberMasked ||
		u.Members[0].IDNumberMasked == h.Members[0].IDNumberMasked {
		t.Fatalf("grown: %+v, head was %s and is %s", it, h.Members[0].IDNumberMasked, u.Members[0].IDNumberMasked)
	}

	// The spouse leaves.
	b["members"] = []map[string]any{ms[0], {"id": u.Members[2].ID, "name": "吴小花", "id_number": "", "relation": "child"}}
	ms[0]["id_number"] = ""
	b["version"] = 2
	if r := clerk.Do(http.MethodPut, path, b); r.Status != http.StatusOK {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	if it := listed("shrunk"); it.MemberCount != 2 || it.HeadIDNumberMasked != u.Members[0].IDNumberMasked {
		t.Fatalf("shrunk: %+v", it)
	}
}
