// Package cli binds the shared command-line flags of qbosync's binaries to the
// configuration, so `--database-url` and QBOSYNC_DATABASE_URL mean the same thing in
// the worker and the starter.
package cli

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/config"
)

// Flags are the configuration flags every binary accepts.
type Flags struct {
	v          *viper.Viper
	configFile string
}

// Bind adds the shared flags to cmd (as persistent flags) and ties them to config keys.
func Bind(cmd *cobra.Command) *Flags {
	f := &Flags{v: config.New()}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.configFile, "config", "", "config file (YAML, TOML or JSON); also QBOSYNC_CONFIG")
	for _, b := range []struct{ flag, key, usage string }{
		{"database-url", "database.url", "PostgreSQL URL (QBOSYNC_DATABASE_URL, DATABASE_URL)"},
		{"temporal-address", "temporal.address", "Temporal frontend host:port"},
		{"temporal-namespace", "temporal.namespace", "Temporal namespace"},
		{"qbo-base-url", "qbo.api_base_url", "QuickBooks Online API base URL (the sandbox by default)"},
		{"log-level", "log.level", "debug, info, warn or error"},
		{"log-format", "log.format", "text (a terminal) or json (production)"},
		{"admin-listen", "admin.listen", "host:port for /metrics, /healthz and /readyz (off when empty; keep it private)"},
	} {
		pf.String(b.flag, "", b.usage)
		_ = f.v.BindPFlag(b.key, pf.Lookup(b.flag))
	}
	return f
}

// Config loads and validates the configuration.
func (f *Flags) Config() (config.Config, error) {
	return config.Load(f.v, f.configFile)
}

// Open loads the configuration and opens the app (database migrated).
func (f *Flags) Open(ctx context.Context) (*app.App, error) {
	c, err := f.Config()
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, c, app.NewLogger(c.Log))
}
