// Package config loads qbosync's one typed configuration.
//
// Values come, strongest first, from command-line flags, QBOSYNC_* environment
// variables (QBOSYNC_DATABASE_URL for database.url, and so on), a config file (YAML,
// TOML or JSON, named by --config or QBOSYNC_CONFIG), and the defaults below. The
// defaults run everything on this machine with no file at all: PostgreSQL, the Temporal
// dev server and the QBO sandbox on their local ports.
//
// Every value is checked at start; a wrong one fails with a message that names the key,
// the environment variable and the fix.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Config is everything a qbosync process needs to know.
type Config struct {
	// Home is the folder for local state: the generated encryption key and the
	// sandbox's saved companies.
	Home     string         `mapstructure:"home"`
	Database DatabaseConfig `mapstructure:"database"`
	Temporal TemporalConfig `mapstructure:"temporal"`
	QBO      QBOConfig      `mapstructure:"qbo"`
	Sandbox  SandboxConfig  `mapstructure:"sandbox"`
	Secrets  SecretsConfig  `mapstructure:"secrets"`
	Sync     SyncConfig     `mapstructure:"sync"`
	Log      LogConfig      `mapstructure:"log"`
	Admin    AdminConfig    `mapstructure:"admin"`
}

type DatabaseConfig struct {
	// URL of the PostgreSQL database holding the practice data and qbosync's state.
	URL string `mapstructure:"url"`
}

type TemporalConfig struct {
	Address   string `mapstructure:"address"`
	Namespace string `mapstructure:"namespace"`
	TaskQueue string `mapstructure:"task_queue"`
	// WebURL is where operators open Temporal Web; printed by the CLI.
	WebURL string `mapstructure:"web_url"`
}

// QBOConfig says which QuickBooks Online to talk to: Intuit's, or the local sandbox.
type QBOConfig struct {
	APIBaseURL   string `mapstructure:"api_base_url"`
	AuthURL      string `mapstructure:"auth_url"`
	TokenURL     string `mapstructure:"token_url"`
	RevokeURL    string `mapstructure:"revoke_url"`
	RedirectURL  string `mapstructure:"redirect_url"`
	ClientID     string `mapstructure:"client_id"`
	ClientSecret string `mapstructure:"client_secret"`
	MinorVersion string `mapstructure:"minor_version"`
	// RequestTimeout bounds one HTTP call to QBO (QBO itself gives up after 120 s).
	RequestTimeout time.Duration `mapstructure:"request_timeout"`
	// RateLimits is "qbo": pace every company's requests under QBO's limits (500 a
	// minute, 10 a second, 10 at once, 40 batches a minute), or "none", for tests
	// against a sandbox that has no limits.
	RateLimits string `mapstructure:"rate_limits"`
}

// SandboxConfig is for `starter sandbox`, the local QBO emulator.
type SandboxConfig struct {
	Listen    string `mapstructure:"listen"`
	StateFile string `mapstructure:"state_file"`
}

// SecretsConfig holds the key that seals OAuth tokens at rest.
type SecretsConfig struct {
	// Key is 32 bytes, base64-encoded. When empty the key is read from KeyFile.
	Key     string `mapstructure:"key"`
	KeyFile string `mapstructure:"key_file"`
	// GenerateKey creates KeyFile with a new random key when it does not exist. Right for
	// a laptop; turn it off in production so a missing key fails instead of silently
	// making every stored token unreadable.
	GenerateKey bool `mapstructure:"generate_key"`
}

type SyncConfig struct {
	// PageSize is how many change-feed rows an activity reads at a time.
	PageSize int `mapstructure:"page_size"`
}

type LogConfig struct {
	Level string `mapstructure:"level"`
	// Format is text (for a terminal) or json (one object a line, for production's log
	// collector).
	Format string `mapstructure:"format"`
}

