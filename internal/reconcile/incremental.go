package reconcile

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// ErrNeedsFull says an incremental check cannot stand in for a full pass: the last check
// is too old for QuickBooks' change data capture, more changed than it lists, or the
// settings that decide what is checked changed. The caller runs a full pass instead.
var ErrNeedsFull = errors.New("reconcile: a full pass is needed")

// IncrementalCheck says what an incremental check looked at again.
type IncrementalCheck struct {
	Since      time.Time `json:"since"`       // the changes after this time (the last check's start, less clockMargin)
	QBOChanges int       `json:"qbo_changes"` // objects QuickBooks' change data capture listed
	Matters    int       `json:"matters"`     // matters whose receivables were checked again
	Payments   int       `json:"payments"`    // payments whose bank entries were checked again
	Trust      bool      `json:"trust"`       // trust was checked again, in full
}

// cdcEntities are the QuickBooks entities whose changes can alter a check's answer.
var cdcEntities = []string{"Invoice", "Payment", "CreditMemo", "Deposit", "Purchase", "JournalEntry"}

// clockMargin widens an incremental check's window: the database's, the worker's and
// QuickBooks' clocks may disagree a little, and a record looked at twice costs less
// than one missed.
const clockMargin = time.Minute

// touched is what an incremental check looks at again.
type touched struct {
	matters  map[int64]bool // matters whose receivables may have changed
	payments map[int64]bool // practice payments whose bank entries may have changed
	trust    bool           // anything trust: trust is checked again in full
	known    map[string]json.RawMessage
	changes  int
}

func (o Options) checksMatter(id int64) bool  { return o.only == nil || o.only.matters[id] }
func (o Options) checksPayment(id int64) bool { return o.only == nil || o.only.payments[id] }
func (o Options) checksTrust() bool           { return o.only == nil || o.only.trust }

// known is what change data capture returned already, by "Entity:Id".
func (o Options) known() map[string]json.RawMessage {
	if o.only == nil {
		return nil
	}
	return o.only.known
}

// Incremental checks again only what changed since the check that started at since and
// produced base (a full pass, or an incremental check merged into one): the matters,
// payments and trust records that the sync wrote or tried to write, that changed in the
// practice system, or that QuickBooks' change data capture lists as changed or deleted
// since then. It returns base with those parts replaced; what did not change keeps its
// last answer, which a full pass, on a slower schedule, checks again.
func Incremental(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope, base Report, since time.Time) (Report, error) {
	opts, err := FirmOptions(ctx, db, sc)
	if err != nil {
		return Report{}, err
	}
	since = since.Add(-clockMargin)
	// An hour short of CDC's 30 days, so that QuickBooks' clock cannot put it past them.
	if time.Since(since) > qbo.MaxCDCLookBack-time.Hour || base.Since != opts.sinceText() || base.TrustSkipped != opts.SkipTrust {
		return Report{}, ErrNeedsFull
	}
	if opts.only, err = findTouched(ctx, db, qc, sc, since); err != nil {
		return Report{}, err
	}
	r, err := Run(ctx, db, qc, sc, opts)
	if err != nil {
		return Report{}, err
	}
	r.merge(base, opts.only)
	r.FullAt = base.FullAt
	r.Incremental = &IncrementalCheck{Since: since, QBOChanges: opts.only.changes, Matters: len(opts.only.matters),
		Payments: len(opts.only.payments), Trust: opts.only.trust}
	return r, nil
}

// merge carries over base's answers for what this check did not look at again.
func (r *Report) merge(base Report, t *touched) {
	rec := &r.Receivables
	for _, m := range base.Receivables.Matters {
		if !t.matters[m.MatterID] {
			rec.Matters = append(rec.Matters, m)
			// Run counted an untouched matter's QuickBooks balance as agreeing.
			rec.QBOOpen += m.Difference()
		}
	}
	slices.SortStableFunc(rec.Matters, func(a, b MatterDifference) int { return cmp.Compare(a.MatterNumber, b.MatterNumber) })
	for _, p := range base.Deposits.Payments {
		if !t.payments[p.PaymentID] {
			r.Deposits.Payments = append(r.Deposits.Payments, p)
		}
	}
	slices.SortStableFunc(r.Deposits.Payments, func(a, b PaymentEntries) int { return cmp.Compare(a.PaymentID, b.PaymentID) })
	if !t.trust {
		r.Trust = base.Trust
	}
}

