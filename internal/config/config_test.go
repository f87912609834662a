package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/config"
)

func TestDefaultsRunLocallyWithoutAFile(t *testing.T) {
	t.Setenv("QBOSYNC_CONFIG", "")
	t.Setenv("DATABASE_URL", "")
	c, err := config.Load(config.New(), "")
	if err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if c.Temporal.Address != "127.0.0.1:7233" || c.QBO.ClientID != config.SandboxClientID {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.Secrets.KeyFile != filepath.Join(".qbosync", "secret.key") {
		t.Fatalf("key file default = %q", c.Secrets.KeyFile)
	}
}

func TestEnvironmentOverridesFileOverridesDefault(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "qbosync.yaml")
	if err := os.WriteFile(file, []byte("temporal:\n  namespace: from-file\n  task_queue: file-queue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("QBOSYNC_TEMPORAL_NAMESPACE", "from-env")
	c, err := config.Load(config.New(), file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Temporal.Namespace != "from-env" {
		t.Errorf("namespace = %q, want the environment's", c.Temporal.Namespace)
	}
	if c.Temporal.TaskQueue != "file-queue" {
		t.Errorf("task queue = %q, want the file's", c.Temporal.TaskQueue)
	}
}

func TestDatabaseURLConventions(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://u@db.example:5432/practice")
	c, err := config.Load(config.New(), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.URL != "postgres://u@db.example:5432/practice" {
		t.Errorf("DATABASE_URL not used: %q", c.Database.URL)
	}
	t.Setenv("QBOSYNC_DATABASE_URL", "postgres://u@other:5432/q")
	c, err = config.Load(config.New(), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.URL != "postgres://u@other:5432/q" {
		t.Errorf("QBOSYNC_DATABASE_URL should win, got %q", c.Database.URL)
	}
}

func TestBadValuesNameTheKeyAndTheFix(t *testing.T) {
	cases := []struct {
		env, value, wantKey, wantFix string
	}{
		{"QBOSYNC_DATABASE_URL", "mysql://x", "database.url (QBOSYNC_DATABASE_URL)", "postgres://"},
		{"QBOSYNC_TEMPORAL_ADDRESS", "localhost", "temporal.address", "127.0.0.1:7233"},
		{"QBOSYNC_SECRETS_KEY", "c2hvcnQ=", "secrets.key", "openssl rand -base64 32"},
		{"QBOSYNC_SYNC_PAGE_SIZE", "5000", "sync.page_size", "1 to 1000"},
		{"QBOSYNC_LOG_LEVEL", "loud", "log.level", "debug, info, warn or error"},
		{"QBOSYNC_QBO_REQUEST_TIMEOUT", "10m", "qbo.request_timeout", "120s"},
		{"QBOSYNC_QBO_RATE_LIMITS", "fast", "qbo.rate_limits", "use qbo"},
		{"QBOSYNC_ADMIN_LISTEN", "9464", "admin.listen", "127.0.0.1:9464"},
		{"QBOSYNC_LOG_FORMAT", "xml", "log.format", "use text or json"},
	}
	for _, tc := range cases {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			_, err := config.Load(config.New(), "")
			if err == nil {
				t.Fatalf("%s=%q was accepted", tc.env, tc.value)
			}
			for _, want := range []string{tc.wantKey, tc.wantFix} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestEmptySecretInFileIsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "qbosync.toml")
	if err := os.WriteFile(file, []byte("[qbo]\nclient_secret = \"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load(config.New(), file)
	if err == nil || !strings.Contains(err.Error(), "qbo.client_secret (QBOSYNC_QBO_CLIENT_SECRET): is empty") {
		t.Fatalf("empty client secret not reported by key: %v", err)
	}
}

func TestSandboxCredentialsRefusedForIntuit(t *testing.T) {
	t.Setenv("QBOSYNC_QBO_API_BASE_URL", config.IntuitAPIBaseURL)
	_, err := config.Load(config.New(), "")
	if err == nil || !strings.Contains(err.Error(), "sandbox's client") {
		t.Fatalf("sandbox credentials against Intuit were not refused: %v", err)
	}
}

func TestMissingConfigFile(t *testing.T) {
	_, err := config.Load(config.New(), filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "--config or QBOSYNC_CONFIG") {
		t.Fatalf("missing file error not helpful: %v", err)
	}
}
