package syncer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// Opening balances (docs/design.md, "Opening balances"): a firm whose sync starts at a
// start date held client money in trust before it, and was paid before it on invoices
// the sync brings over. Trust: one journal entry per trust account, dated the day
// before the start date, carries the client balances of that day. Receivables: a
// payment received before the start date goes to the receipts-before-start account,
// never to Undeposited Funds or a bank account.

// syncTrustOpening makes QBO hold, for every trust account, the journal entry of its
// client balances as of the day before the start date (posting.TrustOpeningEntry). It
// is the trust category's prepare step and runs at every run, changes or not: the
// balances are worked out again from the practice system each time, so a trust
// transaction before the start date that is edited, added or deleted later changes the
// entry, which the apply then updates (an unchanged entry writes nothing). An entry
// whose balances are all zero now is deleted. A client's customer not yet in QBO makes
// the entry wait, as any trust record does, and it follows by itself once the customer
// is.
func syncTrustOpening(ctx context.Context, e *Engine, _ []pms.Change, counts *Counts) error {
	f, ok, err := loadTrustOpening(ctx, e)
	if err != nil || !ok {
		return err
	}
	p, cleared := planTrustOpening(f)
	for _, it := range cleared {
		if err := e.settle(ctx, it.Kind, it.Key, it.Label, store.ActionUnchanged, nil, counts); err != nil {
			return err
		}
	}
	_, err = e.apply(ctx, p, counts)
	return err
}

// openingFacts are what the opening entries are planned with.
type openingFacts struct {
	basis
	asOf     time.Time
	accounts []int64          // every trust account with money, or of the settings, sorted
	names    map[int64]string // the practice accounts' names
	balances map[int64][]pms.TrustBalance
	existing map[string]store.Mapping           // the entries posted before, by account key
	failed   map[string]bool                    // the account keys with a failure recorded
	accts    map[int64]posting.TrustAccountRefs // by practice bank account
	customer map[int64]string                   // by matter
}

// loadTrustOpening reads the balances as of the day before the start date, what the
// entries posted as before, and the accounts and customers they post to. ok is false
// when there is nothing to open: trust money does not sync, or there is no start date.
func loadTrustOpening(ctx context.Context, e *Engine) (f openingFacts, ok bool, err error) {
	if f.basis, err = e.basis(ctx); err != nil || !f.books.Trust.Sync || f.scope.Start.IsZero() {
		return f, false, err
	}
	f.asOf = posting.OpeningDay(f.scope.Start)
	posted, err := e.postedAlone(ctx, f.books)
	if err != nil {
		return f, false, err
	}
	balances, err := pms.TrustBalancesAsOf(ctx, e.Store.DB(), e.Scope.FirmID, f.asOf, posted)
	if err != nil {
		return f, false, err
	}
	f.names, f.balances = map[int64]string{}, map[int64][]pms.TrustBalance{}
	for _, a := range f.books.Trust.Accounts {
		f.names[a.PMSAccountID] = a.PMSName
		f.accounts = append(f.accounts, a.PMSAccountID)
	}
	var matterIDs []int64
	for _, b := range balances {
		f.balances[b.BankAccountID] = append(f.balances[b.BankAccountID], b)
		matterIDs = append(matterIDs, b.MatterID)
		if !slices.Contains(f.accounts, b.BankAccountID) {
			f.accounts = append(f.accounts, b.BankAccountID)
		}
	}
	slices.Sort(f.accounts)
	if f.existing, err = e.mappings(ctx, posting.KindTrustOpening, keysOf(f.accounts)); err != nil {
		return f, false, err
	}
	failed, err := e.Store.FailedItems(ctx, e.Scope, posting.KindTrustOpening)
	if err != nil {
		return f, false, err
	}
	f.failed = map[string]bool{}
	for _, it := range failed {
		f.failed[it.SourceKey] = true
	}
	if f.accts, err = e.trustAccounts(ctx, f.accounts); err != nil {
		return f, false, err
	}
	f.customer, err = e.customersOf(ctx, matterIDs)
	return f, true, err
}

// planTrustOpening decides, account by account, the opening entry QBO should hold, the
// one to delete (nothing held any more), or what the entry waits for. cleared are the
// accounts whose recorded failure no longer applies (nothing to post, nothing posted).
func planTrustOpening(f openingFacts) (p plan, cleared []item) {
	for _, id := range f.accounts {
		key := strconv.FormatInt(id, 10)
		name := f.names[id]
		if name == "" {
			name = fmt.Sprintf("trust account #%d", id)
		}
		it := item{Kind: posting.KindTrustOpening, Key: key, Label: posting.TrustOpeningLabel(name, f.asOf),
			Marker: names.Marker(f.firm, posting.KindTrustOpening, id)}
		je, ok, err := trustOpeningEntry(f.firm, id, name, f.asOf, f.balances[id], f.accts, f.customer)
		switch m, inBooks := f.existing[key]; {
		case err == nil && !ok && inBooks:
			p.retire = append(p.retire, retirement{it: it, m: m})
		case err == nil && !ok && f.failed[key]:
			cleared = append(cleared, it)
		case err == nil && !ok:
		default:
			p.post(txn{it: it, entity: "JournalEntry", body: je, date: je.TxnDate}, err)
		}
	}
	return p, cleared
}

