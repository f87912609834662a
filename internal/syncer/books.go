package syncer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// books is what the transaction categories post with: the firm's settings and the QBO
// objects the ledger category set up for them. It is loaded once per run.
type books struct {
	settings.Settings
	// start is the first day whose records sync; zero when the firm set none.
	start time.Time
	// items are the QBO item ids by invoice line type, and "write_offs".
	items map[string]string
}

// itemTypes are the ledger keys of the items, by the line type they post.
var itemTypes = map[string]string{
	"fees": "item_mapping.fees", "flat_fees": "item_mapping.flat_fees", "hard_costs": "item_mapping.hard_costs",
	"soft_costs": "item_mapping.soft_costs", "interest": "item_mapping.interest", "write_offs": "item_mapping.write_offs",
	"bad_debt": "item_mapping.bad_debt",
}

func (e *Engine) books(ctx context.Context) (*books, error) {
	if e.cachedBooks != nil {
		return e.cachedBooks, nil
	}
	s, err := e.Store.SettingsForSync(ctx, e.Scope.FirmID, e.Scope.RealmID)
	if err != nil {
		return nil, err
	}
	b := &books{Settings: s, items: map[string]string{}}
	if s.SyncOptions.StartDate != "" {
		if b.start, err = time.Parse(time.DateOnly, s.SyncOptions.StartDate); err != nil {
			return nil, fmt.Errorf("settings: sync start date %q: %w", s.SyncOptions.StartDate, err)
		}
	}
	mapped, err := e.mappings(ctx, KindLedger, slices.Collect(maps.Values(itemTypes)))
	if err != nil {
		return nil, err
	}
	for t, key := range itemTypes {
		if m, ok := mapped[key]; ok {
			b.items[t] = m.QBOID
		}
	}
	e.cachedBooks = b
	return b, nil
}

// ledgerID is the QBO id of an object the ledger category set up, by its ledger key.
func (e *Engine) ledgerID(ctx context.Context, key string) (string, bool, error) {
	m, ok, err := e.Store.Mapping(ctx, e.Scope, KindLedger, key)
	return m.QBOID, ok, err
}

// customersOf returns the QBO customer each matter's transactions go to: the matter's
// sub-customer, or the client's customer when matters are not synced as sub-customers.
// Matters whose customer is not in QBO yet are missing from the answer.
func (e *Engine) customersOf(ctx context.Context, matterIDs []int64) (map[int64]string, error) {
	b, err := e.books(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	if b.Contacts.MattersAsSubCustomers {
		mapped, err := e.mappings(ctx, posting.KindMatter, keysOf(matterIDs))
		if err != nil {
			return nil, err
		}
		for _, id := range matterIDs {
			if m, ok := mapped[strconv.FormatInt(id, 10)]; ok {
				out[id] = m.QBOID
			}
		}
		return out, nil
	}
	matters, err := pms.Matters(ctx, e.Store.DB(), e.Scope.FirmID, matterIDs)
	if err != nil {
		return nil, err
	}
	clientIDs := make([]int64, len(matters))
	for i, m := range matters {
		clientIDs[i] = m.ClientID
	}
	clients, err := e.mappings(ctx, posting.KindClient, keysOf(clientIDs))
	if err != nil {
		return nil, err
	}
	for _, m := range matters {
		if c, ok := clients[strconv.FormatInt(m.ClientID, 10)]; ok {
			out[m.ID] = c.QBOID
		}
	}
	return out, nil
}

func keysOf(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

// Codes of the failures that wait for another record to sync. They are retried at the
// start of every run, so a record follows as soon as what it needs is in QBO.
const (
	waitingPrefix     = "qbosync:waiting-for-"
	waitingForMatter  = waitingPrefix + "matter"
	waitingForInvoice = waitingPrefix + "invoice"
	waitingForLedger  = waitingPrefix + "setup"
)

// waiting is the failure of a record that needs another one in QBO first.
func waiting(code, message, explanation string) error {
	return &itemFailure{store.Failure{Code: code, Message: message, Explanation: explanation}}
}

// matterMissing explains why a transaction of a matter waits.
func matterMissing(what, matter string) error {
	return waiting(waitingForMatter,
		fmt.Sprintf("%s: the customer of matter %s is not in QuickBooks", what, matter),
		fmt.Sprintf("The %s is posted to the matter's customer in QuickBooks, which has not been synced (see the matter's or client's own entry). "+
			"It syncs by itself as soon as the matter does.", what))
}
