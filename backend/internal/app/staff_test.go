package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"dibao/backend/internal/app/apptest"
)

// staffUser is the part of a user the tests look at.
type staffUser struct {
	ID                 int64  `json:"id"`
	Username           string `json:"username"`
	DisplayName        string `json:"display_name"`
	PhoneMasked        string `json:"phone_masked"`
	DivisionCode       string `json:"division_code"`
	Status             string `json:"status"`
	Locked             bool   `json:"locked"`
	MustChangePassword bool   `json:"must_change_password"`
	TOTPEnabled        bool   `json:"totp_enabled"`
	Roles              []struct {
		RoleKey      string `json:"role_key"`
		RoleName     string `json:"role_name"`
		DivisionCode string `json:"division_code"`
	} `json:"roles"`
}

func newVillager(name string) map[string]any {
	return map[string]any{"username": name, "display_name": "新村干部", "phone": "13712345678", "division_code": "330523101201",
		"roles": []map[string]string{{"role_key": "village_worker", "division_code": "330523101201"}}}
}

// createUser creates an account as c and returns it with its one-time password.
func createUser(t *testing.T, c *apptest.Client, body map[string]any) (staffUser, string) {
	t.Helper()
	r := c.Do(http.MethodPost, "/api/v1/users", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %v: %d %s", body["username"], r.Status, r.Body)
	}
	var out struct {
		User            staffUser `json:"user"`
		InitialPassword string    `json:"initial_password"`
	}
	r.JSON(t, &out)
	return out.User, out.InitialPassword
}

// expectError checks status and code, and that nothing but the audit log changed.
func expectError(t *testing.T, env *apptest.Env, c *apptest.Client, method, path string, body any, status int, code string) *apptest.Response {
	t.Helper()
	before := env.TenantDigest(t)
	r := c.Do(method, path, body)
	if r.Status != status || r.ErrorCode() != code {
		t.Fatalf("%s %s: got %d %s, want %d %s", method, path, r.Status, r.Body, status, code)
	}
	if after := env.TenantDigest(t); after != before {
		t.Fatalf("%s %s answered %d but changed the database", method, path, r.Status)
	}
	return r
}

