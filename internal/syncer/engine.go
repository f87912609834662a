package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Engine syncs one firm's categories into one QBO company.
type Engine struct {
	Store    *store.Store
	QBO      *qbo.Client
	Scope    store.Scope
	PageSize int
	Log      *slog.Logger
	// Progress and BackfillProgress, if set, are called after each page with the cursor
	// reached (the activity heartbeats it).
	Progress         func(pms.Cursor, Counts)
	BackfillProgress func(BackfillCursor, Counts)
	// Settled, if set, hears each item's outcome (a store.Action*) and, when it failed,
	// its code, for the process's metrics.
	Settled func(action, code string)

	cachedBooks *books
	vendors     map[string]vendorRef // payees' vendors by payee key, this run (runVendors)
	// backfilling is the filter of the backfill running, if any: what an operator asked
	// to bring over is in scope even where the settings alone would leave it out.
	backfilling *pms.BackfillFilter
}

// Counts are what a category run did, item by item (the sync's contract type).
type Counts = syncapi.Counts

// count adds one item's outcome to c.
func count(c *Counts, action string) {
	switch action {
	case store.ActionCreated:
		c.Created++
	case store.ActionUpdated:
		c.Updated++
	case store.ActionAdopted:
		c.Adopted++
	case store.ActionUnchanged:
		c.Unchanged++
	case store.ActionFailed:
		c.Failed++
	}
}

