// Package connect links a firm to a QuickBooks company with OAuth 2.0's authorization
// code flow: it hands out a one-time state value for the authorize page (checked on
// the way back, against cross-site request forgery), exchanges the returned code for
// tokens, reads the company's name, and stores the connection with its tokens sealed.
//
// The CLI (starter connect) and the web wizard both use it.
package connect

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// Flow connects firms to QuickBooks.
type Flow struct {
	OAuth      *oauth2.Config
	APIBaseURL string
	Store      *store.Store
	HTTPClient *http.Client // for the token exchange and the company lookup
}

// Begin returns the URL of the authorize page for a firm, with a fresh state value,
// for the operator's CLI (starter connect).
func (f *Flow) Begin(ctx context.Context, firmID int64) (string, error) {
	return f.BeginFor(ctx, firmID, nil)
}

// BeginFor is Begin for a web session (identified by its token's hash): only that
// session can complete the connection (FinishFor).
func (f *Flow) BeginFor(ctx context.Context, firmID int64, session []byte) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	state := base64.RawURLEncoding.EncodeToString(b)
	if err := f.Store.NewOAuthState(ctx, state, firmID, session); err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	return f.OAuth.AuthCodeURL(state), nil
}

// ErrBadState means the callback's state was not issued for this firm, was used
// already, or is too old: the request did not come from a connect the firm began.
var ErrBadState = errors.New("connect: the sign-in response does not match a connection this firm started (expired or forged); start connecting again")

// ErrOtherSession means the state is the firm's, but another sign-in (another browser,
// or a session since signed out) began the connection: a link to QuickBooks' answer
// cannot be replayed into this session.
var ErrOtherSession = errors.New("connect: this QuickBooks sign-in was started in another session (another browser or an earlier sign-in); press Connect again from this page")

// Complete finishes the flow the CLI began (Begin) with what the authorize page
// returned on the redirect: the state, the code and the realm id. It returns the
// stored connection.
func (f *Flow) Complete(ctx context.Context, firmID int64, state, code, realmID string) (store.Connection, error) {
	return f.complete(ctx, firmID, nil, state, code, realmID)
}

func (f *Flow) complete(ctx context.Context, firmID int64, session []byte, state, code, realmID string) (store.Connection, error) {
	switch err := f.Store.UseOAuthState(ctx, state, firmID, session); {
	case errors.Is(err, store.ErrOAuthStateOfOtherSession):
		return store.Connection{}, ErrOtherSession
	case errors.Is(err, store.ErrBadOAuthState):
		return store.Connection{}, ErrBadState
	case err != nil:
		return store.Connection{}, fmt.Errorf("connect: %w", err)
	}
	if code == "" || realmID == "" {
		return store.Connection{}, errors.New("connect: QuickBooks did not return a code and company id; the sign-in was declined or failed")
	}
	// A company another firm keeps its books in is refused before any token is asked
	// for (Store.Connect checks again, for a firm linking it meanwhile).
	if err := f.Store.CompanyFree(ctx, f.Store.DB(), firmID, realmID); err != nil {
		return store.Connection{}, err
	}
	hctx := ctx
	if f.HTTPClient != nil {
		hctx = context.WithValue(ctx, oauth2.HTTPClient, f.HTTPClient)
	}
	tok, err := f.OAuth.Exchange(hctx, code)
	if err != nil {
		return store.Connection{}, fmt.Errorf("connect: exchanging the authorization code failed: %w", err)
	}
	name, err := f.companyName(hctx, realmID, tok)
	if err != nil {
		return store.Connection{}, err
	}
	if err := f.Store.Connect(ctx, firmID, realmID, name, tok); err != nil {
		return store.Connection{}, err
	}
	return f.Store.LiveConnection(ctx, firmID)
}

func (f *Flow) companyName(ctx context.Context, realmID string, tok *oauth2.Token) (string, error) {
	c, err := qbo.New(qbo.Options{
		BaseURL:    f.APIBaseURL,
		RealmID:    realmID,
		HTTPClient: qbo.NewHTTPClient(oauth2.StaticTokenSource(tok)),
	})
	if err != nil {
		return "", err
	}
	info, err := c.CompanyInfo(ctx)
	if err != nil {
		return "", fmt.Errorf("connect: reading the company's name: %w", err)
	}
	return info.CompanyName, nil
}

// FinishFor completes a connection a web session began (BeginFor), for the wizard's
// web server, which needs only the connected company's id (web.Connector).
func (f *Flow) FinishFor(ctx context.Context, firmID int64, session []byte, state, code, realmID string) (string, error) {
	conn, err := f.complete(ctx, firmID, session, state, code, realmID)
	return conn.RealmID, err
}
