package casework

import (
	"fmt"
	"net/http"

	"dibao/backend/internal/platform/httpx"
)

// The errors a caller sees, each naming the problem in both languages.

func errCaseNotFound() error {
	return httpx.Msg(http.StatusNotFound, "case_not_found", "案件不存在或不在您的管辖范围内", "No such case, or it is outside your area")
}

func errVersion(sent, current int) error {
	return httpx.Msg(http.StatusConflict, "case_version_conflict",
		fmt.Sprintf("案件已被他人处理（您看到的是第 %d 版，现为第 %d 版），请刷新后重试", sent, current),
		fmt.Sprintf("Someone else has acted on this case (you saw version %d, it is now version %d); reload and try again", sent, current)).
		WithDetails(map[string]any{"field": "version", "current_version": current})
}

func errState(a Action, s State) error {
	sz, se := s.Name()
	az, ae := a.Name()
	return httpx.Msg(http.StatusConflict, "case_state",
		fmt.Sprintf("案件当前状态为「%s」，不能%s", sz, az),
		fmt.Sprintf("The case is %s; it cannot be %s now", se, ae)).
		WithDetails(map[string]any{"state": string(s), "action": string(a)})
}

// errRole is the 403 for an action the caller's roles do not allow (after the guard has
// recorded the refusal).
func errRole(a Action) error {
	az, ae := a.Name()
	rz, re := a.Role()
	return httpx.Msg(http.StatusForbidden, "forbidden",
		fmt.Sprintf("没有权限%s：此操作须由%s办理", az, rz),
		fmt.Sprintf("You may not do this (%s): it is for the %s", ae, re)).
		WithDetails(map[string]any{"action": string(a)})
}

func errRecusal() error {
	return httpx.Msg(http.StatusForbidden, "case_recusal",
		"您登记的近亲属是本案家庭成员，依规须回避，不能办理本案",
		"A close relative you registered is a member of this household: you must recuse yourself from this case")
}

// errIncomplete is a 409 for a step whose preconditions are missing.
func errIncomplete(code, zh, en string) error {
	return httpx.Msg(http.StatusConflict, code, zh, en)
}

func errOpenCase() error {
	return httpx.Msg(http.StatusConflict, "case_already_open", "该户已有在办的申请，不能重复申请",
		"This household already has an open application")
}

func errHouseholdEnrolled() error {
	return httpx.Msg(http.StatusConflict, "household_enrolled", "该户已是低保户，不能重复申请",
		"This household is already a beneficiary household")
}

func invalid(field, zh, en string) error { return httpx.Invalid(field, zh, en) }

func required(field, zhName, enName string) error {
	return httpx.Invalid(field, zhName+"不能为空", enName+" is required")
}
