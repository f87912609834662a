package qbo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// Intuit's OAuth 2.0 endpoints and the accounting scope.
const (
	AuthURL         = "https://appcenter.intuit.com/connect/oauth2"
	TokenURL        = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
	RevokeURL       = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
	ScopeAccounting = "com.intuit.quickbooks.accounting"
)

// OAuthConfig returns the OAuth 2.0 configuration of a QBO app. Empty
// authURL and tokenURL mean Intuit's (AuthURL, TokenURL); a local sandbox
// passes its own. Intuit wants the client credentials in a Basic
// Authorization header, so the AuthStyle is fixed rather than probed.
func OAuthConfig(clientID, clientSecret, authURL, tokenURL, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   cmp.Or(authURL, AuthURL),
			TokenURL:  cmp.Or(tokenURL, TokenURL),
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: redirectURL,
		Scopes:      []string{ScopeAccounting},
	}
}

// A TokenStore keeps a company's latest token, encrypted at rest.
type TokenStore interface {
	SaveToken(ctx context.Context, realmID string, tok *oauth2.Token) error
}

// TokenStoreFunc adapts a function to TokenStore.
type TokenStoreFunc func(ctx context.Context, realmID string, tok *oauth2.Token) error

// SaveToken calls f.
func (f TokenStoreFunc) SaveToken(ctx context.Context, realmID string, tok *oauth2.Token) error {
	return f(ctx, realmID, tok)
}

// An Invalidator is a token source that can be told QBO rejected an access
// token before its expiry, so that its next Token call refreshes.
// Transport uses it to recover from such a 401 once.
type Invalidator interface {
	Invalidate(accessToken string)
}

// PersistingTokenSource returns a token source for one company that
// starts from current, refreshes the access token when it expires (or is
// invalidated) and saves every new token with store before handing it out.
//
// Saving first matters because Intuit rotates refresh tokens: 24 hours
// after issuing a new one it invalidates the previous one. A rotated token
// that was used but never saved would leave the firm, a day later, with a
// stored refresh token that no longer works. So if SaveToken fails, Token
// returns an error (class Transient) and the new token is not used; the
// next call refreshes again with the previous refresh token, which is
// still valid.
//
// If the token endpoint omits the refresh token, the previous one is kept.
// A refused refresh ("invalid_grant": the firm disconnected the app, or
// the token expired) is an *Error of class Auth. Refreshes are serialised,
// so concurrent callers never rotate the token twice.
//
// ctx is used for refreshing and saving, so it should outlive the source;
// the token endpoint is called with the *http.Client in ctx under
// oauth2.HTTPClient, if any.
//
// The source implements Invalidator.
func PersistingTokenSource(ctx context.Context, cfg *oauth2.Config, realmID string, current *oauth2.Token, store TokenStore) oauth2.TokenSource {
	return &persistingSource{ctx: ctx, cfg: cfg, realm: realmID, tok: current, store: store}
}

type persistingSource struct {
	ctx   context.Context
	cfg   *oauth2.Config
	realm string
	store TokenStore

	mu      sync.Mutex
	tok     *oauth2.Token // the last token handed out
	invalid bool          // tok's access token was rejected
}

const opRefresh = "refresh QuickBooks token"

func (s *persistingSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.Valid() && !s.invalid {
		return s.tok, nil
	}
	if s.tok == nil || s.tok.RefreshToken == "" {
		return nil, &Error{Op: opRefresh, Class: Auth, Message: "there is no refresh token for company " + s.realm}
	}
	old := s.tok.RefreshToken
	fresh, err := s.cfg.TokenSource(s.ctx, &oauth2.Token{RefreshToken: old}).Token()
	if err != nil {
		return nil, tokenError(err, old)
	}
	if fresh.RefreshToken == "" {
		// x/oauth2 does this too today; losing the refresh token would
		// disconnect the firm, so do not depend on it.
		fresh.RefreshToken = old
	}
	if !sameToken(fresh, s.tok) {
		if err := s.store.SaveToken(s.ctx, s.realm, fresh); err != nil {
			return nil, &Error{Op: opRefresh, Class: Transient,
				Message: "the refreshed token could not be saved, so it is not used: " + redact(err, fresh.AccessToken, fresh.RefreshToken, old).Error()}
		}
	}
	s.tok, s.invalid = fresh, false
	return fresh, nil
}

// Invalidate marks accessToken as rejected if it is still the current one;
// if another caller has refreshed meanwhile, there is nothing to do.
func (s *persistingSource) Invalidate(accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken == accessToken {
		s.invalid = true
	}
}

