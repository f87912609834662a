package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
)

// An incremental check builds on the saved report only while that report's full pass
// is younger than the interval, and never on one saved before incremental checks.
func TestIncrementalCheckBuildsOnARecentFullPassOnly(t *testing.T) {
	d, _ := dbtest.New(t)
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	a := &Activities{Store: store.New(d, box)}
	ctx := context.Background()
	sc := store.Scope{RealmID: "9341"}
	if err := d.Get(&sc.FirmID, `INSERT INTO firms (name) VALUES ('Base & Co') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	save := func(report any, checkedAt time.Time) {
		t.Helper()
		b, err := json.Marshal(report)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Store.SaveReconciliation(ctx, sc, store.StoredReconciliation{CheckedAt: checkedAt, OK: true, Report: b}); err != nil {
			t.Fatal(err)
		}
	}
	base := func() (time.Time, bool) {
		t.Helper()
		_, since, ok, err := a.incrementalBase(ctx, sc, 6*time.Hour, now)
		if err != nil {
			t.Fatal(err)
		}
		return since, ok
	}

	if _, ok := base(); ok {
		t.Error("nothing saved yet, yet an incremental check may build on it")
	}
	save(map[string]any{"scope": sc}, now.Add(-time.Hour)) // saved before incremental checks: no full_at
	if _, ok := base(); ok {
		t.Error("a report without the time of its full pass is built on")
	}
	checked := now.Add(-10 * time.Minute).Truncate(time.Microsecond) // as PostgreSQL keeps it
	save(reconcile.Report{Scope: sc, FullAt: now.Add(-5 * time.Hour)}, checked)
	if since, ok := base(); !ok || !since.Equal(checked) {
		t.Errorf("a 5-hour-old full pass: builds on it %v, since %v; want true, since the last check (%v)", ok, since, checked)
	}
	save(reconcile.Report{Scope: sc, FullAt: now.Add(-6 * time.Hour)}, checked)
	if _, ok := base(); ok {
		t.Error("a full pass as old as the interval is built on: the next check must be full")
	}
}
