package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// screenshots is where the browser tests leave a picture of every page (gitignored).
var screenshots = filepath.Join("..", "..", "artifacts", "browser")

// newBrowser starts Debian's Chromium, headless, with a fresh profile. Without
// Chromium the test is skipped, except in CI (CI=true), where that is a failure.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("QBOSYNC_CHROMIUM")
	for _, name := range []string{"chromium", "chromium-browser"} {
		if bin == "" {
			bin, _ = exec.LookPath(name)
		}
	}
	if bin == "" {
		msg := "Chromium is not installed (make test installs Debian's chromium; or set QBOSYNC_CHROMIUM)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoFirstRun,
		chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	must(t, chromedp.Do(ctx)) // start the browser now, outside any one step's time
	must(t, os.MkdirAll(screenshots, 0o755))
	return ctx
}

// tab is one browser tab driving the wizard, taking a screenshot of each page.
type tab struct {
	t    *testing.T
	ctx  context.Context
	s    *webStack
	flow string
	shot int
}

func (s *webStack) newTab(t *testing.T, browser context.Context, flow string) *tab {
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	// Open the tab on its own context: a tab opened by a step's shorter-lived
	// context would close when that step ends.
	must(t, chromedp.Do(ctx))
	return &tab{t: t, ctx: ctx, s: s, flow: flow}
}

// do runs browser steps with a deadline, failing the test with what went wrong.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %s: %v\n%s", b.flow, what, err, b.mainText())
	}
}

// open goes to a page of the wizard.
func (b *tab) open(path string) { b.do("open "+path, chromedp.Navigate(b.s.URL+path)) }

// press clicks a button that submits a form and waits for the page that comes back.
func (b *tab) press(selector string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		b.t.Fatalf("%s: press %s: %v\n%s", b.flow, selector, err, b.mainText())
	}
}

// action presses the wizard button of an action.
func (b *tab) action(name string) { b.press(fmt.Sprintf(`button[name="action"][value=%q]`, name)) }

func (b *tab) fill(name, value string) {
	b.do("fill "+name, chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`[name=%q]`, name)), value))
}

