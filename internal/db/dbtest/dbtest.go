// Package dbtest gives tests a real, migrated PostgreSQL database of their own.
//
// Each call creates a fresh database on the server named by QBOSYNC_TEST_DATABASE_URL
// (default: the local server, user postgres) and drops it when the test ends, so tests
// never see each other's rows and can run in parallel packages.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/db"
)

// DefaultServerURL is where tests find PostgreSQL unless QBOSYNC_TEST_DATABASE_URL says
// otherwise. The database part is only used to connect; tests get their own database.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// New returns a connection to a new, migrated database and its URL.
func New(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	ctx := context.Background()
	serverURL := os.Getenv("QBOSYNC_TEST_DATABASE_URL")
	if serverURL == "" {
		serverURL = DefaultServerURL
	}
	admin, err := db.Open(ctx, serverURL)
	if err != nil {
		t.Fatalf("dbtest: %v (start PostgreSQL with `make db`, or set QBOSYNC_TEST_DATABASE_URL)", err)
	}
	name := "qbosync_test_" + randomSuffix(t)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("dbtest: create database: %v", err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	u.Path = "/" + name
	dbURL := u.String()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("dbtest: drop %s: %v", name, err)
		}
		admin.Close()
	})
	if err := db.Migrate(ctx, d.DB, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return d, dbURL
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d_%s", os.Getpid(), hex.EncodeToString(b))
}
