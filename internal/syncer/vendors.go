package syncer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// vendorSpec is how upsert handles the vendors of payees (and how contacts name a
// vendor holding a client's name). A vendor qbosync did not make for the payee is not
// adopted unless the firm turned on "match existing vendors": a payee is only a name on
// a check, and the firm's vendor of that name may be another party (the seed's client
// Hall Properties is the sample company's vendor too).
var vendorSpec = named[qbo.Vendor]{
	entity:   "Vendor",
	name:     func(v *qbo.Vendor) string { return v.DisplayName },
	identity: func(v *qbo.Vendor) (string, string) { return v.ID, v.SyncToken },
	setIdentity: func(v *qbo.Vendor, id, token string) {
		v.ID, v.SyncToken, v.Sparse = id, token, true
	},
	notes: func(v *qbo.Vendor) string { return v.Notes },
	clash: vendorNameClash,
}

// payeeSuffix tells a payee's vendor apart from another party of the same name, such
// as the client a trust refund goes to.
const payeeSuffix = " (payee)"

// vendorNameTaken is the failure code of a payee whose name another party holds.
const vendorNameTaken = "qbosync:vendor-name-taken"

// vendorRef is a payee's QBO vendor, or the item failure that keeps the payee from
// having one (its name is held by another party, or is not a name QBO takes).
type vendorRef struct {
	id  string
	err error
}

// runVendors returns the run's vendors by payee key. A page's facts hold this map, and
// ensureVendors fills it in, so a plan made again after it sees the new vendors.
func (e *Engine) runVendors() map[string]vendorRef {
	if e.vendors == nil {
		e.vendors = map[string]vendorRef{}
	}
	return e.vendors
}

// vendorOf is payee's vendor among vendors; known is false when the run has not met the
// payee yet (the plan asks for it, see plan.needPayee).
func vendorOf(vendors map[string]vendorRef, payee string) (v vendorRef, known bool) {
	v, known = vendors[posting.PayeeKey(payee)]
	return v, known
}

