// Package i18n holds the server's user-facing messages in Chinese (default) and English.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a supported language.
type Lang string

const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// FromAcceptLanguage picks English when the client prefers it and Chinese otherwise.
func FromAcceptLanguage(header string) Lang {
	for _, part := range strings.Split(header, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return ZH
		case strings.HasPrefix(tag, "en"):
			return EN
		}
	}
	return ZH
}

type text struct{ zh, en string }

// messages is keyed by the error code the API returns; %v verbs take the arguments.
var messages = map[string]text{
	"bad_json":            {"请求内容不是有效的 JSON：%v", "The request body is not valid JSON: %v"},
	"unknown_field":       {"请求包含未知字段：%v", "The request contains an unknown field: %v"},
	"body_too_large":      {"请求内容过大，上限为 %v 字节", "The request body is too large; the limit is %v bytes"},
	"unsupported_media":   {"请求内容类型必须是 application/json", "The request content type must be application/json"},
	"validation_failed":   {"%v", "%v"},
	"not_found":           {"请求的资源不存在", "The requested resource does not exist"},
	"route_not_found":     {"接口不存在：%v", "No such API endpoint: %v"},
	"method_not_allowed":  {"该接口不支持此请求方法", "This endpoint does not support this method"},
	"internal":            {"服务器内部错误，请稍后重试（请求编号 %v）", "Internal server error, please try again later (request %v)"},
	"unavailable":         {"服务暂时不可用：%v", "Service temporarily unavailable: %v"},
	"unauthenticated":     {"未登录或登录已过期，请重新登录", "You are not signed in or your session has expired; please sign in again"},
	"csrf_failed":         {"安全校验失败，请刷新页面后重试", "Security check failed; please reload the page and try again"},
	"forbidden":           {"没有权限执行此操作", "You do not have permission to do this"},
	"invalid_credentials": {"用户名或密码错误", "Incorrect username or password"},
	"account_locked":      {"登录失败次数过多，账号已锁定，将于 %v 解锁", "Too many failed sign-ins; the account is locked until %v"},
	"account_disabled":    {"账号已停用，请联系管理员", "This account is disabled; please contact your administrator"},
	"weak_password":       {"密码至少 8 位，且须包含大写字母、小写字母、数字、符号中的至少 3 类", "The password needs at least 8 characters from at least 3 of: upper case, lower case, digits, symbols"},
	"password_reused":     {"新密码不能与当前密码相同", "The new password must differ from the current one"},
	"field_required":      {"%v 不能为空", "%v is required"},
	"field_too_long":      {"%v 过长（最多 %v 个字符）", "%v is too long (at most %v characters)"},
}

// Message renders the message of code in lang. An unknown code renders as itself.
func Message(lang Lang, code string, args ...any) string {
	t, ok := messages[code]
	if !ok {
		return code
	}
	format := t.zh
	if lang == EN {
		format = t.en
	}
	if len(args) == 0 {
		return strings.ReplaceAll(format, "%v", "")
	}
	return fmt.Sprintf(format, args...)
}

// Has reports whether code has a message.
func Has(code string) bool { _, ok := messages[code]; return ok }

// Field names used in validation messages.
var fields = map[string]text{
	"username":         {"用户名", "Username"},
	"password":         {"密码", "Password"},
	"current_password": {"当前密码", "Current password"},
	"new_password":     {"新密码", "New password"},
}

// Field renders a field's display name in lang.
func Field(lang Lang, name string) string {
	t, ok := fields[name]
	if !ok {
		return name
	}
	if lang == EN {
		return t.en
	}
	return t.zh
}
