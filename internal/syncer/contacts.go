package syncer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// customerSpec is how upsert handles QBO customers (clients and their matters).
var customerSpec = named[qbo.Customer]{
	entity:   "Customer",
	name:     func(c *qbo.Customer) string { return c.DisplayName },
	identity: func(c *qbo.Customer) (string, string) { return c.ID, c.SyncToken },
	setIdentity: func(c *qbo.Customer, id, token string) {
		c.ID, c.SyncToken, c.Sparse = id, token, true
	},
	notes: func(c *qbo.Customer) string { return c.Notes },
	clash: customerNameClash,
}

// contactsPage syncs the clients and matters changed in a page: clients first, so
// that their matters can be filed under them. A matter whose client failed fails too,
// and is retried automatically once the client syncs. Records deleted from the
// practice system leave their QBO customer in place: QBO cannot delete customers, and
// their history must stay in the books.
var contactsPage = page[clientFacts]{load: loadClients, plan: planClients, followUp: syncMatters}

// clientFacts are what a page of contact changes is planned with: its clients, and the
// matters it changed, which follow them.
type clientFacts struct {
	basis
	clients   []pms.Client
	matterIDs []int64
}

func loadClients(ctx context.Context, e *Engine, changes []pms.Change) (f clientFacts, ok bool, err error) {
	if f.basis, err = e.basis(ctx); err != nil {
		return f, false, err
	}
	f.matterIDs = idsOf(changes, pms.EntityMatter)
	f.clients, err = pms.Clients(ctx, e.Store.DB(), e.Scope.FirmID, idsOf(changes, pms.EntityClient))
	return f, true, err
}

// planClients decides the QBO customer of each client.
func planClients(f clientFacts) plan {
	var p plan
	for _, c := range f.clients {
		it := item{Kind: posting.KindClient, Key: strconv.FormatInt(c.ID, 10), Label: posting.ClientLabel(c), Marker: names.Marker(f.firm, posting.KindClient, c.ID)}
		desired, err := posting.ClientCustomer(c)
		p.hold(customer{it: it, body: desired, matchExisting: f.books.Contacts.MatchExistingCustomers}, itemErr(err))
	}
	return p
}

// matterFacts are what the matters of a page of contact changes are planned with.
type matterFacts struct {
	basis
	matters []pms.Matter
	clients map[string]store.Mapping // their clients' customers
	failed  map[string]string        // the labels of clients that failed, by key
}

// syncMatters files the page's matters under their clients' customers (posted holds
// the clients the page just synced), with the matters that waited for those clients.
func syncMatters(ctx context.Context, e *Engine, f clientFacts, posted map[string]string, counts *Counts) error {
	if !f.books.Contacts.MattersAsSubCustomers {
		return nil // transactions go to the client's customer (customersOf)
	}
	ids, err := withWaitingMatters(ctx, e, f.matterIDs, posted)
	if err != nil {
		return err
	}
	m := matterFacts{basis: f.basis, failed: map[string]string{}}
	if m.matters, err = pms.Matters(ctx, e.Store.DB(), e.Scope.FirmID, ids); err != nil {
		return err
	}
	clientIDs := make([]int64, len(m.matters))
	for i, x := range m.matters {
		clientIDs[i] = x.ClientID
	}
	if m.clients, err = e.mappings(ctx, posting.KindClient, keysOf(clientIDs)); err != nil {
		return err
	}
	failed, err := e.Store.FailedItems(ctx, e.Scope, posting.KindClient)
	if err != nil {
		return err
	}
	for _, x := range failed {
		m.failed[x.SourceKey] = x.Label
	}
	_, err = e.apply(ctx, planMatters(m), counts)
	return err
}

