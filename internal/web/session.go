package web

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token kinds: a login token opens a session once; a session token is the session.
const (
	kindLogin   = "login"
	kindSession = "session"
)

// Default lifetimes: a sign-in link is for now, a session for a working day.
const (
	DefaultLoginTTL   = 15 * time.Minute
	DefaultSessionTTL = 8 * time.Hour
)

// ErrBadToken means a token is forged, altered, expired, used already, or of the
// wrong kind: the user must sign in again (starter web-login).
var ErrBadToken = errors.New("the sign-in is not valid (expired, used already, or altered); ask for a new sign-in link")

// ErrNoSession means the request carries no session at all.
var ErrNoSession = errors.New("not signed in: open the sign-in link qbosync gave you (starter web-login --firm ID prints one)")

// Sessions issues and checks the wizard's sign-ins. A token is a claim (kind, firm,
// expiry, nonce) and its HMAC-SHA256, keyed with a key derived (HKDF) from qbosync's
// secrets key: the raw key, which seals the QuickBooks tokens, is never used here, and
// a leaked session key would not open them.
type Sessions struct {
	key  []byte
	uses LoginUses
	// LoginTTL and SessionTTL bound how long tokens work.
	LoginTTL, SessionTTL time.Duration
	// Now is the clock (tests set it).
	Now func() time.Time
}

// LoginUses records which sign-in links were used, so each works once
// (store.Store.UseLoginNonce keeps them in PostgreSQL).
type LoginUses interface {
	// UseLoginNonce records the nonce as used for the firm and reports whether it was
	// unused until now.
	UseLoginNonce(ctx context.Context, nonce string, firmID int64) (bool, error)
}

// NewSessions derives the session key from the secrets key. uses records used login
// tokens, so each works once.
func NewSessions(secretsKey []byte, uses LoginUses) (*Sessions, error) {
	if len(secretsKey) < 32 {
		return nil, errors.New("web: the secrets key is too short to derive a session key from")
	}
	key, err := hkdf.Key(sha256.New, secretsKey, nil, "qbosync/web-sessions/v1", 32)
	if err != nil {
		return nil, err
	}
	return &Sessions{key: key, uses: uses, LoginTTL: DefaultLoginTTL, SessionTTL: DefaultSessionTTL, Now: time.Now}, nil
}

type claim struct {
	Kind    string `json:"k"`
	FirmID  int64  `json:"f"`
	Expires int64  `json:"e"` // unix seconds
	Nonce   string `json:"n"`
}

func (s *Sessions) sign(c claim) string {
	body, _ := json.Marshal(c)
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

func (s *Sessions) mac(msg string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// open checks a token's signature, kind and expiry, and returns its claim.
func (s *Sessions) open(token, kind string) (claim, error) {
	payload, sig, ok := strings.Cut(token, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, s.mac(payload)) {
		return claim{}, ErrBadToken
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	var c claim
	if err != nil || json.Unmarshal(body, &c) != nil {
		return claim{}, ErrBadToken
	}
	if c.Kind != kind || c.FirmID <= 0 || s.Now().Unix() >= c.Expires {
		return claim{}, ErrBadToken
	}
	return c, nil
}

func nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// LoginToken returns a sign-in token for one firm's setup, valid once, for ttl (0:
// LoginTTL).
func (s *Sessions) LoginToken(firmID int64, ttl time.Duration) (string, time.Time) {
	if ttl <= 0 {
		ttl = s.LoginTTL
	}
	exp := s.Now().Add(ttl)
	return s.sign(claim{Kind: kindLogin, FirmID: firmID, Expires: exp.Unix(), Nonce: nonce()}), exp
}

// Redeem turns a login token into a session token for its firm. A login token works
// once.
func (s *Sessions) Redeem(ctx context.Context, login string) (session string, firmID int64, exp time.Time, err error) {
	c, err := s.open(login, kindLogin)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	unused, err := s.uses.UseLoginNonce(ctx, c.Nonce, c.FirmID)
	if err != nil {
		return "", 0, time.Time{}, fmt.Errorf("web: sign-in: %w", err)
	}
	if !unused {
		return "", 0, time.Time{}, ErrBadToken
	}
	exp = s.Now().Add(s.SessionTTL)
	return s.sign(claim{Kind: kindSession, FirmID: c.FirmID, Expires: exp.Unix(), Nonce: nonce()}), c.FirmID, exp, nil
}

// Firm returns the firm a session token is for.
func (s *Sessions) Firm(session string) (int64, error) {
	c, err := s.open(session, kindSession)
	return c.FirmID, err
}

// CSRF is the anti-forgery value of a session, for its forms: a page from another
// site cannot know it.
func (s *Sessions) CSRF(session string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf:" + session))
}

// CheckCSRF reports whether a form's anti-forgery value belongs to the session.
func (s *Sessions) CheckCSRF(session, value string) bool {
	return hmac.Equal([]byte(value), []byte(s.CSRF(session)))
}
