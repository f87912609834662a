package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// txn is a QBO transaction (an invoice, a payment, a deposit...) the sync wants QBO to
// hold for a practice record.
type txn struct {
	it     item
	entity string // "Invoice", "Payment", ...
	// body is the entity as it should be, without Id or SyncToken. It carries the
	// record's marker in PrivateNote.
	body any
	// date is its TxnDate, by which it is looked up after a create whose answer was
	// lost: every transaction entity can be queried by TxnDate.
	date string
}

// identity is the part of any QBO entity the writer needs back.
type identity struct {
	ID        string `json:"Id"`
	SyncToken string `json:"SyncToken"`
}

// putTxns makes QBO hold each transaction exactly once: it creates those not yet in QBO
// and updates those whose content changed, in batches, and records every outcome. It
// returns the QBO ids of the transactions now in QBO, by item key, so that writes that
// refer to them (a payment applying a credit memo) can follow.
//
// Exactly once (docs/design.md, "Transactions: intents, batches, and a lookup only when
// in doubt"): a create is recorded as an intent before it is sent. If its answer is
// lost and the attempt ends, the next attempt finds the intent and looks for the object
// by its marker before creating anything; the id map row that records a create's
// answer settles its intent in the same statement.
func putTxns(ctx context.Context, e *Engine, txns []txn, counts *Counts) (map[string]string, error) {
	ids := map[string]string{}
	var ops []pendingOp
	for kind, group := range byKind(txns) {
		kindOps, err := pendingOps(ctx, e, kind, group, ids, counts)
		if err != nil {
			return nil, err
		}
		ops = append(ops, kindOps...)
	}
	var intents []store.Intent
	for _, op := range ops {
		if op.create {
			intents = append(intents, store.Intent{Kind: op.it.Kind, SourceKey: op.it.Key, QBOEntity: op.entity, ContentHash: op.hash, TxnDate: op.date})
		}
	}
	if err := e.Store.SaveIntents(ctx, e.Scope, intents); err != nil {
		return nil, err
	}
	if err := refreshTokens(ctx, e, ops); err != nil {
		return nil, err
	}
	return ids, sendOps(ctx, e, ops, ids, counts)
}

// movedByOthers are the entities whose SyncToken QuickBooks moves when another
// transaction links to them: applying a payment to an invoice or a credit memo makes
// a new version of it (its Balance and LinkedTxn). The id map holds the version the
// sync wrote, so an update of an invoice that payments were applied to since would
// meet a stale SyncToken and cost three requests (refused, read, written again).
var movedByOthers = map[string]bool{"Invoice": true, "CreditMemo": true}

// refreshTokens gives the updates among ops of movedByOthers entities their objects'
// current SyncTokens, read in one query per entity: a page of invoice edits on a
// firm whose clients pay costs one request more, not two more per invoice. An object
// the query does not return keeps the token the id map holds, and its update meets
// QuickBooks' own answer (deleted, or stale) as before.
func refreshTokens(ctx context.Context, e *Engine, ops []pendingOp) error {
	byEntity := map[string][]string{}
	for _, op := range ops {
		if !op.create && movedByOthers[op.entity] {
			byEntity[op.entity] = append(byEntity[op.entity], op.current.ID)
		}
	}
	current := map[string]string{} // entity and Id -> SyncToken
	for _, entity := range slices.Sorted(maps.Keys(byEntity)) {
		for chunk := range slices.Chunk(byEntity[entity], qbo.MaxQueryResults) {
			var rows []identity
			err := retryingInPlace(ctx, func() error { return e.QBO.ReadByIDs(ctx, entity, chunk, &rows) })
			if err != nil {
				return err
			}
			for _, r := range rows {
				current[entity+" "+r.ID] = r.SyncToken
			}
		}
	}
	for i, op := range ops {
		if token, ok := current[op.entity+" "+op.current.ID]; ok && !op.create {
			ops[i].current.SyncToken = token
		}
	}
	return nil
}

