package syncer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// trustTxnKinds are the kinds a trust transaction posts as on its own.
var trustTxnKinds = []string{posting.KindTrustReceipt, posting.KindTrustTransfer, posting.KindTrustDisbursement}

// syncTrustPage syncs the trust records changed in a page. With deposit slips posted
// as slips, a slip is one Deposit of its receipts, so a changed receipt brings its slip
// back; a receipt on no slip, or every receipt when the firm posts a deposit per
// receipt, is a Deposit of its own. A transfer to operating is a journal entry taking
// the money out of trust (the payment it funds is the payments category's); a
// disbursement is a check from the trust account to the payee's vendor. Deleted
// records, and what a record posted as before (a receipt now on a slip, a changed
// kind), are deleted from QBO.
//
// A receipt taken off a slip, or deleted, no longer names the slip: the slip follows
// only when it changes too (its total must, or it no longer balances).
func syncTrustPage(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error {
	slipIDs, txnIDs := idsOf(changes, pms.EntityDepositSlip), idsOf(changes, pms.EntityTrustTransaction)
	if len(slipIDs)+len(txnIDs) == 0 {
		return nil
	}
	b, err := e.books(ctx)
	if err != nil || !b.Trust.Sync {
		return err
	}
	p := &trustPage{e: e, b: b, counts: counts, bySlip: b.Trust.DepositSlips == settings.SlipPerDeposit, slipIDs: slipIDs, txnIDs: txnIDs}
	if err := p.load(ctx); err != nil {
		return err
	}
	if err := p.retireGone(ctx); err != nil {
		return err
	}
	txns, err := p.transactions(ctx)
	if err != nil {
		return err
	}
	posted, err := putTxns(ctx, e, txns, counts)
	if err != nil {
		return err
	}
	return p.retireReceiptsOnPostedSlips(ctx, posted)
}

// trustPage is one page of trust changes on its way to QBO: the records, what they
// posted as before, and the accounts and customers they post to.
type trustPage struct {
	e      *Engine
	b      *books
	counts *Counts
	bySlip bool // deposit slips post as one Deposit each

	slipIDs, txnIDs []int64
	slips           []pms.DepositSlip
	trustTxns       []pms.TrustTransaction
	slipMaps        map[string]store.Mapping
	own             map[string]map[string]store.Mapping // by trust transaction kind, then key
}

// load reads the page's records and their mappings. With slips posted as slips, the
// slips of changed receipts come along.
func (p *trustPage) load(ctx context.Context) error {
	e, db, firm := p.e, p.e.Store.DB(), p.e.Scope.FirmID
	var err error
	if p.trustTxns, err = pms.TrustTransactions(ctx, db, firm, p.txnIDs); err != nil {
		return err
	}
	if p.bySlip {
		ofReceipts, err := pms.SlipIDsOfTrustTransactions(ctx, db, firm, p.txnIDs)
		if err != nil {
			return err
		}
		for _, id := range ofReceipts {
			if !slices.Contains(p.slipIDs, id) {
				p.slipIDs = append(p.slipIDs, id)
			}
		}
		slices.Sort(p.slipIDs)
		if p.slips, err = pms.DepositSlips(ctx, db, firm, p.slipIDs); err != nil {
			return err
		}
	}
	if p.slipMaps, err = e.Store.Mappings(ctx, e.Scope, posting.KindDepositSlip, keysOf(p.slipIDs)); err != nil {
		return err
	}
	p.own = map[string]map[string]store.Mapping{}
	for _, kind := range trustTxnKinds {
		if p.own[kind], err = e.Store.Mappings(ctx, e.Scope, kind, keysOf(p.txnIDs)); err != nil {
			return err
		}
	}
	return nil
}

// retireGone deletes from QBO what no longer posts as it did: deleted slips, deleted
// transactions, and a transaction's object of another kind than it posts as now.
func (p *trustPage) retireGone(ctx context.Context) error {
	for _, id := range p.slipIDs {
		key := strconv.FormatInt(id, 10)
		m, ok := p.slipMaps[key]
		if !ok || slices.ContainsFunc(p.slips, func(s pms.DepositSlip) bool { return s.ID == id }) {
			continue
		}
		it := item{Kind: posting.KindDepositSlip, Key: key, Label: fmt.Sprintf("deposit slip #%d (deleted)", id)}
		if err := retireTxn(ctx, p.e, it, m, false, p.counts); err != nil {
			return err
		}
	}
	for _, id := range p.txnIDs {
		key := strconv.FormatInt(id, 10)
		i := slices.IndexFunc(p.trustTxns, func(t pms.TrustTransaction) bool { return t.ID == id })
		want, label := "", fmt.Sprintf("trust transaction #%d (deleted)", id)
		if i >= 0 {
			want, label = trustTxnKind(p.trustTxns[i], p.bySlip), posting.TrustTransactionLabel(p.trustTxns[i])
		}
		for _, kind := range trustTxnKinds {
			m, ok := p.own[kind][key]
			// A receipt now on a slip keeps its own deposit until the slip posts.
			if !ok || kind == want || (i >= 0 && kind == posting.KindTrustReceipt && want == "") {
				continue
			}
			if err := retireTxn(ctx, p.e, item{Kind: kind, Key: key, Label: label}, m, false, p.counts); err != nil {
				return err
			}
		}
	}
	return nil
}

// transactions builds the QBO transactions of the page's slips and trust transactions
// in scope; one that cannot be built is settled as its failure.
func (p *trustPage) transactions(ctx context.Context) ([]txn, error) {
	accts, customers, err := p.refs(ctx)
	if err != nil {
		return nil, err
	}
	e, firm := p.e, p.e.Scope.FirmID
	var txns []txn
	for _, s := range p.slips {
		key, label := strconv.FormatInt(s.ID, 10), posting.DepositSlipLabel(s)
		if _, mapped := p.slipMaps[key]; !p.b.postsOn(s.DepositedOn, mapped) {
			continue
		}
		body, err := slipDeposit(s, accts, customers)
		t := txn{it: item{Kind: posting.KindDepositSlip, Key: key, Label: label, Marker: names.Marker(firm, posting.KindDepositSlip, s.ID)},
			entity: "Deposit", body: body, date: body.TxnDate}
		if txns, err = e.stage(ctx, txns, t, err, p.counts); err != nil {
			return nil, err
		}
	}
	for _, t := range p.trustTxns {
		kind := trustTxnKind(t, p.bySlip)
		key, label := strconv.FormatInt(t.ID, 10), posting.TrustTransactionLabel(t)
		if kind == "" { // posted on its slip
			continue
		}
		if _, mapped := p.own[kind][key]; !p.b.postsOn(t.TxnOn, mapped) {
			continue
		}
		entity, body, date, err := trustTxnBody(ctx, e, p.b, t, kind, accts, customers)
		tx := txn{it: item{Kind: kind, Key: key, Label: label, Marker: names.Marker(firm, kind, t.ID)}, entity: entity, body: body, date: date}
		if txns, err = e.stage(ctx, txns, tx, err, p.counts); err != nil {
			return nil, err
		}
	}
	return txns, nil
}

// refs are the QBO trust accounts and customers the page's records post to.
func (p *trustPage) refs(ctx context.Context) (map[int64]posting.TrustAccountRefs, map[int64]string, error) {
	var matterIDs, accountIDs []int64
	for _, s := range p.slips {
		accountIDs = append(accountIDs, s.BankAccountID)
		for _, r := range s.Receipts {
			matterIDs = append(matterIDs, r.MatterID)
		}
	}
	for _, t := range p.trustTxns {
		matterIDs, accountIDs = append(matterIDs, t.MatterID), append(accountIDs, t.BankAccountID)
	}
	customers, err := p.e.customersOf(ctx, matterIDs)
	if err != nil {
		return nil, nil, err
	}
	accts, err := p.e.trustAccounts(ctx, accountIDs)
	return accts, customers, err
}

// retireReceiptsOnPostedSlips deletes the deposits of their own of receipts whose slip
// is now in QBO: the slip posts them, and a deposit of their own would count them twice.
func (p *trustPage) retireReceiptsOnPostedSlips(ctx context.Context, posted map[string]string) error {
	var onSlips []int64
	for _, s := range p.slips {
		if _, ok := posted[strconv.FormatInt(s.ID, 10)]; ok {
			for _, r := range s.Receipts {
				onSlips = append(onSlips, r.ID)
			}
		}
	}
	if len(onSlips) == 0 {
		return nil
	}
	alone, err := p.e.Store.Mappings(ctx, p.e.Scope, posting.KindTrustReceipt, keysOf(onSlips))
	if err != nil {
		return err
	}
	for _, m := range alone {
		it := item{Kind: posting.KindTrustReceipt, Key: m.SourceKey, Label: fmt.Sprintf("trust receipt #%s (now on a deposit slip)", m.SourceKey)}
		if err := retireTxn(ctx, p.e, it, m, false, p.counts); err != nil {
			return err
		}
	}
	return nil
}

// trustTxnKind is what a trust transaction posts as on its own, or "" for a receipt
// posted on its deposit slip.
func trustTxnKind(t pms.TrustTransaction, bySlip bool) string {
	switch t.Kind {
	case pms.TrustDeposit:
		if bySlip && t.DepositSlipID != nil {
			return ""
		}
		return posting.KindTrustReceipt
	case pms.TrustTransferToOperating:
		return posting.KindTrustTransfer
	case pms.TrustDisbursement:
		return posting.KindTrustDisbursement
	}
	return ""
}

// slipDeposit is the QBO deposit of a slip, or a failure saying what it waits for or
// why it cannot be.
func slipDeposit(s pms.DepositSlip, accts map[int64]posting.TrustAccountRefs, customers map[int64]string) (qbo.Deposit, error) {
	label := posting.DepositSlipLabel(s)
	acct, ok := accts[s.BankAccountID]
	if !ok {
		return qbo.Deposit{}, trustLedgerMissing(label, s.BankAccountID)
	}
	for _, r := range s.Receipts {
		if _, ok := customers[r.MatterID]; !ok {
			return qbo.Deposit{}, matterMissing(label, r.MatterNumber)
		}
	}
	body, err := posting.SlipDeposit(s, acct, customers)
	return body, itemErr(err)
}

// trustTxnBody is the QBO transaction of a trust transaction posted on its own: its
// entity, body and TxnDate.
func trustTxnBody(ctx context.Context, e *Engine, b *books, t pms.TrustTransaction, kind string,
	accts map[int64]posting.TrustAccountRefs, customers map[int64]string) (string, any, string, error) {
	label := posting.TrustTransactionLabel(t)
	acct, ok := accts[t.BankAccountID]
	if !ok {
		return "", nil, "", trustLedgerMissing(label, t.BankAccountID)
	}
	customer, ok := customers[t.MatterID]
	if !ok {
		return "", nil, "", matterMissing(label, t.MatterNumber)
	}
	switch kind {
	case posting.KindTrustReceipt:
		body, err := posting.ReceiptDeposit(t, acct, customer)
		return "Deposit", body, body.TxnDate, itemErr(err)
	case posting.KindTrustTransfer:
		body, err := posting.TrustTransferEntry(t, acct, customer)
		return "JournalEntry", body, body.TxnDate, itemErr(err)
	}
	vendor, err := ensureVendor(ctx, e, t.Payee)
	if err != nil {
		return "", nil, "", err
	}
	// A trust check is a check unless the firm pays its costs in cash.
	body, err := posting.TrustDisbursement(t, acct, customer, vendor, cmp.Or(b.HardCosts.PaymentType, settings.PaymentCheck))
	return "Purchase", body, body.TxnDate, itemErr(err)
}

// trustAccounts returns the QBO bank and liability accounts of the practice trust
// accounts that have both in the id map.
func (e *Engine) trustAccounts(ctx context.Context, ids []int64) (map[int64]posting.TrustAccountRefs, error) {
	var keys []string
	for _, id := range ids {
		keys = append(keys, settings.BankLedgerKey(settings.RoleTrustBank, id), settings.BankLedgerKey(settings.RoleTrustLiability, id))
	}
	mapped, err := e.Store.Mappings(ctx, e.Scope, KindLedger, keys)
	if err != nil {
		return nil, err
	}
	out := map[int64]posting.TrustAccountRefs{}
	for _, id := range ids {
		bank, okB := mapped[settings.BankLedgerKey(settings.RoleTrustBank, id)]
		liab, okL := mapped[settings.BankLedgerKey(settings.RoleTrustLiability, id)]
		if okB && okL {
			out[id] = posting.TrustAccountRefs{Bank: bank.QBOID, Liability: liab.QBOID}
		}
	}
	return out, nil
}

// trustLedgerMissing explains why trust money waits for its accounts.
func trustLedgerMissing(what string, bankAccountID int64) error {
	return waiting(waitingForLedger,
		fmt.Sprintf("%s: trust bank account #%d has no QuickBooks bank and liability accounts", what, bankAccountID),
		"Trust money posts to the QuickBooks bank account and client funds liability chosen for its trust account in the setup. "+
			"This account has none: it is not among the trust accounts in the settings (an account added after the setup needs a new setup), "+
			"or they could not be set up in QuickBooks (see the ledger entries in this list). It syncs by itself once they are.")
}