// ensureVendors makes sure each payee has a vendor in QBO, or an item failure saying
// why it cannot, in the run's vendors. Other errors stop the page. New payees are made
// a few at a time: each is a create (more when its name is taken), and a page of hard
// costs meets many new payees early in a first sync.
func (e *Engine) ensureVendors(ctx context.Context, payees []string) error {
	vendors := e.runVendors()
	todo := map[string]string{} // the payees new to the run, by key
	for _, payee := range payees {
		key := posting.PayeeKey(payee)
		if _, ok := vendors[key]; !ok && todo[key] == "" {
			todo[key] = payee
		}
	}
	taken, err := e.namesOfOurCustomers(ctx, todo)
	if err != nil {
		return err
	}
	if todo, err = e.batchVendors(ctx, todo, taken, vendors); err != nil {
		return err
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(vendorsAtOnce)
	for key, payee := range todo {
		g.Go(func() error {
			id, err := ensureVendor(gctx, e, payee, taken[key])
			if err != nil && asItemFailure(err) == nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			vendors[key] = vendorRef{id: id, err: err}
			return nil
		})
	}
	return g.Wait()
}

// vendorsAtOnce is how many new payees' vendors are made at once one by one.
const vendorsAtOnce = 4

// batchVendors makes the vendors of new payees (todo, by payee key) in one batch
// request while the company's batch budget is mostly unused (qbo.Client.BatchesFree):
// a page of disbursements or hard costs early in a first sync meets dozens of new
// payees, and its writes wait until each has a vendor, some 125 ms apiece one by one.
// It fills vendors with the ones the id map has and the ones the batch made, and
// returns the payees left to go alone (ensureVendor): all of them when batches are
// busy or there are fewer than two, those beyond one batch, and those the batch could
// not settle plainly (a name another party holds, an answer lost, a batch refused).
// Alone, upsert knows every exactly-once path: a vendor a lost answer made is found by
// its unique name and its marker and adopted, never made twice.
func (e *Engine) batchVendors(ctx context.Context, todo map[string]string, taken map[string]bool, vendors map[string]vendorRef) (alone map[string]string, err error) {
	if len(todo) < 2 || !e.QBO.BatchesFree() {
		return todo, nil
	}
	keys := slices.Sorted(maps.Keys(todo))
	alone = map[string]string{}
	if len(keys) > qbo.DefaultMaxBatchItems {
		for _, k := range keys[qbo.DefaultMaxBatchItems:] {
			alone[k] = todo[k]
		}
		keys = keys[:qbo.DefaultMaxBatchItems]
	}
	mapped, err := e.Store.Mappings(ctx, e.Scope, posting.KindVendor, keys)
	if err != nil {
		return nil, err
	}
	type vendorOp struct {
		key  string
		it   item
		hash string
	}
	var ops []vendorOp
	var batch []qbo.BatchOp
	idParts := []string{e.Scope.RealmID, "vendors"}
	for _, key := range keys {
		payee := todo[key]
		if m, ok := mapped[key]; ok {
			vendors[key] = vendorRef{id: m.QBOID}
			continue
		}
		it, desired, err := payeeVendor(e.Scope.FirmID, payee, taken[key])
		if err != nil {
			alone[key] = payee // ensureVendor records why it cannot be
			continue
		}
		hash, err := contentHash(desired)
		if err != nil {
			return nil, err
		}
		ops = append(ops, vendorOp{key: key, it: it, hash: hash})
		batch = append(batch, qbo.BatchOp{BID: strconv.Itoa(len(batch)), Entity: "Vendor", Operation: qbo.BatchCreate, Body: desired})
		idParts = append(idParts, key, hash)
	}
	if len(batch) == 0 {
		return alone, nil
	}
	results, err := e.QBO.Batch(ctx, batch, qbo.RequestID(idParts...))
	if err != nil {
		e.Log.Info("vendor batch failed; making its vendors one by one", "vendors", len(ops), "error", err)
	}
	for i, op := range ops {
		var got qbo.Vendor
		if err != nil || results[i].Decode(&got) != nil {
			alone[op.key] = todo[op.key]
			continue
		}
		if err := e.save(ctx, "Vendor", op.it, got.ID, got.SyncToken, op.hash, got.DisplayName); err != nil {
			return nil, err
		}
		// Not counted in the category's counts: a vendor is a means to post, not a record.
		if err := e.Store.RecordSuccess(ctx, e.Scope, op.it.Kind, op.it.Key, op.it.Label, store.ActionCreated); err != nil {
			return nil, err
		}
		vendors[op.key] = vendorRef{id: got.ID}
	}
	return alone, nil
}

// payeeVendor is the item of a payee's vendor and the vendor qbosync makes for it:
// named after the payee, or "<name> (payee)" when suffixed.
func payeeVendor(firm int64, payee string, suffixed bool) (item, qbo.Vendor, error) {
	key := posting.PayeeKey(payee)
	desired, err := posting.PayeeVendor(firm, payee)
	if err != nil {
		return item{}, desired, itemErr(err)
	}
	it := item{Kind: posting.KindVendor, Key: key, Label: "vendor " + desired.DisplayName, Marker: names.MarkerFor(firm, posting.KindVendor, key)}
	if suffixed {
		desired.DisplayName = names.Truncate(desired.DisplayName, posting.MaxDisplayName-len([]rune(payeeSuffix))) + payeeSuffix
	}
	return it, desired, nil
}

// namesOfOurCustomers says, by payee key, which of the payees' (by payee key) vendor
// names a customer qbosync made holds already (a trust refund's payee is the client):
// QuickBooks would refuse the vendor (names are unique across customers, vendors and
// employees), and finding out cost a refused create and two lookups before the
// payee's own name.
func (e *Engine) namesOfOurCustomers(ctx context.Context, payees map[string]string) (map[string]bool, error) {
	byName := make(map[string][]string, len(payees)) // payee keys by names.Key of their vendor names
	for key, p := range payees {
		name := names.Key(posting.PayeeDisplayName(p))
		byName[name] = append(byName[name], key)
	}
	held, err := e.Store.NamesHeld(ctx, e.Scope, "Customer", slices.Collect(maps.Keys(byName)))
	if err != nil {
		return nil, err
	}
	taken := make(map[string]bool, len(held))
	for _, n := range held {
		for _, key := range byName[names.Key(n)] {
			taken[key] = true
		}
	}
	return taken, nil
}

// ensureVendor returns the QBO vendor of a payee, creating it the first time. The
// payee's first spelling names the vendor: later spellings with the same key use it as
// it is, so it is never renamed back and forth. A name another party holds (a
// customer, an employee, a vendor qbosync did not make for this payee) is tried once
// more as "<name> (payee)"; no other party is ever used as the payee's vendor. A name
// one of qbosync's own customers holds (nameTaken) goes as "<name> (payee)" at once.
func ensureVendor(ctx context.Context, e *Engine, payee string, nameTaken bool) (string, error) {
	key := posting.PayeeKey(payee)
	m, mapped, err := e.Store.Mapping(ctx, e.Scope, posting.KindVendor, key)
	if err != nil || mapped {
		return m.QBOID, err
	}
	it, desired, err := payeeVendor(e.Scope.FirmID, payee, nameTaken)
	if err != nil {
		return "", err
	}
	b, err := e.books(ctx)
	if err != nil {
		return "", err
	}
	spec := vendorSpec
	if b.Contacts.MatchExistingVendors {
		spec.matches = sameVendor
	}
	action, got, err := upsert(ctx, e, spec, it, desired)
	if f := asItemFailure(err); !nameTaken && f != nil && f.Code == vendorNameTaken {
		_, desired, _ = payeeVendor(e.Scope.FirmID, payee, true)
		action, got, err = upsert(ctx, e, spec, it, desired)
	}
	if err != nil {
		return "", err
	}
	// Not counted in the category's counts: a vendor is a means to post, not a record.
	return got, e.Store.RecordSuccess(ctx, e.Scope, it.Kind, it.Key, it.Label, action)
}

// sameVendor is the "match existing vendors" rule: a vendor QBO found by the payee's
// name is the payee.
func sameVendor(existing, desired *qbo.Vendor) bool {
	return names.Same(existing.DisplayName, desired.DisplayName)
}

// vendorNameClash explains that a payee's vendor name is held by another party: a
// vendor qbosync did not make for the payee (existing), or a customer or employee.
func vendorNameClash(ctx context.Context, e *Engine, it item, name string, existing *qbo.Vendor) *itemFailure {
	holder := "a customer or employee"
	// Customers are looked up with a bare spec: customerSpec's clash refers to vendorSpec.
	if existing != nil {
		holder = fmt.Sprintf("a vendor that qbosync did not create for this payee (QuickBooks Id %s)", existing.ID)
	} else if c, err := findByName(ctx, e, named[qbo.Customer]{entity: "Customer"}, name); err == nil && c != nil {
		holder = fmt.Sprintf("a customer (QuickBooks Id %s)", c.ID)
	}
	return &itemFailure{store.Failure{
		Code:    vendorNameTaken,
		Message: fmt.Sprintf("Duplicate Name Exists Error: vendor name %q is used by %s", name, holder),
		Explanation: fmt.Sprintf("Payments to a payee are recorded in QuickBooks against a vendor of the payee's name, and QuickBooks already has %s named %q "+
			"(customer, vendor and employee names must be unique), so %s could not be added. "+
			"Rename the payee in the practice system or the other record in QuickBooks; qbosync tries again when the payment changes, or on a retry.",
			holder, name, it.Label),
	}}
}
