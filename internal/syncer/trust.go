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

// trustPage syncs the trust records changed in a page. With deposit slips posted as
// slips, a slip is one Deposit of its receipts, so a changed receipt brings its slip
// back; a receipt on no slip, or every receipt when the firm posts a deposit per
// receipt, is a Deposit of its own. A transfer to operating is a journal entry taking
// the money out of trust (the payment it funds is the payments category's); a
// disbursement is a check from the trust account to the payee's vendor. Deleted
// records, and what a record posted as before (a receipt now on a slip, a changed
// kind), are deleted from QBO.
//
// A receipt taken off a slip, or deleted, no longer names the slip: the slip follows
// only when it changes too (its total must, or it no longer balances).
var trustPage = page[trustFacts]{load: loadTrust, plan: planTrust, followUp: retireReceiptsOnPostedSlips}

// trustFacts are what a page of trust changes is planned with: the records, what they
// posted as before, and the accounts, customers and vendors they post to.
type trustFacts struct {
	basis
	bySlip bool // deposit slips post as one Deposit each

	slipIDs, txnIDs []int64
	slips           []pms.DepositSlip
	trustTxns       []pms.TrustTransaction
	slipMaps        map[string]store.Mapping
	own             map[string]map[string]store.Mapping // by trust transaction kind, then key
	accts           map[int64]posting.TrustAccountRefs  // by practice bank account
	customers       map[int64]string                    // by matter
	vendors         map[string]vendorRef                // the run's, by payee key
}

// loadTrust reads the page's records, their mappings and what they post to. With slips
// posted as slips, the slips of changed receipts come along.
func loadTrust(ctx context.Context, e *Engine, changes []pms.Change) (f trustFacts, ok bool, err error) {
	f.slipIDs, f.txnIDs = idsOf(changes, pms.EntityDepositSlip), idsOf(changes, pms.EntityTrustTransaction)
	if len(f.slipIDs)+len(f.txnIDs) == 0 {
		return f, false, nil
	}
	if f.basis, err = e.basis(ctx); err != nil || !f.books.Trust.Sync {
		return f, false, err
	}
	f.bySlip, f.vendors = f.books.Trust.DepositSlips == settings.SlipPerDeposit, e.runVendors()
	db, firm := e.Store.DB(), e.Scope.FirmID
	if f.trustTxns, err = pms.TrustTransactions(ctx, db, firm, f.txnIDs); err != nil {
		return f, false, err
	}
	if f.bySlip {
		ofReceipts, err := pms.SlipIDsOfTrustTransactions(ctx, db, firm, f.txnIDs)
		if err != nil {
			return f, false, err
		}
		for _, id := range ofReceipts {
			if !slices.Contains(f.slipIDs, id) {
				f.slipIDs = append(f.slipIDs, id)
			}
		}
		slices.Sort(f.slipIDs)
		if f.slips, err = pms.DepositSlips(ctx, db, firm, f.slipIDs); err != nil {
			return f, false, err
		}
	}
	if f.slipMaps, err = e.mappings(ctx, posting.KindDepositSlip, keysOf(f.slipIDs)); err != nil {
		return f, false, err
	}
	f.own = map[string]map[string]store.Mapping{}
	for _, kind := range trustTxnKinds {
		if f.own[kind], err = e.mappings(ctx, kind, keysOf(f.txnIDs)); err != nil {
			return f, false, err
		}
	}
	return f, true, f.loadRefs(ctx, e)
}

// loadRefs reads the QBO trust accounts and customers the page's records post to.
func (f *trustFacts) loadRefs(ctx context.Context, e *Engine) error {
	var matterIDs, accountIDs []int64
	for _, s := range f.slips {
		accountIDs = append(accountIDs, s.BankAccountID)
		for _, r := range s.Receipts {
			matterIDs = append(matterIDs, r.MatterID)
		}
	}
	for _, t := range f.trustTxns {
		matterIDs, accountIDs = append(matterIDs, t.MatterID), append(accountIDs, t.BankAccountID)
	}
	var err error
	if f.customers, err = e.customersOf(ctx, matterIDs); err != nil {
		return err
	}
	f.accts, err = e.trustAccounts(ctx, accountIDs)
	return err
}

// planTrust decides what QBO holds for the page's trust records.
func planTrust(f trustFacts) plan {
	p := plan{retire: f.gone()}
	for _, s := range f.slips {
		key := strconv.FormatInt(s.ID, 10)
		if _, inBooks := f.slipMaps[key]; !f.scope.PostsOn(s.DepositedOn, inBooks) {
			continue
		}
		body, err := slipDeposit(s, f.accts, f.customers)
		it := item{Kind: posting.KindDepositSlip, Key: key, Label: posting.DepositSlipLabel(s), Marker: names.Marker(f.firm, posting.KindDepositSlip, s.ID)}
		p.post(txn{it: it, entity: "Deposit", body: body, date: body.TxnDate}, err)
	}
	for _, t := range f.trustTxns {
		kind := trustTxnKind(t, f.bySlip)
		key := strconv.FormatInt(t.ID, 10)
		if kind == "" { // posted on its slip
			continue
		}
		if _, inBooks := f.own[kind][key]; !f.scope.PostsOn(t.TxnOn, inBooks) {
			continue
		}
		it := item{Kind: kind, Key: key, Label: posting.TrustTransactionLabel(t), Marker: names.Marker(f.firm, kind, t.ID)}
		f.planTrustTxn(&p, it, t)
	}
	return p
}

