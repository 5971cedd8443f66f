// Package frontend exposes the built single-page app so the backend binary can serve it.
package frontend

import (
	"embed"
	"io/fs"
)

// dist holds the output of `npm run build`. The committed dist/.gitkeep keeps the
// directive valid before the SPA has been built; the server then answers with a hint.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built SPA rooted at its dist/ directory.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // cannot happen: "dist" is a literal directory of the embed
	}
	return sub
}
