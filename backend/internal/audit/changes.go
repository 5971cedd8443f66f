package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"dibao/backend/internal/platform/secure"
)

// Hidden replaces a sensitive value that may not be shown even in part.
const Hidden = "******"

// alwaysHidden are field names never written to the audit log in clear, whether or not the
// caller lists them: a slip in one writer must not put a secret into a log kept for years.
var alwaysHidden = map[string]bool{
	"password": true, "password_hash": true, "new_password": true, "current_password": true,
	"token": true, "csrf_token": true, "totp_secret": true, "secret": true,
}

// maskers are the partial masks a sensitive field may ask for with "field:kind".
var maskers = map[string]func(string) string{
	"phone":     secure.MaskPhone,    // 138****1234
	"id_number": secure.MaskIDNumber, // 330523********1234
	"account":   secure.MaskAccount,  // ****1234
	"hidden":    func(string) string { return Hidden },
}

// Changes describes an update for an entry's Detail: {"before": {...}, "after": {...}} with
// only the fields whose values differ. before and after are structs (their JSON names are
// used), maps, or nil for a creation (before) or a removal (after), which lists every field
// of the other side.
//
// Each sensitive item is a field name, whose values are replaced by Hidden, or
// "name:kind" with kind phone, id_number or account, whose values are masked with the
// matching secure.Mask* function so a reviewer can tell which number it was. Fields named
// like secrets (password, token, ...) are always hidden. Nested objects are compared whole.
//
// It returns nil when nothing changed. Values that cannot be encoded as JSON give
// {"error": ...}: an audit entry is still written, saying the change could not be described.
func Changes(before, after any, sensitive ...string) map[string]any {
	b, errB := fieldsOf(before)
	a, errA := fieldsOf(after)
	if errB != nil || errA != nil {
		return map[string]any{"error": fmt.Sprint("audit: cannot describe the change: ", firstErr(errB, errA))}
	}
	masks := map[string]func(string) string{}
	for _, s := range sensitive {
		name, kind, _ := strings.Cut(s, ":")
		m, ok := maskers[kind]
		if !ok {
			m = maskers["hidden"]
		}
		masks[name] = m
	}
	outB, outA := map[string]any{}, map[string]any{}
	for _, k := range unionKeys(b, a) {
		vb, inB := b[k]
		va, inA := a[k]
		if inB && inA && reflect.DeepEqual(vb, va) {
			continue
		}
		if inB {
			outB[k] = maskValue(k, vb, masks)
		}
		if inA {
			outA[k] = maskValue(k, va, masks)
		}
	}
	if len(outB) == 0 && len(outA) == 0 {
		return nil
	}
	out := map[string]any{}
	if before != nil {
		out["before"] = outB
	}
	if after != nil {
		out["after"] = outA
	}
	return out
}

// fieldsOf turns v into its JSON fields (numbers kept exact).
func fieldsOf(v any) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return map[string]any{}, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	out := map[string]any{}
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("%T is not a JSON object: %w", v, err)
	}
	return out, nil
}

func maskValue(name string, v any, masks map[string]func(string) string) any {
	m, listed := masks[name]
	switch {
	case !listed && !alwaysHidden[name]:
		return v
	case v == nil:
		return nil // set or cleared: that much may show
	case !listed:
		return Hidden
	}
	s, ok := v.(string)
	switch {
	case !ok:
		return Hidden
	case s == "":
		return ""
	}
	return m(s)
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, dup := a[k]; !dup {
			keys = append(keys, k)
		}
	}
	return keys
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
