package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
)

func newStore(t *testing.T) (*store.Store, int64) {
	t.Helper()
	d, _ := dbtest.New(t)
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	var firm int64
	if err := d.Get(&firm, `INSERT INTO firms (name) VALUES ('Firm') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	return store.New(d, box), firm
}

func TestTokensAreSealedAtRestAndRotationIsSaved(t *testing.T) {
	s, firm := newStore(t)
	ctx := context.Background()
	tok := &oauth2.Token{AccessToken: "access-AAA", RefreshToken: "refresh-RRR", Expiry: time.Now().Add(time.Hour).Round(time.Second)}
	if err := s.Connect(ctx, firm, "realm-1", "Sample Co", tok); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	if err := s.DB().Get(&raw, `SELECT access_token_sealed || refresh_token_sealed FROM qbo_connections`); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("access-AAA")) || bytes.Contains(raw, []byte("refresh-RRR")) {
		t.Fatal("a token is stored in plain text")
	}
	got, err := s.Token(ctx, firm, "realm-1")
	if err != nil || got.AccessToken != "access-AAA" || got.RefreshToken != "refresh-RRR" {
		t.Fatalf("Token = %+v, %v", got, err)
	}

	rotated := &oauth2.Token{AccessToken: "access-BBB", RefreshToken: "refresh-SSS", Expiry: time.Now().Add(time.Hour)}
	if err := s.TokenSaver(firm).SaveToken(ctx, "realm-1", rotated); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Token(ctx, firm, "realm-1")
	if got.RefreshToken != "refresh-SSS" {
		t.Fatalf("rotated refresh token not saved: %q", got.RefreshToken)
	}
	if err := s.TokenSaver(firm+1).SaveToken(ctx, "realm-1", rotated); err == nil {
		t.Fatal("saving a token for a firm without that connection succeeded")
	}
}

func TestLinkingAnotherCompanyDisconnectsThePrevious(t *testing.T) {
	s, firm := newStore(t)
	ctx := context.Background()
	tok := &oauth2.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now()}
	if err := s.Connect(ctx, firm, "realm-1", "One", tok); err != nil {
		t.Fatal(err)
	}
	if err := s.Connect(ctx, firm, "realm-2", "Two", tok); err != nil {
		t.Fatal(err)
	}
	live, err := s.LiveConnection(ctx, firm)
	if err != nil || live.RealmID != "realm-2" {
		t.Fatalf("live = %+v, %v", live, err)
	}
	if _, err := s.Token(ctx, firm, "realm-1"); !errors.Is(err, store.ErrNotConnected) {
		t.Fatalf("old company's token still usable: %v", err)
	}
}

func TestItemOutcomesAndCursor(t *testing.T) {
	s, firm := newStore(t)
	ctx := context.Background()
	sc := store.Scope{FirmID: firm, RealmID: "r"}
	f := store.Failure{Code: "6240", Message: "Duplicate Name Exists Error", Explanation: "rename"}
	if err := s.RecordFailure(ctx, sc, "client", "7", "Hall Properties", f); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFailure(ctx, sc, "client", "7", "Hall Properties", f); err != nil {
		t.Fatal(err)
	}
	failed, err := s.FailedItems(ctx, sc)
	if err != nil || len(failed) != 1 || failed[0].Attempts != 2 || failed[0].ErrorCode != "6240" {
		t.Fatalf("failed = %+v, %v", failed, err)
	}
	if other, _ := s.FailedItems(ctx, sc, "matter"); len(other) != 0 {
		t.Fatalf("kind filter ignored: %+v", other)
	}
	if err := s.RecordSuccess(ctx, sc, "client", "7", "Hall Properties", store.ActionCreated); err != nil {
		t.Fatal(err)
	}
	if failed, _ := s.FailedItems(ctx, sc); len(failed) != 0 {
		t.Fatalf("success did not clear the failure: %+v", failed)
	}

	if c, err := s.Cursor(ctx, sc, "contacts"); err != nil || c != (pms.Cursor{}) {
		t.Fatalf("fresh cursor = %+v, %v", c, err)
	}
	want := pms.Cursor{Seq: 1<<40 + 42}
	if err := s.SaveCursor(ctx, sc, "contacts", want); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Cursor(ctx, sc, "contacts"); c != want {
		t.Fatalf("cursor = %+v, want %+v", c, want)
	}
}

// A page's unchanged records are recorded in one statement: new items, an item that
// failed before (its failure cleared), and an item named twice (its last label kept).
func TestRecordSuccessesRecordsAPageAtOnce(t *testing.T) {
	s, firm := newStore(t)
	ctx := context.Background()
	sc := store.Scope{FirmID: firm, RealmID: "realm-1"}
	if err := s.RecordFailure(ctx, sc, "invoice", "2", "INV-2", store.Failure{Code: "6000", Message: "refused"}); err != nil {
		t.Fatal(err)
	}
	err := s.RecordSuccesses(ctx, sc, store.ActionUnchanged, []store.ItemRef{
		{Kind: "invoice", SourceKey: "1", Label: "INV-1"},
		{Kind: "invoice", SourceKey: "2", Label: "INV-2"},
		{Kind: "invoice", SourceKey: "1", Label: "INV-1 (renumbered)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if failed, _ := s.FailedItems(ctx, sc); len(failed) != 0 {
		t.Fatalf("the failure was not cleared: %+v", failed)
	}
	var rows []struct {
		Key    string `db:"source_key"`
		Label  string `db:"label"`
		Action string `db:"last_action"`
		Status string `db:"status"`
	}
	if err := s.DB().Select(&rows, `SELECT source_key, label, last_action, status FROM sync_items WHERE firm_id = $1 ORDER BY source_key`, firm); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Label != "INV-1 (renumbered)" || rows[0].Action != store.ActionUnchanged || rows[1].Status != "synced" {
		t.Fatalf("items %+v", rows)
	}
	if err := s.RecordSuccesses(ctx, sc, store.ActionUnchanged, nil); err != nil {
		t.Errorf("no items: %v", err)
	}
}