func sameToken(a, b *oauth2.Token) bool {
	return a != nil && b != nil && a.AccessToken == b.AccessToken &&
		a.RefreshToken == b.RefreshToken && a.Expiry.Equal(b.Expiry)
}

// tokenError turns a failed refresh into an *Error. The token endpoint's
// own words (error and error_description) are kept; its raw body is not
// quoted, and the refresh token is scrubbed from anything that is.
func tokenError(err error, secrets ...string) *Error {
	e := &Error{Op: opRefresh, Err: redact(err, secrets...)}
	re, ok := errors.AsType[*oauth2.RetrieveError](err)
	if !ok {
		e.Class = ClassOf(err)
		return e
	}
	e.Code, e.Message = re.ErrorCode, re.ErrorDescription
	if re.Response != nil {
		e.HTTPStatus = re.Response.StatusCode
		e.IntuitTID = re.Response.Header.Get("intuit_tid")
	}
	switch {
	case re.ErrorCode == "invalid_grant":
		// Revoked, expired, superseded for more than 24 hours, or from
		// the other environment: only reconnecting helps.
		e.Class = Auth
	case e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests:
		e.Class = Transient
	default:
		// invalid_client and the like: our app configuration is wrong.
		e.Class = Bug
	}
	if e.Message == "" {
		e.Message = "the token endpoint refused the refresh"
	}
	e.Message = redactString(e.Message, secrets...)
	return e
}

// Transport is an http.RoundTripper that authorises each request with a
// token from Source. When QBO answers 401 to a token that looked valid
// (revoked early, or its clock disagrees with ours) and Source is an
// Invalidator, Transport invalidates that token and sends the request once
// more with a fresh one; a second 401 is returned to the caller. Retrying
// is safe because QBO authenticates before it processes anything.
type Transport struct {
	Source oauth2.TokenSource
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// NewHTTPClient returns an *http.Client for Options.HTTPClient that
// authorises requests with src, e.g. a PersistingTokenSource. Unlike
// oauth2.NewClient it does not put a cache in front of src, so that
// invalidating a rejected token reaches it.
func NewHTTPClient(src oauth2.TokenSource) *http.Client {
	return &http.Client{Transport: &Transport{Source: src}}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.Source.Token()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	res, err := t.send(req, req.Body, tok)
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	inv, ok := t.Source.(Invalidator)
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if !ok || !replayable {
		return res, nil
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()

	inv.Invalidate(tok.AccessToken)
	if tok, err = t.Source.Token(); err != nil {
		return nil, err
	}
	body := req.Body
	if req.GetBody != nil {
		if body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.send(req, body, tok)
}

// send sends a copy of req with body and tok's Authorization header;
// a RoundTripper must not modify the request it was given.
func (t *Transport) send(req *http.Request, body io.ReadCloser, tok *oauth2.Token) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = body
	tok.SetAuthHeader(r)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// Revoke revokes an access or refresh token at revokeURL (empty means
// RevokeURL), e.g. when the firm disconnects QuickBooks in qbosync. It
// uses the *http.Client in ctx under oauth2.HTTPClient, if any.
func Revoke(ctx context.Context, revokeURL, clientID, secret, token string) error {
	const op = "revoke QuickBooks token"
	body, _ := json.Marshal(map[string]string{"token": token})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cmp.Or(revokeURL, RevokeURL), bytes.NewReader(body))
	if err != nil {
		return &Error{Op: op, Class: Bug, Err: redact(err, token, secret)}
	}
	req.SetBasicAuth(clientID, secret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	hc := http.DefaultClient
	if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
		hc = c
	}
	res, err := hc.Do(req)
	if err != nil {
		return &Error{Op: op, Class: ClassOf(err), Err: redact(err, token, secret)}
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode >= 200 && res.StatusCode <= 299 {
		return nil
	}
	e := &Error{Op: op, HTTPStatus: res.StatusCode, IntuitTID: res.Header.Get("intuit_tid"), Class: Bug,
		Message: http.StatusText(res.StatusCode),
		Detail:  redactString("received "+describeBody(res.Header, data), token, secret)}
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
		e.Class = Transient
	}
	return e
}

// redact returns err with every secret replaced in its message. When a
// secret was found, the result does not unwrap to err, whose message still
// holds it.
func redact(err error, secrets ...string) error {
	msg := err.Error()
	if clean := redactString(msg, secrets...); clean != msg {
		return errors.New(clean)
	}
	return err
}

func redactString(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
