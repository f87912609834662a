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
	db, firm := e.Store.DB(), e.Scope.FirmID
	bySlip := b.Trust.DepositSlips == settings.SlipPerDeposit
	trustTxns, err := pms.TrustTransactions(ctx, db, firm, txnIDs)
	if err != nil {
		return err
	}
	var slips []pms.DepositSlip
	if bySlip {
		ofReceipts, err := pms.SlipIDsOfTrustTransactions(ctx, db, firm, txnIDs)
		if err != nil {
			return err
		}
		for _, id := range ofReceipts {
			if !slices.Contains(slipIDs, id) {
				slipIDs = append(slipIDs, id)
			}
		}
		slices.Sort(slipIDs)
		if slips, err = pms.DepositSlips(ctx, db, firm, slipIDs); err != nil {
			return err
		}
	}
	slipMaps, err := e.Store.Mappings(ctx, e.Scope, posting.KindDepositSlip, keysOf(slipIDs))
	if err != nil {
		return err
	}
	for _, id := range slipIDs {
		key := strconv.FormatInt(id, 10)
		m, ok := slipMaps[key]
		if !ok || slices.ContainsFunc(slips, func(s pms.DepositSlip) bool { return s.ID == id }) {
			continue
		}
		it := item{Kind: posting.KindDepositSlip, Key: key, Label: fmt.Sprintf("deposit slip #%d (deleted)", id)}
		if err := retireTxn(ctx, e, it, m, false, counts); err != nil {
			return err
		}
	}

	own := map[string]map[string]store.Mapping{}
	for _, kind := range trustTxnKinds {
		if own[kind], err = e.Store.Mappings(ctx, e.Scope, kind, keysOf(txnIDs)); err != nil {
			return err
		}
	}
	for _, id := range txnIDs {
		key := strconv.FormatInt(id, 10)
		i := slices.IndexFunc(trustTxns, func(t pms.TrustTransaction) bool { return t.ID == id })
		want, label := "", fmt.Sprintf("trust transaction #%d (deleted)", id)
		if i >= 0 {
			want, label = trustTxnKind(trustTxns[i], bySlip), posting.TrustTransactionLabel(trustTxns[i])
		}
		for _, kind := range trustTxnKinds {
			m, ok := own[kind][key]
			// A receipt now on a slip keeps its own deposit until the slip posts.
			if !ok || kind == want || (i >= 0 && kind == posting.KindTrustReceipt && want == "") {
				continue
			}
			if err := retireTxn(ctx, e, item{Kind: kind, Key: key, Label: label}, m, false, counts); err != nil {
				return err
			}
		}
	}

	var matterIDs, accountIDs []int64
	for _, s := range slips {
		accountIDs = append(accountIDs, s.BankAccountID)
		for _, r := range s.Receipts {
			matterIDs = append(matterIDs, r.MatterID)
		}
	}
	for _, t := range trustTxns {
		matterIDs, accountIDs = append(matterIDs, t.MatterID), append(accountIDs, t.BankAccountID)
	}
	customers, err := e.customersOf(ctx, matterIDs)
	if err != nil {
		return err
	}
	accts, err := e.trustAccounts(ctx, accountIDs)
	if err != nil {
		return err
	}

	var txns []txn
	for _, s := range slips {
		key, label := strconv.FormatInt(s.ID, 10), posting.DepositSlipLabel(s)
		if _, mapped := slipMaps[key]; !b.postsOn(s.DepositedOn, mapped) {
			continue
		}
		body, err := slipDeposit(s, accts, customers)
		if err != nil {
			if err := e.settle(ctx, posting.KindDepositSlip, key, label, "", err, counts); err != nil {
				return err
			}
			continue
		}
		txns = append(txns, txn{
			it:     item{Kind: posting.KindDepositSlip, Key: key, Label: label, Marker: names.Marker(e.Scope.FirmID, posting.KindDepositSlip, s.ID)},
			entity: "Deposit", body: body, date: body.TxnDate,
		})
	}
	for _, t := range trustTxns {
		kind := trustTxnKind(t, bySlip)
		if kind == "" {
			continue // posted on its slip
		}
		key, label := strconv.FormatInt(t.ID, 10), posting.TrustTransactionLabel(t)
		if _, mapped := own[kind][key]; !b.postsOn(t.TxnOn, mapped) {
			continue
		}
		entity, body, date, err := trustTxnBody(ctx, e, b, t, kind, accts, customers)
		if err != nil {
			if err := e.settle(ctx, kind, key, label, "", err, counts); err != nil {
				return err
			}
			continue
		}
		txns = append(txns, txn{
			it:     item{Kind: kind, Key: key, Label: label, Marker: names.Marker(e.Scope.FirmID, kind, t.ID)},
			entity: entity, body: body, date: date,
		})
	}
	posted, err := putTxns(ctx, e, txns, counts)
	if err != nil {
		return err
	}

	// Receipts on a slip now in QBO are posted there: a deposit of their own would count
	// them twice.
	var onSlips []int64
	for _, s := range slips {
		if _, ok := posted[strconv.FormatInt(s.ID, 10)]; ok {
			for _, r := range s.Receipts {
				onSlips = append(onSlips, r.ID)
			}
		}
	}
	if len(onSlips) == 0 {
		return nil
	}
	alone, err := e.Store.Mappings(ctx, e.Scope, posting.KindTrustReceipt, keysOf(onSlips))
	if err != nil {
		return err
	}
	for _, m := range alone {
		it := item{Kind: posting.KindTrustReceipt, Key: m.SourceKey, Label: fmt.Sprintf("trust receipt #%s (now on a deposit slip)", m.SourceKey)}
		if err := retireTxn(ctx, e, it, m, false, counts); err != nil {
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