// findTouched asks QuickBooks what changed since then (one request) and the practice
// database which records the sync wrote, tried to write or saw change since then.
func findTouched(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope, since time.Time) (*touched, error) {
	changes, err := qc.CDC(ctx, cdcEntities, since)
	if err != nil {
		return nil, fmt.Errorf("reconcile: changes in QuickBooks: %w", err)
	}
	t := &touched{matters: map[int64]bool{}, payments: map[int64]bool{}, known: map[string]json.RawMessage{}}
	keys, customers, err := t.noteChanges(changes)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := sqlx.SelectContext(ctx, db, &ids, touchedMattersSQL, sc.FirmID, sc.RealmID, since, pq.Array(keys), pq.Array(customers)); err != nil {
		return nil, fmt.Errorf("reconcile: matters touched: %w", err)
	}
	for _, id := range ids {
		t.matters[id] = true
	}
	ids = ids[:0]
	if err := sqlx.SelectContext(ctx, db, &ids, touchedPaymentsSQL, sc.FirmID, sc.RealmID, since, pq.Array(keys)); err != nil {
		return nil, fmt.Errorf("reconcile: payments touched: %w", err)
	}
	for _, id := range ids {
		t.payments[id] = true
	}
	if err := sqlx.GetContext(ctx, db, &t.trust, trustTouchedSQL, sc.FirmID, sc.RealmID, since, pq.Array(keys)); err != nil {
		return nil, fmt.Errorf("reconcile: trust touched: %w", err)
	}
	return t, nil
}

// noteChanges keeps the changed objects' payloads and returns the "Entity:Id" of every
// object changed or deleted (and of the payments a changed deposit gathers), and the
// customers the changed objects name.
func (t *touched) noteChanges(changes map[string]qbo.Changes) (keys, customers []string, err error) {
	for entity, ch := range changes {
		if !ch.Complete {
			return nil, nil, ErrNeedsFull
		}
		for _, raw := range ch.Objects {
			var head struct {
				ID          string `json:"Id"`
				CustomerRef *qbo.Ref
				Line        []qbo.Line
			}
			if err := json.Unmarshal(raw, &head); err != nil {
				return nil, nil, fmt.Errorf("reconcile: a changed %s: %w", entity, err)
			}
			t.known[entity+":"+head.ID] = raw
			keys = append(keys, entity+":"+head.ID)
			customers = append(customers, refValue(head.CustomerRef))
			for _, l := range head.Line {
				for _, lt := range l.LinkedTxn {
					keys = append(keys, lt.TxnType+":"+lt.TxnID)
				}
			}
		}
		for _, id := range ch.Deleted {
			keys = append(keys, entity+":"+id)
		}
		t.changes += len(ch.Objects) + len(ch.Deleted)
	}
	return keys, customers, nil
}

