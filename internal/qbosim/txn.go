package qbosim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Transactions (Invoice, CreditMemo, Payment, Deposit, Purchase,
// JournalEntry) share one id sequence, lines with the all-or-none update
// rule, TxnDate/DocNumber/PrivateNote handling, delete (a tombstone, 610
// afterwards) and, for some, void. Each kind's prepare computes its amounts
// and its postings; commit keeps the ledger in step.

// txnSpec describes what a transaction kind supports beyond the write
// pipeline.
type txnSpec struct {
	lineIDs bool // lines carry an Id and (sales forms) a LineNum; Payment lines have neither
	// salesNumber: DocNumber is auto-assigned from the sales-form sequence
	// (invoices and credit memos share it) when the client sends none.
	salesNumber bool
	// voidBy is how the kind is voided: "operation" (POST ?operation=void,
	// Invoice), "include" (?operation=update&include=void, Payment) or ""
	// (not voidable: CreditMemo, Deposit, Purchase, JournalEntry).
	voidBy string
	// zeroAmounts edits a copy of the data into its voided form.
	zeroAmounts func(data map[string]any)
	// mayChange vets an update, void or delete of an existing record
	// (a deposited payment: 6540). op is "update", "void" or "delete".
	mayChange func(c *company, k *kind, r *record, op string) *fault
	// afterVoid runs once the voided version is stored (an invoice's
	// payments are unapplied).
	afterVoid func(s *Server, c *company, r *record, now time.Time)
}

// txnKind completes a transaction kind: its resource, the id sequence all
// transactions share (QBO numbers them together), the Transaction fields
// and Id/MetaData among the queryable properties.
func txnKind(k *kind, own ...fields) *kind {
	k.resource = strings.ToLower(k.name)
	k.idSeq = "txn"
	k.fields = mergeFields(append([]fields{entityBaseFields, txnBaseFields}, own...)...)
	if k.queryable == nil {
		k.queryable = map[string]bool{}
	}
	k.queryable["Id"], k.queryable["MetaData"] = true, true
	return k
}

// set builds a string set.
func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, key := range keys {
		m[key] = true
	}
	return m
}

// txnBaseFields is the XSD Transaction type.
var txnBaseFields = fields{
	"DocNumber": tString, "TxnDate": tDate, "DepartmentRef": tRef, "CurrencyRef": tRef,
	"ExchangeRate": tNumber, "PrivateNote": tString, "TxnStatus": tString, "LinkedTxn": tArray,
	"Line": tArray, "TxnTaxDetail": tObject, "TxnSource": tString, "TaxFormType": tString,
	"TaxFormNum": tString, "TransactionLocationType": tString, "Tag": tArray, "TxnApprovalInfo": tObject,
	"RecurDataRef": tRef, "ProjectRef": tRef, "GlobalTaxCalculation": tString, "TotalAmt": tNumber,
	"HomeTotalAmt": tNumber,
}

// prepareTxn applies the rules every transaction shares.
func (w *writeCtx) prepareTxn() *fault {
	if w.old != nil {
		if isVoided(w.old.data) {
			return errBusiness("This transaction has been voided and cannot be changed.")
		}
		if guard := w.k.txn.mayChange; guard != nil {
			if f := guard(w.c, w.k, w.old, "update"); f != nil {
				return f
			}
		}
	}
	if _, ok := w.body["TxnDate"]; !ok {
		w.body["TxnDate"] = w.now.In(w.s.loc).Format(dateLayout)
	}
	if f := w.checkDates("TxnDate"); f != nil {
		return f
	}
	if f := w.checkStrings(textRule("DocNumber", 21), textRule("PrivateNote", 4000)); f != nil {
		return f
	}
	if cur := refValue(w.body["CurrencyRef"]); cur != "" && cur != "USD" {
		return errBusiness("Multicurrency is not enabled for this company: CurrencyRef must be USD (qbosim emulates home-currency companies only).")
	}
	if rate, ok := w.body["ExchangeRate"]; ok {
		if cmp, _ := compareDecimals(rate, "1"); cmp != 0 {
			return errBusiness("ExchangeRate must be 1 in a home-currency company.")
		}
	}
	w.body["CurrencyRef"] = homeCurrency()
	return w.docNumber()
}

