package syncer

// The review page's preview (internal/preview) against what a sync then does: the
// firm decides on the numbers it shows, so every line must be what lands.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/preview"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/settings"
)

// landed is what the sync handled for a preview line: how many records, and their
// practice amount.
type landed struct {
	count int
	cents int64
}

// handled sums the records behind the sync's items of the given kinds (synced or
// failed: the preview counts what the sync takes up, and a refusal is reported with
// what to fix), by a query of (count, cents) over them. $1 is the firm, $2 the start
// date.
func (r *rig) handled(q string, args ...any) landed {
	r.t.Helper()
	var l struct {
		N     int   `db:"n"`
		Cents int64 `db:"cents"`
	}
	if err := r.e.Store.DB().Get(&l, q, args...); err != nil {
		r.t.Fatalf("%v\n%s", err, q)
	}
	return landed{l.N, l.Cents}
}

func TestTheReviewSaysWhatLands(t *testing.T) {
	for _, c := range []struct {
		name      string
		configure func(*settings.Settings)
	}{
		{"defaults", func(*settings.Settings) {}},
		{"deposit per receipt, matters off, payments into the bank", func(s *settings.Settings) {
			s.Trust.DepositSlips = settings.SlipPerReceipt
			s.Contacts.MattersAsSubCustomers = false
			s.Invoices.PaymentsDepositTo = settings.DepositOperatingAccount
		}},
		{"no unpaid invoices from before the start", func(s *settings.Settings) { s.SyncOptions.SyncAllUnpaidInvoices = false }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, qbosim.Options{})
			firm := r.seedFirm(21, nil)
			// The seed's deliberate refusals (a client named like a QuickBooks vendor, an
			// e-mail that is not one) are fixed first: the review counts what can post.
			r.exec(`UPDATE clients SET name = 'Hall Properties Holdings' WHERE firm_id = $1 AND name = 'Hall Properties'`, firm)
			r.exec(`UPDATE clients SET email = 'jsmithson@example.com' WHERE firm_id = $1 AND email = 'jsmith at example'`, firm)
			var start string
			if err := r.e.Store.DB().Get(&start, `SELECT to_char(percentile_disc(0.5) WITHIN GROUP (ORDER BY issued_on), 'YYYY-MM-DD')
				FROM invoices WHERE firm_id = $1`, firm); err != nil {
				t.Fatal(err)
			}
			f, err := r.e.Store.Firm(t.Context(), firm)
			if err != nil {
				t.Fatal(err)
			}
			s := settings.Defaults(f)
			s.SyncOptions.StartDate = start
			c.configure(&s)
			if err := r.e.Store.SubmitSetup(t.Context(), settings.Record{FirmID: firm, SetupID: "review", RealmID: r.realm, Settings: s}); err != nil {
				t.Fatal(err)
			}
			review, err := preview.Compute(t.Context(), r.e.Store.DB(), firm, s)
			if err != nil {
				t.Fatal(err)
			}
			r.syncAll()
			r.syncAll() // what waited for another record in the first pass follows

			checked := 0
			for _, line := range review.Lines {
				got, ok := r.landedFor(line.Title, firm, start)
				if !ok {
					continue
				}
				checked++
				if got.count != line.Count || (line.HasTotal && got.cents != line.TotalCents) {
					t.Errorf("%q: the review says %d (%d cents), the sync handled %d (%d cents)", line.Title, line.Count, line.TotalCents, got.count, got.cents)
				}
			}
			if checked < 7 {
				t.Errorf("only %d review lines checked", checked)
			}
		})
	}
}

// landedFor is what the sync handled for the review line titled title.
func (r *rig) landedFor(title string, firm int64, start string) (landed, bool) {
	items := func(kinds ...string) string {
		return fmt.Sprintf(`SELECT source_key FROM sync_items WHERE firm_id = %d AND realm_id = '%s' AND kind IN ('%s')`,
			firm, r.realm, strings.Join(kinds, "', '"))
	}
	switch {
	case title == "Customers (clients)":
		return r.handled(`SELECT count(*) AS n, 0::bigint AS cents FROM (` + items("client") + `) i`), true
	case title == "Sub-customers (matters)":
		return r.handled(`SELECT count(*) AS n, 0::bigint AS cents FROM (` + items("matter") + `) i`), true
	case title == "Invoices":
		return r.handled(`SELECT count(*) AS n, COALESCE(sum(v.total_cents), 0)::bigint AS cents FROM invoices v
			WHERE v.firm_id = $1 AND v.id::text IN (`+items("invoice")+`)`, firm), true
	case title == "Payments", title == "Payments received before the start date":
		// The first line counts every payment the sync takes up, the second those of
		// them received before the start date.
		return r.handled(`SELECT count(*) AS n, COALESCE(sum(p.amount_cents), 0)::bigint AS cents FROM payments p
			WHERE p.firm_id = $1 AND (p.received_on < $2::date OR $3)
			  AND p.id::text IN (SELECT split_part(source_key, '-', 1) FROM (`+items("payment")+`) i)`, firm, start, title == "Payments"), true
	case strings.HasPrefix(title, "Payments left out"):
		// Received from the start date on, taken up by no item of the sync.
		return r.handled(`SELECT count(*) AS n, COALESCE(sum(p.amount_cents), 0)::bigint AS cents FROM payments p
			WHERE p.firm_id = $1 AND p.status = 'posted' AND p.received_on >= $2::date
			  AND p.id::text NOT IN (SELECT split_part(source_key, '-', 1) FROM (`+items("payment")+`) i)`, firm, start), true
	case title == "Write-offs and credits":
		return r.handled(`SELECT count(*) AS n, COALESCE(sum(a.amount_cents), 0)::bigint AS cents FROM adjustments a
			WHERE a.firm_id = $1 AND a.kind <> 'debit' AND a.invoice_id || '-' || a.id IN (`+items("adjustment")+`)`, firm), true
	case title == "Hard costs":
		return r.handled(`SELECT count(*) AS n, COALESCE(sum(x.amount_cents), 0)::bigint AS cents FROM expenses x
			WHERE x.firm_id = $1 AND x.id::text IN (`+items("hard_cost")+`)`, firm), true
	case title == "Trust deposits":
		return r.handled(`SELECT (SELECT count(*) FROM deposit_slips d WHERE d.firm_id = $1 AND d.id::text IN (`+items("deposit_slip")+`))
			     + (SELECT count(*) FROM trust_transactions t WHERE t.firm_id = $1 AND t.id::text IN (`+items("trust_receipt")+`)) AS n,
			       (SELECT COALESCE(sum(d.total_cents), 0) FROM deposit_slips d WHERE d.firm_id = $1 AND d.id::text IN (`+items("deposit_slip")+`))
			     + (SELECT COALESCE(sum(t.amount_cents), 0) FROM trust_transactions t WHERE t.firm_id = $1 AND t.id::text IN (`+items("trust_receipt")+`))::bigint AS cents`,
			firm), true
	case title == "Trust disbursements":
		return r.handled(`SELECT count(*) AS n, COALESCE(sum(t.amount_cents), 0)::bigint AS cents FROM trust_transactions t
			WHERE t.firm_id = $1 AND t.id::text IN (`+items("trust_disbursement")+`)`, firm), true
	}
	return landed{}, false
}
