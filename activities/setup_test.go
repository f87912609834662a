package activities_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/config"
	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// setupWorld is a seeded firm connected to a sandbox company, and the setup
// activities wired to both.
type setupWorld struct {
	acts  *activities.Setup
	store *store.Store
	sim   *qbosim.Server
	api   string
	firm  int64
	realm string
	token *oauth2.Token
}

func newSetupWorld(t *testing.T) *setupWorld {
	t.Helper()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	box, err := secret.New(bytes.Repeat([]byte{3}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	w := &setupWorld{store: store.New(d, box)}
	sum, err := seed.Seed(ctx, d, seed.Options{Size: seed.SizeSmall, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	w.firm = sum.FirmID
	w.sim = qbosim.New(qbosim.Options{Clients: map[string]string{"setup-client": "setup-secret"}})
	srv := httptest.NewServer(w.sim)
	t.Cleanup(srv.Close)
	w.api = srv.URL
	w.realm = w.sim.AddSampleCompany()
	access, refresh := w.sim.IssueToken(w.realm)
	w.token = &oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(time.Hour)}
	if err := w.store.Connect(ctx, w.firm, w.realm, "Sample Company", w.token); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	qcfg := config.QBOConfig{APIBaseURL: srv.URL, TokenURL: srv.URL + "/oauth2/v1/tokens/bearer", ClientID: "setup-client",
		ClientSecret: "setup-secret", MinorVersion: "75", RequestTimeout: 5 * time.Second}
	w.acts = &activities.Setup{
		Store:  w.store,
		QBO:    app.NewQBOFactory(qcfg, w.store, log),
		Revoke: activities.RevokeEndpoint{URL: srv.URL + "/v2/oauth2/tokens/revoke", ClientID: "setup-client", ClientSecret: "setup-secret"},
		Log:    log,
	}
	return w
}

// wantRefused checks that err is final (not retried) and of the given type.
func wantRefused(t *testing.T, err error, errType string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != errType || !appErr.NonRetryable() {
		t.Fatalf("error = %v, want a non-retryable %s", err, errType)
	}
}

func TestLoadSetupFirm(t *testing.T) {
	w := newSetupWorld(t)
	ctx := context.Background()
	f, err := w.acts.LoadSetupFirm(ctx, w.firm)
	if err != nil {
		t.Fatal(err)
	}
	var want int
	if err := w.store.DB().Get(&want, `SELECT count(*) FROM bank_accounts WHERE firm_id = $1 AND active`, w.firm); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, b := range f.BankAccounts {
		kinds[b.Kind]++
	}
	if f.Name == "" || len(f.BankAccounts) != want || kinds["operating"] == 0 || kinds["trust"] == 0 {
		t.Errorf("firm = %+v, want %d accounts of both kinds", f, want)
	}
	_, err = w.acts.LoadSetupFirm(ctx, w.firm+1000)
	wantRefused(t, err, setupapi.ErrTypeRefused)
}

func TestCheckSetupConnection(t *testing.T) {
	w := newSetupWorld(t)
	ctx := context.Background()
	c, err := w.acts.CheckSetupConnection(ctx, setupapi.Scope{FirmID: w.firm, RealmID: w.realm})
	if err != nil || c != (setupapi.Company{RealmID: w.realm, Name: "Sample Company"}) {
		t.Fatalf("company = %+v, %v", c, err)
	}
	_, err = w.acts.CheckSetupConnection(ctx, setupapi.Scope{FirmID: w.firm, RealmID: "123"})
	wantRefused(t, err, setupapi.ErrTypeRefused)
	_, err = w.acts.CheckSetupConnection(ctx, setupapi.Scope{FirmID: w.firm + 1000, RealmID: w.realm})
	wantRefused(t, err, setupapi.ErrTypeRefused)
}

func TestListQBOChoicesReadsTheCompanysAccountsAndItems(t *testing.T) {
	w := newSetupWorld(t)
	cat, err := w.acts.ListQBOChoices(context.Background(), setupapi.Scope{FirmID: w.firm, RealmID: w.realm})
	if err != nil {
		t.Fatal(err)
	}
	names := func(objs []settings.QBOObject) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o.Name)
		}
		return out
	}
	if got := names(cat.Choices(settings.RoleOperatingBank)); !slices.Contains(got, "Checking") || slices.Contains(got, "Services") {
		t.Errorf("bank account choices = %v", got)
	}
	if got := names(cat.Choices(settings.RoleItem)); !slices.Contains(got, "Hours") {
		t.Errorf("item choices = %v", got)
	}
	for _, o := range append(cat.Accounts, cat.Items...) {
		if o.ID == "" || o.Name == "" || o.Type == "" {
			t.Errorf("incomplete choice %+v", o)
		}
	}
}

