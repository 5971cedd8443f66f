package audit_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/platform/civil"
)

func searchLog(t *testing.T, c *apptest.Client, params url.Values) audit.Page {
	t.Helper()
	r := c.Do(http.MethodGet, "/api/v1/audit-log?"+params.Encode(), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("search %v as %s: %d %s", params, c.Username, r.Status, r.Body)
	}
	var p audit.Page
	r.JSON(t, &p)
	return p
}

func TestInspectorSearchesTheLog(t *testing.T) {
	env := apptest.New(t)
	env.SignIn(t, "ax.clerk")
	env.SignIn(t, "cx.clerk") // another county: never shown
	bad := env.Client(t)
	if r := bad.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.clerk", "password": "wrong"}); r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.Status)
	}
	insp := env.SignIn(t, "ax.inspector")

	all := searchLog(t, insp, url.Values{})
	if len(all.Items) < 3 {
		t.Fatalf("inspector sees %d entries", len(all.Items))
	}
	for i, e := range all.Items {
		if e.CountyCode != "330523" {
			t.Errorf("another county's entry: %+v", e)
		}
		if i > 0 && e.ID >= all.Items[i-1].ID {
			t.Errorf("not newest first: %d after %d", e.ID, all.Items[i-1].ID)
		}
		if e.Detail != nil {
			t.Errorf("the list carries details: %+v", e)
		}
	}
	clerk := searchLog(t, insp, url.Values{"actor": {"ax.clerk"}, "action": {"auth.login"}})
	if len(clerk.Items) != 2 {
		t.Fatalf("ax.clerk's sign-ins: %+v", clerk.Items)
	}
	ok, failed := clerk.Items[1], clerk.Items[0]
	if ok.Outcome != audit.Success || failed.Outcome != audit.Failure || ok.ActorDisplayName != "王丽" ||
		ok.DivisionCode != "330523101" || ok.DivisionName != "梅溪镇" || ok.ClientIP == "" || ok.RequestID == "" {
		t.Errorf("ax.clerk's sign-ins: %+v / %+v", ok, failed)
	}
	if _, off := ok.At.Zone(); off != 8*3600 {
		t.Errorf("time is not given in Asia/Shanghai: %v", ok.At)
	}
	// By display name, by prefix of the action, by outcome.
	if p := searchLog(t, insp, url.Values{"actor": {"王丽"}, "outcome": {"failure"}}); len(p.Items) != 1 || p.Items[0].ID != failed.ID {
		t.Errorf("by display name and outcome: %+v", p.Items)
	}
	if p := searchLog(t, insp, url.Values{"action": {"auth.*"}, "object_type": {"user"}, "object_id": {"ax.inspector"}}); len(p.Items) != 1 {
		t.Errorf("by action prefix and object: %+v", p.Items)
	}
	// Civil dates in Asia/Shanghai, both ends included.
	today := time.Now().In(civil.Shanghai).Format("2006-01-02")
	tomorrow := time.Now().In(civil.Shanghai).AddDate(0, 0, 1).Format("2006-01-02")
	if p := searchLog(t, insp, url.Values{"from": {today}, "to": {today}}); len(p.Items) != len(all.Items) {
		t.Errorf("today: %d of %d", len(p.Items), len(all.Items))
	}
	if p := searchLog(t, insp, url.Values{"from": {tomorrow}}); len(p.Items) != 0 {
		t.Errorf("from tomorrow: %+v", p.Items)
	}
	// Keyset paging.
	p1 := searchLog(t, insp, url.Values{"limit": {"2"}})
	if len(p1.Items) != 2 || p1.NextCursor != strconv.FormatInt(p1.Items[1].ID, 10) {
		t.Fatalf("page 1: %+v", p1)
	}
	p2 := searchLog(t, insp, url.Values{"limit": {"2"}, "after": {p1.NextCursor}})
	if len(p2.Items) == 0 || p2.Items[0].ID != all.Items[2].ID {
		t.Fatalf("page 2: %+v", p2)
	}
	last := searchLog(t, insp, url.Values{"limit": {"200"}})
	if last.NextCursor != "" {
		t.Errorf("last page has a cursor %q", last.NextCursor)
	}

	// One entry with its detail.
	r := insp.Do(http.MethodGet, "/api/v1/audit-log/"+strconv.FormatInt(failed.ID, 10), nil)
	var one audit.Record
	r.JSON(t, &one)
	if r.Status != http.StatusOK || one.Detail["reason"] != "wrong_password" || len(one.Hash) != 64 || one.PrevID == 0 {
		t.Fatalf("one entry: %d %s", r.Status, r.Body)
	}
	// Another county's entry does not exist for this caller.
	var cxID int64
	if err := env.DB.Super.Get(&cxID, `SELECT max(id) FROM audit_log WHERE county_code = '330522'`); err != nil {
		t.Fatal(err)
	}
	if r := insp.Do(http.MethodGet, "/api/v1/audit-log/"+strconv.FormatInt(cxID, 10), nil); r.Status != http.StatusNotFound {
		t.Errorf("another county's entry: %d %s", r.Status, r.Body)
	}
	if r := insp.Do(http.MethodGet, "/api/v1/audit-log?division=330522", nil); r.Status != http.StatusNotFound {
		t.Errorf("another county's log: %d %s", r.Status, r.Body)
	}
}

