// Package httpx is the HTTP plumbing every feature shares: the error envelope, JSON
// binding, request ids, logging, panic recovery and body limits.
package httpx

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/platform/i18n"
)

// Error is a failure the client should see: an HTTP status, a stable code and the
// arguments of its translated message.
type Error struct {
	Status  int
	Code    string
	Args    []any
	Details map[string]any
	text    bool // Args[0] is the whole message (Msg)
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s %v", e.Status, e.Code, e.Args) }

// E builds an Error.
func E(status int, code string, args ...any) *Error {
	return &Error{Status: status, Code: code, Args: args}
}

// WithDetails attaches machine-readable details to the error.
func (e *Error) WithDetails(d map[string]any) *Error { e.Details = d; return e }

// Common errors.
var (
	ErrNotFound        = E(http.StatusNotFound, "not_found")
	ErrForbidden       = E(http.StatusForbidden, "forbidden")
	ErrUnauthenticated = E(http.StatusUnauthorized, "unauthenticated")
)

// Msg is an error whose message the feature phrases itself in both languages, for
// messages that belong to one feature rather than to the shared catalogue.
func Msg(status int, code, zh, en string) *Error {
	return &Error{Status: status, Code: code, Args: []any{Text{zh, en}}, text: true}
}

// Invalid is a 400 naming the field and the problem, already phrased per language.
func Invalid(field, zh, en string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "validation_failed",
		Args: []any{Text{zh, en}}, Details: map[string]any{"field": field}}
}

// Text is a message argument in both languages; Fail picks the caller's.
type Text struct{ ZH, EN string }

// FieldName is the display name of a request field as a message argument.
func FieldName(name string) Text {
	return Text{i18n.Field(i18n.ZH, name), i18n.Field(i18n.EN, name)}
}

type envelope struct {
	Error body `json:"error"`
}

type body struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// Fail writes err as the JSON error envelope. Anything that is not an *Error is logged
// and answered as a 500 that names the request id, never its internals.
func Fail(c *gin.Context, err error) {
	var he *Error
	if !errors.As(err, &he) {
		Logger(c.Request.Context()).Error("request failed", "error", err.Error())
		he = E(http.StatusInternalServerError, "internal", RequestID(c.Request.Context()))
	} else if he.Status >= 500 {
		Logger(c.Request.Context()).Error("request failed", "status", he.Status, "error", err.Error())
	}
	lang := Lang(c)
	args := make([]any, len(he.Args))
	for i, a := range he.Args {
		if lt, ok := a.(Text); ok {
			a = lt.ZH
			if lang == i18n.EN {
				a = lt.EN
			}
		}
		args[i] = a
	}
	msg := ""
	if he.text {
		msg = fmt.Sprint(args[0])
	} else {
		msg = i18n.Message(lang, he.Code, args...)
	}
	c.AbortWithStatusJSON(he.Status, envelope{Error: body{Code: he.Code, Message: msg, Details: he.Details}})
}

// Lang is the caller's language, from Accept-Language (Chinese unless English is asked for).
func Lang(c *gin.Context) i18n.Lang {
	return i18n.FromAcceptLanguage(c.GetHeader("Accept-Language"))
}

// Respond writes body as JSON with status, or err as the error envelope when err is set:
// the last line of most handlers.
func Respond(c *gin.Context, status int, body any, err error) {
	if err != nil {
		Fail(c, err)
		return
	}
	c.JSON(status, body)
}
