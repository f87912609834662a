// Package db opens the PostgreSQL database qbosync shares with the practice system and
// applies qbosync's schema migrations.
//
// Migrations are plain SQL files embedded in the binary and applied with goose, so a
// worker or starter started against an empty database brings it up to date by itself
// and two processes starting at once do not race (goose takes a session lock).
package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver, registered as "postgres"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to url and checks the connection, so a wrong address fails at start
// with the reason rather than on the first query.
func Open(ctx context.Context, url string) (*sqlx.DB, error) {
	d, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	d.SetMaxOpenConns(20)
	d.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("database: cannot connect (check database.url / QBOSYNC_DATABASE_URL and that PostgreSQL is running): %w", err)
	}
	return d, nil
}

// Migrate applies every pending migration and reports what it applied.
func Migrate(ctx context.Context, d *sql.DB, log *slog.Logger) error {
	p, err := newProvider(d)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("applied migration", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// Version returns the newest applied migration.
func Version(ctx context.Context, d *sql.DB) (int64, error) {
	p, err := newProvider(d)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

func newProvider(d *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, d, migrationsFS(),
		goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return p, nil
}