// touchedMattersSQL lists the matters whose receivables may have changed since $3: an
// invoice, adjustment or payment of theirs changed in the practice system, written or
// tried by the sync, or changed in QuickBooks ($4, "Entity:Id"), or a QuickBooks
// object naming their customer ($5) changed.
const touchedMattersSQL = `
	SELECT i.matter_id FROM invoices i WHERE i.firm_id = $1 AND i.updated_at >= $3
	UNION
	SELECT i.matter_id FROM qbo_id_map x JOIN invoices i ON i.firm_id = x.firm_id AND i.id = x.source_key::bigint
	WHERE x.firm_id = $1 AND x.realm_id = $2 AND x.kind = 'invoice'
	  AND (x.updated_at >= $3 OR x.qbo_entity || ':' || x.qbo_id = ANY($4))
	UNION
	SELECT i.matter_id FROM sync_items s JOIN invoices i ON i.firm_id = s.firm_id AND i.id::text = s.source_key
	WHERE s.firm_id = $1 AND s.realm_id = $2 AND s.kind = 'invoice' AND s.last_attempt_at >= $3
	UNION
	SELECT i.matter_id FROM adjustments a JOIN invoices i ON i.firm_id = a.firm_id AND i.id = a.invoice_id
	WHERE a.firm_id = $1 AND (a.updated_at >= $3 OR EXISTS (
	    SELECT 1 FROM qbo_id_map x WHERE x.firm_id = a.firm_id AND x.realm_id = $2
	      AND x.kind IN ('adjustment', 'adjustment_payment') AND x.source_key = a.id::text
	      AND (x.updated_at >= $3 OR x.qbo_entity || ':' || x.qbo_id = ANY($4))))
	UNION
	SELECT i.matter_id FROM payment_allocations pa
	JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id
	JOIN invoices i ON i.firm_id = pa.firm_id AND i.id = pa.invoice_id
	WHERE pa.firm_id = $1 AND (p.updated_at >= $3 OR EXISTS (
	    SELECT 1 FROM qbo_id_map x WHERE x.firm_id = p.firm_id AND x.realm_id = $2 AND x.kind = 'payment'
	      AND x.source_key = p.id::text || '-' || i.matter_id::text
	      AND (x.updated_at >= $3 OR x.qbo_entity || ':' || x.qbo_id = ANY($4))))
	UNION
	SELECT m.id FROM qbo_id_map x JOIN matters m ON m.firm_id = x.firm_id AND m.id = x.source_key::bigint
	WHERE x.firm_id = $1 AND x.realm_id = $2 AND x.kind = 'matter' AND x.qbo_id = ANY($5)`

// touchedPaymentsSQL lists the practice payments whose bank entries may have changed
// since $3: changed in the practice system, written by the sync, or one of their
// QuickBooks payments or deposits changed there ($4).
const touchedPaymentsSQL = `
	SELECT p.id FROM payments p WHERE p.firm_id = $1 AND p.updated_at >= $3
	UNION
	SELECT split_part(x.source_key, '-', 1)::bigint FROM qbo_id_map x
	WHERE x.firm_id = $1 AND x.realm_id = $2 AND x.kind IN ('payment', 'payment_deposit')
	  AND (x.updated_at >= $3 OR x.qbo_entity || ':' || x.qbo_id = ANY($4))`

// trustTouchedSQL says whether anything trust may have changed since $3: a trust
// transaction in the practice system, a trust record or ledger account the sync wrote or
// tried, or a QuickBooks deposit, check or journal entry ($4) that is not one of the
// sync's non-trust records (it may have been entered by hand on a trust account).
const trustTouchedSQL = `
	SELECT EXISTS (SELECT 1 FROM trust_transactions t WHERE t.firm_id = $1 AND t.updated_at >= $3)
	    OR EXISTS (SELECT 1 FROM qbo_id_map x WHERE x.firm_id = $1 AND x.realm_id = $2 AND x.updated_at >= $3
	               AND x.kind IN ('ledger', 'deposit_slip', 'trust_receipt', 'trust_transfer', 'trust_disbursement', 'trust_opening'))
	    OR EXISTS (SELECT 1 FROM sync_items s WHERE s.firm_id = $1 AND s.realm_id = $2 AND s.last_attempt_at >= $3
	               AND s.kind IN ('deposit_slip', 'trust_receipt', 'trust_transfer', 'trust_disbursement', 'trust_opening'))
	    OR EXISTS (SELECT 1 FROM unnest($4::text[]) k
	               WHERE split_part(k, ':', 1) IN ('Deposit', 'Purchase', 'JournalEntry')
	                 AND NOT EXISTS (SELECT 1 FROM qbo_id_map x WHERE x.firm_id = $1 AND x.realm_id = $2
	                                 AND x.qbo_entity = split_part(k, ':', 1) AND x.qbo_id = split_part(k, ':', 2)
	                                 AND x.kind NOT IN ('deposit_slip', 'trust_receipt', 'trust_transfer', 'trust_disbursement', 'trust_opening')))`
