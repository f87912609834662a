package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qbosync/qbosync/internal/config"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/termsafe"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// printSummary writes a sync's per-category counts, then every failed item with why.
func printSummary(ctx context.Context, w io.Writer, st *store.Store, conn store.Connection, sum syncapi.Summary) error {
	if err := writeSummary(w, conn, sum); err != nil {
		return err
	}
	return printFailures(ctx, w, st, scopeOf(conn))
}

// writeSummary writes the sync's status and per-category counts.
func writeSummary(w io.Writer, conn store.Connection, sum syncapi.Summary) error {
	fmt.Fprintf(w, "\nSync of firm %d into %q (QuickBooks company %s): %s", conn.FirmID, conn.CompanyName, conn.RealmID, sum.Status)
	if sum.Reason != "" {
		fmt.Fprintf(w, " — %s", termsafe.String(sum.Reason))
	}
	fmt.Fprintln(w)
	if !sum.LastRunAt.IsZero() {
		fmt.Fprintf(w, "last cycle finished %s (%s ago), %d cycle(s) so far\n",
			sum.LastRunAt.Local().Format("2006-01-02 15:04:05"), time.Since(sum.LastRunAt).Round(time.Second), sum.Cycles)
	}
	if b := sum.Backfill; b != nil {
		done, total := b.Handled()
		fmt.Fprintf(w, "last backfill: %d of %d records handled, done %v\n", done, total, b.Done)
	}
	if r := sum.Reconciliation; r != nil {
		if !sum.ReconciledAt.IsZero() {
			how := ""
			if r.Incremental {
				how = ", what changed since the check before, on its full pass"
			}
			fmt.Fprintf(w, "books checked as of %s (%s ago%s)\n", sum.ReconciledAt.Local().Format("2006-01-02 15:04:05"), time.Since(sum.ReconciledAt).Round(time.Second), how)
		}
		if r.OK {
			fmt.Fprintf(w, "books reconcile: %d matters' receivables and %d trust accounts agree with the practice system to the cent\n",
				r.MattersChecked, r.TrustAccountsChecked)
		} else {
			fmt.Fprintf(w, "books DIFFER: %d matters, %d invoices missing, %d payments not one bank entry, %d trust accounts, %d clients' trust ledgers; `starter reconcile` names the records\n",
				r.MattersDiffering, r.InvoicesMissing, r.PaymentsNotOneBankEntry, r.TrustAccountsDiffering, r.ClientsDiffering)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tchanges read\tcreated\tupdated\tadopted\tunchanged\tfailed\t")
	for _, c := range sum.Categories {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Category, c.Changes, c.Created, c.Updated, c.Adopted, c.Unchanged, c.Failed)
	}
	return tw.Flush()
}

// printFailures lists the categories that keep failing and the items whose latest
// attempt failed.
func printFailures(ctx context.Context, w io.Writer, st *store.Store, sc store.Scope) error {
	stuck, err := st.CategoryErrors(ctx, sc)
	if err != nil {
		return err
	}
	failed, err := st.FailedItems(ctx, sc)
	if err != nil {
		return err
	}
	writeStuck(w, stuck)
	writeFailures(w, failed, len(stuck) > 0)
	return nil
}

// writeStuck lists the categories whose last run failed as a whole: nothing of theirs,
// nor of the categories after them, syncs until the cause is mended.
func writeStuck(w io.Writer, stuck []store.CategoryError) {
	if len(stuck) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d categor(ies) STUCK: their last run failed as a whole, so nothing of theirs (nor of the categories after them) syncs until this is mended:\n", len(stuck))
	for _, c := range stuck {
		fmt.Fprintf(w, "\n- %s, failing since %s (%d attempt(s)):\n   %s\n", c.Category,
			c.FirstAt.Local().Format("2006-01-02 15:04:05"), c.Attempts, wrap(termsafe.String(c.Error), 88, "   "))
	}
}

// writeFailures lists the failed items. Labels and explanations quote practice data,
// so they are printed terminal-safe. With stuck set, some category is stuck, so "no
// failed items" would mislead: the items of a stuck category were not tried.
func writeFailures(w io.Writer, failed []store.ItemStatus, stuck bool) {
	if len(failed) == 0 && stuck {
		fmt.Fprintln(w, "\nNo item failed on its own; the stuck categories above hold everything after them back.")
		return
	}
	if len(failed) == 0 {
		fmt.Fprintln(w, "\nNo failed items.")
		return
	}
	fmt.Fprintf(w, "\n%d item(s) could not be synced:\n", len(failed))
	for i, f := range failed {
		fmt.Fprintf(w, "\n%d. %s %s [%s, %d attempt(s)]\n", i+1, f.Kind, termsafe.String(f.Label), termsafe.String(f.ErrorCode), f.Attempts)
		fmt.Fprintf(w, "   %s\n", wrap(termsafe.String(f.Explanation), 88, "   "))
		fmt.Fprintf(w, "   retry it alone: starter retry --kind %s --key %s\n", f.Kind, termsafe.String(f.SourceKey))
	}
}

// workflowURL is the run's page in Temporal Web.
func workflowURL(t config.TemporalConfig, workflowID, runID string) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s/%s/history", strings.TrimRight(t.WebURL, "/"),
		url.PathEscape(t.Namespace), url.PathEscape(workflowID), url.PathEscape(runID))
}

// wrap breaks text into lines of at most width characters, indenting continuations.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		if i > 0 && line+1+len(word) > width {
			b.WriteString("\n" + indent)
			line = 0
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}