// postedAlone says which trust records qbosync posts on their own, whatever their date,
// so that the opening balances leave them out: those already in QuickBooks (a record
// moved before the start date after it synced stays there), and, with one deposit per
// slip, receipts on slips deposited from the start date on.
func (e *Engine) postedAlone(ctx context.Context, b *books) (pms.PostedAlone, error) {
	out := pms.PostedAlone{SlipsPostAsOne: b.Trust.DepositSlips == settings.SlipPerDeposit}
	for _, kind := range append([]string{posting.KindDepositSlip}, trustTxnKinds...) {
		mapped, err := e.Store.MappingsWithPrefix(ctx, e.Scope, kind, "")
		if err != nil {
			return out, err
		}
		for _, m := range mapped {
			id, err := strconv.ParseInt(m.SourceKey, 10, 64)
			if err != nil {
				return out, fmt.Errorf("id map: %s %q: %w", kind, m.SourceKey, err)
			}
			if kind == posting.KindDepositSlip {
				out.Slips = append(out.Slips, id)
			} else {
				out.Txns = append(out.Txns, id)
			}
		}
	}
	return out, nil
}

// trustOpeningEntry is the opening entry of one trust account, or the failure saying
// what it waits for: the account's QBO bank and liability, or a customer of a matter
// that holds money.
func trustOpeningEntry(firm, account int64, name string, asOf time.Time, balances []pms.TrustBalance,
	refs map[int64]posting.TrustAccountRefs, customers map[int64]string) (qbo.JournalEntry, bool, error) {
	if len(balances) == 0 {
		return qbo.JournalEntry{}, false, nil
	}
	label := posting.TrustOpeningLabel(name, asOf)
	acct, ok := refs[account]
	if !ok {
		return qbo.JournalEntry{}, false, trustLedgerMissing(label, account)
	}
	for _, bal := range balances {
		if _, ok := customers[bal.MatterID]; !ok && bal.BalanceCents != 0 {
			return qbo.JournalEntry{}, false, matterMissing(label, bal.MatterNumber)
		}
	}
	je, ok, err := posting.TrustOpeningEntry(firm, account, name, asOf, balances, acct, customers)
	return je, ok, itemErr(err)
}

// receiptsBeforeStart is the receipts-before-start account as a page of payments
// knows it: its QBO id, or why it is not there.
type receiptsBeforeStart struct {
	id  string
	err error // an item failure: what the payments received before the start date wait for
}

// loadReceiptsBeforeStart sets up the receipts-before-start account, once a payment of
// the page needs it: received before the start date, and applied to an invoice that is
// in QuickBooks or belongs there (a company whose pre-start payments all paid invoices
// the sync leaves out gets no such account).
func (f *paymentFacts) loadReceiptsBeforeStart(ctx context.Context, e *Engine) error {
	needs := func(p pms.Payment) bool {
		return p.Status == "posted" && posting.ReceivedBeforeStart(p, f.scope.Start) && slices.ContainsFunc(p.Allocations, func(a pms.Allocation) bool {
			_, inBooks := f.invoices[strconv.FormatInt(a.InvoiceID, 10)]
			return f.scope.Invoice(f.states[a.InvoiceID], inBooks)
		})
	}
	if !f.books.Invoices.SyncPayments || !slices.ContainsFunc(f.payments, needs) {
		return nil
	}
	id, err := e.receiptsBeforeStart(ctx)
	if asItemFailure(err) != nil {
		f.beforeStart.err = err
		return nil
	}
	f.beforeStart.id = id
	return err
}

// depositTo is the QBO account a payment is deposited to: the one the settings choose
// (operatingBankKey; Undeposited Funds when none), unless the payment was received
// before the start date, when it is the receipts-before-start account
// (posting.PaymentDepositAccount), or the failure saying why it waits for it.
func (f paymentFacts) depositTo(pay pms.Payment) (string, error) {
	if posting.ReceivedBeforeStart(pay, f.scope.Start) && f.beforeStart.id == "" {
		if f.beforeStart.err == nil { // never Undeposited Funds by default
			return "", fmt.Errorf("syncer: payment %d was received before the start date and the account for it was not loaded", pay.ID)
		}
		return "", f.beforeStart.err
	}
	return posting.PaymentDepositAccount(pay, f.scope.Start, f.banks[operatingBankKey(f.books, pay)].QBOID, f.beforeStart.id), nil
}

// receiptsBeforeStart makes sure the receipts-before-start account is in QBO and
// returns its id. Like every account qbosync creates, it carries qbosync's marker and is
// never taken by its name: a name the company uses already is a failed item of the
// ledger, and the payments that need the account wait for it.
func (e *Engine) receiptsBeforeStart(ctx context.Context) (string, error) {
	key := posting.PreStartReceiptsKey
	it := item{Kind: KindLedger, Key: key, Label: posting.PreStartReceiptsName, Marker: names.MarkerFor(e.Scope.FirmID, KindLedger, key)}
	action, id, err := upsert(ctx, e, accountSpec, it, qbo.Account{
		Name: posting.PreStartReceiptsName, AccountType: posting.PreStartReceiptsType, AccountSubType: posting.PreStartReceiptsSubType,
		Description: it.Marker,
	})
	if action != store.ActionUnchanged || err != nil {
		var counts Counts // the ledger's outcome, not the payments'
		if err := e.settle(ctx, it.Kind, it.Key, it.Label, action, err, &counts); err != nil {
			return "", err
		}
	}
	if f := asItemFailure(err); f != nil {
		return "", waiting(waitingForLedger,
			fmt.Sprintf("the account %q for payments received before the start date is not in QuickBooks: %s", posting.PreStartReceiptsName, f.Message),
			fmt.Sprintf("A payment received before the sync's start date was banked before the books in QuickBooks begin, so qbosync deposits it to the account %q "+
				"rather than Undeposited Funds or a bank account, and that account could not be set up (see its own entry in this list). "+
				"The payment syncs by itself once it is.", posting.PreStartReceiptsName))
	}
	return id, err
}
