// Package audit checks a firm's QuickBooks company object by object: every client and
// matter stands there exactly once, no practice record stands there twice, every
// object qbosync's id map names is still there, and the books reconcile
// (internal/reconcile). The chaos run (scripts/chaos.sh) ends with it, and
// `starter audit --firm ID` runs it by hand.
//
// It reads QuickBooks through every page of every entity qbosync writes, so it costs a
// request per thousand objects: a check for after a run, not for every cycle.
package audit

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
)

// Report is what the audit found.
type Report struct {
	// Records is how many practice records were checked one by one: the firm's clients
	// and matters, and every record the id map says is in QuickBooks.
	Records int
	// Objects is how many QuickBooks objects carry one of the firm's markers.
	Objects int
	// Duplicates are the markers on more than one object, each with those objects.
	Duplicates []string
	// Missing are the practice records with no object in QuickBooks: a client or matter
	// without its customer, an id-map row whose object is gone, and the invoices the
	// reconciliation names as missing.
	Missing []string
	// Failed counts the records QuickBooks refused, each explained to the bookkeeper
	// (`starter errors`); a refused client or matter is failed, not missing.
	Failed int
	// Books is the reconciliation: receivables, payments' bank entries, trust.
	Books reconcile.Report
}

// OK reports whether every record is in QuickBooks once and the books agree.
func (r Report) OK() bool { return len(r.Duplicates) == 0 && len(r.Missing) == 0 && r.Books.OK() }

// Firm audits the firm's company.
func Firm(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope) (Report, error) {
	in, err := load(ctx, db, sc)
	if err != nil {
		return Report{}, err
	}
	for _, entity := range in.entities() {
		objs, err := objectsOf(ctx, qc, entity)
		if err != nil {
			return Report{}, err
		}
		in.objects = append(in.objects, objs...)
	}
	r := in.check(sc.FirmID)
	if r.Books, err = reconcile.Firm(ctx, db, qc, sc); err != nil {
		return Report{}, err
	}
	for _, m := range r.Books.Receivables.Missing {
		r.Missing = append(r.Missing, fmt.Sprintf("invoice %d (the reconciliation finds it missing)", m.InvoiceID))
	}
	return r, nil
}

// object is one QuickBooks object: its entity, id and the marker in its notes, if any.
type object struct{ entity, id, marker string }

// record is a practice record the id map or the practice tables name.
type record struct {
	Kind      string `db:"kind"`
	SourceKey string `db:"source_key"`
	Entity    string `db:"qbo_entity"`
	QBOID     string `db:"qbo_id"`
}

// input is everything the check decides on.
type input struct {
	contacts []record // the firm's clients and matters (Entity and QBOID empty)
	mappings []record // the id map
	failed   map[string]bool
	objects  []object
}

func load(ctx context.Context, db sqlx.QueryerContext, sc store.Scope) (input, error) {
	in := input{failed: map[string]bool{}}
	if err := sqlx.SelectContext(ctx, db, &in.contacts, `
		SELECT 'client' AS kind, id::text AS source_key, '' AS qbo_entity, '' AS qbo_id FROM clients WHERE firm_id = $1
		UNION ALL SELECT 'matter', id::text, '', '' FROM matters WHERE firm_id = $1`, sc.FirmID); err != nil {
		return input{}, fmt.Errorf("audit: clients and matters: %w", err)
	}
	if err := sqlx.SelectContext(ctx, db, &in.mappings, `
		SELECT kind, source_key, qbo_entity, qbo_id FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2`,
		sc.FirmID, sc.RealmID); err != nil {
		return input{}, fmt.Errorf("audit: id map: %w", err)
	}
	var failed []string
	if err := sqlx.SelectContext(ctx, db, &failed, `
		SELECT kind || ':' || source_key FROM sync_items WHERE firm_id = $1 AND realm_id = $2 AND status = 'failed'`,
		sc.FirmID, sc.RealmID); err != nil {
		return input{}, fmt.Errorf("audit: failed items: %w", err)
	}
	for _, f := range failed {
		in.failed[f] = true
	}
	return in, nil
}

