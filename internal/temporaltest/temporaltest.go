// Package temporaltest starts a real Temporal server for integration tests: the Temporal
// CLI's dev server, with qbosync's search attributes registered.
//
// The CLI binary is found through TEMPORAL_CLI, $GOBIN or $GOPATH/bin, or PATH (make
// test installs it). It is never downloaded. Without it the tests skip, except in CI
// (CI=true), where a missing server is a failure, not a silent pass.
package temporaltest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Start runs a dev server for the test and returns a client of its default namespace
// and the server's address. The server stops when the test ends.
func Start(t testing.TB) (client.Client, string) {
	t.Helper()
	bin := CLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:     bin,
		ClientOptions:    &client.Options{Namespace: "default"},
		SearchAttributes: syncapi.SearchAttributes(),
		LogLevel:         "error",
	})
	if err != nil {
		t.Fatalf("temporal dev server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv.Client(), srv.FrontendHostPort()
}

// CLI returns the path of the Temporal CLI for a test that runs it, and skips the test
// when it is not installed.
func CLI(t testing.TB) string {
	t.Helper()
	bin := findCLI()
	if bin == "" {
		msg := "the Temporal CLI is not installed (run `make test`, which installs it, or set TEMPORAL_CLI)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

func findCLI() string {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p
	}
	for _, dir := range []string{os.Getenv("GOBIN"), filepath.Join(goPath(), "bin")} {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, "temporal"); isExecutable(p) {
			return p
		}
	}
	p, _ := exec.LookPath("temporal")
	return p
}

func goPath() string {
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.SplitList(p)[0]
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go")
}

func isExecutable(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}