func (b *tab) choose(name, value string) {
	b.do("choose "+name, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=%q][value=%q]`, name, value))))
}

func (b *tab) eval(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %s: %v", b.flow, js, err)
	}
	return v
}

func (b *tab) heading() string {
	return b.eval(`(document.querySelector("h1") || {textContent: ""}).textContent.trim()`)
}

func (b *tab) mainText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return v
}

func (b *tab) value(name string) string {
	return b.eval(fmt.Sprintf(`document.querySelector('[name=%q]:not([type=hidden])').value`, name))
}

func (b *tab) checked(name, value string) bool {
	return b.eval(fmt.Sprintf(`String(document.querySelector('input[name=%q][value=%q]').checked)`, name, value)) == "true"
}

// fieldError is the refusal shown next to a field, "" if none.
func (b *tab) fieldError(path string) string {
	return b.eval(fmt.Sprintf(`((document.querySelector('[data-field=%q] .error')) || {textContent: ""}).textContent`, path))
}

// at checks the page's heading, then saves a screenshot of the page.
func (b *tab) at(heading, name string) {
	b.t.Helper()
	if got := b.heading(); got != heading {
		b.t.Fatalf("%s: on %q, want %q\n%s", b.flow, got, heading, b.mainText())
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	b.shot++
	file := filepath.Join(screenshots, fmt.Sprintf("%s-%02d-%s.png", b.flow, b.shot, name))
	must(b.t, os.WriteFile(file, png, 0o644))
}

func (b *tab) sees(text string) {
	b.t.Helper()
	if !strings.Contains(b.mainText(), text) {
		b.t.Fatalf("%s: the page does not say %q:\n%s", b.flow, text, b.mainText())
	}
}

// signIn opens a sign-in link for firm, as `starter web-login` prints it, and presses
// the button of the confirmation page it shows (a link alone signs nobody in).
func (b *tab) signIn(firm int64) {
	b.t.Helper()
	tok, _ := b.s.Sessions.LoginToken(firm, 0)
	b.open("/login?token=" + url.QueryEscape(tok))
	b.sees("This sign-in link opens the QuickBooks Online setup of")
	b.press(`button[name="continue"]`)
}

// connect goes through QuickBooks' sign-in: the sandbox's consent page, where the
// user picks the company and presses Connect, and back to the wizard.
func (b *tab) connect(realm string) {
	b.press(`button[value="connect"]`)
	b.consent(realm)
}

// consent picks the company on the sandbox's consent page and presses Connect.
func (b *tab) consent(realm string) {
	b.at("Connect "+b.s.qbo.ClientID+" to QuickBooks", "quickbooks-consent")
	b.choose("realmId", realm)
	b.press(`button[name="decision"][value="allow"]`)
}

// TestSetupInTheBrowser drives the wizard in a real Chromium against the web server,
// the sandbox and a real Temporal server: the default path and the customize path to
// Submit, with Continue Later across a worker restart, Back keeping answers, refused
// inputs shown next to their fields, a change refused after Submit, and Cancel.
func TestSetupInTheBrowser(t *testing.T) {
	browser := newBrowser(t)
	s := newWebStack(t)
	realmB := s.Sim.AddSampleCompany()
	// A company keeps one firm's books: each firm here links a company of its own.
	realmC := s.Sim.AddSampleCompany()

	t.Run("default path", func(t *testing.T) {
		firm := s.seedFirm(7)
		b := s.newTab(t, browser, "default")
		b.signIn(firm)
		b.at("Set up the QuickBooks Online integration", "start")
		b.press(`button[name="start"]`)
		b.at("Connect QuickBooks", "connect")
		b.connect(s.Realm)
		b.at("Choose how to set up", "mode")
		b.sees("Sandbox Company")

		b.choose("mode", "default")
		b.action(setupapi.ActionChooseMode)
		b.at("Sync options", "sync-options")
		b.fill("sync_options.start_date", "2025-13-01")
		b.action(setupapi.ActionNext)
		b.at("Sync options", "refused-start-date")
		if msg := b.fieldError("sync_options.start_date"); !strings.Contains(msg, "YYYY-MM-DD") {
			t.Fatalf("the refusal is not shown next to the start date: %q", msg)
		}
		if got := b.value("sync_options.start_date"); got != "2025-13-01" {
			t.Errorf("the refused date is not shown as typed: %q", got)
		}

		b.fill("sync_options.start_date", "2025-06-01")
		b.action(setupapi.ActionContinueLater)
		b.at("Sync options", "paused")
		b.sees("The setup is paused")

		s.restartWorker() // days pass; the worker is redeployed
		b.open("/setup")
		b.action(setupapi.ActionResume)
		b.at("Sync options", "resumed")
		if got := b.value("sync_options.start_date"); got != "2025-06-01" {
			t.Fatalf("the start date saved by Continue Later is gone: %q", got)
		}
		b.action(setupapi.ActionBack)
		b.at("Choose how to set up", "back-to-mode")
		if !b.checked("mode", "default") {
			t.Error("Back lost the mode chosen earlier")
		}
		b.action(setupapi.ActionChooseMode)
		if got := b.value("sync_options.start_date"); got != "2025-06-01" {
			t.Fatalf("Back and Next lost the start date: %q", got)
		}
		b.action(setupapi.ActionNext)
		b.at("Review and submit", "review")
		b.sees("What the first sync will post")
		b.sees("Legal Fee Income")

		stale := s.newTab(t, browser, "default-stale")
		stale.open("/setup") // another window, left on the review page
		stale.at("Review and submit", "other-window")

		b.open("/setup/print")
		b.at("QuickBooks Online integration settings", "print")
		b.open("/setup")
		b.action(setupapi.ActionSubmit)
		b.at("Submitted", "submitted")
		b.sees("frozen")

		stale.action(setupapi.ActionBack) // the answer shows where the setup really is
		stale.at("Submitted", "refused-after-submit")
		stale.sees("Only linking a different QuickBooks company starts a new setup with new settings")

		desc, err := s.Temporal.DescribeWorkflowExecution(t.Context(), syncapi.SyncWorkflowID(firm, s.Realm), "")
		must(t, err)
		if desc.WorkflowExecutionInfo.Status.String() != "Running" {
			t.Errorf("the sync is %s after Submit", desc.WorkflowExecutionInfo.Status)
		}
	})

	t.Run("customize path", func(t *testing.T) {
		firm := s.seedFirm(8)
		b := s.newTab(t, browser, "customize")
		b.signIn(firm)
		b.press(`button[name="start"]`)
		b.connect(realmB)
		b.at("Choose how to set up", "mode")
		b.choose("mode", "customize")
		b.action(setupapi.ActionChooseMode)
		b.at("Operating bank accounts", "operating-bank")

		st, err := s.wizard.State(t.Context(), firm)
		must(t, err)
		checking := catalogID(t, st.Catalog.Accounts, "Checking")
		hours := catalogID(t, st.Catalog.Items, "Hours")
		b.fill("operating_bank.accounts.0.account.existing_id", checking)
		b.action(setupapi.ActionNext)
		b.at("Trust bank accounts and deposit slips", "trust")

		b.fill("trust.accounts.0.liability.name", "IOLTA: Client Funds")
		b.choose("trust.deposit_slips", settings.SlipPerReceipt)
		b.action(setupapi.ActionNext)
		b.at("Trust bank accounts and deposit slips", "refused-account-name")
		if msg := b.fieldError("trust.accounts.0.liability"); !strings.Contains(msg, "colon") {
			t.Fatalf("the refused name is not explained next to it: %q", msg)
		}
		b.fill("trust.accounts.0.liability.name", "IOLTA Client Funds")
		b.action(setupapi.ActionNext)
		b.at("Hard costs", "hard-costs")
		b.action(setupapi.ActionNext)
		b.at("Invoices and payments", "invoices")
		b.choose("invoices.line_items", settings.LinesIndividual)
		b.action(setupapi.ActionNext)
		b.at("Invoice and payment item mapping", "item-mapping")
		b.fill("item_mapping.fees.existing_id", hours)
		b.action(setupapi.ActionNext)
		b.at("Changes and write-offs", "write-offs")
		b.action(setupapi.ActionNext)
		b.at("Contacts and matters", "contacts")
		b.do("tick", chromedp.Click(chromedp.CSS(`input[type="checkbox"][name="contacts.match_existing_customers"]`)))
		b.action(setupapi.ActionNext)
		b.at("Sync options", "sync-options")
		b.fill("sync_options.start_date", "2025-01-01")
		b.action(setupapi.ActionNext)
		b.at("Review and submit", "review")

		// Back to the invoices step: every answer on the way is as it was saved.
		for _, step := range []string{"Sync options", "Contacts and matters", "Changes and write-offs", "Invoice and payment item mapping", "Invoices and payments"} {
			b.action(setupapi.ActionBack)
			if got := b.heading(); got != step {
				t.Fatalf("Back went to %q, want %q", got, step)
			}
			switch step {
			case "Contacts and matters":
				if !b.checked("contacts.match_existing_customers", "true") {
					t.Error("Back lost 'match existing customers'")
				}
			case "Invoice and payment item mapping":
				if got := b.value("item_mapping.fees.existing_id"); got != hours {
					t.Errorf("Back lost the fees item: %q", got)
				}
			}
		}
		b.at("Invoices and payments", "back-kept")
		if !b.checked("invoices.line_items", settings.LinesIndividual) {
			t.Error("Back lost the invoice item option")
		}
		for range 5 {
			b.action(setupapi.ActionNext)
		}
		b.at("Review and submit", "review-again")

		b.action(setupapi.ActionContinueLater)
		b.at("Review and submit", "paused")
		s.restartWorker()
		b.open("/setup")
		b.action(setupapi.ActionResume)
		b.action(setupapi.ActionSubmit)
		b.at("Submitted", "submitted")

		sub, err := s.Store.SubmittedSettings(t.Context(), firm, realmB)
		must(t, err)
		ss := sub.Settings
		if ss.Mode != settings.ModeCustomize || ss.OperatingBank.Accounts[0].Account != (settings.Target{ExistingID: checking, Name: "Checking"}) ||
			ss.Trust.Accounts[0].Liability.Name != "IOLTA Client Funds" || ss.Trust.DepositSlips != settings.SlipPerReceipt ||
			ss.Invoices.LineItems != settings.LinesIndividual || ss.ItemMapping.Fees.ExistingID != hours ||
			!ss.Contacts.MatchExistingCustomers || ss.SyncOptions.StartDate != "2025-01-01" {
			t.Errorf("submitted settings = %+v", ss)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		firm := s.seedFirm(9)
		b := s.newTab(t, browser, "cancel")
		b.signIn(firm)
		b.press(`button[name="start"]`)
		b.connect(realmC)
		b.at("Choose how to set up", "mode")
		b.action(setupapi.ActionCancel)
		b.at("Cancelled", "cancelled")
		b.sees("Nothing syncs, and the QuickBooks connection was revoked")
		if _, err := s.Store.LiveConnection(t.Context(), firm); err != store.ErrNotConnected {
			t.Errorf("the connection survived Cancel: %v", err)
		}
		b.press(`button[name="start"]`)
		b.at("Connect QuickBooks", "new-setup")

		// Another firm's sign-in link opened in this signed-in browser does not switch
		// it: the page says so, and only its button would.
		other := s.seedFirm(10)
		tok, _ := s.Sessions.LoginToken(other, 0)
		b.open("/login?token=" + url.QueryEscape(tok))
		b.sees(fmt.Sprintf("You are signed in to %s (firm %d); continuing will sign you in to", firmName(t, s, firm), firm))
		b.at(fmt.Sprintf("Sign in to %s (firm %d)", firmName(t, s, other), other), "other-firm-link")
		b.open("/setup")
		b.at("Connect QuickBooks", "still-signed-in")

		// Sign out everywhere ends the session: the setup asks to sign in again.
		b.press(`button[name="signout-everywhere"]`)
		b.at("Signed out everywhere: every session of the firm has ended (1, this one included); each browser and API client must sign in again.", "signed-out")
		b.open("/setup")
		b.sees("Please sign in")
	})
}

func firmName(t *testing.T, s *webStack, firm int64) string {
	var name string
	must(t, s.DB.Get(&name, `SELECT name FROM firms WHERE id = $1`, firm))
	return name
}

func catalogID(t *testing.T, objs []settings.QBOObject, name string) string {
	t.Helper()
	for _, o := range objs {
		if o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("the company has no %q", name)
	return ""
}
