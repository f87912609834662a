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
	"time"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// stateLifetime bounds how long a user may take on the authorize page.
const stateLifetime = 30 * time.Minute

// Flow connects firms to QuickBooks.
type Flow struct {
	OAuth      *oauth2.Config
	APIBaseURL string
	Store      *store.Store
	HTTPClient *http.Client // for the token exchange and the company lookup
	// Limiter paces the company lookup with every other request to the company
	// (app.QBOFactory.Limiter); nil sends it unpaced.
	Limiter func(realmID string) qbo.Limiter
}

// Begin returns the URL of the authorize page for a firm, with a fresh state value.
func (f *Flow) Begin(ctx context.Context, firmID int64) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	state := base64.RawURLEncoding.EncodeToString(b)
	if _, err := f.Store.DB().ExecContext(ctx,
		`INSERT INTO oauth_states (state, firm_id) VALUES ($1, $2)`, state, firmID); err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	return f.OAuth.AuthCodeURL(state), nil
}

// ErrBadState means the callback's state was not issued for this firm, was used
// already, or is too old: the request did not come from a connect the firm began.
var ErrBadState = errors.New("connect: the sign-in response does not match a connection this firm started (expired or forged); start connecting again")

// Complete finishes the flow with what the authorize page returned on the redirect:
// the state, the code and the realm id. It returns the stored connection.
func (f *Flow) Complete(ctx context.Context, firmID int64, state, code, realmID string) (store.Connection, error) {
	res, err := f.Store.DB().ExecContext(ctx, `
		UPDATE oauth_states SET used_at = now()
		WHERE state = $1 AND firm_id = $2 AND used_at IS NULL AND created_at > now() - $3::interval`,
		state, firmID, fmt.Sprintf("%d seconds", int(stateLifetime.Seconds())))
	if err != nil {
		return store.Connection{}, fmt.Errorf("connect: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return store.Connection{}, ErrBadState
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
	opts := qbo.Options{
		BaseURL:    f.APIBaseURL,
		RealmID:    realmID,
		HTTPClient: qbo.NewHTTPClient(oauth2.StaticTokenSource(tok)),
	}
	if f.Limiter != nil {
		opts.Limiter = f.Limiter(realmID)
	}
	c, err := qbo.New(opts)
	if err != nil {
		return "", err
	}
	info, err := c.CompanyInfo(ctx)
	if err != nil {
		return "", fmt.Errorf("connect: reading the company's name: %w", err)
	}
	return info.CompanyName, nil
}

// FinishFor is Complete for the wizard's web server, which needs only the connected
// company's id (web.Connector).
func (f *Flow) FinishFor(ctx context.Context, firmID int64, state, code, realmID string) (string, error) {
	conn, err := f.Complete(ctx, firmID, state, code, realmID)
	return conn.RealmID, err
}
