package tenancy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"dibao/backend/internal/app/apptest"
)

type detail struct {
	division
	ActiveChildren int `json:"active_children"`
	History        []struct {
		Action        string          `json:"action"`
		ActorUsername string          `json:"actor_username"`
		ActorName     string          `json:"actor_name"`
		Before        json.RawMessage `json:"before"`
		After         json.RawMessage `json:"after"`
		Reason        string          `json:"reason"`
	} `json:"history"`
}

// expectBad sends a request that must be refused with want, naming field (when given) and
// containing text in its message, and checks that nothing was written.
func expectBad(t *testing.T, env *apptest.Env, c *apptest.Client, method, path string, body any, want int, field, text string) {
	t.Helper()
	before := env.TenantDigest(t)
	r := c.Do(method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s %v: %d %s, want %d", method, path, body, r.Status, r.Body, want)
	}
	var env_ struct {
		Error struct {
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	r.JSON(t, &env_)
	if field != "" && env_.Error.Details["field"] != field {
		t.Errorf("%s %s %v: field %v, want %s (%s)", method, path, body, env_.Error.Details["field"], field, r.Body)
	}
	if !strings.Contains(env_.Error.Message, text) {
		t.Errorf("%s %s %v: message %q lacks %q", method, path, body, env_.Error.Message, text)
	}
	if env.TenantDigest(t) != before {
		t.Errorf("%s %s %v: refused but the database changed", method, path, body)
	}
}

func TestCountyAdminManagesTownshipsAndVillages(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")

	// Rename a village: the tree, the history and the audit log all show it.
	r := admin.Do(http.MethodPatch, "/api/v1/divisions/330523101201", map[string]any{"name": " 梅溪新村 ", "reason": "村名变更"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"name":"梅溪新村"`) {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	var d detail
	get(t, admin, "/api/v1/divisions/330523101201", 200).JSON(t, &d)
	if d.Name != "梅溪新村" || len(d.History) != 1 || d.History[0].Action != "update" || d.History[0].ActorUsername != "ax.admin" ||
		d.History[0].ActorName != "陈志强" || string(d.History[0].Before) != `{"name":"梅溪村"}` || d.History[0].Reason != "村名变更" {
		t.Fatalf("after rename: %+v", d)
	}
	var audited int
	if err := env.DB.Super.Get(&audited, `SELECT count(*) FROM audit_log WHERE county_code = '330523' AND action = 'division.update'
		AND object_id = '330523101201' AND detail->'before'->>'name' = '梅溪村' AND detail->'after'->>'name' = '梅溪新村'`); err != nil || audited != 1 {
		t.Fatalf("audit rows of the rename: %d %v", audited, err)
	}
	// Change the urban-rural type; renaming to the same name records nothing.
	if r := admin.Do(http.MethodPatch, "/api/v1/divisions/330523101201", map[string]any{"urban_rural_type": "210"}); r.Status != 200 {
		t.Fatalf("retype: %d %s", r.Status, r.Body)
	}
	if r := admin.Do(http.MethodPatch, "/api/v1/divisions/330523101201", map[string]any{"name": "梅溪新村"}); r.Status != 200 {
		t.Fatalf("same name: %d %s", r.Status, r.Body)
	}
	get(t, admin, "/api/v1/divisions/330523101201", 200).JSON(t, &d)
	if len(d.History) != 2 || d.UrbanRuralType != "210" {
		t.Fatalf("after retype: %+v", d)
	}

	// Add a village and a township.
	r = admin.Do(http.MethodPost, "/api/v1/divisions", map[string]any{"parent_code": "330523101", "code": "330523101213",
		"name": "新建村", "urban_rural_type": "220"})
	if r.Status != 201 {
		t.Fatalf("add village: %d %s", r.Status, r.Body)
	}
	r = admin.Do(http.MethodPost, "/api/v1/divisions", map[string]any{"parent_code": "330523", "code": "330523102", "name": "孝源镇"})
	if r.Status != 201 {
		t.Fatalf("add township: %d %s", r.Status, r.Body)
	}

	// Bad input: a 4xx naming the problem, nothing written.
	add := func(body map[string]any, want int, field, text string) {
		t.Helper()
		expectBad(t, env, admin, http.MethodPost, "/api/v1/divisions", body, want, field, text)
	}
	add(map[string]any{"parent_code": "330523101", "code": "33052310121", "name": "短码村", "urban_rural_type": "220"}, 400, "code", "12 位")
	add(map[string]any{"parent_code": "330523101", "code": "330523101000", "name": "零码村", "urban_rural_type": "220"}, 400, "code", "格式不正确")
	add(map[string]any{"parent_code": "330523101", "code": "330523102214", "name": "错前缀村", "urban_rural_type": "220"}, 400, "code", "必须以上级区划代码 330523101 开头")
	add(map[string]any{"parent_code": "330523101201", "code": "330523101201001", "name": "错级"}, 400, "parent_code", "村级")
	add(map[string]any{"parent_code": "3305", "code": "330524", "name": "新县"}, 400, "parent_code", "市级")
	add(map[string]any{"parent_code": "33052310", "code": "330523101214", "name": "坏上级"}, 400, "parent_code", "格式不正确")
	add(map[string]any{"parent_code": "330523101", "code": "330523101202", "name": "重复村", "urban_rural_type": "220"}, 409, "code", "已存在（荆湾村）")
	add(map[string]any{"parent_code": "330523101", "code": "330523101214", "name": "无类型村"}, 400, "urban_rural_type", "必须填写城乡分类代码")
	add(map[string]any{"parent_code": "330523101", "code": "330523101214", "name": "坏类型村", "urban_rural_type": "130"}, 400, "urban_rural_type", "130 无效")
	add(map[string]any{"parent_code": "330523", "code": "330523103", "name": "有类型镇", "urban_rural_type": "220"}, 400, "urban_rural_type", "只有村")
	add(map[string]any{"parent_code": "330523101", "code": "330523101214", "name": "  ", "urban_rural_type": "220"}, 400, "name", "名称不能为空")
	add(map[string]any{"parent_code": "330523101", "code": "330523101214", "name": strings.Repeat("长", 101), "urban_rural_type": "220"}, 400, "name", "100")
	add(map[string]any{"parent_code": "330522101", "code": "330522101214", "name": "外县村", "urban_rural_type": "220"}, 404, "", "不在您的管辖范围内")
	expectBad(t, env, admin, http.MethodPost, "/api/v1/divisions", `{"parent_code":"330523101","code":"330523101214","name":"x","extra":1}`, 400, "extra", "未知字段")

	// English callers get English messages.
	admin.Lang = "en"
	add(map[string]any{"parent_code": "330523101", "code": "3305231012", "name": "x", "urban_rural_type": "220"}, 400, "code", "is malformed")
	admin.Lang = ""

	// Retire: not while it has active children; a retired division stays, with its history.
	expectBad(t, env, admin, http.MethodPost, "/api/v1/divisions/330523101/retire", nil, 409, "", "16 个未撤销")
	r = admin.Do(http.MethodPost, "/api/v1/divisions/330523101213/retire", map[string]any{"reason": "并入梅溪村"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"retired"`) {
		t.Fatalf("retire: %d %s", r.Status, r.Body)
	}
	expectBad(t, env, admin, http.MethodPost, "/api/v1/divisions/330523101213/retire", nil, 409, "", "已经撤销")
	expectBad(t, env, admin, http.MethodPatch, "/api/v1/divisions/330523101213", map[string]any{"name": "改"}, 409, "", "请先恢复")
	add(map[string]any{"parent_code": "330523101", "code": "330523101213", "name": "再建村", "urban_rural_type": "220"}, 409, "code", "已撤销")
	var kids list
	get(t, admin, "/api/v1/divisions/330523101/children", 200).JSON(t, &kids)
	retired := false
	for _, k := range kids.Items {
		retired = retired || k.Code == "330523101213" && k.Status == "retired"
	}
	if !retired {
		t.Fatalf("the retired village left the tree: %s", codes(kids.Items))
	}
	get(t, admin, "/api/v1/divisions/330523101213", 200).JSON(t, &d)
	if len(d.History) != 2 || d.History[0].Action != "retire" || d.History[0].Reason != "并入梅溪村" || d.History[1].Action != "add" {
		t.Fatalf("history of the retired village: %+v", d.History)
	}
	// A township with no active villages can be retired; its retired village cannot come
	// back under it until it is reactivated.
	if r := admin.Do(http.MethodPost, "/api/v1/divisions", map[string]any{"parent_code": "330523102", "code": "330523102201",
		"name": "孝源村", "urban_rural_type": "220"}); r.Status != 201 {
		t.Fatalf("add under the new township: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/api/v1/divisions/330523102201/retire", "/api/v1/divisions/330523102/retire"} {
		if r := admin.Do(http.MethodPost, path, nil); r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	expectBad(t, env, admin, http.MethodPost, "/api/v1/divisions/330523102201/reactivate", nil, 409, "", "请先恢复上级")
	for _, path := range []string{"/api/v1/divisions/330523102/reactivate", "/api/v1/divisions/330523102201/reactivate"} {
		if r := admin.Do(http.MethodPost, path, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"active"`) {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	expectBad(t, env, admin, http.MethodPost, "/api/v1/divisions/330523102201/reactivate", nil, 409, "", "未撤销")
	// The county itself is the platform's.
	expectBad(t, env, admin, http.MethodPatch, "/api/v1/divisions/330523", map[string]any{"name": "安吉"}, 422, "", "由平台管理")
	var historyRows int
	if err := env.DB.Super.Get(&historyRows, `SELECT count(*) FROM division_history WHERE county_code = '330523'`); err != nil || historyRows != 10 {
		t.Errorf("history rows: %d %v", historyRows, err)
	}
}

func TestNoOneChangesWhatIsNotTheirs(t *testing.T) {
	env := apptest.New(t)
	admin, clerk := env.SignIn(t, "ax.admin"), env.SignIn(t, "ax.clerk")
	// Anji's administrator cannot see, let alone rename, a Changxing village.
	expectBad(t, env, admin, http.MethodPatch, "/api/v1/divisions/330522101201", map[string]any{"name": "偷改村"}, 404, "", "不在您的管辖范围内")
	expectBad(t, env, admin, http.MethodPost, "/api/v1/divisions/330522101201/retire", nil, 404, "", "")
	// A caseworker sees her villages but may not change them; the refusal is audited.
	expectBad(t, env, clerk, http.MethodPatch, "/api/v1/divisions/330523101201", map[string]any{"name": "改名村"}, 403, "", "没有权限")
	expectBad(t, env, clerk, http.MethodPost, "/api/v1/divisions", map[string]any{"parent_code": "330523101", "code": "330523101299",
		"name": "新村", "urban_rural_type": "220"}, 403, "", "没有权限")
	var denied int
	if err := env.DB.Super.Get(&denied, `SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND object_type = 'division'
		AND actor_name = 'ax.clerk'`); err != nil || denied != 2 {
		t.Errorf("denials audited: %d %v", denied, err)
	}
	// Platform staff read every county but change none of them.
	platform := env.SignIn(t, "platform")
	expectBad(t, env, platform, http.MethodPatch, "/api/v1/divisions/330523101201", map[string]any{"name": "改名村"}, 403, "", "")
}