// checkDates validates the named date properties (YYYY-MM-DD).
func (w *writeCtx) checkDates(fields ...string) *fault {
	for _, f := range fields {
		if v, ok := w.body[f]; ok {
			if !validDate(v) {
				return errBadProperty(fmt.Sprintf("Can not deserialize %s: a date (YYYY-MM-DD) expected, got %q", f, scalarString(v)))
			}
		}
	}
	return nil
}

func validDate(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	_, err := time.Parse(dateLayout, s)
	return err == nil
}

// docNumber auto-numbers sales forms and refuses a number another transaction of the
// same type already has (6140) where QuickBooks does (duplicateNumberRefused).
func (w *writeCtx) docNumber() *fault {
	doc := strings.TrimSpace(stringField(w.body, "DocNumber"))
	if doc == "" && w.old != nil {
		// A full update that omits DocNumber keeps it rather than
		// renumbering the form. [U]
		doc = stringField(w.old.data, "DocNumber")
	}
	const seq = "salesDocNumber"
	if w.k.txn.salesNumber {
		if doc == "" || (boolField(w.input, "AutoDocNumber", false) && w.old == nil) {
			doc = strconv.FormatInt(max(w.c.seq[seq], 1000)+1, 10)
		}
		if n, err := strconv.ParseInt(doc, 10, 64); err == nil && n > w.c.seq[seq] && len(doc) <= 18 {
			w.c.seq[seq] = n
		}
	}
	delete(w.body, "AutoDocNumber")
	if doc == "" {
		delete(w.body, "DocNumber")
		return nil
	}
	w.body["DocNumber"] = doc
	if !w.duplicateNumberRefused() || (w.old != nil && strings.EqualFold(stringField(w.old.data, "DocNumber"), doc)) {
		return nil
	}
	for _, r := range w.c.list(w.k) {
		if r.id != w.selfID() && strings.EqualFold(strings.TrimSpace(stringField(r.data, "DocNumber")), doc) {
			return validationFault("6140", "Duplicate Doc Num", fmt.Sprintf(
				"Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=%s is assigned to TxnType=%s with TxnId=%s",
				doc, w.k.name, r.id), "DocNumber")
		}
	}
	return nil
}

// duplicateNumberRefused says whether this write must carry a DocNumber no other
// transaction of its type has. Intuit's Purchase reference: "For Cash/CreditCard
// transactions, throws an error when duplicate DocNumber is sent in the request. For
// Check transactions, error is thrown when duplicate DocNumber is sent in the request
// and WarnDuplicateCheckNumber is true", and include=allowduplicatedocnum lets a
// duplicate through. So:
//   - a Cash or CreditCard purchase is always refused a duplicate; [U] whether
//     allowduplicatedocnum lets one through: the sandbox says no, the stricter reading;
//   - a Check, or a journal entry, is refused one while the company's preference
//     (PrefWarnDuplicateCheckNumber, PrefWarnDuplicateJournalNumber) is on, which it is
//     in every sandbox company, unless the request carries include=allowduplicatedocnum;
//   - any other transaction only under Options.RejectDuplicateDocNumber (integrators
//     report QuickBooks accepts duplicate invoice numbers), again unless
//     include=allowduplicatedocnum.
//
// Numbers compare without case [U], and across all transactions of the entity whatever
// their bank account [U]: both the stricter reading.
func (w *writeCtx) duplicateNumberRefused() bool {
	allow := w.opts.include["allowduplicatedocnum"]
	switch w.k {
	case purchaseKind:
		switch stringField(w.body, "PaymentType") {
		case "Cash", "CreditCard":
			return true
		case "Check":
			return !allow && (w.c.preference(PrefWarnDuplicateCheckNumber) || w.s.opts.RejectDuplicateDocNumber)
		}
	case journalEntryKind:
		return !allow && (w.c.preference(PrefWarnDuplicateJournalNumber) || w.s.opts.RejectDuplicateDocNumber)
	}
	return !allow && w.s.opts.RejectDuplicateDocNumber
}

