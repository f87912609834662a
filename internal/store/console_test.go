package store_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/store"
)

// A retry asked for one failed record waits on its row, shows in the counts the
// sync's pending check reads, and is cleared by the record's next outcome, failed or
// not; a record that is not failing cannot be asked for.
func TestRetryRequestForOneRecord(t *testing.T) {
	s, firm := newStore(t)
	ctx := t.Context()
	sc := store.Scope{FirmID: firm, RealmID: "realm-1"}
	bad := store.Failure{Code: "qbosync:invalid-email", Message: "not an address", Explanation: "Correct the e-mail."}
	must(t, s.RecordFailure(ctx, sc, "client", "7", "Jessie Smithson (C-0007)", bad))
	must(t, s.RecordFailure(ctx, sc, "client", "8", "Ann Other (C-0008)", bad))
	must(t, s.RecordSuccess(ctx, sc, "client", "9", "Fine (C-0009)", store.ActionCreated))

	must(t, s.RequestRetry(ctx, sc, "client", "7"))
	for _, key := range []string{"9", "10"} {
		if err := s.RequestRetry(ctx, sc, "client", key); !errors.Is(err, store.ErrNoSuchFailure) {
			t.Errorf("retry of client %s: %v, want ErrNoSuchFailure", key, err)
		}
	}
	counts, err := s.FailingByKind(ctx, sc, "qbosync:waiting-")
	must(t, err)
	if got := counts["client"]; got != (store.KindFailures{Failing: 2, Requested: 1}) {
		t.Errorf("counts = %+v", got)
	}
	items, err := s.FailedItems(ctx, sc)
	must(t, err)
	if len(items) != 2 || !items[0].RetryRequested || items[1].RetryRequested {
		t.Errorf("failed items = %+v", items)
	}
	must(t, s.RecordFailure(ctx, sc, "client", "7", "Jessie Smithson (C-0007)", bad))
	counts, _ = s.FailingByKind(ctx, sc, "qbosync:waiting-")
	if counts["client"].Requested != 0 {
		t.Error("a new failure left the request standing")
	}
	must(t, s.RequestRetry(ctx, sc, "client", "7"))
	must(t, s.RecordSuccess(ctx, sc, "client", "7", "Jessie Smithson (C-0007)", store.ActionCreated))
	if counts, _ = s.FailingByKind(ctx, sc, "qbosync:waiting-"); counts["client"] != (store.KindFailures{Failing: 1}) {
		t.Errorf("after the record synced: %+v", counts["client"])
	}
	must(t, s.RecordSuccess(ctx, sc, "invoice", "40", "invoice INV-1040", store.ActionUnchanged))
	outcomes, err := s.Outcomes(ctx, sc)
	must(t, err)
	want := []store.KindOutcomes{{Kind: "client", Created: 2, Failed: 1}, {Kind: "invoice", Unchanged: 1}}
	if len(outcomes) != 2 || outcomes[0] != want[0] || outcomes[1] != want[1] {
		t.Errorf("outcomes = %+v, want %+v", outcomes, want)
	}
}

// The latest reconciliation replaces the one before; none is ErrNoReconciliation.
func TestLatestReconciliation(t *testing.T) {
	s, firm := newStore(t)
	ctx := t.Context()
	sc := store.Scope{FirmID: firm, RealmID: "realm-1"}
	if _, err := s.LatestReconciliation(ctx, sc); !errors.Is(err, store.ErrNoReconciliation) {
		t.Fatalf("before any check: %v", err)
	}
	at := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	must(t, s.SaveReconciliation(ctx, sc, store.StoredReconciliation{CheckedAt: at, OK: true, Report: json.RawMessage(`{"n":1}`)}))
	must(t, s.SaveReconciliation(ctx, sc, store.StoredReconciliation{CheckedAt: at.Add(time.Hour), Report: json.RawMessage(`{"n": 2}`)}))
	got, err := s.LatestReconciliation(ctx, sc)
	must(t, err)
	if !got.CheckedAt.Equal(at.Add(time.Hour)) || got.OK || string(got.Report) != `{"n": 2}` {
		t.Errorf("latest = %+v %s", got, got.Report)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
