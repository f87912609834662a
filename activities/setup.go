package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/temporal"
	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/preview"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// RevokeEndpoint is where, and as which app, qbosync revokes a QuickBooks grant: the
// config's qbo.revoke_url, qbo.client_id and qbo.client_secret.
type RevokeEndpoint struct {
	URL, ClientID, ClientSecret string
	HTTPClient                  *http.Client // nil: http.DefaultClient
}

// Setup are the setup wizard's activities. They read the practice data and QuickBooks,
// and keep the wizard's settings in PostgreSQL; they never return tokens.
type Setup struct {
	Store  *store.Store
	QBO    QBOClients
	Revoke RevokeEndpoint
	Log    *slog.Logger
}

// LoadSetupFirm returns the firm's name and bank accounts, which the settings map.
func (a *Setup) LoadSetupFirm(ctx context.Context, firmID int64) (settings.Firm, error) {
	f, err := a.Store.Firm(ctx, firmID)
	if errors.Is(err, store.ErrNoFirm) {
		msg := fmt.Sprintf("there is no firm %d in the practice system; start the setup for an existing firm", firmID)
		return f, temporal.NewNonRetryableApplicationError(msg, setupapi.ErrTypeRefused, err)
	}
	return f, err
}

// CheckSetupConnection confirms that the firm's live QuickBooks connection is to the
// company the wizard was told about, and returns the company's name as stored.
func (a *Setup) CheckSetupConnection(ctx context.Context, in setupapi.Scope) (setupapi.Company, error) {
	conn, err := a.Store.LiveConnection(ctx, in.FirmID)
	if errors.Is(err, store.ErrNotConnected) || (err == nil && conn.RealmID != in.RealmID) {
		msg := fmt.Sprintf("firm %d is not connected to QuickBooks company %s; connect it (Connect QuickBooks) and try again", in.FirmID, in.RealmID)
		return setupapi.Company{}, temporal.NewNonRetryableApplicationError(msg, setupapi.ErrTypeRefused, err)
	}
	if err != nil {
		return setupapi.Company{}, err
	}
	return setupapi.Company{RealmID: conn.RealmID, Name: conn.CompanyName}, nil
}

// ListQBOChoices reads the connected company's active accounts and items, for the
// Customize pages to offer. Only ids, names and types come back: the list lives in
// the workflow's state.
func (a *Setup) ListQBOChoices(ctx context.Context, in setupapi.Scope) (settings.Catalog, error) {
	var cat settings.Catalog
	sc := store.Scope{FirmID: in.FirmID, RealmID: in.RealmID}
	c, err := a.QBO.Client(ctx, in.FirmID, in.RealmID)
	if err != nil {
		return cat, classify(ctx, a.Store, sc, err)
	}
	q, err := qbo.Select("Account").OrderBy("Id").Build()
	if err != nil {
		return cat, err
	}
	accounts, err := qbo.QueryAll[qbo.Account](ctx, c, q)
	if err != nil {
		return cat, classify(ctx, a.Store, sc, err)
	}
	// Which objects qbosync created for which target is in the id map (an account or
	// item carries no marker); one created by an earlier version still has its marker
	// in the description.
	owned, err := a.ownedLedgerObjects(ctx, sc)
	if err != nil {
		return cat, err
	}
	for _, x := range accounts {
		cat.Accounts = append(cat.Accounts, settings.QBOObject{ID: x.ID, Name: nameOr(x.FullyQualifiedName, x.Name), Type: x.AccountType, SubType: x.AccountSubType,
			Marker: owned.marker(settings.EntityAccount, x.ID, x.Description)})
	}
	if q, err = qbo.Select("Item").OrderBy("Id").Build(); err != nil {
		return cat, err
	}
	items, err := qbo.QueryAll[qbo.Item](ctx, c, q)
	if err != nil {
		return cat, classify(ctx, a.Store, sc, err)
	}
	for _, x := range items {
		cat.Items = append(cat.Items, settings.QBOObject{ID: x.ID, Name: nameOr(x.FullyQualifiedName, x.Name), Type: x.Type,
			Marker: owned.marker(settings.EntityItem, x.ID, x.Description)})
	}
	return cat, nil
}

// ownedLedger is what the id map says qbosync created for the firm's targets: entity ->
// QBO id -> ledger key.
type ownedLedger struct {
	firm int64
	keys map[string]map[string]string
}

