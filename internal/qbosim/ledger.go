package qbosim

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// The books. Every record that moves money carries its postings (double
// entry, whole cents, debit positive) under an internal key; the company
// keeps running totals per account and per customer's receivable, updated
// by replacing a record's old postings with its new ones on every write,
// void and delete. Account.CurrentBalance, Customer.Balance, the reports and
// the test helpers all read these totals.
//
// Internal keys live in a record's data next to the API properties, so that
// they are persisted, snapshotted and replaced copy-on-write with it; render
// strips them and the query engine cannot see them.
const (
	internalPrefix = "qbosim."
	keyPostings    = "qbosim.postings"       // []posting
	keyLinks       = "qbosim.links"          // []link: what a payment applies to, what a deposit deposits
	keyVoided      = "qbosim.voided"         // bool
	keyOpening     = "qbosim.openingBalance" // a customer's opening Balance as written
)

func isInternal(key string) bool { return strings.HasPrefix(key, internalPrefix) }

// posting is one ledger line.
type posting struct {
	Account    string `json:"account"`
	Amount     int64  `json:"amount"` // cents; debit positive, credit negative
	Entity     string `json:"entity,omitempty"`
	EntityType string `json:"entityType,omitempty"` // Customer, Vendor
	Receivable bool   `json:"ar,omitempty"`         // counts toward the customer's open balance
	Date       string `json:"date"`
}

// link ties a record to another it depends on: a payment line applied to
// an invoice or credit memo, a payment gathered into a deposit.
type link struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Amount int64  `json:"amount"`
}

// ledger holds the running totals.
type ledger struct {
	accounts    map[string]int64 // account id -> balance, debit positive
	receivables map[string]int64 // customer id -> own open receivable (jobs separate)
}

func newLedger() ledger {
	return ledger{accounts: map[string]int64{}, receivables: map[string]int64{}}
}

// touched collects the accounts and customers whose balances moved.
type touched struct{ accounts, customers map[string]bool }

func newTouched() touched {
	return touched{accounts: map[string]bool{}, customers: map[string]bool{}}
}

func (l *ledger) apply(ps []posting, sign int64, t touched) {
	for _, p := range ps {
		l.accounts[p.Account] += sign * p.Amount
		t.accounts[p.Account] = true
		if p.Receivable {
			l.receivables[p.Entity] += sign * p.Amount
			t.customers[p.Entity] = true
		}
	}
}

func postingsOf(data map[string]any) []posting {
	ps, _ := data[keyPostings].([]posting)
	return ps
}

func linksOf(data map[string]any) []link {
	ls, _ := data[keyLinks].([]link)
	return ls
}

func isVoided(data map[string]any) bool { return boolField(data, keyVoided, false) }

// linkKey names a record in the link index: "Invoice:130".
func linkKey(kindName, id string) string { return kindName + ":" + id }

// afterCommit brings the derived state up to date after a record changed
// from old to rec (either may be nil or a tombstone): ledger totals, the
// link index, the records that depend on it (an invoice's Balance and
// LinkedTxn) and the balances shown on accounts and customers.
func (s *Server) afterCommit(c *company, k *kind, old, rec *record, now time.Time) {
	var oldData, newData map[string]any
	if old != nil && !old.deleted {
		oldData = old.data
	}
	if rec != nil && !rec.deleted {
		newData = rec.data
	}
	t := newTouched()
	if oldPs, newPs := postingsOf(oldData), postingsOf(newData); !reflect.DeepEqual(oldPs, newPs) {
		c.ledger.apply(oldPs, -1, t)
		c.ledger.apply(newPs, 1, t)
	}

	id := ""
	if rec != nil {
		id = rec.id
	} else if old != nil {
		id = old.id
	}
	source := linkKey(k.name, id)
	targets := map[string]bool{}
	for _, l := range linksOf(oldData) {
		target := linkKey(l.Kind, l.ID)
		delete(c.linkedBy[target], source)
		if len(c.linkedBy[target]) == 0 {
			delete(c.linkedBy, target)
		}
		targets[target] = true
	}
	for _, l := range linksOf(newData) {
		target := linkKey(l.Kind, l.ID)
		if c.linkedBy[target] == nil {
			c.linkedBy[target] = map[string]int64{}
		}
		c.linkedBy[target][source] += l.Amount
		targets[target] = true
	}
	for _, target := range sortedKeys(targets) {
		s.relinkTarget(c, target, now)
	}
	s.refreshBalances(c, t)
}