func TestCountyAdminCreatesUserWhoMustChangePassword(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	u, password := createUser(t, admin, newVillager("mx.li"))
	if password == "" || !u.MustChangePassword || u.PhoneMasked != "137****5678" || u.Status != "active" ||
		len(u.Roles) != 1 || u.Roles[0].RoleKey != "village_worker" || u.Roles[0].RoleName != "村(社区)低保工作小组成员" {
		t.Fatalf("created %+v with password %q", u, password)
	}
	var loginName string
	if err := env.DB.Super.Get(&loginName, `SELECT username FROM login_names WHERE user_id = $1 AND county_code = '330523'`, u.ID); err != nil || loginName != "mx.li" {
		t.Fatalf("login name %q %v", loginName, err)
	}
	// The password appears in that answer only: not in the account, not in the log.
	if r := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", u.ID), nil); r.Status != 200 || strings.Contains(string(r.Body), password) ||
		strings.Contains(string(r.Body), "13712345678") {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	var detail string
	if err := env.DB.Super.Get(&detail, `SELECT detail::text FROM audit_log WHERE action = 'user.create' AND object_id = 'mx.li'
		AND actor_name = 'ax.admin' AND request_id <> ''`); err != nil {
		t.Fatalf("audit of the creation: %v", err)
	}
	if strings.Contains(detail, password) || strings.Contains(detail, "13712345678") || !strings.Contains(detail, "137****5678") ||
		!strings.Contains(detail, `"generated"`) {
		t.Errorf("audit detail %s", detail)
	}

	// The new user signs in, may only change the password, then works.
	c := env.Client(t)
	r := c.Login("mx.li", password)
	if !strings.Contains(string(r.Body), `"must_change_password":true`) {
		t.Fatalf("login: %s", r.Body)
	}
	for _, path := range []string{"/api/v1/divisions/roots", "/api/v1/users/grantable-roles", "/api/v1/auth/totp"} {
		if r := c.Do(http.MethodGet, path, nil); r.Status != http.StatusForbidden || r.ErrorCode() != "password_change_required" {
			t.Fatalf("%s before the change: %d %s", path, r.Status, r.Body)
		}
	}
	if r := c.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 200 {
		t.Fatalf("me: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodPost, "/api/v1/auth/password", map[string]string{"current_password": password, "new_password": "Meixi#2026"}); r.Status != 204 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := c.Do(http.MethodGet, "/api/v1/divisions/roots", nil); r.Status != 200 {
		t.Fatalf("after the change: %d %s", r.Status, r.Body)
	}

	// A chosen initial password is checked against the policy and never answered.
	body := newVillager("mx.wang")
	body["password"] = "short"
	r = expectError(t, env, admin, http.MethodPost, "/api/v1/users", body, 400, "validation_failed")
	if !strings.Contains(r.ErrorMessage(), "至少 8 位") {
		t.Errorf("weak password message %q", r.ErrorMessage())
	}
	body["password"] = "Chosen#2026"
	if _, p := createUser(t, admin, body); p != "" {
		t.Errorf("a chosen password was answered: %q", p)
	}
	env.Client(t).Login("mx.wang", "Chosen#2026")
}

func TestCreateUserBadInputNamesTheProblem(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	with := func(k string, v any) map[string]any { b := newVillager("mx.bad"); b[k] = v; return b }
	role := func(key, division string) []map[string]string {
		return []map[string]string{{"role_key": key, "division_code": division}}
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		says   string
	}{
		{"unknown role", with("roles", role("super_admin", "330523101201")), 400, "unknown_role", "super_admin"},
		{"role at the wrong level", with("roles", role("village_worker", "330523101")), 400, "role_level_mismatch", "村（社区）"},
		{"platform_admin", with("roles", role("platform_admin", "330523")), 403, "role_not_grantable", "平台管理员"},
		{"a role as high as the granter's", with("roles", role("county_admin", "330523")), 403, "role_not_grantable", "县民政局系统管理员"},
		{"a role in another county", with("roles", role("township_caseworker", "330522101")), 404, "division_not_found", "330522101"},
		{"home division in another county", with("division_code", "330522101201"), 404, "division_not_found", "330522101201"},
		{"no such village", with("division_code", "330523101299"), 404, "division_not_found", "330523101299"},
		{"malformed division", with("division_code", "3305"), 400, "validation_failed", "区划代码"},
		{"bad username", with("username", "A"), 400, "validation_failed", "用户名"},
		{"bad phone", with("phone", "12345"), 400, "validation_failed", "手机号"},
		{"no name", with("display_name", " "), 400, "validation_failed", "姓名"},
		{"split roles together", with("roles", []map[string]string{{"role_key": "security_admin", "division_code": "330523"},
			{"role_key": "audit_admin", "division_code": "330523"}}), 409, "separation_of_duties", "三员分立"},
		// Usernames are unique on the whole platform: cx.clerk is 长兴县's, which is not said.
		{"a username of another county", with("username", "cx.clerk"), 409, "username_taken", "全平台唯一"},
		{"a username of this county", with("username", "ax.clerk"), 409, "username_taken", "ax.clerk"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := expectError(t, env, admin, http.MethodPost, "/api/v1/users", tc.body, tc.status, tc.code)
			if !strings.Contains(r.ErrorMessage(), tc.says) || strings.Contains(r.ErrorMessage(), "长兴") ||
				(tc.code == "username_taken" && strings.Contains(string(r.Body), "330522")) {
				t.Errorf("message %q should say %q", r.ErrorMessage(), tc.says)
			}
		})
	}
	admin.Lang = "en"
	r := expectError(t, env, admin, http.MethodPost, "/api/v1/users", with("roles", role("nope", "330523")), 400, "unknown_role")
	if r.ErrorMessage() != `There is no role "nope"` {
		t.Errorf("English: %q", r.ErrorMessage())
	}
}

func TestGrantAndRevokeRoles(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	u, _ := createUser(t, admin, newVillager("mx.grant"))
	roles := fmt.Sprintf("/api/v1/users/%d/roles", u.ID)
	grant := func(role, division string) map[string]string {
		return map[string]string{"role_key": role, "division_code": division}
	}

	expectError(t, env, admin, http.MethodPost, roles, grant("chief", "330523"), 400, "unknown_role")
	expectError(t, env, admin, http.MethodPost, roles, grant("platform_admin", "000000"), 403, "role_not_grantable")
	expectError(t, env, admin, http.MethodPost, roles, grant("county_admin", "330523"), 403, "role_not_grantable")
	expectError(t, env, admin, http.MethodPost, roles, grant("township_caseworker", "330522101"), 404, "division_not_found")
	expectError(t, env, admin, http.MethodPost, roles, grant("county_approver", "330523101"), 400, "role_level_mismatch")
	expectError(t, env, admin, http.MethodPost, roles, grant("village_worker", "330523101201"), 409, "role_already_held")

	// The grant takes effect at once: the new security administrator reads the county's settings.
	r := admin.Do(http.MethodPost, roles, grant("security_admin", "330523"))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"security_admin"`) {
		t.Fatalf("grant security_admin: %d %s", r.Status, r.Body)
	}
	assertAudit(t, env, "ax.admin", "user.role_grant", "success", 1)
	// The three-way split, refused in the use case ...
	r = expectError(t, env, admin, http.MethodPost, roles, grant("audit_admin", "330523"), 409, "separation_of_duties")
	if !strings.Contains(r.ErrorMessage(), "安全管理员") || !strings.Contains(r.ErrorMessage(), "审计管理员") {
		t.Errorf("split message %q", r.ErrorMessage())
	}
	// ... and by the database, whoever writes.
	if _, err := env.DB.Super.Exec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ('330523', $1, 'audit_admin', '330523')`, u.ID); err == nil ||
		!strings.Contains(err.Error(), "separation of duties") {
		t.Fatalf("the database took a second split role: %v", err)
	}
	var adminID int64
	if err := env.DB.Super.Get(&adminID, `SELECT id FROM users WHERE username = 'ax.admin'`); err != nil {
		t.Fatal(err)
	}
	tx := env.DB.App.MustBegin()
	tx.MustExec(`SELECT set_config('app.county_code', '330523', true), set_config('app.division_code', '330523', true)`)
	_, err := tx.Exec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ('330523', $1, 'security_admin', '330523')`, adminID)
	tx.Rollback()
	if err == nil || !strings.Contains(err.Error(), "separation of duties") {
		t.Fatalf("the app role gave county_admin a split role: %v", err)
	}

	sec := env.Client(t)
	password := resetAndChange(t, env, admin, u.ID, "mx.grant")
	sec.Login("mx.grant", password)
	if r := sec.Do(http.MethodGet, "/api/v1/counties/330523/settings/security", nil); r.Status != 200 {
		t.Fatalf("new security admin reads settings: %d %s", r.Status, r.Body)
	}
	// Revoking takes effect at once too.
	r = admin.Do(http.MethodDelete, roles+"/security_admin/330523", nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "security_admin") {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := sec.Do(http.MethodGet, "/api/v1/counties/330523/settings/security", nil); r.Status != 404 {
		t.Fatalf("after the revoke: %d %s", r.Status, r.Body)
	}
	expectError(t, env, admin, http.MethodDelete, roles+"/security_admin/330523", nil, 404, "role_not_held")
	expectError(t, env, admin, http.MethodDelete, roles+"/nope/330523", nil, 400, "unknown_role")
	assertAudit(t, env, "ax.admin", "user.role_revoke", "success", 1)
}

// resetAndChange resets a password as admin and changes it as the user; it returns the new one.
func resetAndChange(t *testing.T, env *apptest.Env, admin *apptest.Client, id int64, username string) string {
	t.Helper()
	r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/reset-password", id), nil)
	var reset struct{ Password string }
	r.JSON(t, &reset)
	if r.Status != 200 || reset.Password == "" {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	c := env.Client(t)
	c.Login(username, reset.Password)
	if r := c.Do(http.MethodPost, "/api/v1/auth/password", map[string]string{"current_password": reset.Password, "new_password": "Changed#2026"}); r.Status != 204 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	return "Changed#2026"
}

func TestDisableAndResetEndSessionsAtOnce(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	village := env.SignIn(t, "ax.village")
	var id int64
	if err := env.DB.Super.Get(&id, `SELECT id FROM users WHERE username = 'ax.village'`); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/users/%d", id)
	if r := admin.Do(http.MethodPost, path+"/disable", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"disabled"`) {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := village.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("the disabled user's session: %d", r.Status)
	}
	if r := env.Client(t).Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.village", "password": apptest.DemoPassword}); r.Status != 403 {
		t.Fatalf("disabled sign-in: %d %s", r.Status, r.Body)
	}
	expectError(t, env, admin, http.MethodPost, path+"/disable", nil, 409, "user_already_disabled")
	if r := admin.Do(http.MethodPost, path+"/enable", nil); r.Status != 200 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	village = env.SignIn(t, "ax.village")
	r := admin.Do(http.MethodPost, path+"/reset-password", nil)
	var reset struct {
		User     staffUser
		Password string
	}
	r.JSON(t, &reset)
	if r.Status != 200 || reset.Password == "" || !reset.User.MustChangePassword {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if r := village.Do(http.MethodGet, "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("the reset user's session: %d", r.Status)
	}
	if r := env.Client(t).Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.village", "password": apptest.DemoPassword}); r.Status != 401 {
		t.Fatalf("old password after a reset: %d", r.Status)
	}
	env.Client(t).Login("ax.village", reset.Password)
	for _, a := range []string{"user.disable", "user.enable", "user.reset_password"} {
		assertAudit(t, env, "ax.admin", a, "success", 1)
	}
	var detail string
	if err := env.DB.Super.Get(&detail, `SELECT string_agg(detail::text, ' ') FROM audit_log WHERE action = 'user.reset_password'`); err != nil ||
		strings.Contains(detail, reset.Password) {
		t.Fatalf("reset audit %s %v", detail, err)
	}
}

