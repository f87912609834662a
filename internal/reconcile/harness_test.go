package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
)

// env is one test's world: a migrated practice database, the QBO sandbox over real
// HTTP with an empty company, and a client for it.
type env struct {
	t     testing.TB
	ctx   context.Context
	DB    *sqlx.DB
	Store *store.Store
	Sim   *qbosim.Server
	QC    *qbo.Client
	Scope store.Scope

	// QBO objects every posting needs.
	income, item string
	writes       int
	simAhead     *atomic.Int64 // nanoseconds the sandbox's clock runs ahead
}

// later moves the sandbox's clock ahead by d and returns its new time: what was posted
// before is then d old to QuickBooks.
func (e *env) later(d time.Duration) time.Time {
	e.simAhead.Add(int64(d))
	return time.Now().Add(time.Duration(e.simAhead.Load()))
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d, _ := dbtest.New(t)
	box, err := secret.New(bytes.Repeat([]byte{9}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox's clock runs ahead of the test's by ahead, so that a test can make what
	// it posted look old to change data capture.
	var ahead atomic.Int64
	sim := qbosim.New(qbosim.Options{
		Now:            func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) },
		AccessTokenTTL: 24 * time.Hour,
	})
	ts := httptest.NewServer(sim)
	t.Cleanup(func() {
		ts.Close()
		_ = sim.Close()
	})
	realm := sim.AddCompany("Reconcile & Partners LLP")
	access, _ := sim.IssueToken(realm)
	qc, err := qbo.New(qbo.Options{
		BaseURL: ts.URL, RealmID: realm,
		HTTPClient: qbo.NewHTTPClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)})),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), DB: d, Store: store.New(d, box), Sim: sim, QC: qc, simAhead: &ahead}
	e.Scope.RealmID = realm
	var inc qbo.Account
	e.create("Account", qbo.Account{Name: "Legal Fee Income", AccountType: "Income", AccountSubType: "ServiceFeeIncome"}, &inc)
	e.income = inc.ID
	var it qbo.Item
	e.create("Item", qbo.Item{Name: "Legal Services", Type: "Service", IncomeAccountRef: &qbo.Ref{Value: e.income}}, &it)
	e.item = it.ID
	return e
}

// seedFirm seeds the realistic demo firm and scopes the env to it.
func (e *env) seedFirm() int64 {
	e.t.Helper()
	sum, err := seed.Seed(e.ctx, e.DB, seed.Options{FirmName: "Reconcile Test Firm"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.Scope.FirmID = sum.FirmID
	return sum.FirmID
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// create writes a QBO object as the sync would: with a deterministic request ID.
func (e *env) create(entity string, in, out any) {
	e.t.Helper()
	e.writes++
	e.must(e.QC.Create(e.ctx, entity, in, qbo.RequestID("reconcile-test", entity, strconv.Itoa(e.writes)), out))
}

// update writes a change to a QBO object, as a person editing it in QBO would.
func (e *env) update(entity string, in, out any) {
	e.t.Helper()
	e.writes++
	e.must(e.QC.Update(e.ctx, entity, in, qbo.RequestID("reconcile-test", entity, strconv.Itoa(e.writes)), out))
}

// mapRecord saves an id map row through the store, as the sync does after a write.
func (e *env) mapRecord(kind, key, entity, id, token string) {
	e.t.Helper()
	e.must(e.Store.SaveMapping(e.ctx, e.Scope, store.Mapping{Kind: kind, SourceKey: key, QBOEntity: entity, QBOID: id, SyncToken: token}))
}

func (e *env) mapping(kind, key string) store.Mapping {
	e.t.Helper()
	m, ok, err := e.Store.Mapping(e.ctx, e.Scope, kind, key)
	e.must(err)
	if !ok {
		e.t.Fatalf("no mapping %s %s", kind, key)
	}
	return m
}

func marker(kind, key string) string { return "qbosync:" + kind + ":" + key }

// cleanName makes a practice name acceptable as a QBO name: no colon, tab or newline,
// and at most 100 characters.
func cleanName(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '\t' || r == '\n' || r == ' ' }), " ")
	if r := []rune(s); len(r) > 100 {
		s = strings.TrimSpace(string(r[:100]))
	}
	return s
}

func ref(id string) *qbo.Ref { return &qbo.Ref{Value: id} }

// postAll posts the whole firm the way docs/posting.md says the sync does: customers
// for clients and matters, the ledger accounts, invoices (voided ones voided), one
// payment per practice payment and matter, a credit memo and zero payment per credit or
// write-off, and every trust transaction (a deposit per slip, a journal entry per
// transfer to operating, a check per disbursement). Every object lands in the id map.
func (e *env) postAll() {
	e.t.Helper()
	e.postCustomers()
	e.postLedger()
	e.postInvoices()
	e.postAdjustments()
	e.postPayments()
	e.postTrust()
}

