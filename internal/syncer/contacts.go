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

// syncContactsPage syncs the clients and matters changed in a page: clients first, so
// that their matters can be filed under them. A matter whose client failed fails too,
// and is retried automatically once the client syncs.
func syncContactsPage(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error {
	clientIDs, matterIDs := idsOf(changes, pms.EntityClient), idsOf(changes, pms.EntityMatter)
	synced, err := syncClients(ctx, e, clientIDs, counts)
	if err != nil {
		return err
	}
	// Matters that failed only because their client had not synced get another go.
	if len(synced) > 0 {
		waiting, err := e.Store.FailedItems(ctx, e.Scope, posting.KindMatter)
		if err != nil {
			return err
		}
		ofSynced, err := pms.MatterIDsOfClients(ctx, e.Store.DB(), e.Scope.FirmID, synced)
		if err != nil {
			return err
		}
		for _, w := range waiting {
			id, _ := strconv.ParseInt(w.SourceKey, 10, 64)
			if slices.Contains(ofSynced, id) && !slices.Contains(matterIDs, id) {
				matterIDs = append(matterIDs, id)
			}
		}
	}
	return syncMatters(ctx, e, matterIDs, counts)
}

// syncClients upserts the clients and returns the ids of those now in QBO.
func syncClients(ctx context.Context, e *Engine, ids []int64, counts *Counts) ([]int64, error) {
	clients, err := pms.Clients(ctx, e.Store.DB(), e.Scope.FirmID, ids)
	if err != nil {
		return nil, err
	}
	var synced []int64
	for _, c := range clients {
		key := strconv.FormatInt(c.ID, 10)
		action, _, err := upsertClient(ctx, e, c)
		if err := e.settle(ctx, posting.KindClient, key, posting.ClientLabel(c), action, err, counts); err != nil {
			return nil, err
		}
		if action != "" {
			synced = append(synced, c.ID)
		}
	}
	// Records deleted from the practice system leave their QBO customer in place:
	// QBO cannot delete customers, and their history must stay in the books.
	return synced, nil
}

func upsertClient(ctx context.Context, e *Engine, c pms.Client) (string, string, error) {
	desired, err := posting.ClientCustomer(c)
	if err != nil {
		if ie, ok := err.(*posting.ItemError); ok {
			return "", "", &itemFailure{store.Failure{Code: ie.Code, Message: ie.Message, Explanation: ie.Explanation}}
		}
		return "", "", err
	}
	b, err := e.books(ctx)
	if err != nil {
		return "", "", err
	}
	spec := customerSpec
	if b.Contacts.MatchExistingCustomers {
		spec.matches = sameCustomer
	}
	it := item{Kind: posting.KindClient, Key: strconv.FormatInt(c.ID, 10), Label: posting.ClientLabel(c), Marker: names.Marker(e.Scope.FirmID, posting.KindClient, c.ID)}
	return upsert(ctx, e, spec, it, desired)
}

func syncMatters(ctx context.Context, e *Engine, ids []int64, counts *Counts) error {
	b, err := e.books(ctx)
	if err != nil {
		return err
	}
	if !b.Contacts.MattersAsSubCustomers {
		return nil // transactions go to the client's customer (customersOf)
	}
	matters, err := pms.Matters(ctx, e.Store.DB(), e.Scope.FirmID, ids)
	if err != nil {
		return err
	}
	for _, m := range matters {
		key := strconv.FormatInt(m.ID, 10)
		action, err := upsertMatter(ctx, e, m)
		if err := e.settle(ctx, posting.KindMatter, key, posting.MatterLabel(m), action, err, counts); err != nil {
			return err
		}
	}
	return nil
}

func upsertMatter(ctx context.Context, e *Engine, m pms.Matter) (string, error) {
	parent, mapped, err := e.Store.Mapping(ctx, e.Scope, posting.KindClient, strconv.FormatInt(m.ClientID, 10))
	if err != nil {
		return "", err
	}
	if !mapped {
		return "", clientMissing(ctx, e, m)
	}
	it := item{Kind: posting.KindMatter, Key: strconv.FormatInt(m.ID, 10), Label: posting.MatterLabel(m), Marker: names.Marker(e.Scope.FirmID, posting.KindMatter, m.ID)}
	action, _, err := upsert(ctx, e, customerSpec, it, posting.MatterJob(m, parent.QBOID))
	return action, err
}

// clientMissing explains why a matter cannot be filed: its client is not in QBO.
func clientMissing(ctx context.Context, e *Engine, m pms.Matter) error {
	why := "has not been synced yet"
	failed, err := e.Store.FailedItems(ctx, e.Scope, posting.KindClient)
	if err != nil {
		return err
	}
	label := fmt.Sprintf("client #%d", m.ClientID)
	for _, f := range failed {
		if f.SourceKey == strconv.FormatInt(m.ClientID, 10) {
			label, why = f.Label, "could not be synced (see the client's own entry for why)"
		}
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
