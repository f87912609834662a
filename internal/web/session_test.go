package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// memSessions is SessionStore in memory: the store keeps them in PostgreSQL
// (store.Store, tested with the store).
type memSessions struct {
	mu       sync.Mutex
	seen     map[string]bool
	sessions map[string]*memSession
}

type memSession struct {
	firm    int64
	expires time.Time
	revoked bool
}

// usedNonces is the name console_test.go knows memSessions by.
type usedNonces = memSessions

func (u *memSessions) UseLoginNonce(_ context.Context, nonce string, _ int64, _ time.Time) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.seen[nonce] {
		return false, nil
	}
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	u.seen[nonce] = true
	return true, nil
}

func (u *memSessions) CreateSession(_ context.Context, hash []byte, firm int64, exp time.Time, _ string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.sessions == nil {
		u.sessions = map[string]*memSession{}
	}
	u.sessions[string(hash)] = &memSession{firm: firm, expires: exp}
	return nil
}

func (u *memSessions) SessionFirm(_ context.Context, hash []byte) (int64, bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if s := u.sessions[string(hash)]; s != nil && !s.revoked && time.Now().Before(s.expires) {
		return s.firm, true, nil
	}
	return 0, false, nil
}

func (u *memSessions) RevokeSession(_ context.Context, hash []byte) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if s := u.sessions[string(hash)]; s != nil {
		s.revoked = true
	}
	return nil
}

func (u *memSessions) RevokeFirmSessions(_ context.Context, firm int64) (int64, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	var n int64
	for _, s := range u.sessions {
		if s.firm == firm && !s.revoked {
			s.revoked, n = true, n+1
		}
	}
	return n, nil
}

func (u *memSessions) FirmName(_ context.Context, firm int64) (string, error) {
	return fmt.Sprintf("Firm No. %d LLP", firm), nil
}

func TestSessions(t *testing.T) {
	const firm int64 = 7
	raw := bytes.Repeat([]byte{9}, 32)
	s, err := NewSessions(raw, &usedNonces{seen: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(s.key, raw) {
		t.Fatal("sessions are keyed with the raw secrets key")
	}
	ctx := context.Background()

	login, _ := s.LoginToken(firm, time.Minute)
	if _, err := s.Firm(ctx, login); !errors.Is(err, ErrBadToken) {
		t.Error("a login token works as a session")
	}
	// A token signed with the raw secrets key is not one of ours.
	payload, _, _ := strings.Cut(login, ".")
	m := hmac.New(sha256.New, raw)
	m.Write([]byte(payload))
	if _, _, _, err := s.Redeem(ctx, payload+"."+base64.RawURLEncoding.EncodeToString(m.Sum(nil))); !errors.Is(err, ErrBadToken) {
		t.Error("a token signed with the raw key was accepted")
	}

	sess, got, exp, err := s.Redeem(ctx, login)
	if err != nil || got != firm || exp.Before(time.Now().Add(DefaultSessionTTL-time.Minute)) {
		t.Fatalf("redeem = %d, %v, %v", got, exp, err)
	}
	if _, _, _, err := s.Redeem(ctx, login); !errors.Is(err, ErrBadToken) {
		t.Error("a login token worked twice")
	}
	if f, err := s.Firm(ctx, sess); err != nil || f != firm {
		t.Fatalf("session firm = %d, %v", f, err)
	}
	for _, bad := range []string{"", "x", sess + "x", strings.Replace(sess, ".", ".A", 1), "e30." + strings.SplitN(sess, ".", 2)[1]} {
		if _, err := s.Firm(ctx, bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("token %q accepted", bad)
		}
	}
	if !s.CheckCSRF(sess, s.CSRF(sess)) || s.CheckCSRF(sess, "") || s.CheckCSRF(sess, s.CSRF(sess+"x")) {
		t.Error("CSRF values do not belong to their session")
	}

	s.Now = func() time.Time { return time.Now().Add(DefaultSessionTTL) }
	if _, err := s.Firm(ctx, sess); !errors.Is(err, ErrBadToken) {
		t.Error("an expired session was accepted")
	}
	expired, _ := s.LoginToken(firm, time.Second)
	s.Now = func() time.Time { return time.Now().Add(DefaultSessionTTL + time.Minute) }
	if _, _, _, err := s.Redeem(ctx, expired); !errors.Is(err, ErrBadToken) {
		t.Error("an expired login token was accepted")
	}
}
