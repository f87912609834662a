package db_test

import (
	"context"
	"testing"

	"github.com/qbosync/qbosync/internal/db"
	"github.com/qbosync/qbosync/internal/db/dbtest"
)

func TestMigrationsApplyAndAreRecorded(t *testing.T) {
	d, _ := dbtest.New(t)
	v, err := db.Version(context.Background(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	if v < 3 {
		t.Fatalf("database version = %d, want at least 3", v)
	}
	// Every practice table must carry firm_id: the firm scope is the first rule of the schema.
	// The request budgets are QuickBooks companies' (00010_qbo_budgets.sql): QuickBooks
	// limits a company's requests whichever firm's connection sends them.
	var missing []string
	err = d.Select(&missing, `
		SELECT t.table_name FROM information_schema.tables t
		WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
		  AND t.table_name NOT IN ('firms', 'goose_db_version', 'qbo_budgets', 'qbo_budget_holders')
		  AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
		                  WHERE c.table_name = t.table_name AND c.column_name = 'firm_id')`)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Fatalf("tables without firm_id: %v", missing)
	}
}

func TestNoFloatMoneyColumns(t *testing.T) {
	d, _ := dbtest.New(t)
	var floats []string
	if err := d.Select(&floats, `
		SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('real', 'double precision', 'money')`); err != nil {
		t.Fatal(err)
	}
	if len(floats) > 0 {
		t.Fatalf("float columns: %v", floats)
	}
}

func TestRowsCannotReferenceAnotherFirm(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	var a, b, clientA int64
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.GetContext(ctx, &a, `INSERT INTO firms (name) VALUES ('A') RETURNING id`))
	must(d.GetContext(ctx, &b, `INSERT INTO firms (name) VALUES ('B') RETURNING id`))
	must(d.GetContext(ctx, &clientA, `INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1, 'C1', 'person', 'Ann') RETURNING id`, a))
	_, err := d.ExecContext(ctx, `INSERT INTO matters (firm_id, client_id, matter_number, name, opened_on) VALUES ($1, $2, 'M1', 'x', '2026-01-01')`, b, clientA)
	if err == nil {
		t.Fatal("a matter of firm B was allowed to point at a client of firm A")
	}
}