func TestUnlockAfterLockout(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	var id int64
	if err := env.DB.Super.Get(&id, `SELECT id FROM users WHERE username = 'ax.leader'`); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/users/%d/unlock", id)
	expectError(t, env, admin, http.MethodPost, path, nil, 409, "user_not_locked")
	c := env.Client(t)
	for range 5 {
		c.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "ax.leader", "password": "Wrong@2026"})
	}
	r := admin.Do(http.MethodGet, "/api/v1/users?status=locked", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"ax.leader"`) || !strings.Contains(string(r.Body), `"locked":true`) {
		t.Fatalf("locked list: %d %s", r.Status, r.Body)
	}
	if r := admin.Do(http.MethodPost, path, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"locked":false`) {
		t.Fatalf("unlock: %d %s", r.Status, r.Body)
	}
	c.Login("ax.leader", apptest.DemoPassword)
	assertAudit(t, env, "ax.admin", "user.unlock", "success", 1)
}

func TestAccountRulesAndScope(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	ids := map[string]int64{}
	rows, err := env.DB.Super.Query(`SELECT username, id FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var id int64
		rows.Scan(&name, &id) //nolint:errcheck
		ids[name] = id
	}
	rows.Close()
	user := func(name string) string { return fmt.Sprintf("/api/v1/users/%d", ids[name]) }

	expectError(t, env, admin, http.MethodPost, user("ax.admin")+"/disable", nil, 403, "own_account")
	expectError(t, env, admin, http.MethodPost, user("ax.admin")+"/roles", map[string]string{"role_key": "inspector", "division_code": "330523"}, 403, "own_account")
	peer := env.AddUser(t, "ax.admin2", "county_admin", "330523")
	expectError(t, env, admin, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/reset-password", peer), nil, 403, "account_above_you")
	// Another county's account does not exist here.
	expectError(t, env, admin, http.MethodGet, user("cx.clerk"), nil, 404, "user_not_found")
	expectError(t, env, admin, http.MethodPost, user("cx.clerk")+"/disable", nil, 404, "user_not_found")
	expectError(t, env, admin, http.MethodGet, "/api/v1/users?division=330522", nil, 404, "division_not_found")
	expectError(t, env, admin, http.MethodGet, "/api/v1/users/abc", nil, 404, "user_not_found")
	// The security administrator reads accounts and resets second factors, never manages accounts.
	sec := env.SignIn(t, "ax.security")
	if r := sec.Do(http.MethodGet, "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("security admin lists: %d %s", r.Status, r.Body)
	}
	expectError(t, env, sec, http.MethodPost, "/api/v1/users", newVillager("mx.sec"), 403, "forbidden")
	expectError(t, env, sec, http.MethodPost, user("ax.village")+"/disable", nil, 403, "forbidden")
	// The county administrator does not reset second factors.
	expectError(t, env, admin, http.MethodPost, user("ax.approver")+"/totp/reset", nil, 403, "forbidden")
	// A caseworker sees the village's accounts but may not read them.
	clerk := env.SignIn(t, "ax.clerk")
	expectError(t, env, clerk, http.MethodGet, "/api/v1/users", nil, 403, "forbidden")
	if r := clerk.Do(http.MethodGet, "/api/v1/users/grantable-roles", nil); r.Status != 200 || string(r.Body) != "[]" {
		t.Fatalf("clerk grantable: %d %s", r.Status, r.Body)
	}
	var grantable []struct{ Key string }
	admin.Do(http.MethodGet, "/api/v1/users/grantable-roles", nil).JSON(t, &grantable)
	keys := []string{}
	for _, g := range grantable {
		keys = append(keys, g.Key)
	}
	if got := strings.Join(keys, ","); got != "audit_admin,security_admin,county_approver,finance_officer,inspector,township_leader,township_caseworker,village_worker" {
		t.Errorf("county admin may grant %s", got)
	}
}

func TestListUsersFiltersPagesAndMasks(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	type page struct {
		Items      []staffUser `json:"items"`
		NextCursor string      `json:"next_cursor"`
	}
	var all []staffUser
	next := ""
	for i := 0; i < 10; i++ {
		var p page
		r := admin.Do(http.MethodGet, "/api/v1/users?limit=3&after="+next, nil)
		r.JSON(t, &p)
		if r.Status != 200 || len(p.Items) > 3 || strings.Contains(string(r.Body), "1390000000") {
			t.Fatalf("page: %d %s", r.Status, r.Body)
		}
		all = append(all, p.Items...)
		if next = p.NextCursor; next == "" {
			break
		}
	}
	if len(all) != 9 { // the 9 demo accounts of 安吉县
		t.Fatalf("paged through %d users", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("pages overlap or are unordered at %d", i)
		}
	}
	var p page
	admin.Do(http.MethodGet, "/api/v1/users?division=330523101", nil).JSON(t, &p)
	if len(p.Items) != 3 { // leader, clerk and the village worker
		t.Fatalf("梅溪镇 has %d users", len(p.Items))
	}
	admin.Do(http.MethodGet, "/api/v1/users?q=13900000006", nil).JSON(t, &p)
	if len(p.Items) != 1 || p.Items[0].Username != "ax.village" || p.Items[0].PhoneMasked != "139****0006" {
		t.Fatalf("phone search: %+v", p.Items)
	}
	admin.Do(http.MethodGet, "/api/v1/users?q="+"%E7%8E%8B", nil).JSON(t, &p) // 王
	if len(p.Items) != 1 || p.Items[0].Username != "ax.clerk" {
		t.Fatalf("name search: %+v", p.Items)
	}
	admin.Do(http.MethodGet, "/api/v1/users?q=ax.a", nil).JSON(t, &p)
	if len(p.Items) != 3 { // ax.admin, ax.approver, ax.auditor
		t.Fatalf("username prefix search: %+v", p.Items)
	}
	expectError(t, env, admin, http.MethodGet, "/api/v1/users?status=gone", nil, 400, "validation_failed")
	expectError(t, env, admin, http.MethodGet, "/api/v1/users?limit=0", nil, 400, "validation_failed")
	expectError(t, env, admin, http.MethodGet, "/api/v1/users?after=x", nil, 400, "validation_failed")
}

func TestEditUserIsAuditedWithMaskedPhone(t *testing.T) {
	env := apptest.New(t)
	admin := env.SignIn(t, "ax.admin")
	u, _ := createUser(t, admin, newVillager("mx.edit"))
	path := fmt.Sprintf("/api/v1/users/%d", u.ID)
	r := admin.Do(http.MethodPatch, path, map[string]any{"display_name": "赵新", "phone": "13811112222", "division_code": "330523101202"})
	var got staffUser
	r.JSON(t, &got)
	if r.Status != 200 || got.DisplayName != "赵新" || got.PhoneMasked != "138****2222" || got.DivisionCode != "330523101202" {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	var detail string
	if err := env.DB.Super.Get(&detail, `SELECT detail::text FROM audit_log WHERE action = 'user.update' AND object_id = 'mx.edit'`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"before"`, `"after"`, "137****5678", "138****2222", "赵新", "330523101202"} {
		if !strings.Contains(detail, want) {
			t.Errorf("audit detail %s lacks %s", detail, want)
		}
	}
	if strings.Contains(detail, "13811112222") || strings.Contains(detail, "13712345678") {
		t.Errorf("audit detail shows a whole phone: %s", detail)
	}
	expectError(t, env, admin, http.MethodPatch, path, map[string]any{"phone": "999"}, 400, "validation_failed")
	expectError(t, env, admin, http.MethodPatch, path, map[string]any{"division_code": "330522101201"}, 404, "division_not_found")
	expectError(t, env, admin, http.MethodPatch, path, map[string]any{"username": "x"}, 400, "unknown_field")
	// The same values again change nothing and record nothing.
	before := env.TenantDigest(t)
	if r := admin.Do(http.MethodPatch, path, map[string]any{"display_name": "赵新", "phone": "13811112222"}); r.Status != 200 {
		t.Fatalf("no-op patch: %d %s", r.Status, r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Error("a no-op patch changed the database")
	}
}

func TestPlatformOpensCountyAdministrators(t *testing.T) {
	env := apptest.New(t)
	platform := env.SignIn(t, "platform")
	body := map[string]any{"username": "cx.admin", "display_name": "长兴管理员", "division_code": "330522",
		"roles": []map[string]string{{"role_key": "county_admin", "division_code": "330522"}}}
	u, password := createUser(t, platform, body)
	if password == "" || len(u.Roles) != 1 || u.Roles[0].RoleKey != "county_admin" {
		t.Fatalf("county admin %+v", u)
	}
	// The platform sees the county's administrator accounts only, and no case workers.
	r := platform.Do(http.MethodGet, "/api/v1/users?division=330522", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "cx.admin") || strings.Contains(string(r.Body), "cx.clerk") {
		t.Fatalf("platform list: %d %s", r.Status, r.Body)
	}
	var clerkID int64
	if err := env.DB.Super.Get(&clerkID, `SELECT id FROM users WHERE username = 'cx.clerk'`); err != nil {
		t.Fatal(err)
	}
	expectError(t, env, platform, http.MethodGet, fmt.Sprintf("/api/v1/users/%d", clerkID), nil, 404, "user_not_found")
	expectError(t, env, platform, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/roles", u.ID),
		map[string]string{"role_key": "county_approver", "division_code": "330522"}, 403, "role_not_grantable")
	expectError(t, env, platform, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/roles", u.ID),
		map[string]string{"role_key": "security_admin", "division_code": "330522"}, 409, "separation_of_duties")
	village := map[string]any{"username": "cx.v", "display_name": "村干部", "division_code": "330522101201",
		"roles": []map[string]string{{"role_key": "village_worker", "division_code": "330522101201"}}}
	expectError(t, env, platform, http.MethodPost, "/api/v1/users", village, 403, "platform_scope")
	expectError(t, env, platform, http.MethodGet, "/api/v1/users", nil, 400, "validation_failed")
	// The new administrator changes the password and manages the county.
	c := env.Client(t)
	c.Login("cx.admin", password)
	c.Do(http.MethodPost, "/api/v1/auth/password", map[string]string{"current_password": password, "new_password": "Changx#2026"})
	if r := c.Do(http.MethodGet, "/api/v1/users", nil); r.Status != 200 || !strings.Contains(string(r.Body), "cx.clerk") {
		t.Fatalf("new county admin lists: %d %s", r.Status, r.Body)
	}
	// County staff never get at the platform's accounts.
	admin := env.SignIn(t, "ax.admin")
	var platformID int64
	if err := env.DB.Super.Get(&platformID, `SELECT id FROM users WHERE username = 'platform'`); err != nil {
		t.Fatal(err)
	}
	expectError(t, env, admin, http.MethodGet, fmt.Sprintf("/api/v1/users/%d", platformID), nil, 404, "user_not_found")
}

// TestRLSCatchesAnotherCountysUsers: even SQL that forgets the county filter cannot read or
// write another county's accounts through the app role.
func TestRLSCatchesAnotherCountysUsers(t *testing.T) {
	env := apptest.New(t)
	var clerkID int64
	if err := env.DB.Super.Get(&clerkID, `SELECT id FROM users WHERE username = 'cx.clerk'`); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := env.DB.App.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tx.MustExec(`SELECT set_config('app.county_code', '330523', true), set_config('app.division_code', '330523', true)`)
	res, err := tx.Exec(`UPDATE users SET status = 'disabled' WHERE id = $1`, clerkID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 0 {
		t.Fatalf("an Anji scope changed %d of Changxing's users", n)
	}
	var seen int
	if err := tx.Get(&seen, `SELECT count(*) FROM users WHERE username = 'cx.clerk'`); err != nil || seen != 0 {
		t.Fatalf("an Anji scope sees Changxing's user: %d %v", seen, err)
	}
	if _, err := tx.Exec(`SAVEPOINT s; INSERT INTO users (county_code, division_code, username, display_name, password_hash)
		VALUES ('330522', '330522101', 'mx.sneak', 'x', 'x')`); err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("an Anji scope added a Changxing user: %v", err)
	}
	tx.MustExec(`ROLLBACK TO SAVEPOINT s`)
	if _, err := tx.Exec(`INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ('330522', $1, 'township_leader', '330522101')`,
		clerkID); err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("an Anji scope granted a Changxing role: %v", err)
	}
}

