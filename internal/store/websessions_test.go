package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/store"
)

func TestASignInLinkNonceIsUsedOnce(t *testing.T) {
	st, firm := newStore(t)
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		if got, err := st.UseLoginNonce(ctx, "nonce-1", firm, time.Now().Add(time.Minute)); err != nil || got != want {
			t.Fatalf("use %d: unused = %v, %v; want %v", i+1, got, err, want)
		}
	}
}

// A session is live while its row is unexpired and unrevoked; revoking one ends only
// it, revoking the firm's ends all of them; the row holds the hash it was given.
func TestWebSessionsLiveUntilRevokedOrExpired(t *testing.T) {
	st, firm := newStore(t)
	ctx := context.Background()
	hour := time.Now().Add(time.Hour)
	for _, h := range []string{"a", "b", "c"} {
		if err := st.CreateSession(ctx, []byte(h), firm, hour, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateSession(ctx, []byte("old"), firm, time.Now().Add(-time.Second), ""); err != nil {
		t.Fatal(err)
	}
	if got, live, err := st.SessionFirm(ctx, []byte("a")); err != nil || !live || got != firm {
		t.Fatalf("live session: %d, %v, %v", got, live, err)
	}
	for _, h := range []string{"old", "never"} {
		if _, live, err := st.SessionFirm(ctx, []byte(h)); live || err != nil {
			t.Errorf("session %q: live %v, %v", h, live, err)
		}
	}
	if err := st.RevokeSession(ctx, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, live, _ := st.SessionFirm(ctx, []byte("a")); live {
		t.Error("a revoked session is live")
	}
	if _, live, err := st.SessionFirm(ctx, []byte("b")); !live || err != nil {
		t.Errorf("revoking one session ended another: %v", err)
	}
	if n, err := st.RevokeFirmSessions(ctx, firm); err != nil || n != 3 { // b, c, and the expired one
		t.Errorf("revoke the firm's sessions: %d, %v", n, err)
	}
	if _, live, _ := st.SessionFirm(ctx, []byte("c")); live {
		t.Error("a session outlived sign out everywhere")
	}
}

// An OAuth state completes only for the firm and session it was issued to, once.
func TestOAuthStateIsBoundToItsSession(t *testing.T) {
	st, firm := newStore(t)
	ctx := context.Background()
	mine, theirs := []byte("session-1"), []byte("session-2")
	if err := st.NewOAuthState(ctx, "state-1", firm, mine); err != nil {
		t.Fatal(err)
	}
	if err := st.NewOAuthState(ctx, "state-cli", firm, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.UseOAuthState(ctx, "state-1", firm, theirs); !errors.Is(err, store.ErrOAuthStateOfOtherSession) {
		t.Errorf("another session of the firm: %v", err)
	}
	if err := st.UseOAuthState(ctx, "state-1", firm, nil); !errors.Is(err, store.ErrOAuthStateOfOtherSession) {
		t.Errorf("the CLI with a web session's state: %v", err)
	}
	if err := st.UseOAuthState(ctx, "state-1", firm+1, mine); !errors.Is(err, store.ErrBadOAuthState) {
		t.Errorf("another firm: %v", err)
	}
	if err := st.UseOAuthState(ctx, "state-1", firm, mine); err != nil {
		t.Errorf("its own session: %v", err)
	}
	if err := st.UseOAuthState(ctx, "state-1", firm, mine); !errors.Is(err, store.ErrBadOAuthState) {
		t.Errorf("used twice: %v", err)
	}
	if err := st.UseOAuthState(ctx, "state-cli", firm, nil); err != nil {
		t.Errorf("the CLI's own state: %v", err)
	}
}

// The purge deletes OAuth states past their lifetime, sessions expired or revoked, and
// used sign-in nonces whose link expired, and keeps every row still of use.
func TestPurgeWebSignInsDeletesOnlyEndedRows(t *testing.T) {
	st, firm := newStore(t)
	ctx := context.Background()
	db := st.DB()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.NewOAuthState(ctx, "fresh", firm, []byte("s")))
	must(st.NewOAuthState(ctx, "old", firm, []byte("s")))
	_, err := db.Exec(`UPDATE oauth_states SET created_at = now() - $1::interval WHERE state = 'old'`, "31 minutes")
	must(err)
	must(st.CreateSession(ctx, []byte("live"), firm, time.Now().Add(time.Hour), ""))
	must(st.CreateSession(ctx, []byte("expired"), firm, time.Now().Add(-time.Minute), ""))
	must(st.CreateSession(ctx, []byte("revoked"), firm, time.Now().Add(time.Hour), ""))
	must(st.RevokeSession(ctx, []byte("revoked")))
	for nonce, exp := range map[string]time.Time{"live": time.Now().Add(time.Minute), "expired": time.Now().Add(-time.Minute)} {
		_, err := st.UseLoginNonce(ctx, nonce, firm, exp)
		must(err)
	}

	p, err := st.PurgeWebSignIns(ctx)
	must(err)
	if p != (store.Purged{OAuthStates: 1, Sessions: 2, LoginNonces: 1}) {
		t.Errorf("purged %+v; want one state, two sessions, one nonce", p)
	}
	var left []string
	must(db.Select(&left, `
		SELECT 'state ' || state FROM oauth_states
		UNION ALL SELECT 'session ' || convert_from(token_hash, 'UTF8') FROM web_sessions
		UNION ALL SELECT 'nonce ' || nonce FROM web_login_uses ORDER BY 1`))
	if want := "nonce live,session live,state fresh"; strings.Join(left, ",") != want {
		t.Errorf("left %q; want %q", strings.Join(left, ","), want)
	}
	if _, live, err := st.SessionFirm(ctx, []byte("live")); !live || err != nil {
		t.Errorf("the live session was purged: %v", err)
	}
}
