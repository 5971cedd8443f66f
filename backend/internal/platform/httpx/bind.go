package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// BindJSON decodes exactly one JSON object into dst. It refuses other content types,
// unknown fields, trailing data and bodies over the server's limit, each with a 4xx.
func BindJSON(c *gin.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return E(http.StatusUnsupportedMediaType, "unsupported_media")
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return E(http.StatusRequestEntityTooLarge, "body_too_large", tooLarge.Limit)
		}
		return E(http.StatusBadRequest, "bad_json", "only one JSON object is allowed")
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return E(http.StatusRequestEntityTooLarge, "body_too_large", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return E(http.StatusBadRequest, "bad_json", "empty body")
	case errors.As(err, &syntax):
		return E(http.StatusBadRequest, "bad_json", syntax.Error())
	case errors.As(err, &typeErr):
		return E(http.StatusBadRequest, "bad_json", "field "+typeErr.Field+" has the wrong type").
			WithDetails(map[string]any{"field": typeErr.Field})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return E(http.StatusBadRequest, "unknown_field", name).WithDetails(map[string]any{"field": name})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return E(http.StatusBadRequest, "bad_json", "unexpected end of input")
	default:
		return E(http.StatusBadRequest, "bad_json", err.Error())
	}
}

// Bind is BindJSON for handlers: on a bad body it answers with the error and reports false.
func Bind(c *gin.Context, dst any) bool {
	if err := BindJSON(c, dst); err != nil {
		Fail(c, err)
		return false
	}
	return true
}