func TestSecuritySettings(t *testing.T) {
	env := apptest.New(t)
	sec := env.SignIn(t, "ax.security")
	path := "/api/v1/counties/330523/settings/security"
	var s struct {
		MFAEnforced     bool     `json:"mfa_enforced"`
		MFARoles        []string `json:"mfa_roles"`
		DefaultMFARoles []string `json:"default_mfa_roles"`
	}
	r := sec.Do(http.MethodGet, path, nil)
	r.JSON(t, &s)
	if r.Status != 200 || s.MFAEnforced || len(s.MFARoles) != 0 || len(s.DefaultMFARoles) != 3 {
		t.Fatalf("demo settings: %d %s", r.Status, r.Body)
	}
	r = expectError(t, env, sec, http.MethodPut, path, map[string]any{"mfa_roles": []string{"inspector", "boss"}}, 400, "unknown_role")
	if !strings.Contains(r.ErrorMessage(), "boss") {
		t.Errorf("message %q", r.ErrorMessage())
	}
	expectError(t, env, sec, http.MethodPut, path, map[string]any{"mfa_roles": []string{"platform_admin"}}, 400, "validation_failed")
	expectError(t, env, sec, http.MethodPut, path, map[string]any{"mfa_enforced": "yes"}, 400, "bad_json")
	// Security settings are the security administrator's, not the account manager's.
	expectError(t, env, env.SignIn(t, "ax.admin"), http.MethodPut, path, map[string]any{"mfa_enforced": false}, 403, "forbidden")
	r = sec.Do(http.MethodPut, path, map[string]any{"mfa_roles": []string{"inspector", "county_admin", "inspector"}, "mfa_enforced": true})
	r.JSON(t, &s)
	if r.Status != 200 || !s.MFAEnforced || strings.Join(s.MFARoles, ",") != "inspector" {
		t.Fatalf("put: %d %s", r.Status, r.Body)
	}
	assertAudit(t, env, "ax.security", "county.security_settings_update", "success", 1)
	expectError(t, env, env.SignIn(t, "cx.clerk"), http.MethodGet, path, nil, 404, "county_not_found")
	expectError(t, env, sec, http.MethodGet, "/api/v1/counties/330522/settings/security", nil, 404, "county_not_found")
}
