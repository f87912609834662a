// Package reconcile checks the books in QuickBooks Online against the practice system,
// the invariants of docs/posting.md, "Invariants the reconciliation checks":
//
//   - receivables: for every matter, what QBO shows as open on the matter's synced
//     invoices equals what the practice system says is still owed on them;
//   - trust, three ways: for every trust bank account, the QBO bank balance, the QBO
//     trust liability balance and the sum of the practice system's client trust ledgers
//     agree, and so does every client's ledger with the liability QBO holds for that
//     client's customers.
//
// The check is deliberately independent of the code that posts: it reads the practice
// tables with its own SQL and reads QBO's objects and balances as QBO reports them, and
// does not import internal/posting or internal/syncer. A rule misread in the posting
// code therefore shows up here as a difference instead of being repeated on both sides
// of the comparison. The id map (qbo_id_map) and the outcome of every item (sync_items)
// are the only shared state: they say which QBO object stands for which record, and why
// a record may be missing.
//
// Any difference is reported with the records that cause it, each with both amounts and
// a likely cause a bookkeeper can act on. A Report is the combined result; its Summary
// is small enough for a Temporal query result, and Format prints it in plain language.
package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Options say which records the sync was meant to post, so that a record it was never
// meant to post is not reported as missing.
type Options struct {
	// Since is the sync start date (only its calendar day counts). Trust balances are
	// compared in full whatever it is: the trust records dated before it that the sync
	// does not post on their own are expected in the trust account's opening entry,
	// dated the day before it (docs/design.md, "Opening balances"). An approved invoice
	// issued before it is not expected in QBO (but see AllUnpaid); an invoice that is in
	// the id map is checked whatever its date. Zero: everything counts, record by record.
	Since time.Time
	// AllUnpaid mirrors the "sync all unpaid invoices" setting: an approved invoice
	// issued before Since that is still unpaid is expected in QBO too.
	AllUnpaid bool
	// SkipTrust leaves trust out of Run, for a firm whose trust money does not sync:
	// every trust record would otherwise be reported missing.
	SkipTrust bool
	// DiscountLines mirrors write-offs synced as discount lines: a write-off or credit
	// lowers its invoice's own total in QBO instead of posting as a credit memo.
	DiscountLines bool
	// ReceiptsAlone mirrors one deposit per receipt (the trust setting "receipt"): a
	// receipt on a deposit slip is its own record, never the slip's, even when none of
	// the slip's receipts is in QBO yet (a slip deposited from the start date on whose
	// receipts are all from before it is carried by the opening entry, not missing).
	// False: the grouping is read from what is in QBO.
	ReceiptsAlone bool
	// PaymentsToBank mirrors payments deposited to the operating account (rather than
	// Undeposited Funds): each is then expected as one entry in the bank.
	PaymentsToBank bool

	// only, for an incremental check, is what to look at again; nil: everything.
	only *touched
}

// sinceArg is Since as a query argument: NULL when every date counts, otherwise the
// calendar day as text, compared with ::date so that no time zone moves it.
func (o Options) sinceArg() any {
	if o.Since.IsZero() {
		return nil
	}
	return o.sinceDay()
}

func (o Options) sinceDay() string { return o.Since.Format(time.DateOnly) }

// sinceText is Since as a Report holds it: empty when every date counts.
func (o Options) sinceText() string {
	if o.Since.IsZero() {
		return ""
	}
	return o.sinceDay()
}

// Report is the result of one reconciliation of a firm's QBO company.
type Report struct {
	Scope        store.Scope       `json:"scope"`
	Since        string            `json:"since,omitempty"` // YYYY-MM-DD; empty when everything counts
	Receivables  ReceivablesReport `json:"receivables"`
	Deposits     DepositsReport    `json:"deposits"`
	Trust        TrustReport       `json:"trust"`
	TrustSkipped bool              `json:"trust_skipped,omitempty"` // Options.SkipTrust
	// FullAt is when the last full pass behind the report started (set by its caller,
	// and kept by the incremental checks merged into it); Incremental says what the
	// latest of those looked at again, nil when the report is a full pass.
	FullAt      time.Time         `json:"full_at,omitzero"`
	Incremental *IncrementalCheck `json:"incremental,omitempty"`
}

