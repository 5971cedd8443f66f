package tenancy_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dibao/backend/internal/app/apptest"
)

type division struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	Level          string `json:"level"`
	ParentCode     string `json:"parent_code"`
	UrbanRuralType string `json:"urban_rural_type"`
	Status         string `json:"status"`
	HasChildren    bool   `json:"has_children"`
	ParentName     string `json:"parent_name"`
	Path           []struct {
		Code, Name string
	} `json:"path"`
}

type list struct {
	Items     []division `json:"items"`
	NextAfter string     `json:"next_after"`
}

func get(t *testing.T, c *apptest.Client, path string, want int) *apptest.Response {
	t.Helper()
	r := c.Do(http.MethodGet, path, nil)
	if r.Status != want {
		t.Fatalf("GET %s as %s: %d %s, want %d", path, c.Username, r.Status, r.Body, want)
	}
	return r
}

func codes(ds []division) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return strings.Join(out, ",")
}

func TestTreeShowsOnlyTheCallersPart(t *testing.T) {
	env := apptest.New(t)
	clerk, admin, cx, platform := env.SignIn(t, "ax.clerk"), env.SignIn(t, "ax.admin"), env.SignIn(t, "cx.clerk"), env.SignIn(t, "platform")

	// Roots: where each caller's tree starts, with the names above it.
	var roots list
	get(t, clerk, "/api/v1/divisions/roots", 200).JSON(t, &roots)
	if codes(roots.Items) != "330523101" || roots.Items[0].Name != "梅溪镇" || len(roots.Items[0].Path) != 3 ||
		roots.Items[0].Path[2].Name != "安吉县" || !roots.Items[0].HasChildren {
		t.Fatalf("clerk's roots: %+v", roots)
	}
	get(t, platform, "/api/v1/divisions/roots", 200).JSON(t, &roots)
	if codes(roots.Items) != "000000" || !roots.Items[0].HasChildren {
		t.Fatalf("platform's roots: %+v", roots)
	}

	// Children: lazy loading inside the scope; 404 outside it.
	var kids list
	get(t, clerk, "/api/v1/divisions/330523101/children", 200).JSON(t, &kids)
	if len(kids.Items) != 15 || kids.Items[0].Code != "330523101001" || kids.Items[0].UrbanRuralType != "121" ||
		kids.Items[0].Status != "active" || kids.Items[0].HasChildren {
		t.Fatalf("梅溪镇's children: %d %+v", len(kids.Items), kids.Items)
	}
	get(t, clerk, "/api/v1/divisions/330523101/children?limit=10", 200).JSON(t, &kids)
	if len(kids.Items) != 10 || kids.NextAfter != kids.Items[9].Code {
		t.Fatalf("first page: %+v", kids)
	}
	after := kids.NextAfter
	kids = list{}
	get(t, clerk, "/api/v1/divisions/330523101/children?limit=10&after="+after, 200).JSON(t, &kids)
	if len(kids.Items) != 5 || kids.NextAfter != "" {
		t.Fatalf("second page: %+v", kids)
	}
	for _, path := range []string{"/api/v1/divisions/330523/children", "/api/v1/divisions/330522101/children",
		"/api/v1/divisions/330523101201x/children", "/api/v1/divisions/330522101201"} {
		r := get(t, clerk, path, 404)
		if r.ErrorCode() != "division_not_found" {
			t.Errorf("%s: %s", path, r.Body)
		}
	}
	get(t, cx, "/api/v1/divisions/330523101201", 404)
	get(t, admin, "/api/v1/divisions/330523/children", 200).JSON(t, &kids)
	if codes(kids.Items) != "330523101" || !kids.Items[0].HasChildren {
		t.Fatalf("安吉县's children: %+v", kids)
	}
	get(t, platform, "/api/v1/divisions/000000/children", 200).JSON(t, &kids)
	if codes(kids.Items) != "33" {
		t.Fatalf("the platform's children: %+v", kids)
	}
	get(t, platform, "/api/v1/divisions/330522/children", 200) // platform staff read the whole tree

	// One division: its path and (empty) history.
	var d struct {
		division
		ActiveChildren int   `json:"active_children"`
		History        []any `json:"history"`
	}
	get(t, clerk, "/api/v1/divisions/330523101201", 200).JSON(t, &d)
	if d.Name != "梅溪村" || len(d.Path) != 4 || d.Path[3].Name != "梅溪镇" || d.History == nil {
		t.Fatalf("梅溪村: %+v", d)
	}

	// Search: by name and by code prefix, only inside the scope (platform staff everywhere).
	var hits list
	get(t, clerk, "/api/v1/divisions/search?q="+url.QueryEscape("梅溪"), 200).JSON(t, &hits)
	if !strings.HasPrefix(codes(hits.Items), "330523101,") || !strings.Contains(codes(hits.Items), "330523101201") {
		t.Fatalf("clerk's search: %s", codes(hits.Items))
	}
	for _, h := range hits.Items {
		if h.Code == "330523101201" && h.ParentName != "梅溪镇" {
			t.Errorf("hit without its parent's name: %+v", h)
		}
	}
	get(t, cx, "/api/v1/divisions/search?q="+url.QueryEscape("梅溪"), 200).JSON(t, &hits)
	if len(hits.Items) != 0 {
		t.Fatalf("Changxing's clerk finds Anji: %s", codes(hits.Items))
	}
	get(t, admin, "/api/v1/divisions/search?q=33052310120&limit=3", 200).JSON(t, &hits)
	if codes(hits.Items) != "330523101201,330523101202,330523101203" {
		t.Fatalf("code prefix search: %s", codes(hits.Items))
	}
	get(t, admin, "/api/v1/divisions/search?q="+url.QueryEscape("煤山"), 200).JSON(t, &hits)
	if len(hits.Items) != 0 {
		t.Fatalf("Anji's admin finds Changxing: %s", codes(hits.Items))
	}
	get(t, platform, "/api/v1/divisions/search?q="+url.QueryEscape("煤山"), 200).JSON(t, &hits)
	if codes(hits.Items) != "330522101" {
		t.Fatalf("platform search: %s", codes(hits.Items))
	}
	if r := get(t, clerk, "/api/v1/divisions/search?q=", 400); !strings.Contains(r.ErrorMessage(), "搜索") {
		t.Errorf("empty search: %s", r.Body)
	}
	get(t, clerk, "/api/v1/divisions/search?q=x&limit=abc", 400)
}