// withWaitingMatters adds to ids the matters that failed only because their client,
// now synced (posted), had not.
func withWaitingMatters(ctx context.Context, e *Engine, ids []int64, posted map[string]string) ([]int64, error) {
	if len(posted) == 0 {
		return ids, nil
	}
	waiting, err := e.Store.FailedItems(ctx, e.Scope, posting.KindMatter)
	if err != nil {
		return nil, err
	}
	synced := make([]int64, 0, len(posted))
	for key := range posted {
		id, _ := strconv.ParseInt(key, 10, 64)
		synced = append(synced, id)
	}
	ofSynced, err := pms.MatterIDsOfClients(ctx, e.Store.DB(), e.Scope.FirmID, synced)
	if err != nil {
		return nil, err
	}
	for _, w := range waiting {
		id, _ := strconv.ParseInt(w.SourceKey, 10, 64)
		if slices.Contains(ofSynced, id) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// planMatters decides the QBO sub-customer of each matter, under its client's
// customer, or says that the matter waits for its client.
func planMatters(f matterFacts) plan {
	var p plan
	for _, m := range f.matters {
		it := item{Kind: posting.KindMatter, Key: strconv.FormatInt(m.ID, 10), Label: posting.MatterLabel(m), Marker: names.Marker(f.firm, posting.KindMatter, m.ID)}
		parent, ok := f.clients[strconv.FormatInt(m.ClientID, 10)]
		if !ok {
			p.fail(it, clientMissing(m, f.failed))
			continue
		}
		p.hold(customer{it: it, body: posting.MatterJob(m, parent.QBOID)}, nil)
	}
	return p
}

// clientMissing explains why a matter cannot be filed: its client is not in QBO, and
// has failed (failed holds the labels of failed clients, by key) or not synced yet.
func clientMissing(m pms.Matter, failed map[string]string) error {
	why, label := "has not been synced yet", fmt.Sprintf("client #%d", m.ClientID)
	if l, ok := failed[strconv.FormatInt(m.ClientID, 10)]; ok {
		label, why = l, "could not be synced (see the client's own entry for why)"
	}
	return &itemFailure{store.Failure{
		Code:    "qbosync:client-not-synced",
		Message: fmt.Sprintf("matter %s: client %s is not in QuickBooks", m.Number, label),
		Explanation: fmt.Sprintf("Matter %s is filed in QuickBooks under its client, %s, which %s. "+
			"The matter syncs by itself as soon as its client does.", posting.MatterLabel(m), label, why),
	}}
}

// sameCustomer is the "match existing customers" rule: an existing QBO customer is the
// same party as the client when it has the same name (QBO found it by the client's
// name), is not a sub-customer, and has the same e-mail where both have one.
func sameCustomer(existing, desired *qbo.Customer) bool {
	if existing.Job != nil && *existing.Job || !names.Same(existing.DisplayName, desired.DisplayName) {
		return false
	}
	a, b := emailOf(existing), emailOf(desired)
	return a == "" || b == "" || strings.EqualFold(a, b)
}

func emailOf(c *qbo.Customer) string {
	if c.PrimaryEmailAddr == nil {
		return ""
	}
	return strings.TrimSpace(c.PrimaryEmailAddr.Address)
}

// customerNameClash explains that the name is taken in QBO by someone else.
func customerNameClash(ctx context.Context, e *Engine, it item, name string, existing *qbo.Customer) *itemFailure {
	what := "client"
	if it.Kind == posting.KindMatter {
		what = "matter"
	}
	holder, fix := "another customer, vendor or employee", ""
	var id string
	switch {
	case existing != nil && names.HasAnyMarker(existing.Notes):
		// qbosync's own customer for another record (or another firm): never the same
		// party, whatever the matching rules say.
		holder, id = "a customer that qbosync created for another record", existing.ID
		fix = "Rename one of the two in the practice system"
	case existing != nil:
		holder, id = "a customer that qbosync did not create", existing.ID
		fix = fmt.Sprintf("Rename the %s in the practice system or the other customer in QuickBooks", what)
		b, err := e.books(ctx)
		switch {
		case it.Kind != posting.KindClient:
		case err == nil && b.Contacts.MatchExistingCustomers:
			fix += "; \"match existing customers\" is on, but it links only a customer that is not a sub-customer and has the same e-mail address where both have one, and this one does not qualify"
		default:
			fix += "; if they are the same party, turn on \"match existing customers\" to link them"
		}
	default:
		if v, err := findByName(ctx, e, vendorSpec, name); err == nil && v != nil {
			holder, id = "a vendor", v.ID
		}
		fix = fmt.Sprintf("Rename the %s in the practice system or the other record in QuickBooks", what)
	}
	if id != "" {
		holder += " (QuickBooks Id " + id + ")"
	}
	return &itemFailure{store.Failure{
		Code:    "6240",
		Message: fmt.Sprintf("Duplicate Name Exists Error: %q is used by %s", name, holder),
		Explanation: fmt.Sprintf("QuickBooks already has %s named %q, and QuickBooks needs customer, vendor and employee names to be unique, "+
			"so %s %s was not added. %s. qbosync tries again when the %s changes, or on a retry.",
			holder, name, what, it.Label, fix, what),
	}}
}

func idsOf(changes []pms.Change, entity string) []int64 {
	var ids []int64
	for _, c := range changes {
		if c.Entity == entity && !slices.Contains(ids, c.EntityID) {
			ids = append(ids, c.EntityID)
		}
	}
	slices.Sort(ids)
	return ids
}
