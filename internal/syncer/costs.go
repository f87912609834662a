package syncer

import (
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

// syncHardCostsPage syncs the expenses changed in a page. A hard cost is a Purchase
// from the operating account that paid it to the payee's vendor (or the firm's one
// vendor), booked to the client costs account for the matter. Soft costs reach QBO only
// on the invoices that bill them; a hard cost deleted or turned soft is deleted.
func syncHardCostsPage(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error {
	ids := idsOf(changes, pms.EntityExpense)
	if len(ids) == 0 {
		return nil
	}
	b, err := e.books(ctx)
	if err != nil || !b.HardCosts.Sync {
		return err
	}
	xs, err := pms.Expenses(ctx, e.Store.DB(), e.Scope.FirmID, ids)
	if err != nil {
		return err
	}
	mapped, err := e.Store.Mappings(ctx, e.Scope, posting.KindHardCost, keysOf(ids))
	if err != nil {
		return err
	}
	hard, err := retireNotHard(ctx, e, ids, xs, mapped, counts)
	if err != nil || len(hard) == 0 {
		return err
	}
	txns, err := hardCostTxns(ctx, e, b, hard, mapped, counts)
	if err != nil {
		return err
	}
	_, err = putTxns(ctx, e, txns, counts)
	return err
}

// retireNotHard deletes from QBO the hard costs deleted from the practice system or
// turned soft, and returns the page's hard costs.
func retireNotHard(ctx context.Context, e *Engine, ids []int64, xs []pms.Expense, mapped map[string]store.Mapping, counts *Counts) ([]pms.Expense, error) {
	var hard []pms.Expense
	for _, id := range ids {
		key := strconv.FormatInt(id, 10)
		i := slices.IndexFunc(xs, func(x pms.Expense) bool { return x.ID == id })
		if i >= 0 && xs[i].Kind == pms.ExpenseHard {
			hard = append(hard, xs[i])
			continue
		}
		if m, ok := mapped[key]; ok {
			label := fmt.Sprintf("hard cost #%d (deleted)", id)
			if i >= 0 {
				label = posting.ExpenseLabel(xs[i])
			}
			if err := retireTxn(ctx, e, item{Kind: posting.KindHardCost, Key: key, Label: label}, m, false, counts); err != nil {
				return nil, err
			}
		}
	}
	return hard, nil
}

// hardCostTxns builds the QBO purchases of the hard costs in scope.
func hardCostTxns(ctx context.Context, e *Engine, b *books, hard []pms.Expense, mapped map[string]store.Mapping, counts *Counts) ([]txn, error) {
	var matterIDs, accountIDs []int64
	for _, x := range hard {
		matterIDs = append(matterIDs, x.MatterID)
		if x.PaidFromAccountID != nil {
			accountIDs = append(accountIDs, *x.PaidFromAccountID)
		}
	}
	customers, err := e.customersOf(ctx, matterIDs)
	if err != nil {
		return nil, err
	}
	kinds, err := pms.BankAccountKinds(ctx, e.Store.DB(), e.Scope.FirmID, accountIDs)
	if err != nil {
		return nil, err
	}
	keys := []string{"hard_costs.expense_account"}
	for _, id := range accountIDs {
		keys = append(keys, settings.BankLedgerKey(settings.RoleOperatingBank, id))
	}
	ledger, err := e.Store.Mappings(ctx, e.Scope, KindLedger, keys)
	if err != nil {
		return nil, err
	}
	var txns []txn
	for _, x := range hard {
		key, label := strconv.FormatInt(x.ID, 10), posting.ExpenseLabel(x)
		if _, isMapped := mapped[key]; !b.postsOn(x.IncurredOn, isMapped) {
			continue
		}
		body, err := hardCostBody(ctx, e, b, x, customers, kinds, ledger)
		t := txn{it: item{Kind: posting.KindHardCost, Key: key, Label: label, Marker: names.Marker(e.Scope.FirmID, posting.KindHardCost, x.ID)},
			entity: "Purchase", body: body, date: body.TxnDate}
		if txns, err = e.stage(ctx, txns, t, err, counts); err != nil {
			return nil, err
		}
	}
	return txns, nil
}

// hardCostBody is the QBO purchase of a hard cost, or a failure saying what it waits
// for or why it cannot be. ledger holds the id map's ledger entries it may post to.
func hardCostBody(ctx context.Context, e *Engine, b *books, x pms.Expense, customers map[int64]string,
	kinds map[int64]string, ledger map[string]store.Mapping) (qbo.Purchase, error) {
	label := posting.ExpenseLabel(x)
	customer, ok := customers[x.MatterID]
	if !ok {
		return qbo.Purchase{}, matterMissing(label, x.MatterNumber)
	}
	if x.PaidFromAccountID != nil && kinds[*x.PaidFromAccountID] == "trust" {
		return qbo.Purchase{}, &itemFailure{store.Failure{
			Code:    "qbosync:hard-cost-from-trust",
			Message: fmt.Sprintf("%s is paid from trust bank account #%d", label, *x.PaidFromAccountID),
			Explanation: fmt.Sprintf("The %s is recorded as paid from a trust account. A hard cost is the firm's own money advanced for the client, "+
				"so qbosync posts it from an operating account; money paid out of trust is the client's, and must be recorded in the practice system "+
				"as a trust disbursement of the matter (which reaches QuickBooks as a check from the trust account), not as a hard cost. "+
				"Correct it in the practice system; qbosync syncs it as soon as it changes.", label),
		}}
	}
	var bank string
	if x.PaidFromAccountID != nil {
		bank = ledger[settings.BankLedgerKey(settings.RoleOperatingBank, *x.PaidFromAccountID)].QBOID
	}
	costs := ledger["hard_costs.expense_account"].QBOID
	if bank == "" || costs == "" {
		return qbo.Purchase{}, waiting(waitingForLedger, label+": its bank account or the client costs account is not in QuickBooks",
			"A hard cost posts from the QuickBooks bank account chosen in the setup for the operating account that paid it, to the client costs account. "+
				"One of them is not in QuickBooks: the paying account is not among the operating accounts in the settings, "+
				"or it could not be set up (see the ledger entries in this list). The cost syncs by itself once it is.")
	}
	payee := x.Payee
	if b.HardCosts.Vendors == settings.VendorOneVendor {
		payee = b.HardCosts.DefaultVendor
	}
	vendor, err := ensureVendor(ctx, e, payee)
	if err != nil {
		return qbo.Purchase{}, err
	}
	body, err := posting.HardCostPurchase(x, bank, costs, customer, vendor, b.HardCosts.PaymentType)
	return body, itemErr(err)
}