// Category is one kind of practice data and how to sync a page of its changes.
type Category struct {
	Name     string
	Entities []string // change-feed entities it reads
	// Kinds maps the kinds of item the category records (its sync_items and id-map
	// kinds) to the feed entity that brings the record back, for retries; nil means
	// each entity is its own kind. A key "12-3" is retried as record 12.
	Kinds map[string]string
	// pages stages the pages of its changes (pipeline.go); nil means the category's
	// feed only needs to be read past.
	pages stager
	// prepare, if set, runs at the start of every run, changes or not (the ledger makes
	// sure the objects the settings name exist).
	prepare func(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error
}

// Categories in dependency order: later categories refer to objects earlier ones create.
//
// A running SyncWorkflow keeps the list it started with: workflows/categories.go
// versions the list, and a new category must be added there too.
var Categories = []Category{
	// The ledger's prepare step covers every object the settings name, changed or not;
	// its feed (bank account changes) only needs to be read past.
	{Name: "ledger", Entities: []string{pms.EntityBankAccount}, prepare: syncLedger},
	{Name: "contacts", Entities: []string{pms.EntityClient, pms.EntityMatter}, pages: contactsPage},
	// Invoices with their debits, write-offs and credits (an adjustment's change is fed
	// as a change of its invoice, see internal/db/migrations/00005_transactions.sql), then the payments applied to
	// them.
	{Name: "invoices", Entities: []string{pms.EntityInvoice}, pages: invoicesPage, Kinds: map[string]string{
		posting.KindInvoice: pms.EntityInvoice, posting.KindAdjustment: pms.EntityInvoice, posting.KindAdjustmentPayment: pms.EntityInvoice,
	}},
	{Name: "payments", Entities: []string{pms.EntityPayment}, pages: paymentsPage, Kinds: map[string]string{
		posting.KindPayment: pms.EntityPayment, posting.KindPaymentDeposit: pms.EntityPayment,
	}},
	// Client money in trust: the opening balances as of the day before the start date
	// (prepare, every run: internal/syncer/opening.go), then deposit slips (or receipts),
	// transfers to operating (their payments post above), disbursements. Then hard costs.
	// An opening entry's retry is its prepare's: the page handler reads past its kind.
	{Name: "trust", Entities: []string{pms.EntityDepositSlip, pms.EntityTrustTransaction}, prepare: syncTrustOpening, pages: trustPage, Kinds: map[string]string{
		posting.KindDepositSlip: pms.EntityDepositSlip, posting.KindTrustReceipt: pms.EntityTrustTransaction,
		posting.KindTrustTransfer: pms.EntityTrustTransaction, posting.KindTrustDisbursement: pms.EntityTrustTransaction,
		posting.KindTrustOpening: pms.EntityBankAccount,
	}},
	{Name: "hard_costs", Entities: []string{pms.EntityExpense}, pages: hardCostsPage, Kinds: map[string]string{
		posting.KindHardCost: pms.EntityExpense,
	}},
}

// kinds returns the category's item kinds and the entity each is retried as.
func (c Category) kinds() map[string]string {
	if c.Kinds != nil {
		return c.Kinds
	}
	out := make(map[string]string, len(c.Entities))
	for _, e := range c.Entities {
		out[e] = e
	}
	return out
}

// stage stages a page of the category's changes.
func (c Category) stage(ctx context.Context, e *Engine, changes []pms.Change) (staged, error) {
	if c.pages == nil {
		return stagedNothing(changes), nil // its prepare step does all its work
	}
	return c.pages.stage(ctx, e, changes)
}

// CategoryOfEntity returns the name of the category whose feed has the entity, or ""
// when none has.
func CategoryOfEntity(entity string) string {
	for _, c := range Categories {
		if slices.Contains(c.Entities, entity) {
			return c.Name
		}
	}
	return ""
}

// CategoryNamed returns the category called name.
func CategoryNamed(name string) (Category, error) {
	i := slices.IndexFunc(Categories, func(c Category) bool { return c.Name == name })
	if i < 0 {
		names := make([]string, len(Categories))
		for j, c := range Categories {
			names[j] = c.Name
		}
		return Category{}, fmt.Errorf("unknown category %q (known: %v)", name, names)
	}
	return Categories[i], nil
}

// Run syncs everything in the category's feed since its cursor. With retryFailed, the
// category's failed items are tried again first.
func (e *Engine) Run(ctx context.Context, cat Category, retryFailed bool) (Counts, error) {
	var counts Counts
	ctx, unlock, err := e.lockCompany(ctx, cat.lane())
	if err != nil {
		return counts, err
	}
	defer unlock()
	if cat.prepare != nil {
		if err := cat.prepare(ctx, e, nil, &counts); err != nil {
			return counts, err
		}
	}
	if err := e.retryFailed(ctx, cat, !retryFailed, &counts); err != nil {
		return counts, err
	}
	cur, err := e.Store.Cursor(ctx, e.Scope, cat.Name)
	if err != nil {
		return counts, err
	}
	if err := e.runFeed(ctx, cat, cur, &counts); err != nil {
		return counts, err
	}
	return counts, e.countFailing(ctx, cat, &counts)
}

// runFeed syncs the category's feed from cur on, a page at a time with pages in
// flight (pipeline.go), saving the cursor as each page lands.
func (e *Engine) runFeed(ctx context.Context, cat Category, cur pms.Cursor, counts *Counts) error {
	// A run reads its feed as far as it reached when the run began: a firm editing an
	// invoice faster than QuickBooks takes the edits would otherwise keep one category
	// running for ever, and the categories after it (and the next cycle's new client)
	// waiting. What comes later wakes the sync for the next cycle.
	upto, err := pms.LastChange(ctx, e.Store.DB(), e.Scope.FirmID, cat.Entities)
	if err != nil {
		return err
	}
	// A record that a landed page of this run synced needs no second look in the run:
	// the page loaded it after the run began, so with every change up to upto in it.
	// A first sync's invoices feed ends with tens of thousands of time entries of
	// invoices synced earlier in the run; each was loaded and planned again for
	// nothing. A record with an item that failed in the run is looked at again: a
	// matter waiting for its client may go once the client is in.
	synced, failed := newRecordSet(), newRecordSet()
	ctx = context.WithValue(ctx, failedKey{}, failed)
	pl := e.pipeline(ctx, cat)
	defer pl.cancel()
	read := cur
	for {
		changes, err := pms.ReadChangesUpTo(ctx, e.Store.DB(), e.Scope.FirmID, cat.Entities, read, upto, e.PageSize)
		if err != nil {
			return errors.Join(err, pl.drain())
		}
		if len(changes) == 0 {
			break
		}
		read = changes[len(changes)-1].Cursor
		landed := read
		fresh := slices.DeleteFunc(slices.Clone(changes), func(c pms.Change) bool { return synced.has(recordOfChange(c)) })
		err = pl.add(fresh, func(c Counts) error {
			for _, ch := range fresh {
				if r := recordOfChange(ch); !failed.has(r) {
					synced.add(r)
				}
			}
			c.Changes = len(changes)
			*counts = counts.Plus(c)
			if err := e.Store.SaveCursor(ctx, e.Scope, cat.Name, landed); err != nil {
				return err
			}
			if e.Progress != nil {
				e.Progress(landed, *counts)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := pl.drain(); err != nil || cur.Seq != 0 || read != cur {
		return err
	}
	// Nothing in its feed yet: a cursor at the start still says the category has run
	// and is up to date, so sweeps do not take it for new.
	return e.Store.SaveCursor(ctx, e.Scope, cat.Name, cur)
}

// retryFailed feeds the category's failed items through the page handler as if their
// records had just changed: all of them, or with onlyWaiting those that wait for
// another record to sync first and those the firm asked to be tried again.
func (e *Engine) retryFailed(ctx context.Context, cat Category, onlyWaiting bool, counts *Counts) error {
	kinds := cat.kinds()
	failed, err := e.Store.FailedItems(ctx, e.Scope, slices.Collect(maps.Keys(kinds))...)
	if err != nil {
		return err
	}
	var changes []pms.Change
	waits := waitsOver{e: e}
	for _, f := range failed {
		if onlyWaiting && !f.RetryRequested {
			over, err := waits.over(ctx, f)
			if err != nil {
				return err
			}
			if !over {
				continue
			}
		}
		head, _, _ := strings.Cut(f.SourceKey, "-")
		id, err := strconv.ParseInt(head, 10, 64)
		if err != nil {
			return fmt.Errorf("failed item %s %q: %w", f.Kind, f.SourceKey, err)
		}
		c := pms.Change{Entity: kinds[f.Kind], EntityID: id, Op: "UPDATE"}
		if !slices.Contains(changes, c) {
			changes = append(changes, c)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	return syncPage(ctx, e, cat, changes, counts)
}

// waitsOver tells which waiting items may go now, reading the newest object of each
// awaited kind once per run.
type waitsOver struct {
	e      *Engine
	newest map[string]time.Time // by waiting code
}

// over reports whether f waits for another record and one of the kind it waits for has
// come into QuickBooks since f was last tried. A waiting item is retried in every run
// after an earlier category wrote; without this, a firm whose hard costs wait for the
// matter of a client with a bad e-mail would redo them all at every change anywhere.
func (w *waitsOver) over(ctx context.Context, f store.ItemStatus) (bool, error) {
	if !strings.HasPrefix(f.ErrorCode, waitingPrefix) {
		return false, nil
	}
	kinds, known := awaitedKinds[f.ErrorCode]
	if !known {
		return true, nil // nothing says what would end it: try
	}
	at, ok := w.newest[f.ErrorCode]
	if !ok {
		var err error
		if at, err = w.e.Store.NewestMappingCreated(ctx, w.e.Scope, kinds...); err != nil {
			return false, err
		}
		if w.newest == nil {
			w.newest = map[string]time.Time{}
		}
		w.newest[f.ErrorCode] = at
	}
	return f.LastAttemptAt.Before(at), nil
}

// awaitedKinds are, by waiting code, the kinds of object whose arrival in QuickBooks
// may end the wait.
var awaitedKinds = map[string][]string{
	waitingForMatter:  {posting.KindClient, posting.KindMatter},
	waitingForInvoice: {posting.KindInvoice},
	waitingForLedger:  {KindLedger},
}

// countFailing sets counts.Failed to the category's items failing now. A run may
// settle one item several times (a waiting item retried, then met again in the feed),
// so counting failures as they happen would overstate them; the store is the truth.
func (e *Engine) countFailing(ctx context.Context, cat Category, counts *Counts) error {
	failed, err := e.Store.FailedItems(ctx, e.Scope, slices.Collect(maps.Keys(cat.kinds()))...)
	counts.Failed = len(failed)
	return err
}

// itemFailure is an error about one record: it is recorded, and the page goes on.
type itemFailure struct{ store.Failure }

func (f *itemFailure) Error() string { return f.Code + ": " + f.Message }

// asItemFailure turns err into an itemFailure if it is about the record itself (QBO
// refused its content, or a referenced object is gone), and returns nil otherwise.
func asItemFailure(err error) *itemFailure {
	if f, ok := errors.AsType[*itemFailure](err); ok {
		return f
	}
	if ot, ok := errors.AsType[*store.ObjectTakenError](err); ok {
		return objectTaken(ot)
	}
	if qe, ok := errors.AsType[*qbo.Error](err); ok {
		switch qe.Class {
		case qbo.Validation, qbo.NotFound:
			return &itemFailure{store.Failure{Code: qe.Code, Message: qe.Message + ": " + qe.Detail, Explanation: qe.Explanation()}}
		case qbo.Bug:
			// QBO could not read what qbosync sent for this record: a fault of qbosync's,
			// but one record's. It is reported with the record, and the rest goes on.
			return &itemFailure{store.Failure{Code: "qbosync:bug", Message: qe.Error(), Explanation: "QuickBooks could not read what qbosync sent for this record. " +
				"This is a fault in qbosync, not in the firm's data: nothing was posted for this record, the rest of the sync carries on, " +
				"and the record is tried again when it changes or on a retry. Report it to qbosync's support with the message above."}}
		}
	}
	return nil
}

// objectTaken explains that the QuickBooks object a record would use already stands
// for another record: two records sharing one object would mix their money.
func objectTaken(ot *store.ObjectTakenError) *itemFailure {
	return &itemFailure{store.Failure{
		Code:    "qbosync:object-taken",
		Message: ot.Error(),
		Explanation: fmt.Sprintf("The QuickBooks %s qbosync would use for this (Id %s, %q) already stands for something else that qbosync syncs (%s %s), "+
			"and one QuickBooks object never stands for two: nothing was posted for this. Give the two different QuickBooks objects "+
			"(in the setup, or by renaming one in the practice system); qbosync tries again on a retry.",
			strings.ToLower(ot.Mapping.QBOEntity), ot.Mapping.QBOID, ot.Holder.QBOName, ot.Holder.Kind, ot.Holder.SourceKey),
	}}
}

// settle records the outcome of one item. An item failure is recorded and swallowed;
// any other error is returned to stop the page.
func (e *Engine) settle(ctx context.Context, kind, key, label, action string, err error, counts *Counts) error {
	if err == nil {
		count(counts, action)
		e.observe(action, "")
		return e.Store.RecordSuccess(ctx, e.Scope, kind, key, label, action)
	}
	if f := asItemFailure(err); f != nil {
		noteFailure(ctx, kind, key)
		count(counts, store.ActionFailed)
		e.observe(store.ActionFailed, f.Code)
		e.Log.Info("item failed", "kind", kind, "key", key, "code", f.Code)
		return e.Store.RecordFailure(ctx, e.Scope, kind, key, label, f.Failure)
	}
	return err
}

// settleUnchanged records, in one statement, that the objects of items are as they
// should be in QuickBooks already.
func (e *Engine) settleUnchanged(ctx context.Context, items []item, counts *Counts) error {
	refs := make([]store.ItemRef, len(items))
	for i, it := range items {
		count(counts, store.ActionUnchanged)
		e.observe(store.ActionUnchanged, "")
		refs[i] = store.ItemRef{Kind: it.Kind, SourceKey: it.Key, Label: it.Label}
	}
	return e.Store.RecordSuccesses(ctx, e.Scope, store.ActionUnchanged, refs)
}

// observe tells Settled about an outcome.
func (e *Engine) observe(action, code string) {
	if e.Settled != nil {
		e.Settled(action, code)
	}
}
