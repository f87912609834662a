package qbosim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// fieldType is the JSON shape a top-level property must have. Checking it
// reproduces QBO's 2010 answer to a mistyped payload, which a client built
// against a lenient fake would otherwise only discover in production.
type fieldType int

const (
	tAny fieldType = iota
	tString
	tBool
	tNumber // decimal: JSON number or numeric string, stored as json.Number
	tInt
	tDate // "YYYY-MM-DD"
	tRef  // {"value": "<id>", "name": "..."}
	tObject
	tArray
)

var fieldTypeNames = map[fieldType]string{
	tString: "a string", tBool: "a boolean", tNumber: "a decimal number", tInt: "an integer",
	tDate: "a date (YYYY-MM-DD)", tRef: "a reference object with a value", tObject: "an object", tArray: "an array",
}

type fields map[string]fieldType

// merge returns the union of field sets; later sets win.
func mergeFields(sets ...fields) fields {
	out := fields{}
	for _, set := range sets {
		for k, v := range set {
			out[k] = v
		}
	}
	return out
}

// Properties every IntuitEntity carries.
var entityBaseFields = fields{
	"Id": tAny, "SyncToken": tAny, "MetaData": tObject, "CustomField": tArray,
	"AttachableRef": tArray, "domain": tString, "status": tString, "sparse": tBool,
}

// systemFields are owned by the store: never taken from a request body.
var systemFields = []string{"Id", "SyncToken", "MetaData", "domain", "sparse", "status"}

// kind describes one entity type. The per-kind hooks are where entity
// rules live; the store runs every kind through the same write pipeline,
// so transaction entities plug in by adding a kind.
type kind struct {
	name     string // canonical name, also the response envelope key: "Customer"
	resource string // URL segment: "customer"
	idSeq    string // id sequence; kinds sharing one never share an Id
	idBase   int64  // ids of the kind start above this value

	nameList  bool // Active flag, active-only queries, no delete
	readOnly  bool // no POST at all (CompanyInfo)
	uniqueKey bool // participates in the Customer/Vendor/Employee DisplayName namespace

	fields fields
	// derived properties are recomputed on every write; client values are ignored.
	derived []string
	// writeOnCreate properties are accepted on create and preserved (client
	// values ignored) on update, e.g. an opening Balance or CurrencyRef.
	writeOnCreate []string
	// preserved properties belong to the server (running balances): client
	// values are always ignored and updates keep the stored value.
	preserved []string
	// refTargets maps reference properties to the kind they point at, so that
	// responses carry the referenced object's current name.
	refTargets map[string]string
	// refNameField is the property a reference to this kind shows as "name".
	refNameField string

	hier *hierarchy // nil when the kind is flat

	// queryable, when set, lists the properties a query may filter and sort
	// on ("property 'UnappliedAmt' is not queryable"); nil allows all.
	queryable map[string]bool

	// txn is set for transaction entities (lines, void, delete, ledger).
	txn *txnSpec

	// prepare validates and normalises the candidate entity of a write.
	prepare func(w *writeCtx) *fault

	// relinked, when set, recomputes what a record shows about the records
	// linked to it (an invoice's Balance and LinkedTxn after a payment) and
	// returns the changed properties (nil values delete). Nil or empty
	// changes leave the record alone.
	relinked func(c *company, r *record) map[string]any
}

// canonicalField resolves a query attribute to the schema's spelling.
func (k *kind) canonicalField(name string) (string, bool) {
	if _, ok := k.fields[name]; ok {
		return name, true
	}
	for f := range k.fields {
		if strings.EqualFold(f, name) {
			return f, true
		}
	}
	return "", false
}

// registry holds every emulated kind.
type registry struct {
	byResource map[string]*kind
	byName     map[string]*kind // lower-cased canonical name
	uniqueKeys []*kind          // kinds sharing the DisplayName namespace
	all        []*kind
}

