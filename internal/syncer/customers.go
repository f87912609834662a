package syncer

import (
	"context"
	"errors"
	"strconv"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// customerOp is a customer on its way to QBO in a batch: a create, or an update of the
// object it is mapped to.
type customerOp struct {
	customer
	hash    string
	current *store.Mapping // nil: a create
}

// holdCustomers makes QBO hold the plan's customers and returns their QBO ids by item
// key. Unchanged ones cost nothing; new and changed ones go in batches of
// qbo.DefaultMaxBatchItems from the front and one by one from the back at once
// (sendFrontAndBack: a thousand clients are some 35 batch requests, and the single
// requests beside them use the rest of QuickBooks' budget). What a batch cannot
// settle plainly (a name another object holds, a stale SyncToken, an answer lost or a
// whole batch refused) goes through upsert alone, which knows every exactly-once path:
// a create whose answer was lost is found by its unique name and its marker and
// adopted, never made twice.
func (e *Engine) holdCustomers(ctx context.Context, cs []customer, counts *Counts) (map[string]string, error) {
	held := map[string]string{}
	ops, err := e.customerOps(ctx, cs, held, counts)
	if err != nil {
		return nil, err
	}
	out := &outcomes{ids: held, counts: counts}
	err = sendFrontAndBack(ctx, ops, e.QBO.BatchesFree(),
		func(ctx context.Context, chunk []customerOp) error {
			return out.add(func(held map[string]string, c *Counts) error {
				alone, err := e.batchCustomers(ctx, chunk, held, c)
				if err != nil {
					return err
				}
				for _, op := range alone {
					if err := e.holdCustomer(ctx, op.customer, held, c); err != nil {
						return err
					}
				}
				return nil
			})
		},
		func(ctx context.Context, op customerOp) error {
			return out.add(func(held map[string]string, c *Counts) error { return e.holdCustomer(ctx, op.customer, held, c) })
		})
	return held, err
}

// customerOps settles the customers already in QBO as they should be, and returns
// what the others need: a create or an update.
func (e *Engine) customerOps(ctx context.Context, cs []customer, held map[string]string, counts *Counts) ([]customerOp, error) {
	keys := map[string][]string{}
	for _, c := range cs {
		keys[c.it.Kind] = append(keys[c.it.Kind], c.it.Key)
	}
	mapped := map[string]map[string]store.Mapping{}
	for kind, ks := range keys {
		m, err := e.mappings(ctx, kind, ks)
		if err != nil {
			return nil, err
		}
		mapped[kind] = m
	}
	var ops []customerOp
	var unchanged []item
	for _, c := range cs {
		hash, err := contentHash(c.body)
		if err != nil {
			return nil, err
		}
		m, ok := mapped[c.it.Kind][c.it.Key]
		switch {
		case ok && m.ContentHash == hash:
			held[c.it.Key] = m.QBOID
			unchanged = append(unchanged, c.it)
		case ok:
			ops = append(ops, customerOp{customer: c, hash: hash, current: &m})
		default:
			ops = append(ops, customerOp{customer: c, hash: hash})
		}
	}
	return ops, e.settleUnchanged(ctx, unchanged, counts)
}

// batchCustomers sends one batch and settles what it can; it returns the ops to write
// alone.
func (e *Engine) batchCustomers(ctx context.Context, ops []customerOp, held map[string]string, counts *Counts) ([]customerOp, error) {
	batch := make([]qbo.BatchOp, len(ops))
	idParts := []string{e.Scope.RealmID, "customers"}
	for i, op := range ops {
		body := op.body
		batch[i] = qbo.BatchOp{BID: strconv.Itoa(i), Entity: "Customer", Operation: qbo.BatchCreate, Body: body}
		token := ""
		if op.current != nil {
			token = op.current.SyncToken
			body.ID, body.SyncToken, body.Sparse = op.current.QBOID, op.current.SyncToken, true
			batch[i].Operation, batch[i].Body = qbo.BatchUpdate, body
		}
		idParts = append(idParts, op.it.Kind, op.it.Key, token, op.hash)
	}
	results, err := e.QBO.Batch(ctx, batch, qbo.RequestID(idParts...))
	if err != nil {
		// No answer, or the whole batch refused: each goes alone, and upsert finds
		// what the batch may have made before making anything.
		e.Log.Info("customer batch failed; writing its customers one by one", "customers", len(ops), "error", err)
		return ops, nil
	}
	var alone []customerOp
	for i, op := range ops {
		var got qbo.Customer
		err := results[i].Decode(&got)
		switch {
		case err == nil:
			action := store.ActionCreated
			if op.current != nil {
				action = store.ActionUpdated
			}
			if err = e.save(ctx, "Customer", op.it, got.ID, got.SyncToken, op.hash, got.DisplayName); err == nil {
				held[op.it.Key] = got.ID
			}
			if err := e.settle(ctx, op.it.Kind, op.it.Key, op.it.Label, action, err, counts); err != nil {
				return nil, err
			}
		case plainRefusal(err):
			if err := e.settle(ctx, op.it.Kind, op.it.Key, op.it.Label, "", err, counts); err != nil {
				return nil, err
			}
		default:
			alone = append(alone, op)
		}
	}
	return alone, nil
}

// plainRefusal says whether QBO refused one customer of a batch for its content, so
// that writing it alone could only be refused again: a validation error other than a
// name another object holds (6240: it may be ours, or matched), a reference to
// something gone, or content QBO could not read.
func plainRefusal(err error) bool {
	qe, ok := errors.AsType[*qbo.Error](err)
	if !ok {
		return false
	}
	switch qe.Class {
	case qbo.Validation:
		return qe.Code != "6240"
	case qbo.NotFound, qbo.Bug:
		return true
	}
	return false
}

// holdCustomer writes one customer alone, by upsert, and records the outcome.
func (e *Engine) holdCustomer(ctx context.Context, c customer, held map[string]string, counts *Counts) error {
	spec := customerSpec
	if c.matchExisting {
		spec.matches = sameCustomer
	}
	action, id, err := upsert(ctx, e, spec, c.it, c.body)
	if err == nil {
		held[c.it.Key] = id
	}
	return e.settle(ctx, c.it.Kind, c.it.Key, c.it.Label, action, err, counts)
}