// AdminConfig is the operators' listener of a worker or the wizard server: /metrics,
// /healthz and /readyz (internal/admin).
type AdminConfig struct {
	// Listen is its host:port; empty turns it off. It is never the wizard's public
	// address: keep it on a private interface that only the scraper and the probes reach.
	Listen string `mapstructure:"listen"`
}

// Sandbox credentials: the local QBO sandbox accepts this client. They open nothing but
// the sandbox, and Validate refuses them for Intuit's real endpoints.
const (
	SandboxClientID     = "qbosync-local"
	SandboxClientSecret = "qbosync-local-sandbox-only"
)

// Intuit's production endpoints, for a config that talks to the real QuickBooks Online.
const (
	IntuitAPIBaseURL = "https://quickbooks.api.intuit.com"
	IntuitAuthURL    = "https://appcenter.intuit.com/connect/oauth2"
	IntuitTokenURL   = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
	IntuitRevokeURL  = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
)

// SetDefaults registers every key with its local default. Registering every key also
// lets viper find it in the environment.
func SetDefaults(v *viper.Viper) {
	sandbox := "http://127.0.0.1:8089"
	defaults := map[string]any{
		"home":                 ".qbosync",
		"database.url":         "postgres://postgres@127.0.0.1:5432/qbosync?sslmode=disable",
		"temporal.address":     "127.0.0.1:7233",
		"temporal.namespace":   "default",
		"temporal.task_queue":  "qbosync",
		"temporal.web_url":     "http://127.0.0.1:8233",
		"qbo.api_base_url":     sandbox,
		"qbo.auth_url":         sandbox + "/connect/oauth2",
		"qbo.token_url":        sandbox + "/oauth2/v1/tokens/bearer",
		"qbo.revoke_url":       sandbox + "/v2/oauth2/tokens/revoke",
		"qbo.redirect_url":     "http://127.0.0.1:8090/oauth/callback",
		"qbo.client_id":        SandboxClientID,
		"qbo.client_secret":    SandboxClientSecret,
		"qbo.minor_version":    "75",
		"qbo.request_timeout":  "60s",
		"qbo.rate_limits":      "qbo",
		"sandbox.listen":       "127.0.0.1:8089",
		"sandbox.state_file":   "", // default: <home>/sandbox.json
		"secrets.key":          "",
		"secrets.key_file":     "", // default: <home>/secret.key
		"secrets.generate_key": true,
		"sync.page_size":       200,
		"log.level":            "info",
		"log.format":           "text",
		"admin.listen":         "", // off: each process that wants it names its own port
	}
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
}

// New returns a viper instance with the defaults and the environment wired up. Callers
// bind their flags to it and then call Load.
func New() *viper.Viper {
	v := viper.New()
	SetDefaults(v)
	v.SetEnvPrefix("QBOSYNC")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	// DATABASE_URL is the common convention; QBOSYNC_DATABASE_URL wins when both are set.
	_ = v.BindEnv("database.url", "QBOSYNC_DATABASE_URL", "DATABASE_URL")
	return v
}

// Load reads the config file (if any), then decodes and validates everything.
// file may be empty; QBOSYNC_CONFIG is used then.
func Load(v *viper.Viper, file string) (Config, error) {
	if file == "" {
		file = os.Getenv("QBOSYNC_CONFIG")
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config: cannot read %s: %w (check the path given by --config or QBOSYNC_CONFIG)", file, err)
		}
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if c.Sandbox.StateFile == "" {
		c.Sandbox.StateFile = filepath.Join(c.Home, "sandbox.json")
	}
	if c.Secrets.KeyFile == "" {
		c.Secrets.KeyFile = filepath.Join(c.Home, "secret.key")
	}
	return c, c.Validate()
}