// entities are the QuickBooks entities to read: every one the id map names, and
// customers and invoices, which every firm has (and a duplicate may be the only one of
// its entity that qbosync does not know of).
func (in input) entities() []string {
	out := []string{"Customer", "Invoice"}
	for _, m := range in.mappings {
		out = append(out, m.Entity)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// objectsOf reads every object of an entity, inactive ones included, with its marker.
func objectsOf(ctx context.Context, qc *qbo.Client, entity string) ([]object, error) {
	q := qbo.Select(entity).OrderBy("Id")
	if entity == "Customer" || entity == "Vendor" || entity == "Account" || entity == "Item" {
		q = q.Where("Active", "IN", qbo.List(true, false))
	}
	text, err := q.Build()
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID          string `json:"Id"`
		Notes       string `json:"Notes"`
		PrivateNote string `json:"PrivateNote"`
	}
	if err := qc.QueryAll(ctx, text, entity, &rows); err != nil {
		return nil, fmt.Errorf("audit: read every %s: %w", entity, err)
	}
	out := make([]object, len(rows))
	for i, r := range rows {
		out[i] = object{entity: entity, id: r.ID, marker: names.MarkerIn(r.Notes + " " + r.PrivateNote)}
	}
	return out, nil
}

// check is the audit's decision, on what was read.
func (in input) check(firm int64) Report {
	suffix := "/f" + strconv.FormatInt(firm, 10)
	byMarker := map[string][]object{}
	exists := map[string]bool{}
	for _, o := range in.objects {
		exists[o.entity+" "+o.id] = true
		if strings.HasSuffix(o.marker, suffix) {
			byMarker[o.marker] = append(byMarker[o.marker], o)
		}
	}
	r := Report{Records: len(in.contacts) + len(in.mappings), Failed: len(in.failed)}
	for _, marker := range slices.Sorted(maps.Keys(byMarker)) {
		objs := byMarker[marker]
		r.Objects += len(objs)
		if len(objs) > 1 {
			r.Duplicates = append(r.Duplicates, fmt.Sprintf("%s on %s", marker, describe(objs)))
		}
	}
	for _, c := range in.contacts {
		id, _ := strconv.ParseInt(c.SourceKey, 10, 64)
		if len(byMarker[names.Marker(firm, c.Kind, id)]) == 0 && !in.failed[c.Kind+":"+c.SourceKey] {
			r.Missing = append(r.Missing, fmt.Sprintf("%s %s (no customer carries its marker)", c.Kind, c.SourceKey))
		}
	}
	for _, m := range in.mappings {
		if !exists[m.Entity+" "+m.QBOID] {
			r.Missing = append(r.Missing, fmt.Sprintf("%s %s (the id map names %s %s, which QuickBooks does not have)", m.Kind, m.SourceKey, m.Entity, m.QBOID))
		}
	}
	return r
}

func describe(objs []object) string {
	parts := make([]string, len(objs))
	for i, o := range objs {
		parts[i] = o.entity + " " + o.id
	}
	return strings.Join(parts, ", ")
}

// Format prints the report's figures and every record behind them.
func (r Report) Format(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "records checked one by one: %d; QuickBooks objects with the firm's markers: %d\n", r.Records, r.Objects)
	fmt.Fprintf(&b, "duplicates: %d\nmissing: %d\nrefused by QuickBooks and explained (starter errors): %d\n", len(r.Duplicates), len(r.Missing), r.Failed)
	for _, d := range r.Duplicates {
		fmt.Fprintf(&b, "  duplicate: %s\n", d)
	}
	for _, m := range r.Missing {
		fmt.Fprintf(&b, "  missing: %s\n", m)
	}
	fmt.Fprintf(&b, "books reconciled: %s\n", yesNo(r.Books.OK()))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if !r.Books.OK() {
		return r.Books.Format(w)
	}
	return nil
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