func TestReadingTheLogNeedsPermission(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	if r := clerk.Do(http.MethodGet, "/api/v1/audit-log", nil); r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
		t.Fatalf("caseworker reads the log: %d %s", r.Status, r.Body)
	}
	var n int
	if err := env.DB.Super.Get(&n, `SELECT count(*) FROM audit_log WHERE actor_name = 'ax.clerk'
		AND action = 'access.denied' AND object_type = 'audit' AND outcome = 'denied'`); err != nil || n != 1 {
		t.Fatalf("denial rows %d, %v", n, err)
	}
	// A township user sees only the township's part of the log.
	env.AddUser(t, "mx.auditor", "audit_admin", "330523101")
	env.SignIn(t, "ax.inspector") // a county-level entry
	mx := env.SignIn(t, "mx.auditor")
	p := searchLog(t, mx, url.Values{})
	if len(p.Items) == 0 {
		t.Fatal("township auditor sees nothing")
	}
	for _, e := range p.Items {
		if !strings.HasPrefix(e.DivisionCode, "330523101") {
			t.Errorf("township auditor sees %s's entry %d", e.DivisionCode, e.ID)
		}
	}
	if r := mx.Do(http.MethodGet, "/api/v1/audit-log?division=330523", nil); r.Status != http.StatusNotFound {
		t.Errorf("township auditor asks for the county: %d", r.Status)
	}
	var countyEntry int64
	_ = env.DB.Super.Get(&countyEntry, `SELECT max(id) FROM audit_log WHERE actor_name = 'ax.inspector'`)
	if r := mx.Do(http.MethodGet, "/api/v1/audit-log/"+strconv.FormatInt(countyEntry, 10), nil); r.Status != http.StatusNotFound {
		t.Errorf("township auditor reads a county entry: %d", r.Status)
	}
	// Verifying needs the county: a township audit admin may not.
	if r := mx.Do(http.MethodPost, "/api/v1/audit-log/verify", nil); r.Status != http.StatusForbidden {
		t.Errorf("township auditor verifies the county: %d %s", r.Status, r.Body)
	}
}

func TestBadSearchesAreRefusedByField(t *testing.T) {
	env := apptest.New(t)
	insp := env.SignIn(t, "ax.inspector")
	for query, field := range map[string]string{
		"limit=0":                          "limit",
		"limit=201":                        "limit",
		"limit=x":                          "limit",
		"after=-1":                         "after",
		"outcome=maybe":                    "outcome",
		"from=2026-13-01":                  "from",
		"to=yesterday":                     "to",
		"from=2026-05-02&to=2026-05-01":    "to",
		"division=33052":                   "division",
		"action=DROP%20TABLE":              "action",
		"object_type=User":                 "object_type",
		"colour=red":                       "colour",
		"actor=a&actor=b":                  "actor",
		"actor=" + strings.Repeat("x", 51): "actor",
	} {
		r := insp.Do(http.MethodGet, "/api/v1/audit-log?"+query, nil)
		var body struct {
			Error struct {
				Code    string
				Message string
				Details map[string]any
			}
		}
		r.JSON(t, &body)
		if r.Status != http.StatusBadRequest || body.Error.Code != "validation_failed" || body.Error.Details["field"] != field {
			t.Errorf("%s: %d %s, want 400 naming %s", query, r.Status, r.Body, field)
		}
	}
	insp.Lang = "en"
	r := insp.Do(http.MethodGet, "/api/v1/audit-log?outcome=maybe", nil)
	if !strings.Contains(r.ErrorMessage(), "success, failure or denied") {
		t.Errorf("English message: %s", r.Body)
	}
	insp.Lang = ""
	if r := insp.Do(http.MethodGet, "/api/v1/audit-log?outcome=maybe", nil); !strings.Contains(r.ErrorMessage(), "结果只能是") {
		t.Errorf("Chinese message: %s", r.Body)
	}
	for _, id := range []string{"0", "-3", "abc", "99999999999"} {
		if r := insp.Do(http.MethodGet, "/api/v1/audit-log/"+id, nil); r.Status != http.StatusNotFound {
			t.Errorf("entry %s: %d", id, r.Status)
		}
	}
}

func TestAuditAdminVerifiesTheCountyChain(t *testing.T) {
	env := apptest.New(t)
	// ax.auditor is the demo audit administrator of 安吉县.
	env.SignIn(t, "ax.clerk")
	env.SignIn(t, "ax.village")
	env.SignIn(t, "cx.clerk")
	auditor := env.SignIn(t, "ax.auditor")
	var res audit.ChainResult
	r := auditor.Do(http.MethodPost, "/api/v1/audit-log/verify", nil)
	r.JSON(t, &res)
	if r.Status != http.StatusOK || !res.OK || res.County != "330523" || res.Rows < 3 {
		t.Fatalf("clean chain: %d %s", r.Status, r.Body)
	}
	if r := env.SignIn(t, "ax.inspector").Do(http.MethodPost, "/api/v1/audit-log/verify", nil); r.Status != http.StatusForbidden {
		t.Fatalf("inspector verifies: %d", r.Status)
	}
	// Behind the app's back: an entry of ax.village's is edited.
	var target int64
	if err := env.DB.Super.Get(&target, `SELECT max(id) FROM audit_log WHERE actor_name = 'ax.village'`); err != nil {
		t.Fatal(err)
	}
	env.DB.Super.MustExec(`UPDATE audit_log SET detail = '{"reason": "edited"}' WHERE id = $1`, target)
	r = auditor.Do(http.MethodPost, "/api/v1/audit-log/verify", nil)
	res = audit.ChainResult{}
	r.JSON(t, &res)
	if r.Status != http.StatusOK || res.OK || res.Break == nil || res.Break.Kind != audit.BreakContentChanged || res.Break.RowID != target {
		t.Fatalf("edited chain: %d %s", r.Status, r.Body)
	}
	// Both runs are in the log, with their outcome.
	p := searchLog(t, auditor, url.Values{"action": {"audit.verify"}})
	if len(p.Items) != 2 || p.Items[0].Outcome != audit.Failure || p.Items[1].Outcome != audit.Success {
		t.Fatalf("verify runs in the log: %+v", p.Items)
	}
}
