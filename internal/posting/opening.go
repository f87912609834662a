package posting

import (
	"fmt"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
)

// KindTrustOpening is, in the id map and item outcomes, the journal entry that carries a
// trust account's client balances into QuickBooks as of the day before the sync's start
// date, keyed by the practice trust account's id.
const KindTrustOpening = "trust_opening"

// OpeningDay is the day opening balances are dated: the day before the start date, so
// that the books hold, when the first synced day begins, what the firm held before it.
func OpeningDay(start time.Time) time.Time { return start.AddDate(0, 0, -1) }

// TrustOpeningLabel names a trust account's opening entry in summaries and error lists.
func TrustOpeningLabel(accountName string, asOf time.Time) string {
	return fmt.Sprintf("opening trust balances of %s as of %s", names.Clean(accountName), asOf.Format(time.DateOnly))
}

// TrustOpeningEntry is the QBO JournalEntry that opens one trust account's books as of
// asOf (OpeningDay of the start date): the trust bank account debited and its
// liability credited by what the firm held for clients at the end of that day, with one
// liability line per QBO customer (customers maps a matter id to its customer: the
// matter's sub-customer, or the client's customer when matters are not synced), so that
// the liability QBO holds for each client is the client's trust ledger from the first
// synced day on. balances are the practice system's (pms.TrustBalancesAsOf) for this
// account; matters of one customer are summed, and customers whose money nets to zero
// get no line. An overdrawn ledger (a negative balance) is a debit on the liability:
// the books must show it, not hide it.
//
// ok is false when no customer holds anything: there is no entry to post (and one
// posted before must go). A matter with money and no customer is the caller's bug
// (customers are resolved first, and the entry waits for them), so it is a plain error.
func TrustOpeningEntry(firmID, bankAccountID int64, accountName string, asOf time.Time, balances []pms.TrustBalance,
	acct TrustAccountRefs, customers map[int64]string) (je qbo.JournalEntry, ok bool, err error) {
	if err := acct.check(); err != nil {
		return qbo.JournalEntry{}, false, err
	}
	type group struct {
		customer string
		cents    int64
		first    pms.TrustBalance
		matters  int
	}
	var groups []*group
	byCustomer := map[string]*group{}
	for _, b := range balances {
		if b.BankAccountID != bankAccountID {
			return qbo.JournalEntry{}, false, fmt.Errorf("posting: the balance of matter %s is in trust account %d, not %d", b.MatterNumber, b.BankAccountID, bankAccountID)
		}
		if b.BalanceCents == 0 {
			continue
		}
		cust := customers[b.MatterID]
		if cust == "" {
			return qbo.JournalEntry{}, false, fmt.Errorf("posting: %s: no QuickBooks customer for matter %s: resolve customers first",
				TrustOpeningLabel(accountName, asOf), b.MatterNumber)
		}
		g := byCustomer[cust]
		if g == nil {
			g = &group{customer: cust, first: b}
			byCustomer[cust] = g
			groups = append(groups, g)
		}
		g.cents += b.BalanceCents
		g.matters++
	}
	day := asOf.Format(time.DateOnly)
	var lines []qbo.Line
	var total int64
	for _, g := range groups {
		if g.cents == 0 {
			continue
		}
		total += g.cents
		lines = append(lines, journalLine(openingDescription(g.first, g.matters, day), g.cents, acct.Liability, qbo.Credit, g.customer))
	}
	if len(lines) == 0 {
		return qbo.JournalEntry{}, false, nil
	}
	if total != 0 {
		// Ledgers that net to nothing (one client's overdraft against another's money)
		// move the liability lines only; the bank holds what they add up to.
		bank := journalLine(fmt.Sprintf("Trust bank balance as of %s, per the practice system's client ledgers", day), total, acct.Bank, qbo.Debit, "")
		lines = append([]qbo.Line{bank}, lines...)
	}
	return qbo.JournalEntry{
		TxnDate: day,
		PrivateNote: notes(fmt.Sprintf("Opening trust balances of %s as of %s, from the practice system's client trust ledgers",
			accountName, day), names.Marker(firmID, KindTrustOpening, bankAccountID)),
		Line: lines,
	}, true, nil
}

// journalLine is a journal entry line of cents on account, on the side postingType
// says for a positive amount (a negative one goes on the other side), with customer as
// the line's entity when there is one.
func journalLine(desc string, cents int64, account, postingType, customer string) qbo.Line {
	if cents < 0 {
		cents = -cents
		postingType = map[string]string{qbo.Debit: qbo.Credit, qbo.Credit: qbo.Debit}[postingType]
	}
	d := &qbo.JournalEntryLineDetail{PostingType: postingType, AccountRef: &qbo.Ref{Value: account}}
	if customer != "" {
		d.Entity = &qbo.JournalEntryEntity{Type: "Customer", EntityRef: &qbo.Ref{Value: customer}}
	}
	return qbo.Line{DetailType: qbo.JournalEntryLine, Description: names.Truncate(desc, MaxLineDescription), Amount: qbo.Amount(cents), JournalEntryLineDetail: d}
}

// openingDescription tells a bookkeeper whose balance a line is: the matter's, or the
// client's when the customer's line sums several matters.
func openingDescription(b pms.TrustBalance, matters int, day string) string {
	client := names.Clean(b.ClientName)
	if n := names.Clean(b.ClientNumber); n != "" {
		client += " (" + n + ")"
	}
	if matters > 1 {
		return fmt.Sprintf("Opening trust balance as of %s — %s, %d matters", day, client, matters)
	}
	return fmt.Sprintf("Opening trust balance as of %s — matter %s, %s", day, names.Clean(b.MatterNumber), client)
}

// Receivables before the start date (docs/design.md, "Opening balances"). With "sync
// all unpaid invoices", an invoice issued before the start date comes over with what
// was applied to it, and a payment received before the start date was banked before
// the books in QuickBooks begin: the bank's opening balance already holds it. In
// Undeposited Funds it would wait for ever for a deposit that will never be entered,
// and in a bank account it would count twice. So such a payment is deposited to an
// Other Current Asset account of its own, where the receipts before the start date add
// up for the bookkeeper to clear against Opening Balance Equity with the opening bank
// balance. The invoice still shows as paid, and receivables are what is open.
const (
	PreStartReceiptsName    = "Receipts Before Start Date"
	PreStartReceiptsType    = "Other Current Asset"
	PreStartReceiptsSubType = "OtherCurrentAssets"
	// PreStartReceiptsKey names the account in the id map (as a ledger object) and in
	// its marker.
	PreStartReceiptsKey = "opening.receipts_before_start"
)

// ReceivedBeforeStart reports whether a payment was received before the start date
// (zero: the firm set none, and nothing is before it), so that it is deposited to the
// receipts-before-start account instead of Undeposited Funds or a bank account.
func ReceivedBeforeStart(p pms.Payment, start time.Time) bool {
	return !start.IsZero() && p.ReceivedOn.Before(start)
}

// PaymentDepositAccount is where a payment's money goes in QuickBooks: the account the
// settings choose (chosen; "" for Undeposited Funds), unless it was received before
// the start date, when it goes to the receipts-before-start account (beforeStart).
func PaymentDepositAccount(p pms.Payment, start time.Time, chosen, beforeStart string) string {
	if ReceivedBeforeStart(p, start) {
		return beforeStart
	}
	return chosen
}