// relinkTarget lets a record that others link to recompute what it shows
// about them (an invoice's Balance and LinkedTxn). A change is a new
// version: SyncToken and LastUpdatedTime move, as they do in QBO when a
// payment is applied to an invoice.
func (s *Server) relinkTarget(c *company, target string, now time.Time) {
	kindName, id, _ := strings.Cut(target, ":")
	k, ok := kinds.lookup(kindName)
	if !ok || k.relinked == nil {
		return
	}
	r := c.live(k, id)
	if r == nil || isVoided(r.data) {
		return
	}
	changes := k.relinked(c, r)
	if len(changes) == 0 {
		return
	}
	s.commit(c, k, r, withChanges(r.data, changes), now)
}

// appliedTo sums what other records apply to target, leaving out exclude
// (the record being rewritten).
func (c *company) appliedTo(target, exclude string) int64 {
	var sum int64
	for source, amount := range c.linkedBy[target] {
		if source != exclude {
			sum += amount
		}
	}
	return sum
}

// linkSources lists the records linked to target, in id order.
func (c *company) linkSources(target string) []string {
	sources := sortedKeys(c.linkedBy[target])
	sortLinkKeys(sources)
	return sources
}

func sortLinkKeys(keys []string) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && lessLinkKey(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

func lessLinkKey(a, b string) bool {
	ka, ia, _ := strings.Cut(a, ":")
	kb, ib, _ := strings.Cut(b, ":")
	if ka != kb {
		return ka < kb
	}
	return lessID(ia, ib)
}

// refreshBalances rewrites the balances shown on the touched accounts and
// customers. They are recomputed values: SyncToken and LastUpdatedTime do
// not move (a customer is not "changed" by an invoice). [U]
func (s *Server) refreshBalances(c *company, t touched) {
	var changed []string
	for _, id := range sortedKeys(t.accounts) {
		if r := c.get(accountKind, id); r != nil && setIfChanged(c, accountKind, r, "CurrentBalance", c.accountCurrentBalance(r)) {
			changed = append(changed, id)
		}
	}
	c.refreshRollups(accountKind, changed)
	changed = changed[:0]
	for _, id := range sortedKeys(t.customers) {
		if r := c.get(customerKind, id); r != nil && setIfChanged(c, customerKind, r, "Balance", c.customerBalance(r)) {
			changed = append(changed, id)
		}
	}
	c.refreshRollups(customerKind, changed)
}

func setIfChanged(c *company, k *kind, r *record, field string, v json.Number) bool {
	if scalarString(r.data[field]) == v.String() {
		return false
	}
	c.replaceData(k, r, map[string]any{field: v})
	return true
}

// refreshRollups recomputes the roll-up (BalanceWithJobs,
// CurrentBalanceWithSubAccounts) of the given records and their ancestors
// after their own balances changed: the part of refreshHierarchy a balance
// change needs, without re-deriving every name.
func (c *company) refreshRollups(k *kind, ids []string) {
	if len(ids) == 0 {
		return
	}
	h := k.hier
	children := c.children[k.name]
	affected := map[string]bool{}
	for _, id := range ids {
		for depth := 0; id != "" && !affected[id] && depth <= maxLevel+1; depth++ {
			affected[id] = true
			r := c.get(k, id)
			if r == nil {
				break
			}
			id = refValue(r.data["ParentRef"])
		}
	}
	memo := map[string]json.Number{}
	var rollup func(id string) json.Number
	rollup = func(id string) json.Number {
		if v, ok := memo[id]; ok {
			return v
		}
		parts := []any{c.get(k, id).data[h.rollupFrom]}
		for child := range children[id] {
			parts = append(parts, rollup(child))
		}
		memo[id] = sumDecimals(parts...)
		return memo[id]
	}
	for _, id := range sortedKeys(affected) {
		if r := c.get(k, id); r != nil {
			setIfChanged(c, k, r, h.rollupTo, rollup(id))
		}
	}
}

// accountCurrentBalance is the account's balance in its natural sign
// (positive when an asset has a debit balance or a liability a credit
// balance), shown as its OpeningBalance as written plus the activity since.
func (c *company) accountCurrentBalance(r *record) json.Number {
	var own int64
	for _, p := range postingsOf(r.data) {
		if p.Account == r.id {
			own += p.Amount
		}
	}
	activity := naturalSign(r.data) * (c.ledger.accounts[r.id] - own)
	return withActivity(r.data["OpeningBalance"], activity)
}

// customerBalance is the customer's own open balance (jobs excluded; they
// roll up into BalanceWithJobs): its opening Balance as written plus its
// receivable activity since.
func (c *company) customerBalance(r *record) json.Number {
	var own int64
	for _, p := range postingsOf(r.data) {
		if p.Receivable && p.Entity == r.id {
			own += p.Amount
		}
	}
	return withActivity(r.data[keyOpening], c.ledger.receivables[r.id]-own)
}

// withActivity adds activity (cents) to an opening amount kept as written,
// so an untouched balance reads back digit for digit.
func withActivity(opening any, activity int64) json.Number {
	if activity == 0 {
		if _, ok := parseDecimal(opening); ok {
			return json.Number(scalarString(opening))
		}
		return zero
	}
	return sumDecimals(opening, formatCents(activity))
}

// naturalSign is +1 for debit-normal accounts (assets, expenses) and -1 for
// credit-normal ones (liabilities, equity, revenue).
func naturalSign(account map[string]any) int64 {
	switch stringField(account, "Classification") {
	case "Asset", "Expense":
		return 1
	}
	return -1
}

// rebuildIndexes recomputes the ledger totals and the link index from the
// records, after loading a state file.
func (c *company) rebuildIndexes() {
	c.ledger = newLedger()
	c.linkedBy = map[string]map[string]int64{}
	t := newTouched()
	for _, kindName := range sortedKeys(c.entities) {
		for _, r := range c.entities[kindName] {
			if r.deleted {
				continue
			}
			c.ledger.apply(postingsOf(r.data), 1, t)
			for _, l := range linksOf(r.data) {
				target := linkKey(l.Kind, l.ID)
				if c.linkedBy[target] == nil {
					c.linkedBy[target] = map[string]int64{}
				}
				c.linkedBy[target][linkKey(kindName, r.id)] += l.Amount
			}
		}
	}
}

// decodeInternal turns internal keys read back from JSON into their types.
func decodeInternal(data map[string]any) error {
	for key, target := range map[string]any{keyPostings: &[]posting{}, keyLinks: &[]link{}} {
		raw, ok := data[key]
		if !ok {
			continue
		}
		b, err := json.Marshal(raw)
		if err == nil {
			err = json.Unmarshal(b, target)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		switch v := target.(type) {
		case *[]posting:
			data[key] = *v
		case *[]link:
			data[key] = *v
		}
	}
	return nil
}

// systemAccount returns the company's first active account of a system
// sub-type, creating it under its usual name the first time it is needed,
// as QBO does with Accounts Receivable on the first invoice.
func (s *Server) systemAccount(c *company, now time.Time, typ, sub, name string) (*record, *fault) {
	for _, r := range c.list(accountKind) {
		if stringField(r.data, "AccountSubType") == sub && isActive(r.data) {
			return r, nil
		}
	}
	r, f := s.write(c, accountKind, map[string]any{"Name": name, "AccountType": typ, "AccountSubType": sub}, now, writeOpts{})
	if f != nil {
		return nil, errBusiness("The company has no active " + name + " account and qbosim could not create one: " + f.Error())
	}
	return r, nil
}

// openingPostings books an opening balance of cents (debit positive) to
// account against Opening Balance Equity, dated by the entity's dateField
// (today when absent).
func (w *writeCtx) openingPostings(account posting, cents int64, dateField string) *fault {
	obe, f := w.s.openingBalanceEquity(w.c, w.now)
	if f != nil {
		return f
	}
	date := stringField(w.body, dateField)
	if !validDate(date) {
		date = w.now.In(w.s.loc).Format(dateLayout)
	}
	account.Amount, account.Date = cents, date
	w.body[keyPostings] = []posting{account, {Account: obe.id, Amount: -cents, Date: date}}
	return nil
}

func (s *Server) receivableAccount(c *company, now time.Time) (*record, *fault) {
	return s.systemAccount(c, now, "Accounts Receivable", "AccountsReceivable", "Accounts Receivable (A/R)")
}

func (s *Server) undepositedFunds(c *company, now time.Time) (*record, *fault) {
	return s.systemAccount(c, now, "Other Current Asset", "UndepositedFunds", "Undeposited Funds")
}

func (s *Server) openingBalanceEquity(c *company, now time.Time) (*record, *fault) {
	return s.systemAccount(c, now, "Equity", "OpeningBalanceEquity", "Opening Balance Equity")
}

// readLedger runs read with the company locked; nothing for an unknown realm.
func (s *Server) readLedger(realmID string, read func(c *company)) {
	c := s.company(realmID)
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	read(c)
}

// AccountBalance returns an account's balance in cents in its natural sign
// (as CurrentBalance shows it, sub-accounts excluded). Unknown: 0.
func (s *Server) AccountBalance(realmID, accountID string) (cents int64) {
	s.readLedger(realmID, func(c *company) {
		if r := c.get(accountKind, accountID); r != nil {
			cents = naturalSign(r.data) * c.ledger.accounts[accountID]
		}
	})
	return cents
}

// OpenBalance returns what a customer owes in cents: its receivable
// balance (invoices less payments and credits, opening balance included),
// its jobs excluded. Negative means the customer has credit.
func (s *Server) OpenBalance(realmID, customerID string) (cents int64) {
	s.readLedger(realmID, func(c *company) { cents = c.ledger.receivables[customerID] })
	return cents
}

// TrialBalance returns the sums of the debit and of the credit balances of
// all accounts in cents. In a sound ledger they are equal.
func (s *Server) TrialBalance(realmID string) (debits, credits int64) {
	s.readLedger(realmID, func(c *company) {
		for _, b := range c.ledger.accounts {
			if b > 0 {
				debits += b
			} else {
				credits -= b
			}
		}
	})
	return debits, credits
}

// LedgerLine is one line of a company's books as a test reads them: which transaction
// (Entity and Id) posted how much (cents, debit positive) to which account, for which
// customer or vendor, on which date.
type LedgerLine struct {
	Entity, ID  string
	Account     string
	Cents       int64
	Party       string // the customer or vendor of the line, if any
	PartyType   string // Customer or Vendor
	Date        string // YYYY-MM-DD
	PrivateNote string // the transaction's, where a test looks for a writer's marker
}

// Ledger returns every line of a realm's books: the postings of every live record, in
// kind and Id order. It is how a test reads the books the way an accountant would
// (what landed in which account on which day), independently of any report.
func (s *Server) Ledger(realmID string) []LedgerLine {
	var out []LedgerLine
	s.readLedger(realmID, func(c *company) {
		for _, k := range kinds.all {
			for _, r := range c.list(k) {
				for _, p := range postingsOf(r.data) {
					out = append(out, LedgerLine{Entity: k.name, ID: r.id, Account: p.Account, Cents: p.Amount,
						Party: p.Entity, PartyType: p.EntityType, Date: p.Date, PrivateNote: stringField(r.data, "PrivateNote")})
				}
			}
		}
	})
	return out
}