func (e *env) customerOf(matterID int64) string {
	return e.mapping("matter", strconv.FormatInt(matterID, 10)).QBOID
}

func (e *env) postCustomers() {
	var clients []struct {
		ID     int64  `db:"id"`
		Number string `db:"client_number"`
		Name   string `db:"name"`
	}
	e.must(e.DB.Select(&clients, `SELECT id, client_number, name FROM clients WHERE firm_id = $1 ORDER BY id`, e.Scope.FirmID))
	for _, c := range clients {
		var out qbo.Customer
		key := strconv.FormatInt(c.ID, 10)
		e.create("Customer", qbo.Customer{DisplayName: cleanName(c.Name) + " (" + c.Number + ")", Notes: marker("client", key)}, &out)
		e.mapRecord("client", key, "Customer", out.ID, out.SyncToken)
	}
	var matters []struct {
		ID       int64  `db:"id"`
		ClientID int64  `db:"client_id"`
		Number   string `db:"matter_number"`
		Name     string `db:"name"`
	}
	e.must(e.DB.Select(&matters, `SELECT id, client_id, matter_number, name FROM matters WHERE firm_id = $1 ORDER BY id`, e.Scope.FirmID))
	for _, m := range matters {
		var out qbo.Customer
		key := strconv.FormatInt(m.ID, 10)
		parent := e.mapping("client", strconv.FormatInt(m.ClientID, 10)).QBOID
		e.create("Customer", qbo.Customer{DisplayName: cleanName(m.Number + " " + m.Name), Job: new(true), ParentRef: ref(parent),
			Notes: marker("matter", key)}, &out)
		e.mapRecord("matter", key, "Customer", out.ID, out.SyncToken)
	}
}

func (e *env) postLedger() {
	var accts []struct {
		ID   int64  `db:"id"`
		Kind string `db:"kind"`
		Name string `db:"name"`
	}
	e.must(e.DB.Select(&accts, `SELECT id, kind, name FROM bank_accounts WHERE firm_id = $1 ORDER BY id`, e.Scope.FirmID))
	for _, a := range accts {
		id := strconv.FormatInt(a.ID, 10)
		var bank qbo.Account
		if a.Kind == "operating" {
			e.create("Account", qbo.Account{Name: cleanName(a.Name), AccountType: "Bank", AccountSubType: "Checking"}, &bank)
			e.mapRecord("ledger", "operating_bank:"+id, "Account", bank.ID, bank.SyncToken)
			continue
		}
		var liab qbo.Account
		e.create("Account", qbo.Account{Name: cleanName(a.Name), AccountType: "Bank", AccountSubType: "TrustAccounts"}, &bank)
		e.create("Account", qbo.Account{Name: cleanName(a.Name) + " - Client Funds", AccountType: "Other Current Liability", AccountSubType: "TrustAccountsLiabilities"}, &liab)
		e.mapRecord("ledger", "trust_bank:"+id, "Account", bank.ID, bank.SyncToken)
		e.mapRecord("ledger", "trust_liability:"+id, "Account", liab.ID, liab.SyncToken)
	}
}

func (e *env) ledger(key string) string { return e.mapping("ledger", key).QBOID }

func (e *env) operatingBank() string {
	var id int64
	e.must(e.DB.Get(&id, `SELECT id FROM bank_accounts WHERE firm_id = $1 AND kind = 'operating' ORDER BY id LIMIT 1`, e.Scope.FirmID))
	return e.ledger(fmt.Sprintf("operating_bank:%d", id))
}

func (e *env) salesLine(cents int64) qbo.Line {
	return qbo.Line{Amount: qbo.Amount(cents), DetailType: qbo.SalesItemLine, SalesItemLineDetail: &qbo.SalesItemLineDetail{ItemRef: ref(e.item)}}
}

// postInvoices posts approved and voided invoices, a debit adjustment raising the
// invoice's total.
func (e *env) postInvoices() {
	var invs []struct {
		ID       int64  `db:"id"`
		MatterID int64  `db:"matter_id"`
		Status   string `db:"status"`
		IssuedOn string `db:"issued_on"`
		Cents    int64  `db:"cents"`
	}
	e.must(e.DB.Select(&invs, `
		SELECT i.id, i.matter_id, i.status, to_char(i.issued_on, 'YYYY-MM-DD') AS issued_on,
		       i.total_cents + COALESCE((SELECT sum(amount_cents) FROM adjustments a
		                                 WHERE a.invoice_id = i.id AND a.kind = 'debit'), 0) AS cents
		FROM invoices i WHERE i.firm_id = $1 AND i.status IN ('approved', 'void') ORDER BY i.id`, e.Scope.FirmID))
	for _, inv := range invs {
		key := strconv.FormatInt(inv.ID, 10)
		var out qbo.Invoice
		e.create("Invoice", qbo.Invoice{CustomerRef: ref(e.customerOf(inv.MatterID)), TxnDate: inv.IssuedOn,
			PrivateNote: marker("invoice", key), Line: []qbo.Line{e.salesLine(inv.Cents)}}, &out)
		if inv.Status == "void" {
			e.writes++
			e.must(e.QC.Void(e.ctx, "Invoice", out.ID, out.SyncToken, qbo.RequestID("reconcile-test", "void", key), &out))
		}
		e.mapRecord("invoice", key, "Invoice", out.ID, out.SyncToken)
	}
}

