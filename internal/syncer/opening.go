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
// entry, which putTxns then updates (an unchanged entry writes nothing). An entry whose
// balances are all zero now is deleted. A client's customer not yet in QBO makes the
// entry wait, as any trust record does, and it follows by itself once the customer is.
func syncTrustOpening(ctx context.Context, e *Engine, _ []pms.Change, counts *Counts) error {
	b, err := e.books(ctx)
	if err != nil || !b.Trust.Sync || b.start.IsZero() {
		return err
	}
	asOf := posting.OpeningDay(b.start)
	posted, err := e.postedAlone(ctx, b)
	if err != nil {
		return err
	}
	balances, err := pms.TrustBalancesAsOf(ctx, e.Store.DB(), e.Scope.FirmID, asOf, posted)
	if err != nil {
		return err
	}
	accountNames := map[int64]string{}
	for _, a := range b.Trust.Accounts {
		accountNames[a.PMSAccountID] = a.PMSName
	}
	byAccount := map[int64][]pms.TrustBalance{}
	var matterIDs []int64
	for _, bal := range balances {
		byAccount[bal.BankAccountID] = append(byAccount[bal.BankAccountID], bal)
		matterIDs = append(matterIDs, bal.MatterID)
	}
	// Every account with money, and every account of the settings (an entry posted
	// before may have to go).
	var ids []int64
	for id := range byAccount {
		ids = append(ids, id)
	}
	for id := range accountNames {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	existing, err := e.Store.Mappings(ctx, e.Scope, posting.KindTrustOpening, keysOf(ids))
	if err != nil {
		return err
	}
	failed, err := e.Store.FailedItems(ctx, e.Scope, posting.KindTrustOpening)
	if err != nil {
		return err
	}
	refs, err := e.trustAccounts(ctx, ids)
	if err != nil {
		return err
	}
	customers, err := e.customersOf(ctx, matterIDs)
	if err != nil {
		return err
	}
	var txns []txn
	for _, id := range ids {
		key := strconv.FormatInt(id, 10)
		name := accountNames[id]
		if name == "" {
			name = fmt.Sprintf("trust account #%d", id)
		}
		it := item{Kind: posting.KindTrustOpening, Key: key, Label: posting.TrustOpeningLabel(name, asOf),
			Marker: names.Marker(e.Scope.FirmID, posting.KindTrustOpening, id)}
		je, ok, err := trustOpeningEntry(e.Scope.FirmID, id, name, asOf, byAccount[id], refs, customers)
		if err == nil && !ok {
			// Nothing held: no entry, and one posted before goes; a failure recorded
			// before (waiting for a customer that no longer matters) is settled.
			switch m, mapped := existing[key]; {
			case mapped:
				err = retireTxn(ctx, e, it, m, false, counts)
			case slices.ContainsFunc(failed, func(f store.ItemStatus) bool { return f.SourceKey == key }):
				err = e.settle(ctx, it.Kind, it.Key, it.Label, store.ActionUnchanged, nil, counts)
			}
			if err != nil {
				return err
			}
			continue
		}
		if txns, err = e.stage(ctx, txns, txn{it: it, entity: "JournalEntry", body: je, date: je.TxnDate}, err, counts); err != nil {
			return err
		}
	}
	_, err = putTxns(ctx, e, txns, counts)
	return err
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

// paymentDeposit is the QBO account a payment is deposited to: the one the settings
// choose (depositAccountFor), unless the payment was received before the start date,
// when it is the receipts-before-start account (posting.PaymentDepositAccount), set up
// the first time a payment needs it.
func (e *Engine) paymentDeposit(ctx context.Context, b *books, p pms.Payment) (string, error) {
	chosen, err := e.depositAccountFor(ctx, b, p)
	if err != nil || !posting.ReceivedBeforeStart(p, b.start) {
		return chosen, err
	}
	before, err := e.receiptsBeforeStart(ctx)
	if err != nil {
		return "", err
	}
	return posting.PaymentDepositAccount(p, b.start, chosen, before), nil
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

// waitAllParts records a payment's failure (one waiting for its deposit account) under
// each of its parts, and none of them posts: posting part of a payment would misstate
// the deposit.
func waitAllParts(ctx context.Context, e *Engine, p pms.Payment, parts []posting.PaymentPart, f error, counts *Counts) error {
	for _, part := range parts {
		if err := e.settle(ctx, posting.KindPayment, part.Key, posting.PaymentLabel(p)+partLabel(part, len(parts)), "", f, counts); err != nil {
			return err
		}
	}
	return nil
}
