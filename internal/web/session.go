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
// a leaked session key would not open them. A session token also needs its row in the
// store (by the token's SHA-256, never the token): signing out revokes the row, so a
// copied token stops working at once, not at its expiry.
type Sessions struct {
	key   []byte
	store SessionStore
	// LoginTTL and SessionTTL bound how long tokens work.
	LoginTTL, SessionTTL time.Duration
	// Now is the clock (tests set it).
	Now func() time.Time
}

// SessionStore keeps the sign-ins (store.Store keeps them in PostgreSQL, and purges
// the ended ones).
type SessionStore interface {
	// UseLoginNonce records the nonce as used for the firm until the link expires, and
	// reports whether it was unused until now.
	UseLoginNonce(ctx context.Context, nonce string, firmID int64, expires time.Time) (bool, error)
	CreateSession(ctx context.Context, tokenHash []byte, firmID int64, expires time.Time, userAgent string) error
	// SessionFirm returns the firm of a session, and whether it is live (unexpired,
	// unrevoked).
	SessionFirm(ctx context.Context, tokenHash []byte) (firm int64, live bool, err error)
	RevokeSession(ctx context.Context, tokenHash []byte) error
	RevokeFirmSessions(ctx context.Context, firmID int64) (int64, error)
	FirmName(ctx context.Context, firmID int64) (string, error)
}

// NewSessions derives the session key from the secrets key. st keeps the sessions and
// the used sign-in links.
func NewSessions(secretsKey []byte, st SessionStore) (*Sessions, error) {
	if len(secretsKey) < 32 {
		return nil, errors.New("web: the secrets key is too short to derive a session key from")
	}
	key, err := hkdf.Key(sha256.New, secretsKey, nil, "qbosync/web-sessions/v1", 32)
	if err != nil {
		return nil, err
	}
	return &Sessions{key: key, store: st, LoginTTL: DefaultLoginTTL, SessionTTL: DefaultSessionTTL, Now: time.Now}, nil
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

// LoginFirm returns the firm a login token signs in to, without using it: the
// confirmation page names the firm before the user presses the button.
func (s *Sessions) LoginFirm(login string) (int64, error) {
	c, err := s.open(login, kindLogin)
	return c.FirmID, err
}

// Redeem turns a login token into a session token for its firm. A login token works
// once.
func (s *Sessions) Redeem(ctx context.Context, login string) (session string, firmID int64, exp time.Time, err error) {
	return s.RedeemFrom(ctx, login, "")
}

// maxUserAgent caps the user agent kept with a session (it only helps a person tell
// sessions apart).
const maxUserAgent = 200

// RedeemFrom is Redeem for a browser or client that says what it is (its user agent).
func (s *Sessions) RedeemFrom(ctx context.Context, login, userAgent string) (session string, firmID int64, exp time.Time, err error) {
	c, err := s.open(login, kindLogin)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	unused, err := s.store.UseLoginNonce(ctx, c.Nonce, c.FirmID, time.Unix(c.Expires, 0))
	if err != nil {
		return "", 0, time.Time{}, fmt.Errorf("web: sign-in: %w", err)
	}
	if !unused {
		return "", 0, time.Time{}, ErrBadToken
	}
	exp = s.Now().Add(s.SessionTTL)
	session = s.sign(claim{Kind: kindSession, FirmID: c.FirmID, Expires: exp.Unix(), Nonce: nonce()})
	if len(userAgent) > maxUserAgent {
		userAgent = strings.ToValidUTF8(userAgent[:maxUserAgent], "")
	}
	if err := s.store.CreateSession(ctx, SessionID(session), c.FirmID, exp, userAgent); err != nil {
		return "", 0, time.Time{}, fmt.Errorf("web: sign-in: %w", err)
	}
	return session, c.FirmID, exp, nil
}

// SessionID is what the store knows a session by: the SHA-256 of its token.
func SessionID(session string) []byte {
	h := sha256.Sum256([]byte(session))
	return h[:]
}

// Firm returns the firm a session token is for, if the session is live: signed by
// qbosync, unexpired, and its row neither revoked nor purged.
func (s *Sessions) Firm(ctx context.Context, session string) (int64, error) {
	c, err := s.open(session, kindSession)
	if err != nil {
		return 0, err
	}
	firm, live, err := s.store.SessionFirm(ctx, SessionID(session))
	switch {
	case err != nil:
		return 0, fmt.Errorf("web: session: %w", err)
	case !live || firm != c.FirmID:
		return 0, ErrBadToken
	}
	return firm, nil
}

// Revoke ends a session (signing out): its token is refused from now on, wherever it
// was copied to.
func (s *Sessions) Revoke(ctx context.Context, session string) error {
	return s.store.RevokeSession(ctx, SessionID(session))
}

// RevokeFirm ends every session of a firm ("sign out everywhere") and returns how many.
func (s *Sessions) RevokeFirm(ctx context.Context, firmID int64) (int64, error) {
	return s.store.RevokeFirmSessions(ctx, firmID)
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