// postAdjustments posts each credit and write-off as a credit memo applied to its
// invoice by a zero-amount payment.
func (e *env) postAdjustments() {
	var adjs []struct {
		ID         int64  `db:"id"`
		InvoiceID  int64  `db:"invoice_id"`
		MatterID   int64  `db:"matter_id"`
		AdjustedOn string `db:"adjusted_on"`
		Cents      int64  `db:"amount_cents"`
	}
	e.must(e.DB.Select(&adjs, `
		SELECT a.id, a.invoice_id, i.matter_id, to_char(a.adjusted_on, 'YYYY-MM-DD') AS adjusted_on, a.amount_cents
		FROM adjustments a JOIN invoices i ON i.id = a.invoice_id
		WHERE a.firm_id = $1 AND a.kind IN ('credit', 'write_off') ORDER BY a.id`, e.Scope.FirmID))
	for _, a := range adjs {
		key := strconv.FormatInt(a.ID, 10)
		cust := ref(e.customerOf(a.MatterID))
		var cm qbo.CreditMemo
		e.create("CreditMemo", qbo.CreditMemo{CustomerRef: cust, TxnDate: a.AdjustedOn, PrivateNote: marker("adjustment", key),
			Line: []qbo.Line{e.salesLine(a.Cents)}}, &cm)
		e.mapRecord("adjustment", key, "CreditMemo", cm.ID, cm.SyncToken)
		inv := e.mapping("invoice", strconv.FormatInt(a.InvoiceID, 10)).QBOID
		var p qbo.Payment
		zero := qbo.Amount(0)
		e.create("Payment", qbo.Payment{CustomerRef: cust, TxnDate: a.AdjustedOn, TotalAmt: &zero, PrivateNote: marker("adjustment_payment", key),
			Line: []qbo.Line{
				{Amount: qbo.Amount(a.Cents), LinkedTxn: []qbo.LinkedTxn{{TxnID: inv, TxnType: "Invoice"}}},
				{Amount: qbo.Amount(a.Cents), LinkedTxn: []qbo.LinkedTxn{{TxnID: cm.ID, TxnType: "CreditMemo"}}},
			}}, &p)
		e.mapRecord("adjustment_payment", key, "Payment", p.ID, p.SyncToken)
	}
}

// postPayments posts each posted practice payment as one QBO payment per matter it pays,
// deposited to the operating account.
func (e *env) postPayments() {
	var allocs []struct {
		PaymentID  int64  `db:"payment_id"`
		MatterID   int64  `db:"matter_id"`
		InvoiceID  int64  `db:"invoice_id"`
		ReceivedOn string `db:"received_on"`
		Cents      int64  `db:"amount_cents"`
	}
	e.must(e.DB.Select(&allocs, `
		SELECT p.id AS payment_id, i.matter_id, pa.invoice_id, to_char(p.received_on, 'YYYY-MM-DD') AS received_on, pa.amount_cents
		FROM payments p JOIN payment_allocations pa ON pa.payment_id = p.id JOIN invoices i ON i.id = pa.invoice_id
		WHERE p.firm_id = $1 AND p.status = 'posted' ORDER BY p.id, i.matter_id, pa.invoice_id`, e.Scope.FirmID))
	operating := e.operatingBank()
	for i := 0; i < len(allocs); {
		j := i
		var lines []qbo.Line
		var total qbo.Amount
		for ; j < len(allocs) && allocs[j].PaymentID == allocs[i].PaymentID && allocs[j].MatterID == allocs[i].MatterID; j++ {
			inv := e.mapping("invoice", strconv.FormatInt(allocs[j].InvoiceID, 10)).QBOID
			lines = append(lines, qbo.Line{Amount: qbo.Amount(allocs[j].Cents), LinkedTxn: []qbo.LinkedTxn{{TxnID: inv, TxnType: "Invoice"}}})
			total += qbo.Amount(allocs[j].Cents)
		}
		key := fmt.Sprintf("%d-%d", allocs[i].PaymentID, allocs[i].MatterID)
		var p qbo.Payment
		e.create("Payment", qbo.Payment{CustomerRef: ref(e.customerOf(allocs[i].MatterID)), TxnDate: allocs[i].ReceivedOn, TotalAmt: &total,
			DepositToAccountRef: ref(operating), PrivateNote: marker("payment", key), Line: lines}, &p)
		e.mapRecord("payment", key, "Payment", p.ID, p.SyncToken)
		i = j
	}
}

