// Package app builds the pieces a qbosync process runs with from its configuration:
// logger, database (migrated), state store, and the QBO client factory. The worker and
// the starter share it, so both see the same system.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/config"
	"github.com/qbosync/qbosync/internal/db"
	"github.com/qbosync/qbosync/internal/metrics"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
)

// App is a configured process.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *sqlx.DB
	Store  *store.Store
	QBO    *QBOFactory
	// Metrics are the process's series; the worker and the wizard serve them on their
	// admin listener (internal/admin).
	Metrics *metrics.Metrics
}

// NewLogger returns the process logger as configured.
func NewLogger(c config.LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Open connects to the database, applies migrations and builds the store.
func Open(ctx context.Context, c config.Config, log *slog.Logger) (*App, error) {
	key, err := secret.LoadKey(c.Secrets.Key, c.Secrets.KeyFile, c.Secrets.GenerateKey)
	if err != nil {
		return nil, err
	}
	box, err := secret.New(key)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, c.Database.URL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, d.DB, log); err != nil {
		d.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	m, err := metrics.New(log)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("metrics: %w", err)
	}
	st := store.New(d, box)
	qf := NewQBOFactory(c.QBO, st, log)
	qf.Metrics = m
	return &App{Config: c, Log: log, DB: d, Store: st, QBO: qf, Metrics: m}, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
