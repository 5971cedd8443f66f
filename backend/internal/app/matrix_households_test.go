package app_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"sync/atomic"
	"testing"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

// The registry's routes in the cross-tenant matrix. The object is a household of 梅溪村
// (330523101201): outside 安吉县, 梅溪镇 or 梅溪村 it does not exist (404). The finance
// officer sees the county but holds no household permission (403); the village worker reads
// households and may attach files but may not reveal a masked value or remove an attachment
// (403); the inspector reads households but may not attach files (403).
func init() {
	var seq atomic.Int64
	const village = "330523101201"
	newHousehold := func(t *testing.T, fx *matrixFixture) int64 {
		return fx.Env.AddHousehold(t, village, fmt.Sprintf("矩阵户%d", seq.Add(1)))
	}
	// A valid body: what the route would accept from someone allowed.
	body := func(version int) map[string]any {
		n := seq.Add(1)
		number := household.MakeIDNumber("330523", civil.Date{Year: 1970, Month: 5, Day: 1}, int(2*n%1000))
		b := map[string]any{"division_code": village, "category": "rural",
			"members": []map[string]any{{"name": "矩阵成员", "id_number": number, "relation": "self"}}}
		if version > 0 {
			b["version"] = version
		}
		return b
	}
	onHousehold := func(method, suffix, noPermission string, payload func() any) {
		registerRoute(routeCase{Method: method, Route: "/api/v1/households/:id" + suffix, Kind: kindTenant, VillageObject: true,
			NoPermission: noPermission,
			Target: func(t *testing.T, fx *matrixFixture) Target {
				var b any
				if payload != nil {
					b = payload()
				}
				return Target{Path: fmt.Sprintf("/api/v1/households/%d%s", newHousehold(t, fx), suffix), Body: b}
			}})
	}
	onHousehold("GET", "", "ax.finance", nil)
	onHousehold("PUT", "", "ax.finance", func() any { return body(1) })
	onHousehold("GET", "/history", "ax.finance", nil)
	onHousehold("POST", "/reveal", "ax.village", func() any { return map[string]any{"field": "phone"} })
	onHousehold("POST", "/attachments", "ax.inspector", nil)

	onAttachment := func(method string) {
		registerRoute(routeCase{Method: method, Route: "/api/v1/households/:id/attachments/:aid", Kind: kindTenant,
			VillageObject: true, NoPermission: map[string]string{"GET": "ax.finance", "DELETE": "ax.village"}[method],
			Target: func(t *testing.T, fx *matrixFixture) Target {
				id := newHousehold(t, fx)
				aid := uploadAttachment(t, fx, id)
				return Target{Path: fmt.Sprintf("/api/v1/households/%d/attachments/%d", id, aid)}
			}})
	}
	onAttachment("GET")
	onAttachment("DELETE")

	registerRoute(routeCase{Method: "GET", Route: "/api/v1/households", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.finance",
		Target: func(t *testing.T, fx *matrixFixture) Target {
			newHousehold(t, fx)
			return Target{Path: "/api/v1/households?division=" + village}
		}})
	registerRoute(routeCase{Method: "POST", Route: "/api/v1/households", Kind: kindTenant, VillageObject: true,
		NoPermission: "ax.finance",
		Target:       func(*testing.T, *matrixFixture) Target { return Target{Path: "/api/v1/households", Body: body(0)} }})
}

// pngBytes is the smallest PNG there is: one transparent pixel.
var pngBytes = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00,
	0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}

// multipartBody builds a multipart upload of kind and one file.
func multipartBody(t testing.TB, kind, name string, content []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if kind != "" {
		if err := w.WriteField("kind", kind); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// uploadAttachment adds a PNG to household id as ax.clerk and returns its id.
func uploadAttachment(t *testing.T, fx *matrixFixture, id int64) int64 {
	t.Helper()
	b, ct := multipartBody(t, "photo", "门前.png", pngBytes)
	r := fx.Env.SignIn(t, "ax.clerk").Do(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/attachments", id), b, "Content-Type", ct)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var a struct{ ID int64 }
	r.JSON(t, &a)
	return a.ID
}