// Validate checks every value and reports all problems at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, problem, fix string) {
		env := "QBOSYNC_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		errs = append(errs, fmt.Errorf("%s (%s): %s; %s", key, env, problem, fix))
	}
	checkURL := func(key, val string, schemes ...string) {
		u, err := url.Parse(val)
		if val == "" || err != nil || u.Host == "" || !slices.Contains(schemes, u.Scheme) {
			bad(key, fmt.Sprintf("%q is not a valid %s URL", val, strings.Join(schemes, "/")),
				"give a full URL such as "+schemes[0]+"://host:port/...")
		}
	}
	checkURL("database.url", c.Database.URL, "postgres", "postgresql")
	if _, _, err := splitHostPort(c.Temporal.Address); err != nil {
		bad("temporal.address", fmt.Sprintf("%q is not host:port", c.Temporal.Address), "for the local dev server use 127.0.0.1:7233")
	}
	if c.Temporal.Namespace == "" {
		bad("temporal.namespace", "is empty", "use default for the dev server")
	}
	if c.Temporal.TaskQueue == "" {
		bad("temporal.task_queue", "is empty", "use qbosync")
	}
	for key, val := range map[string]string{
		"qbo.api_base_url": c.QBO.APIBaseURL, "qbo.auth_url": c.QBO.AuthURL,
		"qbo.token_url": c.QBO.TokenURL, "qbo.revoke_url": c.QBO.RevokeURL, "qbo.redirect_url": c.QBO.RedirectURL,
	} {
		checkURL(key, val, "https", "http")
	}
	if c.QBO.ClientID == "" {
		bad("qbo.client_id", "is empty", "copy the client id of your Intuit app (Keys & credentials)")
	}
	if c.QBO.ClientSecret == "" {
		bad("qbo.client_secret", "is empty", "copy the client secret of your Intuit app; keep it in the environment, not in a file in the repository")
	}
	if c.talksToIntuit() && (c.QBO.ClientID == SandboxClientID || c.QBO.ClientSecret == SandboxClientSecret) {
		bad("qbo.client_id", "is the local sandbox's client while qbo.api_base_url is Intuit's", "set your Intuit app's client id and secret")
	}
	if c.QBO.RequestTimeout <= 0 || c.QBO.RequestTimeout > 120*time.Second {
		bad("qbo.request_timeout", fmt.Sprintf("%s is out of range", c.QBO.RequestTimeout), "use a duration between 1s and 120s (QBO gives up after 120s)")
	}
	if c.QBO.RateLimits != "qbo" && c.QBO.RateLimits != "none" {
		bad("qbo.rate_limits", fmt.Sprintf("%q is not a choice", c.QBO.RateLimits), "use qbo (pace under QuickBooks' limits) or none (only for a sandbox without limits)")
	}
	if _, _, err := splitHostPort(c.Admin.Listen); c.Admin.Listen != "" && err != nil {
		bad("admin.listen", fmt.Sprintf("%q is not host:port", c.Admin.Listen), "use a private address such as 127.0.0.1:9464, or leave it empty to turn the admin endpoints off")
	}
	if _, _, err := splitHostPort(c.Sandbox.Listen); err != nil {
		bad("sandbox.listen", fmt.Sprintf("%q is not host:port", c.Sandbox.Listen), "use 127.0.0.1:8089")
	}
	if c.Secrets.Key != "" {
		if k, err := base64.StdEncoding.DecodeString(c.Secrets.Key); err != nil || len(k) != 32 {
			bad("secrets.key", "is not 32 bytes of base64", "generate one with `openssl rand -base64 32`")
		}
	}
	if c.Sync.PageSize < 1 || c.Sync.PageSize > 1000 {
		bad("sync.page_size", fmt.Sprintf("%d is out of range", c.Sync.PageSize), "use a number from 1 to 1000")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", fmt.Sprintf("%q is not a level", c.Log.Level), "use debug, info, warn or error")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", fmt.Sprintf("%q is not a format", c.Log.Format), "use text or json")
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return nil
}

func (c Config) talksToIntuit() bool {
	u, err := url.Parse(c.QBO.APIBaseURL)
	return err == nil && strings.HasSuffix(u.Hostname(), ".intuit.com")
}