// lines returns deep copies of the candidate's lines, SubTotal lines (which
// the server appends itself) left out. Missing Line means no lines: a
// sparse update without Line keeps the stored ones (all or none), a full
// update without Line clears them.
func (w *writeCtx) lines() ([]map[string]any, *fault) {
	raw, _ := w.body["Line"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, v := range raw {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errBadProperty("Line: each line must be an object")
		}
		if stringField(m, "DetailType") == "SubTotalLineDetail" {
			continue
		}
		out = append(out, cloneMap(m))
	}
	return out, nil
}

// requiredLines is lines for kinds that need at least one (2020).
func (w *writeCtx) requiredLines() ([]map[string]any, *fault) {
	lines, f := w.lines()
	if f == nil && len(lines) == 0 {
		f = errRequired("Line")
	}
	return lines, f
}

// decimals validates optional numbers of a line detail (Qty, UnitPrice, a
// percent) and returns them in order, nil for absent ones.
func decimals(d map[string]any, el string, keys ...string) ([]any, *fault) {
	out := make([]any, len(keys))
	for i, key := range keys {
		v, f := decimal(d, key, el+"."+key)
		if f != nil {
			return nil, f
		}
		out[i] = v
	}
	return out, nil
}

// setLines stores processed lines, assigning line Ids: "If Id is greater
// than zero and exists, the line is updated; otherwise a line is created"
// with a new Id. Lines keep the order in which they were sent.
func (w *writeCtx) setLines(lines []map[string]any, extra ...map[string]any) {
	if w.k.txn.lineIDs {
		existing := map[string]bool{}
		next := int64(0)
		if w.old != nil {
			for _, l := range anyMaps(w.old.data["Line"]) {
				if id := scalarString(l["Id"]); id != "" {
					existing[id] = true
					if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > next {
						next = n
					}
				}
			}
		}
		used := map[string]bool{}
		for _, l := range lines {
			id := scalarString(l["Id"])
			if id == "" || !existing[id] || used[id] {
				next++
				id = strconv.FormatInt(next, 10)
			}
			used[id] = true
			l["Id"] = id
		}
	}
	out := make([]any, 0, len(lines)+len(extra))
	for _, l := range lines {
		out = append(out, l)
	}
	for _, l := range extra {
		out = append(out, l)
	}
	w.body["Line"] = out
}

// anyMaps returns the objects of a JSON array.
func anyMaps(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// amount reads a money property of m: 2020 when required and missing,
// 2010 when not a number, 6000 when it is not exact to the cent. [U] QBO
// accepts up to five decimals and rounds; the sandbox refuses them so a
// client cannot lose a fraction of a cent without noticing.
func amount(m map[string]any, key, element string, required bool) (cents int64, present bool, f *fault) {
	v, ok := m[key]
	if !ok || v == nil {
		if required {
			return 0, false, errRequired(element)
		}
		return 0, false, nil
	}
	c, exact, isNum := parseCents(v)
	switch {
	case !isNum:
		return 0, false, errBadProperty(fmt.Sprintf("Can not deserialize %s: a decimal number expected", element))
	case !exact:
		return 0, false, errBusiness(fmt.Sprintf("%s %s has more than two decimal places; amounts are kept to the cent.", element, scalarString(v)))
	case c >= maxCents || c <= -maxCents:
		return 0, false, errBusiness(fmt.Sprintf("%s %s exceeds the 15 digits QBO allows.", element, scalarString(v)))
	}
	return c, true, nil
}

// decimal validates an optional number (Qty, UnitPrice, a percent) and
// stores it as json.Number.
func decimal(m map[string]any, key, element string) (any, *fault) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	nv, ok := normalizeValue(tNumber, v)
	if !ok {
		return nil, errBadProperty(fmt.Sprintf("Can not deserialize %s: a decimal number expected", element))
	}
	m[key] = nv
	return nv, nil
}

