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