type testTrustTxn struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"bank_account_id"`
	MatterID  int64  `db:"matter_id"`
	Kind      string `db:"kind"`
	TxnOn     string `db:"txn_on"`
	Cents     int64  `db:"amount_cents"`
	SlipID    int64  `db:"slip_id"`
}

func (e *env) trustTxns() []testTrustTxn {
	var ts []testTrustTxn
	e.must(e.DB.Select(&ts, `
		SELECT id, bank_account_id, matter_id, kind, to_char(txn_on, 'YYYY-MM-DD') AS txn_on, amount_cents,
		       COALESCE(deposit_slip_id, 0) AS slip_id
		FROM trust_transactions WHERE firm_id = $1 ORDER BY COALESCE(deposit_slip_id, 0), id`, e.Scope.FirmID))
	return ts
}

// postTrust posts every trust transaction: a deposit per slip (a line per receipt) or per
// receipt without a slip, a journal entry per transfer to operating, a check per
// disbursement.
func (e *env) postTrust() {
	ts := e.trustTxns()
	for i := 0; i < len(ts); {
		t := ts[i]
		acct := strconv.FormatInt(t.AccountID, 10)
		bank, liab := e.ledger("trust_bank:"+acct), e.ledger("trust_liability:"+acct)
		key := strconv.FormatInt(t.ID, 10)
		switch {
		case t.Kind == "deposit" && t.SlipID != 0:
			j := i
			var lines []qbo.Line
			for ; j < len(ts) && ts[j].SlipID == t.SlipID; j++ {
				lines = append(lines, depositLine(ts[j].Cents, liab, e.customerOf(ts[j].MatterID)))
			}
			slip := strconv.FormatInt(t.SlipID, 10)
			e.postDeposit("deposit_slip", slip, t.TxnOn, bank, lines)
			i = j
			continue
		case t.Kind == "deposit":
			e.postDeposit("trust_receipt", key, t.TxnOn, bank, []qbo.Line{depositLine(t.Cents, liab, e.customerOf(t.MatterID))})
		case t.Kind == "transfer_to_operating":
			var je qbo.JournalEntry
			e.create("JournalEntry", qbo.JournalEntry{TxnDate: t.TxnOn, PrivateNote: marker("trust_transfer", key), Line: []qbo.Line{
				{Amount: qbo.Amount(t.Cents), DetailType: qbo.JournalEntryLine, JournalEntryLineDetail: &qbo.JournalEntryLineDetail{
					PostingType: qbo.Debit, AccountRef: ref(liab),
					Entity: &qbo.JournalEntryEntity{Type: "Customer", EntityRef: ref(e.customerOf(t.MatterID))}}},
				{Amount: qbo.Amount(t.Cents), DetailType: qbo.JournalEntryLine, JournalEntryLineDetail: &qbo.JournalEntryLineDetail{
					PostingType: qbo.Credit, AccountRef: ref(bank)}},
			}}, &je)
			e.mapRecord("trust_transfer", key, "JournalEntry", je.ID, je.SyncToken)
		case t.Kind == "disbursement":
			var p qbo.Purchase
			e.create("Purchase", qbo.Purchase{PaymentType: qbo.PaymentCheck, AccountRef: ref(bank), TxnDate: t.TxnOn,
				PrivateNote: marker("trust_disbursement", key), Line: []qbo.Line{{
					Amount: qbo.Amount(t.Cents), DetailType: qbo.AccountExpenseLine,
					AccountBasedExpenseLineDetail: &qbo.AccountBasedExpenseLineDetail{AccountRef: ref(liab), CustomerRef: ref(e.customerOf(t.MatterID))}}},
			}, &p)
			e.mapRecord("trust_disbursement", key, "Purchase", p.ID, p.SyncToken)
		}
		i++
	}
}

func depositLine(cents int64, liability, customer string) qbo.Line {
	return qbo.Line{Amount: qbo.Amount(cents), DetailType: qbo.DepositLine, DepositLineDetail: &qbo.DepositLineDetail{
		AccountRef: ref(liability), Entity: &qbo.Ref{Value: customer, Type: "Customer"}}}
}

func (e *env) postDeposit(kind, key, date, bank string, lines []qbo.Line) qbo.Deposit {
	var d qbo.Deposit
	e.create("Deposit", qbo.Deposit{DepositToAccountRef: ref(bank), TxnDate: date, PrivateNote: marker(kind, key), Line: lines}, &d)
	e.mapRecord(kind, key, "Deposit", d.ID, d.SyncToken)
	return d
}
