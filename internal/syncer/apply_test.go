package syncer

// Unit tests of the engine's write path (upsert for name-list entities, putTxns for
// transactions) against the sandbox in-process and a real PostgreSQL, without Temporal:
// every exactly-once path of docs/design.md, "Exactly once, in practice".

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
)

// rig is an engine writing into a sandbox company, with its state in a database of
// its own.
type rig struct {
	t     *testing.T
	e     *Engine
	sim   *qbosim.Server
	realm string
	token string
	url   string // the sandbox's
}

func newRig(t *testing.T, opts qbosim.Options) *rig {
	t.Helper()
	db, _ := dbtest.New(t)
	key := make([]byte, secret.KeySize)
	_, _ = rand.Read(key)
	box, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	sim := qbosim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	realm := sim.AddSampleCompany()
	access, _ := sim.IssueToken(realm)
	client, err := qbo.New(qbo.Options{BaseURL: srv.URL, RealmID: realm,
		HTTPClient: qbo.NewHTTPClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access}))})
	if err != nil {
		t.Fatal(err)
	}
	var firm int64
	if err := db.Get(&firm, `INSERT INTO firms (name) VALUES ('Rig LLP') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	e := &Engine{Store: store.New(db, box), QBO: client, Scope: store.Scope{FirmID: firm, RealmID: realm},
		PageSize: 50, Log: slog.New(slog.DiscardHandler)}
	return &rig{t: t, e: e, sim: sim, realm: realm, token: access, url: srv.URL}
}

func (r *rig) faults(f qbosim.Faults) {
	r.t.Helper()
	if err := r.sim.SetFaults(r.realm, f); err != nil {
		r.t.Fatal(err)
	}
}

// named returns the sandbox's objects of an entity whose name field is name.
func (r *rig) named(entity, field, name string) []map[string]any {
	var out []map[string]any
	for _, o := range r.sim.Entities(r.realm, entity) {
		if o[field] == name {
			out = append(out, o)
		}
	}
	return out
}

// withMarker returns the sandbox's transactions of an entity that carry marker.
func (r *rig) withMarker(entity, marker string) []map[string]any {
	var out []map[string]any
	for _, o := range r.sim.Entities(r.realm, entity) {
		if note, _ := o["PrivateNote"].(string); posting.HasMarker(note, marker) {
			out = append(out, o)
		}
	}
	return out
}

func (r *rig) client(key string) item {
	return item{Kind: posting.KindClient, Key: key, Label: "client " + key, Marker: names.MarkerFor(r.e.Scope.FirmID, posting.KindClient, key)}
}

func (r *rig) customer(it item, name string) qbo.Customer {
	return qbo.Customer{DisplayName: name, Notes: "Client — synced by qbosync " + it.Marker}
}

func (r *rig) mapping(kind, key string) (store.Mapping, bool) {
	r.t.Helper()
	m, ok, err := r.e.Store.Mapping(context.Background(), r.e.Scope, kind, key)
	if err != nil {
		r.t.Fatal(err)
	}
	return m, ok
}

// A create whose answer is lost is found again by its name and marker and adopted:
// one customer, mapped, whatever requestid does.
func TestUpsertAfterALostAnswerAdoptsInsteadOfCreatingAgain(t *testing.T) {
	for _, ignoreRequestID := range []bool{false, true} {
		t.Run(fmt.Sprintf("requestid ignored %v", ignoreRequestID), func(t *testing.T) {
			r := newRig(t, qbosim.Options{IgnoreRequestID: ignoreRequestID})
			it := r.client("1")
			r.faults(qbosim.Faults{LoseNextResponses: 1})
			action, id, err := upsert(t.Context(), r.e, customerSpec, it, r.customer(it, "Lost Answer Co"))
			if err != nil {
				t.Fatal(err)
			}
			got := r.named("Customer", "DisplayName", "Lost Answer Co")
			if len(got) != 1 || fmt.Sprint(got[0]["Id"]) != id || action != store.ActionAdopted {
				t.Fatalf("%d customers, id %s, action %s; want one, adopted", len(got), id, action)
			}
			if m, ok := r.mapping(it.Kind, it.Key); !ok || m.QBOID != id {
				t.Errorf("mapping = %+v, %v", m, ok)
			}
			// Unchanged content: nothing is written again.
			before := len(r.sim.Entities(r.realm, "Customer"))
			if action, _, err := upsert(t.Context(), r.e, customerSpec, it, r.customer(it, "Lost Answer Co")); err != nil || action != store.ActionUnchanged {
				t.Errorf("rerun: %s, %v", action, err)
			}
			if len(r.sim.Entities(r.realm, "Customer")) != before {
				t.Error("a rerun wrote a customer")
			}
		})
	}
}

// A name QBO already holds (6240) is adopted only when the holder is qbosync's own
// object for this record; anyone else's is a failed item, and a matching rule never
// takes an object that stands for another record.
func TestUpsertNameClashOwnIsAdoptedForeignIsRefused(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	ctx := t.Context()
	own := r.client("7")
	// Ours, created by an attempt whose answer and intent are gone.
	if err := r.e.QBO.Create(ctx, "Customer", r.customer(own, "Own Co"), "by-hand-1", nil); err != nil {
		t.Fatal(err)
	}
	if action, _, err := upsert(ctx, r.e, customerSpec, own, r.customer(own, "Own Co")); err != nil || action != store.ActionAdopted {
		t.Fatalf("own object: %s, %v; want adopted", action, err)
	}

	// The sample company's customer, made by hand: refused, naming the holder.
	foreign := r.client("8")
	_, _, err := upsert(ctx, r.e, customerSpec, foreign, r.customer(foreign, "Cool Cars"))
	f := asItemFailure(err)
	if f == nil || f.Code != "6240" || !strings.Contains(f.Message, "did not create") {
		t.Fatalf("foreign customer: %v", err)
	}
	// With a matching rule, the hand-made customer is linked...
	spec := customerSpec
	spec.matches = func(_, _ *qbo.Customer) bool { return true }
	if action, _, err := upsert(ctx, r.e, spec, foreign, r.customer(foreign, "Cool Cars")); err != nil || action != store.ActionAdopted {
		t.Fatalf("matched customer: %s, %v; want adopted", action, err)
	}
	// ...but never one that carries another record's marker.
	other := r.client("9")
	_, _, err = upsert(ctx, r.e, spec, other, r.customer(other, "Own Co"))
	if f := asItemFailure(err); f == nil || !strings.Contains(f.Message, "created for another record") {
		t.Fatalf("another record's customer under a matching rule: %v", err)
	}
	if n := len(r.named("Customer", "DisplayName", "Own Co")); n != 1 {
		t.Errorf("%d customers named Own Co", n)
	}
}

// An update whose SyncToken went stale (someone edited the customer in QuickBooks)
// re-reads the object once and writes the same content over the new version.
func TestUpsertUpdateAfterAnEditInQuickBooksRereadsTheSyncToken(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	ctx := t.Context()
	it := r.client("3")
	_, id, err := upsert(ctx, r.e, customerSpec, it, r.customer(it, "Stale Co"))
	if err != nil {
		t.Fatal(err)
	}
	var cur qbo.Customer
	if err := r.e.QBO.Read(ctx, "Customer", id, &cur); err != nil {
		t.Fatal(err)
	}
	edit := qbo.Customer{ID: id, SyncToken: cur.SyncToken, Sparse: true, CompanyName: "Edited by hand"}
	if err := r.e.QBO.Update(ctx, "Customer", edit, "by-hand-2", nil); err != nil {
		t.Fatal(err)
	}
	changed := r.customer(it, "Stale Co Renamed")
	if action, _, err := upsert(ctx, r.e, customerSpec, it, changed); err != nil || action != store.ActionUpdated {
		t.Fatalf("update over a stale SyncToken: %s, %v", action, err)
	}
	if got := r.named("Customer", "DisplayName", "Stale Co Renamed"); len(got) != 1 || fmt.Sprint(got[0]["Id"]) != id {
		t.Errorf("renamed customer: %v", got)
	}
}

// journal is a balanced journal entry of the sample company dated day, carrying the
// marker of item it.
func (r *rig) journal(it item, day string, cents int) txn {
	r.t.Helper()
	accounts := map[string]string{}
	for _, a := range r.sim.Entities(r.realm, "Account") {
		accounts[fmt.Sprint(a["Name"])] = fmt.Sprint(a["Id"])
	}
	line := func(side, account string) map[string]any {
		return map[string]any{"DetailType": "JournalEntryLineDetail", "Amount": fmt.Sprintf("%d.%02d", cents/100, cents%100),
			"JournalEntryLineDetail": map[string]any{"PostingType": side, "AccountRef": map[string]any{"value": accounts[account]}}}
	}
	body := map[string]any{"DocNumber": "J-" + it.Key, "TxnDate": day, "PrivateNote": "Test entry — synced by qbosync " + it.Marker,
		"Line": []any{line("Debit", "Checking"), line("Credit", "Services")}}
	return txn{it: it, entity: "JournalEntry", body: body, date: day}
}

func (r *rig) transferItem(key string) item {
	return item{Kind: posting.KindTrustTransfer, Key: key, Label: "entry " + key, Marker: names.MarkerFor(r.e.Scope.FirmID, posting.KindTrustTransfer, key)}
}

// Transactions go in batches. A batch whose answer is lost may have been performed, and
// QBO's requestid is best effort: its creates are looked up by marker and adopted, and
// only what is not found is sent again. Each entry lands exactly once, whether QBO
// honours the requestid or not.
func TestPutTxnsAfterALostBatchAnswerCreatesNothingTwice(t *testing.T) {
	for _, c := range []struct {
		n       int
		adopted func(int) bool
		what    string
	}{
		{30, func(n int) bool { return n == 30 }, "one batch: its 30 adopted"},
		// Beyond a batch, singles go beside the batches: the answer lost may be a
		// batch's or a single's, and whatever it was is adopted, never made twice.
		{65, func(n int) bool { return n >= 1 }, "batches and singles: what the lost answer made adopted"},
	} {
		for _, ignoreRequestID := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d ops, requestid ignored %v", c.n, ignoreRequestID), func(t *testing.T) {
				r := newRig(t, qbosim.Options{IgnoreRequestID: ignoreRequestID})
				var txns []txn
				for i := range c.n {
					txns = append(txns, r.journal(r.transferItem(fmt.Sprint(i+1)), "2026-03-02", 100+i))
				}
				r.faults(qbosim.Faults{LoseNextResponses: 1})
				var counts Counts
				ids, err := putTxns(t.Context(), r.e, txns, &counts)
				if err != nil {
					t.Fatal(err)
				}
				if len(ids) != c.n || counts.Created+counts.Adopted != c.n || !c.adopted(counts.Adopted) {
					t.Fatalf("%d ids, counts %+v; want %d, %s", len(ids), counts, c.n, c.what)
				}
				for _, tx := range txns {
					if n := len(r.withMarker("JournalEntry", tx.it.Marker)); n != 1 {
						t.Errorf("%s is in QuickBooks %d times", tx.it.Key, n)
					}
				}
				intents, err := r.e.Store.Intents(t.Context(), r.e.Scope, posting.KindTrustTransfer, []string{"1", fmt.Sprint(c.n)})
				if err != nil || len(intents) != 0 {
					t.Errorf("intents left over: %v, %v", intents, err)
				}
			})
		}
	}
}

// Beyond one batch, QuickBooks' single-request budget writes too: some ops go alone
// beside the batches, and every op lands once and is recorded.
func TestPutTxnsUsesSinglesBesideBatches(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	var txns []txn
	for i := range 100 {
		txns = append(txns, r.journal(r.transferItem(fmt.Sprint(i+1)), "2026-03-03", 100+i))
	}
	r.sim.ResetStats(r.realm)
	var counts Counts
	ids, err := putTxns(t.Context(), r.e, txns, &counts)
	if err != nil {
		t.Fatal(err)
	}
	st := r.sim.Stats(r.realm)
	if len(ids) != 100 || counts.Created != 100 || st.Batches == 0 || st.Requests == st.Batches {
		t.Fatalf("%d ids, counts %+v, stats %+v; want 100 created by batches and singles both", len(ids), counts, st)
	}
	for _, tx := range txns {
		if n := len(r.withMarker("JournalEntry", tx.it.Marker)); n != 1 {
			t.Errorf("%s is in QuickBooks %d times", tx.it.Key, n)
		}
	}
}

// A few writes go as one batch while the company's batch budget is mostly unused (one
// request answers them all), and one by one once it is in use (a batch of a few would
// take a batch request a full page could use).
func TestPutTxnsSendsAFewAsOneBatchOnlyWhileBatchesAreFree(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	for _, c := range []struct {
		busy             int
		batches, singles int
	}{{busy: 0, batches: 1}, {busy: 30, singles: 5}} {
		client, err := qbo.New(qbo.Options{BaseURL: r.url, RealmID: r.realm, Limiter: gauge{busy: c.busy, limit: 40},
			HTTPClient: qbo.NewHTTPClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: r.token}))})
		if err != nil {
			t.Fatal(err)
		}
		r.e.QBO = client
		var txns []txn
		for i := range 5 {
			txns = append(txns, r.journal(r.transferItem(fmt.Sprintf("%d-%d", c.busy, i)), "2026-05-05", 100+i))
		}
		r.sim.ResetStats(r.realm)
		var counts Counts
		if _, err := putTxns(t.Context(), r.e, txns, &counts); err != nil {
			t.Fatal(err)
		}
		st := r.sim.Stats(r.realm)
		if counts.Created != 5 || st.Batches != c.batches || st.Requests-st.Batches != c.singles {
			t.Errorf("%d of 40 batches busy: counts %+v, %d batches and %d singles; want %d and %d",
				c.busy, counts, st.Batches, st.Requests-st.Batches, c.batches, c.singles)
		}
	}
}

// gauge is a limiter that lets everything through at once and reads its batch budget
// as busy of limit.
type gauge struct{ busy, limit int }

func (gauge) Wait(context.Context, qbo.RequestKind) error { return nil }
func (gauge) Done()                                       {}
func (g gauge) BatchesBusy() (int, int)                   { return g.busy, g.limit }

// An intent left by an attempt that ended after sending a create means "this may be in
// QuickBooks": the next attempt looks it up by date and marker and adopts it.
func TestPutTxnsAdoptsWhatAnIntentLeftInQuickBooks(t *testing.T) {
	r := newRig(t, qbosim.Options{IgnoreRequestID: true})
	ctx := t.Context()
	tx := r.journal(r.transferItem("50"), "2026-04-01", 5000)
	hash, err := contentHash(tx.body)
	if err != nil {
		t.Fatal(err)
	}
	// The earlier attempt: intent recorded, create performed, answer never recorded.
	if err := r.e.Store.SaveIntents(ctx, r.e.Scope, []store.Intent{{Kind: tx.it.Kind, SourceKey: tx.it.Key, QBOEntity: tx.entity, ContentHash: hash, TxnDate: tx.date}}); err != nil {
		t.Fatal(err)
	}
	if err := r.e.QBO.Create(ctx, tx.entity, tx.body, "earlier-attempt", nil); err != nil {
		t.Fatal(err)
	}
	var counts Counts
	if _, err := putTxns(ctx, r.e, []txn{tx}, &counts); err != nil {
		t.Fatal(err)
	}
	if n := len(r.withMarker("JournalEntry", tx.it.Marker)); n != 1 || counts.Adopted != 1 {
		t.Fatalf("%d entries in QuickBooks, counts %+v; want the one adopted", n, counts)
	}
	if _, ok := r.mapping(tx.it.Kind, tx.it.Key); !ok {
		t.Error("the adopted entry is not mapped")
	}
}

// A worker that died mid-page leaves a page of intents. The next attempt looks them up
// in one query over their dates, not one each (a lookup each would take longer than a
// worker lives while workers keep dying: scripts/chaos.sh), adopts what the dead attempt
// made and creates the rest, each once.
func TestPutTxnsLooksUpAPageOfIntentsInOneQuery(t *testing.T) {
	r := newRig(t, qbosim.Options{IgnoreRequestID: true})
	ctx := t.Context()
	var txns []txn
	var intents []store.Intent
	for i := range 40 {
		tx := r.journal(r.transferItem(fmt.Sprint(i+1)), fmt.Sprintf("2026-04-%02d", 1+i%20), 1000+i)
		hash, err := contentHash(tx.body)
		if err != nil {
			t.Fatal(err)
		}
		txns = append(txns, tx)
		intents = append(intents, store.Intent{Kind: tx.it.Kind, SourceKey: tx.it.Key, QBOEntity: tx.entity, ContentHash: hash, TxnDate: tx.date})
	}
	if err := r.e.Store.SaveIntents(ctx, r.e.Scope, intents); err != nil {
		t.Fatal(err)
	}
	// The dead attempt's creates that reached QuickBooks: every third.
	made := 0
	for i := 0; i < len(txns); i += 3 {
		if err := r.e.QBO.Create(ctx, txns[i].entity, txns[i].body, "dead-attempt-"+txns[i].it.Key, nil); err != nil {
			t.Fatal(err)
		}
		made++
	}
	r.sim.ResetStats(r.realm)
	var counts Counts
	if _, err := putTxns(ctx, r.e, txns, &counts); err != nil {
		t.Fatal(err)
	}
	if counts.Adopted != made || counts.Created != len(txns)-made {
		t.Errorf("counts %+v; want %d adopted and %d created", counts, made, len(txns)-made)
	}
	for _, tx := range txns {
		if n := len(r.withMarker("JournalEntry", tx.it.Marker)); n != 1 {
			t.Errorf("%s is in QuickBooks %d times", tx.it.Key, n)
		}
	}
	// The lookup, then the writes: far fewer requests than one lookup per intent.
	if st := r.sim.Stats(r.realm); st.Requests > 5 {
		t.Errorf("%d requests for %d records in doubt; want one query for the lookups, and the writes in batches", st.Requests, len(txns))
	}
}

// A transaction QuickBooks refuses inside a batch is that record's failed item (its
// intent cleared: the create did not happen); the rest of the batch lands.
func TestPutTxnsRefusalInsideABatchFailsOnlyThatRecord(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	ctx := t.Context()
	good1, good2 := r.journal(r.transferItem("61"), "2026-05-01", 700), r.journal(r.transferItem("63"), "2026-05-01", 900)
	bad := r.journal(r.transferItem("62"), "2026-05-01", 800)
	lines := bad.body.(map[string]any)["Line"].([]any)
	lines[1].(map[string]any)["Amount"] = "7.00" // unbalanced: QuickBooks refuses it
	var counts Counts
	if _, err := putTxns(ctx, r.e, []txn{good1, bad, good2}, &counts); err != nil {
		t.Fatal(err)
	}
	if counts.Created != 2 || counts.Failed != 1 {
		t.Fatalf("counts %+v; want 2 created, 1 failed", counts)
	}
	failed, err := r.e.Store.FailedItems(ctx, r.e.Scope, posting.KindTrustTransfer)
	if err != nil || len(failed) != 1 || failed[0].SourceKey != "62" || failed[0].Explanation == "" {
		t.Fatalf("failed items = %+v, %v", failed, err)
	}
	if intents, _ := r.e.Store.Intents(ctx, r.e.Scope, posting.KindTrustTransfer, []string{"62"}); len(intents) != 0 {
		t.Error("the refused create's intent was kept: the next attempt would look for something that never existed")
	}
	if len(r.withMarker("JournalEntry", bad.it.Marker)) != 0 {
		t.Error("the refused entry is in QuickBooks")
	}
}

// A batch answered with a server error may or may not have been performed: its creates
// are looked up, and the batch is sent again; every entry lands once and is recorded
// (an earlier version returned from the retry loop with no error and nothing settled,
// leaving the entries out of QuickBooks until a later run).
func TestPutTxnsAfterABatchServerErrorEveryEntryLandsAndIsRecorded(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	var txns []txn
	for i := range 5 {
		txns = append(txns, r.journal(r.transferItem(fmt.Sprint(i+71)), "2026-06-01", 300+i))
	}
	r.faults(qbosim.Faults{ServerErrorNext: 1})
	var counts Counts
	ids, err := putTxns(t.Context(), r.e, txns, &counts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 5 || counts.Created != 5 {
		t.Fatalf("%d ids, counts %+v; want all 5 created and recorded", len(ids), counts)
	}
	for _, tx := range txns {
		if n := len(r.withMarker("JournalEntry", tx.it.Marker)); n != 1 {
			t.Errorf("%s is in QuickBooks %d times", tx.it.Key, n)
		}
		if _, ok := r.mapping(tx.it.Kind, tx.it.Key); !ok {
			t.Errorf("%s is not recorded", tx.it.Key)
		}
	}
}

// A transaction edited in QuickBooks since the sync last wrote it (a bookkeeper's
// memo, or a payment applied to the invoice) has a newer SyncToken: the batch's update
// is refused as stale, and the same content is written over the new version, alone.
func TestPutTxnsUpdateOverAStaleSyncTokenRereadsAndWrites(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	ctx := t.Context()
	tx := r.journal(r.transferItem("81"), "2026-07-01", 1000)
	var counts Counts
	ids, err := putTxns(ctx, r.e, []txn{tx}, &counts)
	if err != nil || counts.Created != 1 {
		t.Fatalf("create: counts %+v, %v", counts, err)
	}
	var cur identity
	if err := r.e.QBO.Read(ctx, "JournalEntry", ids["81"], &cur); err != nil {
		t.Fatal(err)
	}
	edit := map[string]any{"Id": cur.ID, "SyncToken": cur.SyncToken, "sparse": true, "DocNumber": "edited by hand"}
	if err := r.e.QBO.Update(ctx, "JournalEntry", edit, "hand-edit", nil); err != nil {
		t.Fatal(err)
	}
	changed := r.journal(tx.it, "2026-07-02", 1000)
	counts = Counts{}
	if _, err := putTxns(ctx, r.e, []txn{changed}, &counts); err != nil {
		t.Fatalf("update over a stale SyncToken: %v", err)
	}
	got := r.withMarker("JournalEntry", tx.it.Marker)
	if counts.Updated != 1 || len(got) != 1 || got[0]["TxnDate"] != "2026-07-02" || got[0]["DocNumber"] != "J-81" {
		t.Fatalf("counts %+v, entries %v; want the one entry updated to the new content", counts, got)
	}
	m, _ := r.mapping(tx.it.Kind, tx.it.Key)
	if m.SyncToken != fmt.Sprint(got[0]["SyncToken"]) {
		t.Errorf("recorded SyncToken %s, QuickBooks has %v: the next update would be stale again", m.SyncToken, got[0]["SyncToken"])
	}
}

// Customers go in batches; a batch whose answer is lost leaves nothing made twice: its
// customers are written alone, and each that the batch made is found by its name and
// marker and adopted.
func TestHoldCustomersInBatchesAfterALostAnswerCreatesNothingTwice(t *testing.T) {
	r := newRig(t, qbosim.Options{IgnoreRequestID: true})
	var cs []customer
	for i := range 30 { // one batch (more would send some alone beside it)
		it := r.client(fmt.Sprint(i + 1))
		cs = append(cs, customer{it: it, body: r.customer(it, fmt.Sprintf("Batch Client %02d", i+1))})
	}
	r.sim.ResetStats(r.realm)
	r.faults(qbosim.Faults{LoseNextResponses: 1})
	var counts Counts
	held, err := r.e.holdCustomers(t.Context(), cs, &counts)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 30 || counts.Adopted != 30 {
		t.Fatalf("%d held, counts %+v; want 30, the lost batch's 30 adopted", len(held), counts)
	}
	for _, c := range cs {
		if n := len(r.named("Customer", "DisplayName", c.body.DisplayName)); n != 1 {
			t.Errorf("%s is in QuickBooks %d times", c.body.DisplayName, n)
		}
	}
	if st := r.sim.Stats(r.realm); st.Batches != 1 {
		t.Errorf("%d batch requests for 30 customers, want 1", st.Batches)
	}
	// A second pass writes nothing; a changed customer is updated.
	cs[3].body.CompanyName = "Changed Co"
	counts = Counts{}
	if _, err := r.e.holdCustomers(t.Context(), cs, &counts); err != nil {
		t.Fatal(err)
	}
	if counts.Unchanged != 29 || counts.Updated != 1 {
		t.Errorf("second pass counts %+v; want 29 unchanged and 1 updated", counts)
	}
}

// Beyond one batch, customers go alone beside the batches too, as transactions do, and
// every one lands once, recorded.
func TestHoldCustomersUsesSinglesBesideBatches(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	var cs []customer
	for i := range 100 {
		it := r.client(fmt.Sprint(i + 1))
		cs = append(cs, customer{it: it, body: r.customer(it, fmt.Sprintf("Many Client %03d", i+1))})
	}
	r.sim.ResetStats(r.realm)
	var counts Counts
	held, err := r.e.holdCustomers(t.Context(), cs, &counts)
	if err != nil {
		t.Fatal(err)
	}
	st := r.sim.Stats(r.realm)
	if len(held) != 100 || counts.Created != 100 || st.Batches == 0 || st.Requests == st.Batches {
		t.Fatalf("%d held, counts %+v, stats %+v; want 100 created by batches and singles both", len(held), counts, st)
	}
	for _, c := range cs {
		if n := len(r.named("Customer", "DisplayName", c.body.DisplayName)); n != 1 {
			t.Errorf("%s is in QuickBooks %d times", c.body.DisplayName, n)
		}
		if m, ok := r.mapping(c.it.Kind, c.it.Key); !ok || m.QBOID != held[c.it.Key] {
			t.Errorf("%s: mapping %+v, held %q", c.it.Key, m, held[c.it.Key])
		}
	}
}

// A customer whose name another customer holds fails alone, with the clash explained;
// the rest of its batch lands.
func TestHoldCustomersNameTakenInABatchFailsOnlyThatCustomer(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	a, b, c := r.client("1"), r.client("2"), r.client("3")
	cs := []customer{
		{it: a, body: r.customer(a, "Fine Client One")},
		{it: b, body: r.customer(b, "Amy's Bird Sanctuary")}, // the sample company's own customer
		{it: c, body: r.customer(c, "Fine Client Three")},
	}
	var counts Counts
	held, err := r.e.holdCustomers(t.Context(), cs, &counts)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Created != 2 || counts.Failed != 1 || len(held) != 2 {
		t.Fatalf("counts %+v, %d held; want 2 created and the namesake failed", counts, len(held))
	}
	failed, err := r.e.Store.FailedItems(t.Context(), r.e.Scope)
	if err != nil || len(failed) != 1 || failed[0].SourceKey != "2" || failed[0].ErrorCode != "6240" || !strings.Contains(failed[0].Explanation, "did not create") {
		t.Errorf("failed items %+v, %v; want client 2's clash with the company's own customer", failed, err)
	}
}
