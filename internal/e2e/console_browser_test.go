package e2e_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/qbosim"
)

// until polls a JavaScript condition on the page for up to a minute: the console
// updates itself (internal/web/static/console.js), so the test never reloads.
func (b *tab) until(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for b.eval(`String(Boolean(`+js+`))`) != "true" {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: timed out waiting for %s\n%s", b.flow, what, b.mainText())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// statusIs is the JavaScript condition that the console shows one of the statuses.
func statusIs(statuses ...string) string {
	return fmt.Sprintf(`%q.split(" ").includes((document.querySelector("#sync-status") || {dataset: {}}).dataset.status)`, strings.Join(statuses, " "))
}

// TestConsoleInTheBrowser walks a submitted firm through its console in a real
// Chromium, with the sandbox and a real Temporal server behind it, as issue 15's
// "Done when" says: the counts; the client with an invalid e-mail listed with its
// explanation, corrected and retried until it is in QuickBooks; a trust deposit
// edited by hand in QuickBooks shown as a difference naming the slip and the client;
// Pause and Resume; a backfill from the form, its bar moving to its counts; a revoked
// connection reconnected (another company refused) and the sync going again.
func TestConsoleInTheBrowser(t *testing.T) {
	browser := newBrowser(t)
	s := newWebStack(t)
	firm := s.seedFirm(22)
	// The firm's billing predates qbosync: its invoices and payments have no change-feed
	// rows, so the first sync leaves them to the backfill below.
	_, err := s.DB.Exec(`DELETE FROM pms_changes WHERE firm_id = $1 AND entity IN ('invoice', 'payment')`, firm)
	must(t, err)
	s.submitFirm(firm, "2025-01-01")
	other := s.Sim.AddSampleCompany() // after the firm's connect, which takes the first company
	b := s.newTab(t, browser, "console")
	b.signIn(firm)
	b.open("/sync")
	b.at("QuickBooks sync", "console")
	created, _ := strconv.Atoi(b.eval(`document.querySelector("#totals th:nth-child(3)").textContent`))
	clients, _ := strconv.Atoi(b.eval(`document.querySelector('#records tr[data-kind="client"] td:nth-child(2)').textContent`))
	failing, _ := strconv.Atoi(b.eval(`document.querySelector('#records tr[data-kind="client"] td:nth-child(6)').textContent`))
	if created == 0 || clients == 0 || failing < 2 {
		t.Fatalf("the console shows %d created in the cycle, %d clients in QuickBooks and %d failing; want the first sync's counts:\n%s", created, clients, failing, b.mainText())
	}

	t.Run("retry one client", func(t *testing.T) { retryInvalidEmail(t, s, b, firm) })
	t.Run("books differ", func(t *testing.T) { handEditedDeposit(t, s, b, firm) })
	t.Run("pause and resume", func(t *testing.T) {
		b.action("pause")
		b.until("the sync to pause", statusIs("paused"))
		b.at("QuickBooks sync", "paused")
		b.action("resume")
		b.until("the sync to resume", `!`+statusIs("paused"))
	})
	t.Run("backfill", func(t *testing.T) { backfillFromTheForm(t, s, b) })
	t.Run("reconnect", func(t *testing.T) { reconnect(t, s, b, firm, other) })
}

func retryInvalidEmail(t *testing.T, s *webStack, b *tab, firm int64) {
	id, name := s.invalidEmailClient(firm)
	row := fmt.Sprintf(`tr.failed-item[data-kind="client"][data-key="%d"]`, id)
	group := `.failure-group[data-code="qbosync:invalid-email"]`
	b.until("the client with an invalid e-mail", `document.querySelector('`+group+` `+row+`')`)
	if text := b.eval(`document.querySelector('` + group + `').innerText`); !strings.Contains(text, name) || !strings.Contains(strings.ToLower(text), "e-mail") {
		t.Fatalf("the failure does not name %s with its explanation:\n%s", name, text)
	}
	b.at("QuickBooks sync", "invalid-email")
	_, err := s.DB.Exec(`UPDATE clients SET email = 'corrected@example.com' WHERE id = $1`, id)
	must(t, err)
	b.press(row + ` button.retry`)
	b.until("the retried client to leave the list", `!document.querySelector('`+row+`')`)
	b.at("QuickBooks sync", "retried")
	if !s.hasCustomer(name) {
		t.Errorf("%s is not in QuickBooks after Retry", name)
	}
}

// handEditedDeposit changes a synced trust deposit in QuickBooks by hand, asks for a
// check of the books and finds the slip and its client among the differences.
func handEditedDeposit(t *testing.T, s *webStack, b *tab, firm int64) {
	ctx := t.Context()
	var slip struct {
		Key    string `db:"source_key"`
		QBOID  string `db:"qbo_id"`
		Number string `db:"slip_number"`
		Client string `db:"client"`
	}
	must(t, s.DB.Get(&slip, `
		SELECT m.source_key, m.qbo_id, d.slip_number, c.name AS client
		FROM qbo_id_map m JOIN deposit_slips d ON d.id = m.source_key::bigint
		JOIN trust_transactions tt ON tt.deposit_slip_id = d.id JOIN matters mt ON mt.id = tt.matter_id JOIN clients c ON c.id = mt.client_id
		WHERE m.firm_id = $1 AND m.kind = 'deposit_slip' ORDER BY d.id, tt.id LIMIT 1`, firm))
	qc, err := s.factory.Client(ctx, firm, s.Realm)
	must(t, err)
	var d qbo.Deposit
	must(t, qc.Read(ctx, "Deposit", slip.QBOID, &d))
	d.Line[0].Amount += 100_00
	d.Sparse = true
	must(t, qc.Update(ctx, "Deposit", d, qbo.RequestID("hand edit", slip.QBOID), &d))

	b.action("check-books")
	b.eval(`window.qbosyncStayed = "yes"`) // gone if the page were loaded again
	rec := fmt.Sprintf(`tr.trust-record[data-kind="deposit_slip"][data-key=%q]`, slip.Key)
	b.until("the hand-edited deposit among the differences", `document.querySelector('`+rec+`')`)
	if b.eval(`String(window.qbosyncStayed)`) != "yes" {
		t.Error("the difference showed only on a new page, not by the console's live update")
	}
	table := b.eval(`document.querySelector('` + rec + `').closest("table").innerText`)
	if !strings.Contains(table, slip.Number) || !strings.Contains(table, slip.Client) {
		t.Errorf("the difference does not name deposit slip %s and client %s:\n%s", slip.Number, slip.Client, table)
	}
	b.at("QuickBooks sync", "books-differ")
}

// backfillFromTheForm starts a backfill from its form, after the form shows what it
// will bring, and watches the bar move to the end. The sandbox answers slowly
// meanwhile, so the backfill lasts long enough to be seen moving.
func backfillFromTheForm(t *testing.T, s *webStack, b *tab) {
	b.press(`#start-backfill`)
	b.at("Start a backfill", "backfill-form")
	b.fill("since", "2020-01-01")
	b.do("tick unpaid", chromedp.Click(chromedp.CSS(`input[name="unpaid"]`)))
	b.press(`#show-backfill`)
	b.at("Start a backfill", "backfill-preview")
	if rows := b.eval(`String(document.querySelectorAll("#preview tbody tr").length)`); rows == "0" {
		t.Fatal("the form shows nothing the backfill would bring")
	}
	must(t, s.Sim.SetFaults(s.Realm, qbosim.Faults{Latency: 300 * time.Millisecond}))
	defer func() { must(t, s.Sim.SetFaults(s.Realm, qbosim.Faults{})) }()
	b.press(`#confirm-backfill`)
	b.until("the backfill's bar", `document.querySelector("#backfill")`)
	seen, started := map[string]bool{}, time.Now()
	deadline := time.Now().Add(time.Minute)
	for b.eval(`document.querySelector("#backfill").dataset.status`) != "done" {
		if time.Now().After(deadline) {
			t.Fatalf("the backfill did not finish:\n%s", b.mainText())
		}
		seen[b.eval(`document.querySelector("#backfill").dataset.done`)] = true
		time.Sleep(100 * time.Millisecond)
	}
	b.at("QuickBooks sync", "backfill-done")
	t.Logf("the backfill took %s; the bar showed %d values on the way", time.Since(started).Round(100*time.Millisecond), len(seen))
	done, total := b.eval(`document.querySelector("#backfill").dataset.done`), b.eval(`document.querySelector("#backfill").dataset.total`)
	if done != total || total == "0" {
		t.Errorf("the backfill ended at %s of %s", done, total)
	}
	moved := false
	for v := range seen {
		n, _ := strconv.Atoi(v)
		moved = moved || n > 0 && v != total
	}
	if !moved {
		t.Errorf("the bar did not move: before the end it showed %v records done of %s", seen, total)
	}
	b.sees("Done: " + done + " of " + total + " records handled")
}

// reconnect revokes the connection, makes the sync meet it, and reconnects from the
// console: another company is refused, the same one restores the sync.
func reconnect(t *testing.T, s *webStack, b *tab, firm int64, other string) {
	s.revokeConnection(t.Context(), firm)
	must(t, s.Sim.SetFaults(s.Realm, qbosim.Faults{ExpireAccessTokens: true}))
	var client string
	must(t, s.DB.Get(&client, `UPDATE clients SET phone = '555-0199' WHERE firm_id = $1 AND id = (SELECT min(id) FROM clients WHERE firm_id = $1) RETURNING name`, firm))
	b.action("sync-now")
	b.until("Reconnect QuickBooks", `document.querySelector("#reconnect-button")`)
	b.at("QuickBooks sync", "needs-reconnect")

	b.press(`#reconnect-button`)
	b.consent(other)
	b.sees("That is a different QuickBooks company")
	b.at(b.heading(), "other-company-refused")

	b.open("/sync")
	b.press(`#reconnect-button`)
	b.consent(s.Realm)
	b.at("QuickBooks sync", "reconnected")
	b.sees("QuickBooks is reconnected")
	b.until("the sync to run again", `!document.querySelector("#reconnect-button") && `+statusIs("idle", "books_differ"))
	b.at("QuickBooks sync", "sync-restored")
	waitLong(t, "the change the revoked connection held back to reach QuickBooks", func() bool { return s.customerPhone(client) == "555-0199" })
}

// customerPhone is the phone number of the sandbox's customer named name.
func (s *webStack) customerPhone(name string) string {
	for _, c := range s.Sim.Entities(s.Realm, "Customer") {
		if c["DisplayName"] == name {
			if p, ok := c["PrimaryPhone"].(map[string]any); ok {
				return fmt.Sprint(p["FreeFormNumber"])
			}
		}
	}
	return ""
}
