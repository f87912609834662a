package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// submitFirm takes firm through the wizard's default path to Submit, with the books
// starting on start, and waits for the sync that Submit starts to finish its first
// cycle.
func (s *webStack) submitFirm(firm int64, start string) store.Connection {
	s.t.Helper()
	_, err := s.wizard.Start(s.t.Context(), firm)
	mustTB(s.t, err)
	conn := s.connect(firm)
	s.act(firm, setupapi.ActionConnected, setupapi.Action{RealmID: conn.RealmID})
	s.act(firm, setupapi.ActionChooseMode, setupapi.Action{Mode: settings.ModeDefault})
	s.act(firm, setupapi.ActionNext, setupapi.Action{Answers: &settings.Answers{SyncOptions: &settings.SyncOptionSettings{StartDate: start}}})
	s.act(firm, setupapi.ActionSubmit, setupapi.Action{})
	run := s.Temporal.GetWorkflow(s.t.Context(), syncapi.SyncWorkflowID(firm, conn.RealmID), "")
	waitLong(s.t, "the first cycle of the submitted firm's sync", func() bool {
		sum := s.status(run)
		return sum.Cycles >= 1 && waitingForChanges(sum)
	})
	return conn
}

// waitLong polls cond for up to a minute.
func waitLong(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// bearer is a practice system's back end calling the console's JSON API with a
// session token.
type bearer struct {
	t     *testing.T
	s     *webStack
	token string
}

// bearerSession redeems a sign-in token for a session through POST /api/session.
func (s *webStack) bearerSession(t *testing.T, firm int64) *bearer {
	login, _ := s.Sessions.LoginToken(firm, 0)
	b := &bearer{t: t, s: s}
	var out struct {
		SessionToken string `json:"session_token"`
	}
	b.call(http.MethodPost, "/api/session", map[string]string{"login_token": login}, http.StatusOK, &out)
	b.token = out.SessionToken
	return b
}

// call sends a request and decodes the answer into out, failing unless it has the
// status wanted.
func (b *bearer) call(method, path string, body any, want int, out any) {
	b.t.Helper()
	var r bytes.Buffer
	if body != nil {
		must(b.t, json.NewEncoder(&r).Encode(body))
	}
	req, err := http.NewRequest(method, b.s.URL+path, &r)
	must(b.t, err)
	req.Header.Set("Content-Type", "application/json")
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	res, err := http.DefaultClient.Do(req)
	must(b.t, err)
	defer res.Body.Close()
	var raw json.RawMessage
	must(b.t, json.NewDecoder(res.Body).Decode(&raw))
	if res.StatusCode != want {
		b.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	if out != nil {
		must(b.t, json.Unmarshal(raw, out))
	}
}

// consoleJSON is what GET /api/sync answers, as far as the tests read it.
type consoleJSON struct {
	Status      syncapi.Summary `json:"status"`
	StatusWords string          `json:"status_words"`
	Totals      syncapi.Counts  `json:"totals"`
	Failures    []struct {
		Code        string               `json:"code"`
		Explanation string               `json:"explanation"`
		Items       []syncapi.FailedItem `json:"items"`
	} `json:"failures"`
}

func (c consoleJSON) failed(kind, key string) (syncapi.FailedItem, bool) {
	for _, g := range c.Failures {
		if i := slices.IndexFunc(g.Items, func(it syncapi.FailedItem) bool { return it.Kind == kind && it.Key == key }); i >= 0 {
			return g.Items[i], true
		}
	}
	return syncapi.FailedItem{}, false
}

func (b *bearer) console() consoleJSON {
	b.t.Helper()
	var c consoleJSON
	b.call(http.MethodGet, "/api/sync", nil, http.StatusOK, &c)
	return c
}

// invalidEmailClient is the seed's client whose e-mail QuickBooks refuses: its id and name.
func (s *webStack) invalidEmailClient(firm int64) (int64, string) {
	var c struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	mustTB(s.t, s.DB.Get(&c, `SELECT id, name FROM clients WHERE firm_id = $1 AND email <> '' AND position('@' in email) = 0 ORDER BY id LIMIT 1`, firm))
	return c.ID, c.Name
}

// The console's JSON API with a bearer session, as a practice system's back end uses
// it: the counts and the failures grouped by cause; Retry for one record tries that
// record alone again (its attempts grow, another failed record's do not); Sync now
// runs a cycle, which brings the corrected client over.
func TestConsoleAPIRetryAndSyncNow(t *testing.T) {
	s := newWebStack(t)
	firm := s.seedFirm(21)
	s.submitFirm(firm, "2025-01-01")
	api := s.bearerSession(t, firm)

	c := api.console()
	if c.Totals.Created == 0 || c.StatusWords == "" || len(c.Failures) < 2 {
		t.Fatalf("console = %+v; want counts and the seed's two refused clients", c)
	}
	id, name := s.invalidEmailClient(firm)
	key := fmt.Sprint(id)
	bad, ok := c.failed("client", key)
	if !ok || bad.Code != "qbosync:invalid-email" || bad.Explanation == "" || !strings.Contains(bad.Label, name) {
		t.Fatalf("the client with an invalid e-mail is not listed with its explanation: %+v", c.Failures)
	}
	var other syncapi.FailedItem
	for _, g := range c.Failures {
		if g.Code != bad.Code && g.Items[0].Kind == "client" {
			other = g.Items[0]
		}
	}
	if other.Key == "" {
		t.Fatalf("no other failed client to compare with: %+v", c.Failures)
	}

	api.call(http.MethodPost, "/api/sync/items/client/"+key+"/retry", nil, http.StatusAccepted, nil)
	waitLong(t, "the one record's retry", func() bool {
		it, ok := api.console().failed("client", key)
		return ok && it.Attempts > bad.Attempts && !it.RetryRequested
	})
	if now, _ := api.console().failed("client", other.Key); now.Attempts != other.Attempts {
		t.Errorf("retrying one record retried %s too: %d attempts, was %d", other.Label, now.Attempts, other.Attempts)
	}
	api.call(http.MethodPost, "/api/sync/items/client/999999/retry", nil, http.StatusNotFound, nil)

	_, err := s.DB.Exec(`UPDATE clients SET email = 'fixed@example.com' WHERE id = $1`, id)
	must(t, err)
	cycles := api.console().Status.Cycles
	api.call(http.MethodPost, "/api/sync/actions/sync-now", nil, http.StatusAccepted, nil)
	waitLong(t, "the cycle Sync now asked for", func() bool {
		c := api.console()
		_, failing := c.failed("client", key)
		return c.Status.Cycles > cycles && !failing
	})
	if !s.hasCustomer(name) {
		t.Errorf("%s is not in QuickBooks after Sync now", name)
	}
}

// hasCustomer says whether the sandbox holds a customer whose name starts with name.
func (s *webStack) hasCustomer(name string) bool {
	for _, c := range s.Sim.Entities(s.Realm, "Customer") {
		if strings.HasPrefix(fmt.Sprint(c["DisplayName"]), name) {
			return true
		}
	}
	return false
}

// revokeConnection revokes the firm's QuickBooks grant at the sandbox, as a user
// disconnecting the app inside QuickBooks would, and ends its access tokens' life.
func (s *webStack) revokeConnection(ctx context.Context, firm int64) {
	s.t.Helper()
	tok, err := s.Store.Token(ctx, firm, s.Realm)
	mustTB(s.t, err)
	body, _ := json.Marshal(map[string]string{"token": tok.RefreshToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.qbo.RevokeURL, bytes.NewReader(body))
	mustTB(s.t, err)
	req.SetBasicAuth(s.qbo.ClientID, s.qbo.ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	mustTB(s.t, err)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("revoke: %s", res.Status)
	}
}