// detail returns line[name] as an object, creating it when absent and not
// required.
func detail(line map[string]any, name string, required bool) (map[string]any, *fault) {
	v, ok := line[name]
	if !ok || v == nil {
		if required {
			return nil, errRequired("Line." + name)
		}
		d := map[string]any{}
		line[name] = d
		return d, nil
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, errBadProperty("Line." + name + ": an object expected")
	}
	return d, nil
}

// lineRef resolves a reference inside a line detail to an entity of kind
// target and stores it as {"value": id}. Unknown ids give 2500; inactive
// ones too, unless the stored version of the transaction already used that
// id in the same place ("references to inactive objects remain intact").
func (w *writeCtx) lineRef(m map[string]any, field, element string, target *kind, required bool) (*record, *fault) {
	v, present := m[field]
	if !present || v == nil {
		if required {
			return nil, errRequired(element)
		}
		return nil, nil
	}
	nv, ok := normalizeValue(tRef, v)
	if !ok {
		return nil, errBadProperty(fmt.Sprintf("Can not deserialize %s: a reference object with a value expected", element))
	}
	id := refValue(nv)
	m[field] = map[string]any{"value": id}
	r := w.c.visible(target, id)
	if r == nil {
		return nil, errInvalidReference(element, id, target.name+" not found")
	}
	unchanged := w.oldLinesUse(field, id) || (w.old != nil && refValue(w.old.data[field]) == id)
	if target.nameList && !isActive(r.data) && !unchanged {
		return nil, errInvalidReference(element, id, "")
	}
	return r, nil
}

// plainRef checks the shape of a reference to an entity the sandbox does
// not emulate (TaxCodeRef) and keeps its value.
func plainRef(m map[string]any, field, element string) *fault {
	v, ok := m[field]
	if !ok {
		return nil
	}
	if _, ok := normalizeValue(tRef, v); !ok {
		return errBadProperty("Can not deserialize " + element + ": a reference object with a value expected")
	}
	m[field] = map[string]any{"value": refValue(v)}
	return nil
}