// sendOps writes ops, in batches and one by one at once (sendFrontAndBack).
func sendOps(ctx context.Context, e *Engine, ops []pendingOp, ids map[string]string, counts *Counts) error {
	out := &outcomes{ids: ids, counts: counts}
	return sendFrontAndBack(ctx, ops, e.QBO.BatchesFree(),
		func(ctx context.Context, chunk []pendingOp) error {
			return out.add(func(ids map[string]string, c *Counts) error { return writeBatch(ctx, e, chunk, ids, c) })
		},
		func(ctx context.Context, op pendingOp) error {
			return out.add(func(ids map[string]string, c *Counts) error { return writeSingle(ctx, e, op, ids, c) })
		})
}

// writeSingle sends one op alone and records its outcome, by the same exactly-once
// rules as a batch: a create was recorded as an intent before; after an ambiguous
// answer it is looked for by its marker before it is sent again; an update over a
// stale SyncToken is written over the new version.
func writeSingle(ctx context.Context, e *Engine, op pendingOp, ids map[string]string, counts *Counts) error {
	var got identity
	var err error
	if op.create {
		reqID := qbo.RequestID(e.Scope.RealmID, "create", op.it.Kind, op.it.Key, op.hash)
		for attempt := 1; ; attempt++ {
			err = e.QBO.Create(ctx, op.entity, op.body, reqID, &got)
			if err != nil && qbo.IsAmbiguous(err) {
				found, findErr := findTxn(ctx, e, op.txn, store.Intent{QBOEntity: op.entity, TxnDate: op.date})
				if findErr != nil {
					return errors.Join(err, findErr)
				}
				if found != nil {
					got, err, op.adopted = *found, nil, true
				}
			}
			if err == nil || !retryInPlace(ctx, err, attempt) {
				break
			}
		}
	} else {
		body, bodyErr := withIdentity(op.body, op.current)
		if bodyErr != nil {
			return bodyErr
		}
		reqID := qbo.RequestID(e.Scope.RealmID, "update", op.it.Kind, op.it.Key, op.current.SyncToken, op.hash)
		err = retryingInPlace(ctx, func() error { return e.QBO.Update(ctx, op.entity, body, reqID, &got) })
		if qbo.ClassOf(err) == qbo.Stale {
			got, err = updateTxn(ctx, e, op)
		}
	}
	if qbo.ClassOf(err) == qbo.Transient {
		return err // the attempt ends; the intent stays for the next one, which looks first
	}
	return settleOp(ctx, e, op, got, err, ids, counts)
}

// pendingOps decides, for the transactions of one kind, what each needs: nothing (its
// content is in QBO already, or an earlier create whose answer was lost made it, which
// is adopted here), a create, or an update. Settled ones are recorded and their QBO ids
// put in ids.
func pendingOps(ctx context.Context, e *Engine, kind string, group []txn, ids map[string]string, counts *Counts) ([]pendingOp, error) {
	keys := make([]string, len(group))
	for i, t := range group {
		keys[i] = t.it.Key
	}
	mapped, err := e.mappings(ctx, kind, keys)
	if err != nil {
		return nil, err
	}
	intents, err := e.Store.Intents(ctx, e.Scope, kind, keys)
	if err != nil {
		return nil, err
	}
	inQBO, err := findInDoubt(ctx, e, group, mapped, intents)
	if err != nil {
		return nil, err
	}
	var ops []pendingOp
	var unchanged []item
	for _, t := range group {
		hash, err := contentHash(t.body)
		if err != nil {
			return nil, err
		}
		op := pendingOp{txn: t, hash: hash}
		m, isMapped := mapped[t.it.Key]
		if in, inDoubt := intents[t.it.Key]; !isMapped && inDoubt {
			if found := inQBO[t.it.Key]; found != nil {
				m, isMapped = store.Mapping{Kind: t.it.Kind, SourceKey: t.it.Key, QBOEntity: t.entity,
					QBOID: found.ID, SyncToken: found.SyncToken, ContentHash: in.ContentHash}, true
				op.adopted = true
			}
		}
		switch {
		case !isMapped:
			op.create = true
		case m.ContentHash == hash && !op.adopted:
			ids[t.it.Key] = m.QBOID
			unchanged = append(unchanged, t.it)
			continue
		case m.ContentHash == hash:
			if err := e.saveTxn(ctx, t, identity{ID: m.QBOID, SyncToken: m.SyncToken}, hash); err != nil {
				return nil, err
			}
			ids[t.it.Key] = m.QBOID
			if err := e.settle(ctx, t.it.Kind, t.it.Key, t.it.Label, store.ActionAdopted, nil, counts); err != nil {
				return nil, err
			}
			continue
		default:
			op.current = identity{ID: m.QBOID, SyncToken: m.SyncToken}
		}
		ops = append(ops, op)
	}
	return ops, e.settleUnchanged(ctx, unchanged, counts)
}