// gone are the retirements of what no longer posts as it did: deleted slips, deleted
// transactions, and a transaction's object of another kind than it posts as now.
func (f trustFacts) gone() []retirement {
	var out []retirement
	for _, id := range f.slipIDs {
		key := strconv.FormatInt(id, 10)
		m, ok := f.slipMaps[key]
		if !ok || slices.ContainsFunc(f.slips, func(s pms.DepositSlip) bool { return s.ID == id }) {
			continue
		}
		out = append(out, retirement{it: item{Kind: posting.KindDepositSlip, Key: key, Label: fmt.Sprintf("deposit slip #%d (deleted)", id)}, m: m})
	}
	for _, id := range f.txnIDs {
		key := strconv.FormatInt(id, 10)
		i := slices.IndexFunc(f.trustTxns, func(t pms.TrustTransaction) bool { return t.ID == id })
		want, label := "", fmt.Sprintf("trust transaction #%d (deleted)", id)
		if i >= 0 {
			want, label = trustTxnKind(f.trustTxns[i], f.bySlip), posting.TrustTransactionLabel(f.trustTxns[i])
		}
		for _, kind := range trustTxnKinds {
			m, ok := f.own[kind][key]
			// A receipt now on a slip keeps its own deposit until the slip posts.
			if !ok || kind == want || (i >= 0 && kind == posting.KindTrustReceipt && want == "") {
				continue
			}
			out = append(out, retirement{it: item{Kind: kind, Key: key, Label: label}, m: m})
		}
	}
	return out
}

// retireReceiptsOnPostedSlips deletes the deposits of their own of receipts whose slip
// is now in QBO (posted): the slip posts them, and a deposit of their own would count
// them twice.
func retireReceiptsOnPostedSlips(ctx context.Context, e *Engine, f trustFacts, posted map[string]string, counts *Counts) error {
	var onSlips []int64
	for _, s := range f.slips {
		if _, ok := posted[strconv.FormatInt(s.ID, 10)]; ok {
			for _, r := range s.Receipts {
				onSlips = append(onSlips, r.ID)
			}
		}
	}
	if len(onSlips) == 0 {
		return nil
	}
	alone, err := e.mappings(ctx, posting.KindTrustReceipt, keysOf(onSlips))
	if err != nil {
		return err
	}
	var p plan
	for _, m := range alone {
		it := item{Kind: posting.KindTrustReceipt, Key: m.SourceKey, Label: fmt.Sprintf("trust receipt #%s (now on a deposit slip)", m.SourceKey)}
		p.retire = append(p.retire, retirement{it: it, m: m})
	}
	_, err = e.apply(ctx, p, counts)
	return err
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

// planTrustTxn adds to p the QBO transaction of a trust transaction posted on its
// own (it says as what), or its failure; a disbursement to a payee the run has not met
// yet asks for the payee's vendor instead.
func (f trustFacts) planTrustTxn(p *plan, it item, t pms.TrustTransaction) {
	acct, ok := f.accts[t.BankAccountID]
	if !ok {
		p.fail(it, trustLedgerMissing(it.Label, t.BankAccountID))
		return
	}
	customer, ok := f.customers[t.MatterID]
	if !ok {
		p.fail(it, matterMissing(it.Label, t.MatterNumber))
		return
	}
	switch it.Kind {
	case posting.KindTrustReceipt:
		body, err := posting.ReceiptDeposit(t, acct, customer)
		p.post(txn{it: it, entity: "Deposit", body: body, date: body.TxnDate}, itemErr(err))
		return
	case posting.KindTrustTransfer:
		body, err := posting.TrustTransferEntry(t, acct, customer)
		p.post(txn{it: it, entity: "JournalEntry", body: body, date: body.TxnDate}, itemErr(err))
		return
	}
	vendor, known := vendorOf(f.vendors, t.Payee)
	switch {
	case !known:
		p.needPayee(t.Payee)
		return
	case vendor.err != nil:
		p.fail(it, vendor.err)
		return
	}
	// A trust check is a check unless the firm pays its costs in cash.
	body, err := posting.TrustDisbursement(t, acct, customer, vendor.id, cmp.Or(f.books.HardCosts.PaymentType, settings.PaymentCheck))
	p.post(txn{it: it, entity: "Purchase", body: body, date: body.TxnDate}, itemErr(err))
}

// trustAccounts returns the QBO bank and liability accounts of the practice trust
// accounts that have both in the id map.
func (e *Engine) trustAccounts(ctx context.Context, ids []int64) (map[int64]posting.TrustAccountRefs, error) {
	var keys []string
	for _, id := range ids {
		keys = append(keys, settings.BankLedgerKey(settings.RoleTrustBank, id), settings.BankLedgerKey(settings.RoleTrustLiability, id))
	}
	mapped, err := e.mappings(ctx, KindLedger, keys)
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