// Run checks receivables and then, unless opts.SkipTrust, trust.
func Run(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope, opts Options) (Report, error) {
	r := Report{Scope: sc, TrustSkipped: opts.SkipTrust, Since: opts.sinceText()}
	var err error
	if r.Receivables, err = Receivables(ctx, db, qc, sc, opts); err != nil {
		return Report{}, err
	}
	if r.Deposits, err = Deposits(ctx, db, qc, sc, opts); err != nil {
		return Report{}, err
	}
	if !opts.SkipTrust && opts.checksTrust() {
		if r.Trust, err = Trust(ctx, db, qc, sc, opts); err != nil {
			return Report{}, err
		}
	}
	return r, nil
}

// OK reports whether the books agree: no difference and nothing missing.
func (r Report) OK() bool { return r.Receivables.OK() && r.Deposits.OK() && r.Trust.OK() }

// Summary is a Report in counts and cents, for a workflow's query result or a status
// line: the detail stays in the Report. It is the sync's contract type
// (syncapi.BooksSummary), so that what reads a sync's status needs nothing of this
// package.
type Summary = syncapi.BooksSummary

// Summary condenses the report.
func (r Report) Summary() Summary {
	s := Summary{
		OK:                      r.OK(),
		MattersChecked:          r.Receivables.MattersChecked,
		InvoicesChecked:         r.Receivables.InvoicesChecked,
		InvoicesMissing:         len(r.Receivables.Missing),
		TrustSkipped:            r.TrustSkipped,
		PaymentsNotOneBankEntry: len(r.Deposits.Payments),
		Incremental:             r.Incremental != nil,
	}
	s.MattersDiffering = len(r.Receivables.Matters)
	for _, m := range r.Receivables.Matters {
		s.InvoicesDiffering += len(m.Invoices)
		s.ReceivablesDifferenceCents += abs(m.Difference().Cents())
	}
	s.TrustAccountsChecked = len(r.Trust.Accounts)
	for _, a := range r.Trust.Accounts {
		if !a.OK() {
			s.TrustAccountsDiffering++
		}
		s.ClientsDiffering += len(a.Clients)
		s.TrustRecordsDiffering += len(a.Records)
		s.QBOOnlyTransactions += len(a.QBOOnly)
		s.TrustBankDifferenceCents += abs((a.QBOBank - a.PMS).Cents())
		s.TrustLiabilityDifferenceCents += abs((a.QBOLiability - a.PMS).Cents())
	}
	return s
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// A syncFailure is the latest failed attempt to sync a record, from sync_items: often
// the very reason a record is missing from QBO.
type syncFailure struct {
	Kind        string `db:"kind"`
	SourceKey   string `db:"source_key"`
	Code        string `db:"error_code"`
	Message     string `db:"error_message"`
	Explanation string `db:"explanation"`
}

// text is the failure as a bookkeeper reads it: the explanation when there is one.
func (f syncFailure) text() string {
	switch {
	case f.Explanation != "":
		return f.Explanation
	case f.Message != "":
		return f.Message
	}
	return "error " + f.Code
}

// failedItemsSQL lists the records whose latest sync attempt failed. There are few: a
// failed record is fixed or retried, so reading them all is cheaper than asking per
// record.
const failedItemsSQL = `
	SELECT kind, source_key, error_code, error_message, explanation
	FROM sync_items
	WHERE firm_id = $1 AND realm_id = $2 AND status = 'failed'`

type failures map[[2]string]syncFailure

func loadFailures(ctx context.Context, db sqlx.QueryerContext, sc store.Scope) (failures, error) {
	var rows []syncFailure
	if err := sqlx.SelectContext(ctx, db, &rows, failedItemsSQL, sc.FirmID, sc.RealmID); err != nil {
		return nil, fmt.Errorf("reconcile: failed items: %w", err)
	}
	out := failures{}
	for _, r := range rows {
		out[[2]string{r.Kind, r.SourceKey}] = r
	}
	return out, nil
}

// why explains a record that is not in QBO: its sync failure if one is recorded under
// any of the given kinds and keys, else that the sync has not posted it.
func (f failures) why(what string, kindKeys ...string) string {
	for i := 0; i+1 < len(kindKeys); i += 2 {
		if sf, ok := f[[2]string{kindKeys[i], kindKeys[i+1]}]; ok {
			return what + " is not in QuickBooks: the sync failed: " + strings.TrimRight(sf.text(), ". ") + "."
		}
	}
	return what + " is not in QuickBooks: the sync has not posted it (no failure recorded; run a sync, then check again)."
}

// idChunk is how many Ids one query names: as many as one page of answers holds (QBO
// returns at most 1000 rows a query), so that a large firm's 8,000 invoices take 9
// requests, not 84. QBO documents no limit on an IN list, and the query is POSTed, so
// its length is no URL's.
const idChunk = 1000

// readByID reads the entities with the given Ids in bulk ("SELECT * FROM <entity> WHERE
// Id IN (...)", a chunk at a time) and returns them by Id. An Id QBO does not return was
// deleted there. Inactive name-list entities (an account made inactive) are included.
// The objects known already (change data capture's full payloads, by "Entity:Id") are
// taken from known instead of read again.
func readByID[T any](ctx context.Context, qc *qbo.Client, known map[string]json.RawMessage, entity string, ids []string, idOf func(*T) string) (map[string]*T, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > 0 && ids[0] == "" {
		ids = ids[1:]
	}
	out := make(map[string]*T, len(ids))
	ids, err := takeKnown(known, entity, ids, out)
	if err != nil {
		return nil, err
	}
	chunks := slices.Collect(slices.Chunk(ids, idChunk))
	read := make([][]T, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readers)
	for i, chunk := range chunks {
		g.Go(func() (err error) {
			read[i], err = readChunk[T](gctx, qc, entity, chunk)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, rows := range read {
		for i := range rows {
			out[idOf(&rows[i])] = &rows[i]
		}
	}
	return out, nil
}

// readers is how many of readByID's queries are in flight at once: QBO answers a page
// of 1,000 objects in about a second, and allows 10 requests in flight per company, of
// which the sync may be using some.
const readers = 4

// readChunk reads the entities with the given Ids: one query, one page.
func readChunk[T any](ctx context.Context, qc *qbo.Client, entity string, ids []string) ([]T, error) {
	var rows []T
	if err := qc.ReadByIDs(ctx, entity, ids, &rows); err != nil {
		return nil, fmt.Errorf("reconcile: read %s: %w", entity, err)
	}
	return rows, nil
}

// takeKnown moves the objects of ids that known holds into out, and returns the Ids
// left to read.
func takeKnown[T any](known map[string]json.RawMessage, entity string, ids []string, out map[string]*T) ([]string, error) {
	if len(known) == 0 {
		return ids, nil
	}
	rest := ids[:0:0]
	for _, id := range ids {
		raw, ok := known[entity+":"+id]
		if !ok {
			rest = append(rest, id)
			continue
		}
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, fmt.Errorf("reconcile: %s %s from change data capture: %w", entity, id, err)
		}
		out[id] = v
	}
	return rest, nil
}

// amountOf reads an optional amount; QBO omits zero amounts in some answers.
func amountOf(a *qbo.Amount) qbo.Amount {
	if a == nil {
		return 0
	}
	return *a
}

// refValue is the Id a reference names, or "".
func refValue(r *qbo.Ref) string {
	if r == nil {
		return ""
	}
	return r.Value
}
