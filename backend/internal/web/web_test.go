package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

func serve(t *testing.T, spa *SPA, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.Use(SecurityHeaders())
	e.NoRoute(spa.Serve)
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

func testSPA(t *testing.T) *SPA {
	js := strings.Repeat("console.log('dibao');\n", 100)
	spa, err := New(fstest.MapFS{
		"index.html":             {Data: []byte(`<!doctype html><div id="app"></div><script type="module" src="/assets/index-abc123.js"></script>`)},
		"assets/index-abc123.js": {Data: []byte(js)},
		"favicon.svg":            {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		".gitkeep":               {Data: nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	return spa
}

func TestHashedAssetsAreImmutableAndGzipped(t *testing.T) {
	spa := testSPA(t)
	w := serve(t, spa, "/assets/index-abc123.js", "Accept-Encoding", "gzip, br")
	if w.Code != 200 || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("asset: %d %v", w.Code, w.Header())
	}
	if w.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w.Header().Get("Content-Type"), "javascript") {
		t.Fatalf("asset not gzipped: %v", w.Header())
	}
	zr, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.HasPrefix(string(plain), "console.log") {
		t.Fatalf("gzip body decodes to %.40q", plain)
	}
	w = serve(t, spa, "/assets/index-abc123.js")
	if w.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(w.Body.String(), "console.log") {
		t.Fatal("plain body not served to a client without gzip")
	}
}

func TestHistoryFallbackServesIndexWithoutCache(t *testing.T) {
	spa := testSPA(t)
	for _, p := range []string{"/", "/index.html", "/cases/42", "/system/status?x=1"} {
		w := serve(t, spa, p)
		if w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" || !strings.Contains(w.Body.String(), `id="app"`) {
			t.Errorf("%s: %d %q %.60s", p, w.Code, w.Header().Get("Cache-Control"), w.Body.String())
		}
		if !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: CSP missing", p)
		}
	}
	if w := serve(t, spa, "/assets/index-old999.js"); w.Code != 404 {
		t.Errorf("a missing hashed asset answered %d", w.Code)
	}
	if w := serve(t, spa, "/.gitkeep"); strings.Contains(w.Header().Get("Cache-Control"), "max-age=3600") {
		t.Error("dot files are served")
	}
}

func TestUnbuiltSPASaysSo(t *testing.T) {
	spa, err := New(fstest.MapFS{".gitkeep": {Data: nil}})
	if err != nil {
		t.Fatal(err)
	}
	if spa.Built() {
		t.Fatal("Built() on an empty dist")
	}
	w := serve(t, spa, "/")
	if w.Code != 503 || !strings.Contains(w.Body.String(), "make build") {
		t.Fatalf("unbuilt: %d %s", w.Code, w.Body.String())
	}
}