// pendingOp is a create or an update on its way to QBO.
type pendingOp struct {
	txn
	hash    string
	create  bool
	adopted bool     // found by its marker: report it as adopted
	current identity // what an update changes
}

func (op pendingOp) action() string {
	switch {
	case op.adopted:
		return store.ActionAdopted
	case op.create:
		return store.ActionCreated
	}
	return store.ActionUpdated
}

// writeBatch sends one batch of creates and updates and settles each. A failure of the
// whole request that surely did not create anything is repeated in place with the same
// request ID. After an ambiguous failure (no answer, or a 5xx) the creates may have
// happened, and QBO's requestid is best effort (docs/qbo-api.md): a repeat it did not
// recognise would create them twice. So the creates are looked up by their marker
// first, those found are adopted, and only the rest is sent again. If failures persist,
// the error ends the attempt and the intents stay for the next one.
func writeBatch(ctx context.Context, e *Engine, ops []pendingOp, ids map[string]string, counts *Counts) error {
	for attempt := 1; ; attempt++ {
		batch, reqID, err := batchOf(e, ops)
		if err != nil {
			return err
		}
		results, sendErr := e.QBO.Batch(ctx, batch, reqID)
		if sendErr == nil {
			return settleBatch(ctx, e, ops, results, ids, counts)
		}
		if qbo.IsAmbiguous(sendErr) && slices.ContainsFunc(ops, func(op pendingOp) bool { return op.create }) {
			if ops, err = adoptPerformed(ctx, e, ops, ids, counts); err != nil || len(ops) == 0 {
				return err
			}
		}
		if !retryInPlace(ctx, sendErr, attempt) {
			return sendErr
		}
	}
}

// batchOf is the batch request for ops and its request ID, which names exactly what it
// sends.
func batchOf(e *Engine, ops []pendingOp) ([]qbo.BatchOp, string, error) {
	batch := make([]qbo.BatchOp, len(ops))
	idParts := []string{e.Scope.RealmID, "batch"}
	for i, op := range ops {
		batch[i] = qbo.BatchOp{BID: strconv.Itoa(i), Entity: op.entity, Operation: qbo.BatchCreate, Body: op.body}
		if !op.create {
			body, err := withIdentity(op.body, op.current)
			if err != nil {
				return nil, "", err
			}
			batch[i].Operation, batch[i].Body = qbo.BatchUpdate, body
		}
		idParts = append(idParts, op.it.Kind, op.it.Key, op.current.SyncToken, op.hash)
	}
	return batch, qbo.RequestID(idParts...), nil
}

