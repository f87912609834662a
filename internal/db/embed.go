package db

import "io/fs"

// migrationsFS is the migrations folder as goose expects it: the .sql files at its root.
func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the folder is embedded at build time; its absence is a build bug
	}
	return sub
}