func (a *Setup) ownedLedgerObjects(ctx context.Context, sc store.Scope) (ownedLedger, error) {
	out := ownedLedger{firm: sc.FirmID, keys: map[string]map[string]string{}}
	for _, entity := range []string{settings.EntityAccount, settings.EntityItem} {
		keys, err := a.Store.ObjectKeys(ctx, sc, settings.KindLedger, entity)
		if err != nil {
			return out, err
		}
		out.keys[entity] = keys
	}
	return out, nil
}

// marker is the marker of the target the object stands for in the id map, or else the
// old marker in its description, or "".
func (o ownedLedger) marker(entity, id, description string) string {
	if key, ok := o.keys[entity][id]; ok {
		return names.MarkerFor(o.firm, settings.KindLedger, key)
	}
	return names.MarkerIn(description)
}

// nameOr prefers the full name, which tells sub-accounts apart ("Bank:Trust").
func nameOr(fullName, name string) string {
	if fullName != "" {
		return fullName
	}
	return name
}

// PreviewFirstSync works out, from the practice tables and the posting rules, what the
// first sync will post with the settings; it writes nothing anywhere.
func (a *Setup) PreviewFirstSync(ctx context.Context, in setupapi.PreviewInput) (settings.Preview, error) {
	return preview.Compute(ctx, a.Store.DB(), in.FirmID, in.Settings)
}

// SaveSetupDraft keeps the wizard's draft settings, so a paused setup survives
// anything.
func (a *Setup) SaveSetupDraft(ctx context.Context, r settings.Record) error {
	return frozenIsFinal(a.Store.SaveSetupDraft(ctx, r))
}

// SubmitSetupSettings stores the settings as submitted and frozen.
func (a *Setup) SubmitSetupSettings(ctx context.Context, r settings.Record) error {
	return frozenIsFinal(a.Store.SubmitSetup(ctx, r))
}

// CancelSetup records the cancelled setup and disconnects its QuickBooks company:
// the grant is revoked at QuickBooks, and the connection marked disconnected, so
// nothing can sync. Safe to retry.
func (a *Setup) CancelSetup(ctx context.Context, in setupapi.CancelInput) error {
	if in.RealmID != "" {
		if err := a.revoke(ctx, in.FirmID, in.RealmID); err != nil {
			return err
		}
		if err := a.Store.MarkConnection(ctx, in.FirmID, in.RealmID, store.ConnDisconnected, "the firm cancelled the QuickBooks setup"); err != nil {
			return err
		}
	}
	return frozenIsFinal(a.Store.CancelSetup(ctx, in.FirmID, in.SetupID))
}

// revoke revokes the connection's grant. Revoking the refresh token ends the access
// token too. A connection already disconnected, or whose tokens cannot be read, has
// nothing qbosync can revoke; it is disconnected all the same.
func (a *Setup) revoke(ctx context.Context, firmID int64, realmID string) error {
	tok, err := a.Store.Token(ctx, firmID, realmID)
	switch {
	case errors.Is(err, store.ErrNotConnected):
		return nil
	case errors.Is(err, secret.ErrCannotOpen):
		a.Log.Warn("cannot revoke the QuickBooks grant: its tokens cannot be read; disconnecting only", "firm", firmID, "realm", realmID)
		return nil
	case err != nil:
		return err
	}
	if a.Revoke.URL == "" {
		msg := "qbosync has no QuickBooks revoke endpoint configured (qbo.revoke_url); the worker must be built with one"
		return temporal.NewNonRetryableApplicationError(msg, syncapi.ErrTypeBug, nil)
	}
	hc := a.Revoke.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	rctx := context.WithValue(ctx, oauth2.HTTPClient, hc)
	err = qbo.Revoke(rctx, a.Revoke.URL, a.Revoke.ClientID, a.Revoke.ClientSecret, tok.RefreshToken)
	if err != nil && qbo.ClassOf(err) != qbo.Transient {
		// QuickBooks refused the token: it is no longer valid, which is what revoking
		// wants. (qbo.Revoke keeps tokens out of its errors.)
		a.Log.Warn("QuickBooks refused to revoke the grant; disconnecting anyway", "firm", firmID, "realm", realmID, "error", err)
		return nil
	}
	return err
}

// frozenIsFinal makes store.ErrSettingsFrozen non-retryable: a frozen setup stays frozen.
func frozenIsFinal(err error) error {
	if errors.Is(err, store.ErrSettingsFrozen) {
		return temporal.NewNonRetryableApplicationError(err.Error(), setupapi.ErrTypeRefused, err)
	}
	return err
}