// adoptPerformed looks for the objects that the creates among ops may have made in a
// batch whose answer was lost, adopts those it finds, and returns the ops still to send.
func adoptPerformed(ctx context.Context, e *Engine, ops []pendingOp, ids map[string]string, counts *Counts) ([]pendingOp, error) {
	var rest []pendingOp
	for _, op := range ops {
		if !op.create {
			rest = append(rest, op)
			continue
		}
		found, err := findTxn(ctx, e, op.txn, store.Intent{QBOEntity: op.entity, TxnDate: op.date})
		if err != nil {
			return nil, err
		}
		if found == nil {
			rest = append(rest, op)
			continue
		}
		op.adopted = true
		if err = e.saveTxn(ctx, op.txn, *found, op.hash); err == nil {
			ids[op.it.Key] = found.ID
		}
		if err := e.settle(ctx, op.it.Kind, op.it.Key, op.it.Label, op.action(), err, counts); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

// settleBatch records the outcome of each op from QBO's answers to its batch.
func settleBatch(ctx context.Context, e *Engine, ops []pendingOp, results []qbo.BatchResult, ids map[string]string, counts *Counts) error {
	var transient error
	for i, op := range ops {
		var got identity
		err := results[i].Decode(&got)
		if err != nil && !op.create && qbo.ClassOf(err) == qbo.Stale {
			// Someone (or a payment applied to the invoice) changed the object in QBO
			// since the sync last saw it: write the same content over the new version.
			got, err = updateTxn(ctx, e, op)
		}
		if qbo.ClassOf(err) == qbo.Transient {
			// Settled by the next attempt, which looks for a create before repeating it.
			transient = errors.Join(transient, err)
			continue
		}
		if err := settleOp(ctx, e, op, got, err, ids, counts); err != nil {
			return err
		}
	}
	return transient
}

// settleOp records one op's outcome: the object QBO answered with (got), or err.
func settleOp(ctx context.Context, e *Engine, op pendingOp, got identity, err error, ids map[string]string, counts *Counts) error {
	switch {
	case err == nil:
		// A mapping the id map refuses (the object stands for another record) is this
		// record's failure, settled below like QBO's refusals.
		if err = e.saveTxn(ctx, op.txn, got, op.hash); err == nil {
			ids[op.it.Key] = got.ID
		}
	case op.create && asItemFailure(err) != nil:
		// QBO refused the create: it did not happen.
		if err := e.Store.ClearIntent(ctx, e.Scope, op.it.Kind, op.it.Key); err != nil {
			return err
		}
	}
	return e.settle(ctx, op.it.Kind, op.it.Key, op.it.Label, op.action(), err, counts)
}

// updateTxn writes op's content over the current version of its object, alone.
func updateTxn(ctx context.Context, e *Engine, op pendingOp) (identity, error) {
	var cur identity
	if err := e.QBO.Read(ctx, op.entity, op.current.ID, &cur); err != nil {
		return identity{}, err
	}
	body, err := withIdentity(op.body, cur)
	if err != nil {
		return identity{}, err
	}
	reqID := qbo.RequestID(e.Scope.RealmID, "update", op.it.Kind, op.it.Key, cur.SyncToken, op.hash)
	var got identity
	err = retryingInPlace(ctx, func() error { return e.QBO.Update(ctx, op.entity, body, reqID, &got) })
	return got, err
}

// findInDoubt looks for the objects that the earlier creates of group's unmapped
// records with an intent may have made, keyed by record. One record in doubt costs a
// lookup by its date; several of an entity cost one query over their dates together
// (qbo.FindByMarkers), so that an attempt after a worker died mid-page is not all
// lookups.
func findInDoubt(ctx context.Context, e *Engine, group []txn, mapped map[string]store.Mapping, intents map[string]store.Intent) (map[string]*identity, error) {
	doubts := map[string][]txn{}
	for _, t := range group {
		in, inDoubt := intents[t.it.Key]
		if _, isMapped := mapped[t.it.Key]; !isMapped && inDoubt {
			doubts[in.QBOEntity] = append(doubts[in.QBOEntity], t)
		}
	}
	found := map[string]*identity{}
	for _, entity := range slices.Sorted(maps.Keys(doubts)) {
		ofEntity := doubts[entity]
		if len(ofEntity) == 1 {
			t := ofEntity[0]
			id, err := findTxn(ctx, e, t, intents[t.it.Key])
			if err != nil {
				return nil, err
			}
			found[t.it.Key] = id
			continue
		}
		if err := findTxns(ctx, e, entity, ofEntity, intents, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// findTxns looks for several records' objects of one entity in one query over the
// range of their intents' dates, and puts those found into found.
func findTxns(ctx context.Context, e *Engine, entity string, group []txn, intents map[string]store.Intent, found map[string]*identity) error {
	from, to := intents[group[0].it.Key].TxnDate, intents[group[0].it.Key].TxnDate
	markers := make([]string, len(group))
	for i, t := range group {
		from, to = min(from, intents[t.it.Key].TxnDate), max(to, intents[t.it.Key].TxnDate)
		markers[i] = t.it.Marker
	}
	var rows map[string]json.RawMessage
	err := retryingInPlace(ctx, func() (err error) {
		rows, err = e.QBO.FindByMarkers(ctx, entity, "TxnDate", from, to, markers)
		return err
	})
	if err != nil {
		return err
	}
	for _, t := range group {
		if row, ok := rows[t.it.Marker]; ok {
			var id identity
			if err := json.Unmarshal(row, &id); err != nil {
				return fmt.Errorf("decode %s found by marker: %w", entity, err)
			}
			found[t.it.Key] = &id
		}
	}
	return nil
}

// findTxn looks for the object an earlier create of t may have made.
func findTxn(ctx context.Context, e *Engine, t txn, in store.Intent) (*identity, error) {
	var found identity
	var ok bool
	err := retryingInPlace(ctx, func() (err error) {
		ok, err = e.QBO.FindByMarker(ctx, in.QBOEntity, "TxnDate", in.TxnDate, t.it.Marker, &found)
		return err
	})
	if err != nil || !ok {
		return nil, err
	}
	return &found, nil
}

func (e *Engine) saveTxn(ctx context.Context, t txn, got identity, hash string) error {
	return e.Store.SaveMapping(ctx, e.Scope, store.Mapping{
		Kind: t.it.Kind, SourceKey: t.it.Key, QBOEntity: t.entity, QBOID: got.ID, SyncToken: got.SyncToken, ContentHash: hash,
	})
}

// withIdentity is body as a sparse update of the object id: transactions' lines are all
// or nothing, and the body carries all of them.
func withIdentity(body any, id identity) (map[string]any, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m["Id"], m["SyncToken"], m["sparse"] = id.ID, id.SyncToken, true
	return m, nil
}

func byKind(txns []txn) map[string][]txn {
	out := map[string][]txn{}
	for _, t := range txns {
		out[t.it.Kind] = append(out[t.it.Kind], t)
	}
	return out
}

// voided is the content hash recorded for a voided transaction: nothing to write.
const voided = "voided"

// retireTxn takes a transaction whose record was voided or deleted out of the books,
// and records the outcome: it voids it (an invoice or payment that must stay visible,
// or one with payments applied) or deletes it. A deleted one leaves the id map.
func retireTxn(ctx context.Context, e *Engine, it item, m store.Mapping, void bool, counts *Counts) error {
	action, err := retire(ctx, e, it, m, void)
	return e.settle(ctx, it.Kind, it.Key, it.Label, action, err, counts)
}

func retire(ctx context.Context, e *Engine, it item, m store.Mapping, void bool) (string, error) {
	if void && m.ContentHash == voided {
		return store.ActionUnchanged, nil
	}
	verb := "delete"
	if void {
		verb = "void"
	}
	token := m.SyncToken
	for refreshed := false; ; refreshed = true {
		var err error
		var got identity
		if void {
			reqID := qbo.RequestID(e.Scope.RealmID, "void", it.Kind, it.Key, token)
			err = retryingInPlace(ctx, func() error { return e.QBO.Void(ctx, m.QBOEntity, m.QBOID, token, reqID, &got) })
			if err == nil {
				m.SyncToken, m.ContentHash = got.SyncToken, voided
				return store.ActionUpdated, e.Store.SaveMapping(ctx, e.Scope, m)
			}
		} else {
			reqID := qbo.RequestID(e.Scope.RealmID, "delete", it.Kind, it.Key, token)
			err = retryingInPlace(ctx, func() error { return e.QBO.Delete(ctx, m.QBOEntity, m.QBOID, token, reqID) })
			if err == nil || qbo.ClassOf(err) == qbo.NotFound {
				return store.ActionUpdated, e.Store.DeleteMapping(ctx, e.Scope, it.Kind, it.Key)
			}
		}
		if qbo.ClassOf(err) != qbo.Stale || refreshed {
			return "", fmt.Errorf("%s %s %s: %w", verb, m.QBOEntity, m.QBOID, err)
		}
		var cur identity
		if err := e.QBO.Read(ctx, m.QBOEntity, m.QBOID, &cur); err != nil {
			return "", err
		}
		token = cur.SyncToken
	}
}
