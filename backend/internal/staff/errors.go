package staff

import (
	"fmt"
	"net/http"

	"dibao/backend/internal/platform/httpx"
)

// The answers of user management, each naming what is wrong in both languages.

func errUserNotFound() error {
	return httpx.Msg(http.StatusNotFound, "user_not_found", "用户不存在", "No such user")
}

func errDivisionNotFound(field, code string) error {
	return httpx.Msg(http.StatusNotFound, "division_not_found",
		fmt.Sprintf("区划 %s 不存在或不在您的管辖范围内", code),
		fmt.Sprintf("Division %s does not exist or is outside your area", code)).
		WithDetails(map[string]any{"field": field, "division_code": code})
}

func errDivisionRetired(field string, d Division) error {
	return httpx.Msg(http.StatusBadRequest, "division_retired",
		fmt.Sprintf("区划 %s（%s）已撤销，不能再使用", d.Code, d.Name),
		fmt.Sprintf("Division %s (%s) is retired and can no longer be used", d.Code, d.Name)).
		WithDetails(map[string]any{"field": field, "division_code": d.Code})
}

func errUnknownRole(field, key string) error {
	return httpx.Msg(http.StatusBadRequest, "unknown_role",
		fmt.Sprintf("角色 %q 不存在", key), fmt.Sprintf("There is no role %q", key)).
		WithDetails(map[string]any{"field": field, "role_key": key})
}

func errRoleNotGrantable(r Role) error {
	return httpx.Msg(http.StatusForbidden, "role_not_grantable",
		fmt.Sprintf("您不能授予或撤销“%s”角色", r.NameZH),
		fmt.Sprintf("You may not grant or revoke the role %s", r.NameEN)).
		WithDetails(map[string]any{"field": "role_key", "role_key": r.Key})
}

func errSeparation(a, b Role) error {
	return httpx.Msg(http.StatusConflict, "separation_of_duties",
		fmt.Sprintf("三员分立：同一账号不能同时担任“%s”和“%s”", a.NameZH, b.NameZH),
		fmt.Sprintf("Separation of duties: one account may not hold both %s and %s", a.NameEN, b.NameEN)).
		WithDetails(map[string]any{"field": "role_key", "role_key": a.Key, "conflicts_with": b.Key})
}

func errSeparationDB() error {
	return httpx.Msg(http.StatusConflict, "separation_of_duties",
		"三员分立：同一账号不能同时担任系统管理员、安全管理员、审计管理员中的两个",
		"Separation of duties: one account may hold only one of the system, security and audit administrator roles").
		WithDetails(map[string]any{"field": "role_key"})
}

func errRoleHeld(r Role, division string) error {
	return httpx.Msg(http.StatusConflict, "role_already_held",
		fmt.Sprintf("该账号已在 %s 担任“%s”", division, r.NameZH),
		fmt.Sprintf("The account already holds %s at %s", r.NameEN, division))
}

func errRoleNotHeld(r Role, division string) error {
	return httpx.Msg(http.StatusNotFound, "role_not_held",
		fmt.Sprintf("该账号没有在 %s 担任“%s”", division, r.NameZH),
		fmt.Sprintf("The account does not hold %s at %s", r.NameEN, division))
}

func errUsernameTaken(username string) error {
	// The name may belong to another county's account: say that it is taken on the
	// platform, never where.
	return httpx.Msg(http.StatusConflict, "username_taken",
		fmt.Sprintf("用户名 %s 已被使用（用户名在全平台唯一），请换一个", username),
		fmt.Sprintf("The username %s is already taken (usernames are unique on the whole platform); choose another", username)).
		WithDetails(map[string]any{"field": "username"})
}

func errOwnAccount() error {
	return httpx.Msg(http.StatusForbidden, "own_account",
		"不能在这里管理自己的账号（修改自己的密码请到“修改密码”）",
		"You cannot manage your own account here (change your own password on the Change password page)")
}

func errAccountAboveYou() error {
	return httpx.Msg(http.StatusForbidden, "account_above_you",
		"该账号持有与您同级或更高级别的角色，您不能管理",
		"This account holds a role as high as yours or higher; you cannot manage it")
}

func errPlatformScope() error {
	return httpx.Msg(http.StatusForbidden, "platform_scope",
		"平台管理员只能在县级区划开设县民政局系统管理员、安全管理员、审计管理员账号",
		"The platform administrator may only open county administrator, security administrator and audit administrator accounts, at a county")
}

func errState(code, zh, en string) error { return httpx.Msg(http.StatusConflict, code, zh, en) }
