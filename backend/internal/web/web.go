// Package web serves the built single-page app: hashed assets cached for a year and
// pre-compressed, index.html never cached, and index.html for every client-side route.
package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// ContentSecurityPolicy is strict: only our own origin; inline styles are allowed because
// Element Plus positions popups with style attributes.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

type file struct {
	body, gz    []byte
	contentType string
}

// SPA holds the app's files in memory.
type SPA struct {
	files map[string]file
}

// New reads every file of dist into memory and gzips the compressible ones once.
func New(dist fs.FS) (*SPA, error) {
	s := &SPA{files: map[string]file{}}
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		body, err := fs.ReadFile(dist, p)
		if err != nil {
			return err
		}
		f := file{body: body, contentType: mime.TypeByExtension(path.Ext(p))}
		if f.contentType == "" {
			f.contentType = http.DetectContentType(body)
		}
		if compressible(f.contentType) && len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			f.gz = buf.Bytes()
		}
		s.files["/"+p] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read dist: %w", err)
	}
	return s, nil
}

// Built reports whether the SPA has an index.html.
func (s *SPA) Built() bool { _, ok := s.files["/index.html"]; return ok }

// Serve answers a non-API GET or HEAD.
func (s *SPA) Serve(c *gin.Context) {
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		c.Status(http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + c.Request.URL.Path)
	f, ok := s.files[p]
	switch {
	case ok && strings.HasPrefix(p, "/assets/"):
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	case ok && p != "/index.html":
		c.Header("Cache-Control", "public, max-age=3600")
	case strings.HasPrefix(p, "/assets/"):
		c.Status(http.StatusNotFound) // a stale hashed asset: never answer it with HTML
		return
	default:
		f, ok = s.files["/index.html"]
		if !ok {
			c.Data(http.StatusServiceUnavailable, "text/plain; charset=utf-8",
				[]byte("The web app has not been built. Run `make build` (or `npm run build` in frontend/) and restart.\n"))
			return
		}
		c.Header("Cache-Control", "no-cache")
	}
	c.Header("Vary", "Accept-Encoding")
	body := f.body
	if f.gz != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		c.Header("Content-Encoding", "gzip")
		body = f.gz
	}
	c.Data(http.StatusOK, f.contentType, body)
}

// SecurityHeaders sets the headers every response carries.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		c.Next()
	}
}

func compressible(ct string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}