func TestListQBOChoicesWithARevokedGrantAsksToReconnect(t *testing.T) {
	w := newSetupWorld(t)
	revoke(t, w)
	_, err := w.acts.ListQBOChoices(context.Background(), setupapi.Scope{FirmID: w.firm, RealmID: w.realm})
	wantRefused(t, err, syncapi.ErrTypeNeedsReconnect)
}

// revoke revokes the firm's grant at the sandbox behind qbosync's back.
func revoke(t *testing.T, w *setupWorld) {
	t.Helper()
	ctx := context.Background()
	tok, err := w.store.Token(ctx, w.firm, w.realm)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, w.acts.Revoke.URL, bytes.NewBufferString(`{"token":"`+tok.RefreshToken+`"}`))
	req.SetBasicAuth("setup-client", "setup-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", res, err)
	}
	res.Body.Close()
}

func TestSaveAndSubmitSettings(t *testing.T) {
	w := newSetupWorld(t)
	ctx := context.Background()
	f, err := w.acts.LoadSetupFirm(ctx, w.firm)
	if err != nil {
		t.Fatal(err)
	}
	s := settings.Defaults(f)
	s.SyncOptions.StartDate = "2026-01-01"
	rec := settings.Record{FirmID: w.firm, SetupID: "run-1", RealmID: w.realm, CompanyName: "Sample Company", Step: "review", Settings: s}
	if err := w.acts.SaveSetupDraft(ctx, rec); err != nil {
		t.Fatal(err)
	}
	p, err := w.acts.PreviewFirstSync(ctx, setupapi.PreviewInput{FirmID: w.firm, Settings: s})
	if err != nil || len(p.Lines) < 8 || p.StartDate != "2026-01-01" {
		t.Fatalf("preview = %+v, %v", p, err)
	}
	rec.Step = "submitted"
	if err := w.acts.SubmitSetupSettings(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := w.acts.SubmitSetupSettings(ctx, rec); err != nil {
		t.Fatalf("a retried submit: %v", err)
	}
	got, err := w.store.SubmittedSettings(ctx, w.firm, w.realm)
	if err != nil || got.Settings.SyncOptions.StartDate != "2026-01-01" {
		t.Fatalf("submitted = %+v, %v", got, err)
	}
	rec.Settings.Invoices.LineItems = settings.LinesIndividual
	wantRefused(t, w.acts.SaveSetupDraft(ctx, rec), setupapi.ErrTypeRefused)
	wantRefused(t, w.acts.SubmitSetupSettings(ctx, rec), setupapi.ErrTypeRefused)
	wantRefused(t, w.acts.CancelSetup(ctx, setupapi.CancelInput{FirmID: w.firm, SetupID: "run-1"}), setupapi.ErrTypeRefused)
}

func TestCancelSetupRevokesTheConnection(t *testing.T) {
	w := newSetupWorld(t)
	ctx := context.Background()
	if err := w.acts.SaveSetupDraft(ctx, settings.Record{FirmID: w.firm, SetupID: "run-2", RealmID: w.realm, Step: "mode"}); err != nil {
		t.Fatal(err)
	}
	in := setupapi.CancelInput{FirmID: w.firm, SetupID: "run-2", RealmID: w.realm}
	if err := w.acts.CancelSetup(ctx, in); err != nil {
		t.Fatal(err)
	}
	// QuickBooks no longer takes the tokens...
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.api+"/v3/company/"+w.realm+"/companyinfo/"+w.realm+"?minorversion=75", nil)
	req.Header.Set("Authorization", "Bearer "+w.token.AccessToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the revoked access token still works: %s", res.Status)
	}
	// ... the connection is disconnected, and the setup cancelled.
	if _, err := w.store.LiveConnection(ctx, w.firm); !errors.Is(err, store.ErrNotConnected) {
		t.Errorf("connection still live: %v", err)
	}
	rec, err := w.store.SetupSettings(ctx, w.firm, "run-2")
	if err != nil || rec.Status != settings.StatusCancelled {
		t.Errorf("settings = %+v, %v", rec, err)
	}
	if err := w.acts.CancelSetup(ctx, in); err != nil {
		t.Errorf("a retried cancel: %v", err)
	}
}

func TestCancelSetupWithoutARevokeEndpointIsABug(t *testing.T) {
	w := newSetupWorld(t)
	w.acts.Revoke = activities.RevokeEndpoint{}
	err := w.acts.CancelSetup(context.Background(), setupapi.CancelInput{FirmID: w.firm, SetupID: "x", RealmID: w.realm})
	wantRefused(t, err, syncapi.ErrTypeBug)
	if _, err := w.store.LiveConnection(context.Background(), w.firm); err != nil {
		t.Errorf("the connection was dropped without being revoked: %v", err)
	}
}
