// Package balcao holds the files embedded into the binary: the static assets
// served to browsers and the goose SQL migrations run at start.
package main

import (
	"embed"
	"io/fs"
)

//go:embed static
var staticFiles embed.FS

//go:embed migrations
var migrationFiles embed.FS

// StaticFS is the static/ folder (CSS, JS, icons) rooted at its own top.
var StaticFS = mustSub(staticFiles, "static")

// MigrationsFS is the migrations/ folder rooted at its own top, as goose wants
// it: the main database's files at the top, media.db's in media/.
var MigrationsFS = mustSub(migrationFiles, "migrations")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
