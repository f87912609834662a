package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// hostile is a client name that, printed raw, retitles the terminal, rings its bell
// and shows the rest of the line reversed.
const hostile = "\x1b]0;pwned\x07Evil\u202eCo"

// assertTerminalSafe fails when out holds a rune that a terminal would act on.
func assertTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexAny(out, "\x1b\x07\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u009b"); i >= 0 {
		t.Errorf("%s prints a raw control character (%q at byte %d):\n%q", what, out[i:i+1], i, out)
	}
	if !strings.Contains(out, `\x1b]0;pwned\aEvil\u202eCo`) {
		t.Errorf("%s does not show the name escaped:\n%s", what, out)
	}
}

func TestFailedItemsPrintPracticeDataTerminalSafe(t *testing.T) {
	var out bytes.Buffer
	writeFailures(&out, []store.ItemStatus{{
		Kind: "client", Label: hostile + " (C-0666)", ErrorCode: "6240", Attempts: 1,
		Explanation: "QuickBooks already has a vendor named \"" + hostile + "\"; rename the client.",
	}}, false)
	assertTerminalSafe(t, "starter errors", out.String())
	if !strings.Contains(out.String(), "1. client ") || !strings.Contains(out.String(), "[6240, 1 attempt(s)]") {
		t.Errorf("the failed item is not listed as usual:\n%s", out.String())
	}
}

func TestSyncSummaryPrintsItsReasonTerminalSafe(t *testing.T) {
	var out bytes.Buffer
	conn := store.Connection{FirmID: 1, RealmID: "9341", CompanyName: hostile}
	sum := syncapi.Summary{Status: syncapi.StatusRunning, Reason: "client " + hostile + " could not be read"}
	if err := writeSummary(&out, conn, sum); err != nil {
		t.Fatal(err)
	}
	assertTerminalSafe(t, "starter status", out.String())
}

func TestSetupPrintsPracticeDataTerminalSafe(t *testing.T) {
	var out bytes.Buffer
	printSetup(&out, setupapi.State{
		FirmID: 1, Firm: settings.Firm{Name: hostile}, Company: setupapi.Company{RealmID: "9341", Name: hostile},
		Step: setupapi.StepReview, Notice: hostile, LastAction: "submit",
		Errors:  settings.FieldErrors{{Field: "accounts.income", Message: hostile + " is not an income account"}},
		Preview: &settings.Preview{Lines: []settings.PreviewLine{{Title: "Customers", Count: 1, Examples: []string{hostile}, Note: hostile}}},
	})
	assertTerminalSafe(t, "starter setup show", out.String())
}

func TestErrorsNeverSayNoFailedItemsWhileACategoryIsStuck(t *testing.T) {
	var out bytes.Buffer
	writeStuck(&out, []store.CategoryError{{Category: "ledger", Error: "id map: save ledger trust_bank:2: duplicate key " + hostile, Attempts: 6}})
	writeFailures(&out, nil, true)
	got := out.String()
	assertTerminalSafe(t, "starter errors", got)
	if strings.Contains(got, "No failed items") || !strings.Contains(got, "STUCK") || !strings.Contains(got, "ledger") || !strings.Contains(got, "6 attempt(s)") {
		t.Errorf("a stuck category is not reported as such:\n%s", got)
	}
}

// The status says when the latest check of the books was incremental.
func TestSyncSummarySaysWhenTheBooksCheckWasIncremental(t *testing.T) {
	for _, incremental := range []bool{false, true} {
		var out bytes.Buffer
		sum := syncapi.Summary{Status: syncapi.StatusIdle, ReconciledAt: time.Now(), Reconciliation: &syncapi.BooksSummary{OK: true, Incremental: incremental}}
		if err := writeSummary(&out, store.Connection{FirmID: 1, RealmID: "9341"}, sum); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "what changed since the check before"); got != incremental {
			t.Errorf("incremental %v, status:\n%s", incremental, out.String())
		}
	}
}