func newRegistry(kinds ...*kind) *registry {
	r := &registry{byResource: map[string]*kind{}, byName: map[string]*kind{}}
	for _, k := range kinds {
		r.byResource[k.resource] = k
		r.byName[strings.ToLower(k.name)] = k
		if k.uniqueKey {
			r.uniqueKeys = append(r.uniqueKeys, k)
		}
		r.all = append(r.all, k)
	}
	sort.Slice(r.all, func(i, j int) bool { return r.all[i].name < r.all[j].name })
	return r
}

// lookup finds a kind by entity name, case-insensitively (query FROM, accessors).
func (r *registry) lookup(name string) (*kind, bool) {
	k, ok := r.byName[strings.ToLower(name)]
	return k, ok
}

// kinds is the set of entities the sandbox emulates. It is built in init
// because the kinds' hooks consult it (a package-level initialiser would be
// an initialisation cycle).
var kinds *registry

func init() {
	// Hooks are attached here rather than in the kinds' declarations: they
	// reach other kinds (and, through commit, every kind), which Go would
	// report as an initialisation cycle.
	customerKind.prepare = prepareCustomer
	vendorKind.prepare = prepareVendor
	accountKind.prepare = prepareAccount
	itemKind.prepare = prepareItem
	classKind.prepare = prepareClass
	invoiceKind.prepare, invoiceKind.relinked = prepareSales, salesRelinked(invoiceKind)
	invoiceKind.txn.afterVoid = unapplyVoidedInvoice
	creditMemoKind.prepare, creditMemoKind.relinked = prepareSales, salesRelinked(creditMemoKind)
	paymentKind.prepare = preparePayment
	depositKind.prepare = prepareDeposit
	purchaseKind.prepare = preparePurchase
	journalEntryKind.prepare = prepareJournalEntry
	kinds = newRegistry(customerKind, vendorKind, accountKind, itemKind, companyInfoKind, preferencesKind, classKind,
		invoiceKind, creditMemoKind, paymentKind, depositKind, purchaseKind, journalEntryKind)
}

// normalizeInput checks a request body against the kind's schema and
// returns a copy with numbers and references in canonical form.
func (k *kind) normalizeInput(in map[string]any, allowUnknown bool) (map[string]any, *fault) {
	out := make(map[string]any, len(in))
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic: the first offending property is reported
	for _, name := range names {
		v := in[name]
		ft, known := k.fields[name]
		if !known {
			if !allowUnknown {
				return nil, errBadProperty(fmt.Sprintf("Unrecognized field %q (class com.intuit.schema.finance.v3.%s), not marked as ignorable", name, k.name))
			}
			ft = tAny
		}
		nv, ok := normalizeValue(ft, v)
		if !ok {
			return nil, errBadProperty(fmt.Sprintf("Can not deserialize %s: %s expected", name, fieldTypeNames[ft]))
		}
		out[name] = nv
	}
	return out, nil
}

// normalizeValue checks v against ft. null is always acceptable: it clears
// the property.
func normalizeValue(ft fieldType, v any) (any, bool) {
	if v == nil {
		return nil, true
	}
	switch ft {
	case tString, tDate:
		_, ok := v.(string)
		return v, ok
	case tBool:
		_, ok := v.(bool)
		return v, ok
	case tNumber:
		if _, ok := parseDecimal(v); !ok {
			return nil, false
		}
		return json.Number(scalarString(v)), true
	case tInt:
		s := scalarString(v)
		if s == "" || strings.ContainsAny(s, ".eE") || !isDecimal(s) {
			return nil, false
		}
		return json.Number(s), true
	case tRef:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		id := scalarString(m["value"])
		if id == "" {
			return nil, false
		}
		ref := map[string]any{"value": id}
		if t, ok := m["type"].(string); ok {
			ref["type"] = t
		}
		if name, ok := m["name"].(string); ok {
			ref["name"] = name
		}
		return ref, true
	case tObject:
		_, ok := v.(map[string]any)
		return v, ok
	case tArray:
		_, ok := v.([]any)
		return v, ok
	default:
		return v, true
	}
}
