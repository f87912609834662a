package syncer

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// hardCostsPage syncs the expenses changed in a page. A hard cost is a Purchase from
// the operating account that paid it to the payee's vendor (or the firm's one vendor),
// booked to the client costs account for the matter. Soft costs reach QBO only on the
// invoices that bill them; a hard cost deleted or turned soft is deleted.
var hardCostsPage = page[hardCostFacts]{load: loadHardCosts, plan: planHardCosts}

// hardCostFacts are what a page of expense changes is planned with.
type hardCostFacts struct {
	basis
	ids       []int64
	expenses  []pms.Expense
	mapped    map[string]store.Mapping // their QBO purchases
	customers map[int64]string         // by matter
	kinds     map[int64]string         // the kinds of the bank accounts that paid them
	ledger    map[string]store.Mapping // the accounts they post to, by ledger key
	vendors   map[string]vendorRef     // the run's, by payee key
}

// loadHardCosts reads the page's expenses, their mappings, and what they post to.
func loadHardCosts(ctx context.Context, e *Engine, changes []pms.Change) (f hardCostFacts, ok bool, err error) {
	if f.ids = idsOf(changes, pms.EntityExpense); len(f.ids) == 0 {
		return f, false, nil
	}
	if f.basis, err = e.basis(ctx); err != nil || !f.books.HardCosts.Sync {
		return f, false, err
	}
	f.vendors = e.runVendors()
	if f.expenses, err = pms.Expenses(ctx, e.Store.DB(), e.Scope.FirmID, f.ids); err != nil {
		return f, false, err
	}
	if f.mapped, err = e.mappings(ctx, posting.KindHardCost, keysOf(f.ids)); err != nil {
		return f, false, err
	}
	var matterIDs, accountIDs []int64
	for _, x := range f.expenses {
		matterIDs = append(matterIDs, x.MatterID)
		if x.PaidFromAccountID != nil {
			accountIDs = append(accountIDs, *x.PaidFromAccountID)
		}
	}
	if f.customers, err = e.customersOf(ctx, matterIDs); err != nil {
		return f, false, err
	}
	if f.kinds, err = pms.BankAccountKinds(ctx, e.Store.DB(), e.Scope.FirmID, accountIDs); err != nil {
		return f, false, err
	}
	keys := []string{"hard_costs.expense_account"}
	for _, id := range accountIDs {
		keys = append(keys, settings.BankLedgerKey(settings.RoleOperatingBank, id))
	}
	f.ledger, err = e.mappings(ctx, KindLedger, keys)
	return f, true, err
}

// planHardCosts decides what QBO holds for the page's expenses: a purchase for each
// hard cost in scope; the purchases of costs deleted or turned soft deleted.
func planHardCosts(f hardCostFacts) plan {
	var p plan
	for _, id := range f.ids {
		it := item{Kind: posting.KindHardCost, Key: strconv.FormatInt(id, 10), Label: fmt.Sprintf("hard cost #%d (deleted)", id)}
		i := slices.IndexFunc(f.expenses, func(x pms.Expense) bool { return x.ID == id })
		if i >= 0 {
			it.Label = posting.ExpenseLabel(f.expenses[i])
		}
		m, inBooks := f.mapped[it.Key]
		switch {
		case i < 0 || f.expenses[i].Kind != pms.ExpenseHard:
			if inBooks {
				p.retire = append(p.retire, retirement{it: it, m: m})
			}
		case f.scope.PostsOn(f.expenses[i].IncurredOn, inBooks):
			it.Marker = names.Marker(f.firm, posting.KindHardCost, id)
			f.planHardCost(&p, it, f.expenses[i])
		}
	}
	return p
}

// planHardCost adds to p the QBO purchase of a hard cost, or a failure saying what it
// waits for or why it cannot be; a payee the run has not met yet asks for its vendor.
func (f hardCostFacts) planHardCost(p *plan, it item, x pms.Expense) {
	customer, ok := f.customers[x.MatterID]
	if !ok {
		p.fail(it, matterMissing(it.Label, x.MatterNumber))
		return
	}
	if x.PaidFromAccountID != nil && f.kinds[*x.PaidFromAccountID] == "trust" {
		p.fail(it, paidFromTrust(it.Label, *x.PaidFromAccountID))
		return
	}
	var bank string
	if x.PaidFromAccountID != nil {
		bank = f.ledger[settings.BankLedgerKey(settings.RoleOperatingBank, *x.PaidFromAccountID)].QBOID
	}
	costs := f.ledger["hard_costs.expense_account"].QBOID
	if bank == "" || costs == "" {
		p.fail(it, waiting(waitingForLedger, it.Label+": its bank account or the client costs account is not in QuickBooks",
			"A hard cost posts from the QuickBooks bank account chosen in the setup for the operating account that paid it, to the client costs account. "+
				"One of them is not in QuickBooks: the paying account is not among the operating accounts in the settings, "+
				"or it could not be set up (see the ledger entries in this list). The cost syncs by itself once it is."))
		return
	}
	payee := x.Payee
	if f.books.HardCosts.Vendors == settings.VendorOneVendor {
		payee = f.books.HardCosts.DefaultVendor
	}
	vendor, known := vendorOf(f.vendors, payee)
	switch {
	case !known:
		p.needPayee(payee)
		return
	case vendor.err != nil:
		p.fail(it, vendor.err)
		return
	}
	body, err := posting.HardCostPurchase(x, bank, costs, customer, vendor.id, f.books.HardCosts.PaymentType)
	p.post(txn{it: it, entity: "Purchase", body: body, date: body.TxnDate}, itemErr(err))
}

// paidFromTrust explains why a hard cost paid from a trust account does not post.
func paidFromTrust(label string, accountID int64) error {
	return &itemFailure{store.Failure{
		Code:    "qbosync:hard-cost-from-trust",
		Message: fmt.Sprintf("%s is paid from trust bank account #%d", label, accountID),
		Explanation: fmt.Sprintf("The %s is recorded as paid from a trust account. A hard cost is the firm's own money advanced for the client, "+
			"so qbosync posts it from an operating account; money paid out of trust is the client's, and must be recorded in the practice system "+
			"as a trust disbursement of the matter (which reaches QuickBooks as a check from the trust account), not as a hard cost. "+
			"Correct it in the practice system; qbosync syncs it as soon as it changes.", label),
	}}
}
