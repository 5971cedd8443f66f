// Package migrations embeds the schema's SQL files, applied in order by `dibao migrate up`.
// The files run as the schema owner; they grant the app role (dibao_app) only what it needs.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
