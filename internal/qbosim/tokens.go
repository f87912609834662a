package qbosim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Tokens are random (crypto/rand) and stored only as SHA-256 hashes, so
// neither memory dumps nor the state file hold a usable credential, and no
// code path logs them.

// grant is one connection: the result of one consent, refreshed over time.
type grant struct {
	ID           string    `json:"id"`
	ClientID     string    `json:"clientId"`
	RealmID      string    `json:"realmId"`
	HardExpiry   time.Time `json:"hardExpiry"`
	CurrentToken string    `json:"currentRefresh"` // hash of the newest refresh token
}

type accessToken struct {
	GrantID string    `json:"grantId"`
	Expires time.Time `json:"expires"`
}

type refreshToken struct {
	GrantID string    `json:"grantId"`
	Expires time.Time `json:"expires"`
	// Superseded is when a newer refresh token was issued; zero while current.
	Superseded time.Time `json:"superseded,omitzero"`
}

type authCode struct {
	ClientID    string
	RealmID     string
	RedirectURI string
	Expires     time.Time
}

// authState is the OAuth server's memory; guarded by Server.mu.
type authState struct {
	Grants  map[string]*grant        `json:"grants"`
	Access  map[string]*accessToken  `json:"accessTokens"`
	Refresh map[string]*refreshToken `json:"refreshTokens"`
	codes   map[string]*authCode     // short-lived; not persisted
}

func newAuthState() authState {
	return authState{
		Grants:  map[string]*grant{},
		Access:  map[string]*accessToken{},
		Refresh: map[string]*refreshToken{},
		codes:   map[string]*authCode{},
	}
}

// authCodeTTL bounds how long an authorization code can be exchanged.
const authCodeTTL = 5 * time.Minute

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n random alphanumerics; bytes >= 248 are rejected so
// that the modulo does not bias the alphabet.
func randomAlnum(n int) string {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if int(b) < 4*len(alnum) && len(out) < n {
				out = append(out, alnum[int(b)%len(alnum)])
			}
		}
	}
	return string(out)
}

func randomB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newAccessToken mimics Intuit's access tokens: a ~1 KB JWE compact
// serialisation ({"enc":"A128CBC-HS256","alg":"dir"} header, empty key,
// iv, ciphertext, tag). The length matters: a client that stores tokens in
// a short column must fail here as it would in production.
func newAccessToken() string {
	const header = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0"
	return header + ".." + randomB64(16) + "." + randomB64(640) + "." + randomB64(16)
}

// newRefreshToken mimics Intuit's 50-character "AB11..." refresh tokens.
func newRefreshToken() string { return "AB11" + randomAlnum(46) }

// tokenPair is what a token endpoint call hands out.
type tokenPair struct {
	access, refresh       string
	accessTTL, refreshTTL time.Duration
	hardRemaining         time.Duration
}

// issueLocked mints a new access token and a new current refresh token for
// g, superseding the previous refresh token. The caller holds s.mu.
func (s *Server) issueLocked(g *grant, now time.Time) tokenPair {
	s.pruneLocked(now)
	if prev := s.auth.Refresh[g.CurrentToken]; prev != nil && prev.Superseded.IsZero() {
		prev.Superseded = now
	}
	access, refresh := newAccessToken(), newRefreshToken()
	s.auth.Access[hashToken(access)] = &accessToken{GrantID: g.ID, Expires: now.Add(s.opts.AccessTokenTTL)}
	refreshExpires := now.Add(s.opts.RefreshTokenTTL)
	if refreshExpires.After(g.HardExpiry) {
		refreshExpires = g.HardExpiry
	}
	g.CurrentToken = hashToken(refresh)
	s.auth.Refresh[g.CurrentToken] = &refreshToken{GrantID: g.ID, Expires: refreshExpires}
	return tokenPair{
		access: access, refresh: refresh,
		accessTTL: s.opts.AccessTokenTTL, refreshTTL: refreshExpires.Sub(now),
		hardRemaining: g.HardExpiry.Sub(now),
	}
}

// newGrantLocked records a new connection of clientID to realmID.
func (s *Server) newGrantLocked(clientID, realmID string, now time.Time) *grant {
	g := &grant{ID: randomAlnum(16), ClientID: clientID, RealmID: realmID, HardExpiry: now.Add(s.opts.RefreshTokenHardTTL)}
	s.auth.Grants[g.ID] = g
	return g
}

// refreshValidLocked reports whether a refresh token can still be used:
// within its rolling lifetime and, once superseded, within the grace period.
func (s *Server) refreshValidLocked(rt *refreshToken, now time.Time) bool {
	if !now.Before(rt.Expires) {
		return false
	}
	return rt.Superseded.IsZero() || now.Before(rt.Superseded.Add(s.opts.RefreshTokenGrace))
}

// revokeGrantLocked disconnects a grant: its access and refresh tokens die.
func (s *Server) revokeGrantLocked(id string) {
	delete(s.auth.Grants, id)
	for h, t := range s.auth.Access {
		if t.GrantID == id {
			delete(s.auth.Access, h)
		}
	}
	for h, t := range s.auth.Refresh {
		if t.GrantID == id {
			delete(s.auth.Refresh, h)
		}
	}
}

// pruneLocked forgets tokens that can never be valid again, keeping the
// state file small.
func (s *Server) pruneLocked(now time.Time) {
	for h, t := range s.auth.Access {
		if !now.Before(t.Expires) {
			delete(s.auth.Access, h)
		}
	}
	for h, t := range s.auth.Refresh {
		if !s.refreshValidLocked(t, now) {
			delete(s.auth.Refresh, h)
		}
	}
	for h, c := range s.auth.codes {
		if !now.Before(c.Expires) {
			delete(s.auth.codes, h)
		}
	}
}

// IssueToken connects the default OAuth client (DefaultClientID when
// configured, else the first client id in order) to realmID without the
// consent flow and returns a fresh access and refresh token. It is meant for
// tests that need an authenticated client, not a flow test.
func (s *Server) IssueToken(realmID string) (access, refresh string) {
	now := s.now()
	s.mu.Lock()
	clientID := DefaultClientID
	if _, ok := s.opts.Clients[clientID]; !ok {
		clientID = sortedKeys(s.opts.Clients)[0]
	}
	p := s.issueLocked(s.newGrantLocked(clientID, realmID, now), now)
	s.mu.Unlock()
	s.markDirty()
	return p.access, p.refresh
}

// authenticate is the first pipeline stage: a valid, unexpired bearer token
// issued for this realm is required. Failures never echo the token.
func (s *Server) authenticate(call *apiCall) *response {
	tok, ok := bearerToken(call.r.Header.Get("Authorization"))
	if !ok {
		return unauthorized("no bearer token in the Authorization header")
	}
	s.mu.Lock()
	at := s.auth.Access[hashToken(tok)]
	var g *grant
	if at != nil {
		g = s.auth.Grants[at.GrantID]
	}
	s.mu.Unlock()
	switch {
	case at == nil || g == nil:
		return unauthorized("the access token is unknown or has been revoked")
	case !call.now.Before(at.Expires):
		return unauthorized("the access token expired at " + at.Expires.UTC().Format(time.RFC3339))
	case g.RealmID != call.realmID:
		return s.faultResponse(call, errForbiddenRealm(call.realmID))
	}
	return nil
}

func bearerToken(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

func unauthorized(detail string) *response {
	body, _ := marshalJSON(authFaultBody(detail))
	h := http.Header{}
	h.Set("WWW-Authenticate", `Bearer realm="Intuit", error="invalid_token"`)
	return &response{status: http.StatusUnauthorized, header: h, body: body}
}
