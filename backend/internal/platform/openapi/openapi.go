// Package openapi builds the OpenAPI 3 document from the routes as they are registered,
// so the document cannot forget a route that the router knows.
package openapi

import (
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// Op describes one operation.
type Op struct {
	Summary     string
	Tag         string
	Public      bool // needs no session
	Request     any  // a value of the request body type, or nil
	Response    any  // a value of the 2xx body type, or nil for no content
	Status      int  // the success status; 200 when zero
	Permission  string
	Description string
}

// Doc collects operations.
type Doc struct {
	mu      sync.Mutex
	title   string
	version string
	ops     map[string]map[string]Op // path -> method -> op
}

// NewDoc starts an empty document.
func NewDoc(title, version string) *Doc {
	return &Doc{title: title, version: version, ops: map[string]map[string]Op{}}
}

// Router registers routes on a gin group and records them in the document.
type Router struct {
	group *gin.RouterGroup
	doc   *Doc
}

// NewRouter wraps group; every route added through it is documented.
func NewRouter(group *gin.RouterGroup, doc *Doc) *Router { return &Router{group: group, doc: doc} }

// Group returns a sub-router with extra middleware.
func (r *Router) Group(path string, mw ...gin.HandlerFunc) *Router {
	return &Router{group: r.group.Group(path, mw...), doc: r.doc}
}

// Handle registers method and path with op's documentation.
func (r *Router) Handle(method, path string, op Op, h ...gin.HandlerFunc) {
	r.group.Handle(method, path, h...)
	full := joinPath(r.group.BasePath(), path)
	r.doc.add(method, full, op)
}

func (d *Doc) add(method, path string, op Op) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := ginToOpenAPI(path)
	if d.ops[p] == nil {
		d.ops[p] = map[string]Op{}
	}
	d.ops[p][strings.ToLower(method)] = op
}

// Has reports whether a gin route (method, path with :params) is documented.
func (d *Doc) Has(method, ginPath string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.ops[ginToOpenAPI(ginPath)][strings.ToLower(method)]
	return ok
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

func ginToOpenAPI(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

func joinPath(base, p string) string {
	if p == "" || p == "/" {
		return base
	}
	return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(p, "/")
}

// JSON renders the document as a value ready for encoding/json.
func (d *Doc) JSON() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	schemas := map[string]any{}
	paths := map[string]any{}
	for path, methods := range d.ops {
		item := map[string]any{}
		for method, op := range methods {
			item[method] = operation(path, op, schemas)
		}
		paths[path] = item
	}
	schemas["Error"] = map[string]any{
		"type": "object", "required": []string{"error"},
		"properties": map[string]any{"error": map[string]any{
			"type": "object", "required": []string{"code", "message"},
			"properties": map[string]any{
				"code":    map[string]any{"type": "string"},
				"message": map[string]any{"type": "string", "description": "In the caller's language (Accept-Language)"},
				"details": map[string]any{"type": "object", "additionalProperties": true},
			},
		}},
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": d.title, "version": d.version},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "dibao_session"},
				"csrf":    map[string]any{"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
			},
		},
	}
}

func operation(path string, op Op, schemas map[string]any) map[string]any {
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	out := map[string]any{
		"summary":     op.Summary,
		"tags":        []string{op.Tag},
		"operationId": operationID(path, op),
	}
	if op.Description != "" || op.Permission != "" {
		desc := op.Description
		if op.Permission != "" {
			desc = strings.TrimSpace(desc + "\n\nPermission: `" + op.Permission + "`")
		}
		out["description"] = desc
	}
	var params []any
	for _, m := range regexp.MustCompile(`\{([A-Za-z_]+)\}`).FindAllStringSubmatch(path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		out["parameters"] = params
	}
	if op.Public {
		out["security"] = []any{}
	} else {
		out["security"] = []any{map[string]any{"session": []string{}, "csrf": []string{}}}
	}
	if op.Request != nil {
		out["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(op.Request), schemas)}}}
	}
	errRef := map[string]any{"description": "Error", "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	responses := map[string]any{"default": errRef}
	if op.Response == nil {
		responses[itoa(status)] = map[string]any{"description": "Done"}
	} else {
		responses[itoa(status)] = map[string]any{"description": "OK", "content": map[string]any{
			"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(op.Response), schemas)}}}
	}
	out["responses"] = responses
	return out
}

func operationID(path string, op Op) string {
	if op.Summary == "" {
		return path
	}
	return strings.ReplaceAll(strings.Trim(path, "/{}"), "/", "_") + "_" + strings.ReplaceAll(strings.ToLower(op.Summary), " ", "_")
}

func itoa(n int) string { return strconv.Itoa(n) }

// schemaOf derives a JSON schema from a Go type, registering named structs as components.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Struct:
		if t.PkgPath() == "time" && t.Name() == "Time" {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		name := t.Name()
		if name != "" {
			if _, done := schemas[name]; done {
				return map[string]any{"$ref": "#/components/schemas/" + name}
			}
			schemas[name] = map[string]any{} // placeholder against recursion
		}
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			fname, opts, _ := strings.Cut(tag, ",")
			if fname == "" {
				fname = f.Name
			}
			props[fname] = schemaOf(f.Type, schemas)
			if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
				required = append(required, fname)
			}
		}
		sort.Strings(required)
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		if name == "" {
			return s
		}
		schemas[name] = s
		return map[string]any{"$ref": "#/components/schemas/" + name}
	default:
		return map[string]any{}
	}
}