// oldLinesUse reports whether the stored version's lines reference id in a
// property named field.
func (w *writeCtx) oldLinesUse(field, id string) bool {
	if w.old == nil {
		return false
	}
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for key, sub := range v {
				if key == field && refValue(sub) == id {
					found = true
				}
				walk(sub)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(w.old.data["Line"])
	return found
}

// accountOf resolves an account reference and checks its type.
func (w *writeCtx) accountRef(m map[string]any, field, element string, required bool, types ...string) (*record, *fault) {
	acct, f := w.lineRef(m, field, element, accountKind, required)
	if f != nil || acct == nil || len(types) == 0 {
		return acct, f
	}
	typ := stringField(acct.data, "AccountType")
	for _, t := range types {
		if typ == t {
			return acct, nil
		}
	}
	return nil, errInvalidReference(element, acct.id, fmt.Sprintf("the account must be of type %s, not %s", strings.Join(types, " or "), typ))
}

// entityRef resolves a Customer or Vendor reference that may say its type
// ({"value": "58", "type": "Vendor"}); without a type the id is looked up
// among vendors, then customers (they share one id sequence).
func (w *writeCtx) entityRef(m map[string]any, field, element, typ string) (*record, *kind, *fault) {
	id := refValue(m[field])
	if id == "" {
		if _, ok := m[field]; ok {
			return nil, nil, errBadProperty(fmt.Sprintf("Can not deserialize %s: a reference object with a value expected", element))
		}
		return nil, nil, nil
	}
	var candidates []*kind
	switch typ {
	case "":
		candidates = []*kind{vendorKind, customerKind}
	case "Vendor":
		candidates = []*kind{vendorKind}
	case "Customer":
		candidates = []*kind{customerKind}
	case "Employee":
		return nil, nil, errInvalidReference(element, id, "qbosim does not emulate Employee")
	default:
		return nil, nil, errInvalidEnum(element+".type", typ)
	}
	for _, k := range candidates {
		if w.c.visible(k, id) != nil {
			r, f := w.lineRef(m, field, element, k, true)
			return r, k, f
		}
	}
	return nil, nil, errInvalidReference(element, id, "Customer or Vendor not found")
}

// receivableRule is QBO's rule for lines on A/R and A/P accounts.
func receivableRule(acct *record, entityKind *kind) *fault {
	switch stringField(acct.data, "AccountType") {
	case "Accounts Receivable":
		if entityKind != customerKind {
			return errBusiness("When you use Accounts Receivable, you must choose a customer in the Name field.")
		}
	case "Accounts Payable":
		if entityKind != vendorKind {
			return errBusiness("When you use Accounts Payable, you must choose a vendor in the Name field.")
		}
	}
	return nil
}

// post builds a posting dated at the transaction's TxnDate.
func (w *writeCtx) post(account string, cents int64, entity *record, entityKind *kind) posting {
	p := posting{Account: account, Amount: cents, Date: stringField(w.body, "TxnDate")}
	if entity != nil {
		p.Entity, p.EntityType = entity.id, entityKind.name
		if entityKind == customerKind {
			if a := w.c.get(accountKind, account); a != nil && stringField(a.data, "AccountType") == "Accounts Receivable" {
				p.Receivable = true
			}
		}
	}
	return p
}

// setPostings stores the transaction's postings, leaving out zero lines.
func (w *writeCtx) setPostings(ps []posting) {
	out := make([]posting, 0, len(ps))
	var sum int64
	for _, p := range ps {
		if p.Amount != 0 {
			out = append(out, p)
			sum += p.Amount
		}
	}
	if sum != 0 {
		panic(fmt.Sprintf("qbosim: unbalanced postings for %s: %+v", w.k.name, ps))
	}
	if len(out) == 0 {
		delete(w.body, keyPostings)
		return
	}
	w.body[keyPostings] = out
}

// execute performs one write operation, from a POST or a batch item:
// create/update (void with include=void), delete, or void. It returns the
// entity as the response shows it.
func (s *Server) execute(c *company, k *kind, op string, include map[string]bool, in map[string]any, now time.Time) (map[string]any, *fault) {
	switch {
	case op == "delete":
		if k.txn == nil {
			// Name-list entities are inactivated (Active=false), never deleted.
			return nil, errUnsupported("Operation Delete is not supported.")
		}
		r, f := s.deleteTxn(c, k, in, now)
		if f != nil {
			return nil, f
		}
		return map[string]any{"status": "Deleted", "domain": "QBO", "Id": r.id}, nil
	case op == "void" || (op == "update" && include["void"]):
		by := "operation"
		if op == "update" {
			by = "include"
		}
		if k.txn == nil || k.txn.voidBy != by {
			return nil, errUnsupported(voidHint(k, op))
		}
		r, f := s.voidTxn(c, k, in, now)
		if f != nil {
			return nil, f
		}
		return s.render(c, k, r), nil
	case op == "" || op == "create" || op == "update":
		r, f := s.write(c, k, in, now, writeOpts{requireID: op == "update", include: include})
		if f != nil {
			return nil, f
		}
		return s.render(c, k, r), nil
	}
	return nil, errUnsupported("Operation " + op + " is not supported for " + k.name + ".")
}

func voidHint(k *kind, op string) string {
	switch {
	case k.txn == nil || k.txn.voidBy == "":
		return "Operation Void is not supported for " + k.name + "."
	case k.txn.voidBy == "operation":
		return "Operation " + op + " with include=void is not supported for " + k.name + ": use operation=void."
	default:
		return "Operation void is not supported for " + k.name + ": use operation=update&include=void."
	}
}

// deleteTxn deletes a transaction: body {"Id","SyncToken"}. The record
// becomes a tombstone (610 afterwards) and leaves the ledger.
func (s *Server) deleteTxn(c *company, k *kind, in map[string]any, now time.Time) (*record, *fault) {
	old, f := c.versioned(k, in)
	if f != nil {
		return nil, f
	}
	if guard := k.txn.mayChange; guard != nil {
		if f := guard(c, k, old, "delete"); f != nil {
			return nil, f
		}
	}
	// The tombstone's LastUpdatedTime is when it was deleted: change data capture
	// reports the deletion from then on.
	meta := map[string]any{"LastUpdatedTime": now.In(s.loc).Format(metaTimeLayout)}
	if om, ok := old.data["MetaData"].(map[string]any); ok {
		meta["CreateTime"] = om["CreateTime"]
	}
	tomb := &record{id: old.id, deleted: true, data: withChanges(old.data, map[string]any{"MetaData": meta})}
	c.put(k, tomb)
	s.afterCommit(c, k, old, tomb, now)
	return tomb, nil
}

// voidTxn voids a transaction: "The transaction remains active but all
// amounts and quantities are zeroed and the string, Voided, is injected
// into PrivateNote, prepended to existing text if present." SyncToken
// moves by one. Voiding a voided transaction changes nothing. [U]
func (s *Server) voidTxn(c *company, k *kind, in map[string]any, now time.Time) (*record, *fault) {
	in, f := k.normalizeInput(in, s.opts.AllowUnknownFields)
	if f != nil {
		return nil, f
	}
	old, f := c.versioned(k, in)
	if f != nil {
		return nil, f
	}
	if isVoided(old.data) {
		return old, nil
	}
	if guard := k.txn.mayChange; guard != nil {
		if f := guard(c, k, old, "void"); f != nil {
			return nil, f
		}
	}
	data := cloneMap(old.data)
	for key := range data {
		if isInternal(key) {
			delete(data, key)
		}
	}
	k.txn.zeroAmounts(data)
	data["TotalAmt"] = formatCents(0)
	data[keyVoided] = true
	note := "Voided"
	if prev := stringField(data, "PrivateNote"); prev != "" {
		note += " - " + prev
	}
	data["PrivateNote"] = truncateRunes(note, 4000)
	rec := s.commit(c, k, old, data, now)
	if k.txn.afterVoid != nil {
		k.txn.afterVoid(s, c, rec, now)
	}
	return c.get(k, rec.id), nil
}

// renderLines adds the names of the entities referenced inside lines, as
// responses show them ({"value": "1", "name": "Services"}).
func renderLines(c *company, lines []any) []any {
	out := make([]any, len(lines))
	for i, l := range lines {
		m, ok := l.(map[string]any)
		if !ok {
			out[i] = l
			continue
		}
		line := make(map[string]any, len(m))
		for key, v := range m {
			if d, ok := v.(map[string]any); ok && strings.HasSuffix(key, "Detail") {
				v = renderDetailRefs(c, d)
			}
			line[key] = v
		}
		out[i] = line
	}
	return out
}

// lineRefKinds maps reference properties inside line details to the kind
// they name.
var lineRefKinds = map[string]string{
	"ItemRef": "Item", "ClassRef": "Class", "AccountRef": "Account", "DiscountAccountRef": "Account",
	"CustomerRef": "Customer",
}

func renderDetailRefs(c *company, d map[string]any) map[string]any {
	out := make(map[string]any, len(d))
	for key, v := range d {
		out[key] = v
		if target, ok := lineRefKinds[key]; ok {
			out[key] = namedRef(c, target, v)
		}
	}
	if e, ok := d["Entity"].(map[string]any); ok {
		if ref, ok := e["EntityRef"]; ok { // JournalEntryLineDetail: {"Type","EntityRef"}
			ne := cloneMap(e)
			ne["EntityRef"] = namedRef(c, stringField(e, "Type"), ref)
			out["Entity"] = ne
		} else { // DepositLineDetail: {"value","type"}
			out["Entity"] = namedRef(c, stringField(e, "type"), e)
		}
	}
	return out
}

// namedRef returns a copy of a reference with the target's current name.
func namedRef(c *company, kindName string, v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := cloneMap(m)
	if k, ok := kinds.lookup(kindName); ok {
		if target := c.get(k, refValue(m)); target != nil {
			if name := stringField(target.data, k.refNameField); name != "" {
				out["name"] = name
			}
		}
	}
	return out
}
