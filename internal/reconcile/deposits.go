package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// DepositsReport checks the bank side of payments: a practice payment that went into a
// bank account is one line on the bank statement, so QuickBooks must show it as one
// entry in the bank: its one QuickBooks payment deposited there, or one deposit
// gathering its parts (a payment of several matters) out of Undeposited Funds.
type DepositsReport struct {
	PaymentsChecked int `json:"payments_checked"`
	// Payments are the practice payments that are not one bank entry.
	Payments []PaymentEntries `json:"payments,omitempty"`
}

// OK reports whether every payment checked is one bank entry.
func (r DepositsReport) OK() bool { return len(r.Payments) == 0 }

// PaymentEntries is a practice payment into the bank that QuickBooks does not show as
// one bank entry.
type PaymentEntries struct {
	PaymentID  int64      `json:"payment_id"`
	ReceivedOn string     `json:"received_on"`
	Client     string     `json:"client"`
	Reference  string     `json:"reference"`
	Amount     qbo.Amount `json:"amount"`
	// BankEntries is how many entries of the payment QuickBooks has in bank accounts.
	BankEntries int    `json:"bank_entries"`
	Why         string `json:"why"`
}

// bankPaymentsSQL lists the posted practice payments that go into a bank account ($4:
// all of them, under the setting that deposits payments to the operating account; else
// only money applied from trust, which lands in operating), received on or after the
// start date $3 (earlier ones are the opening balance's), with the QBO payments that
// stand for them and the deposit that gathers those, if any.
const bankPaymentsSQL = `
	SELECT p.id, to_char(p.received_on, 'YYYY-MM-DD') AS received_on, c.name AS client, p.reference, p.amount_cents,
	       array_agg(x.qbo_id ORDER BY x.source_key) AS parts,
	       COALESCE((SELECT d.qbo_id FROM qbo_id_map d WHERE d.firm_id = p.firm_id AND d.realm_id = $2
	                 AND d.kind = 'payment_deposit' AND d.source_key = p.id::text), '') AS deposit
	FROM payments p
	JOIN clients c ON c.firm_id = p.firm_id AND c.id = p.client_id
	JOIN qbo_id_map x ON x.firm_id = p.firm_id AND x.realm_id = $2 AND x.kind = 'payment'
	                 AND p.id = split_part(x.source_key, '-', 1)::bigint
	WHERE p.firm_id = $1 AND p.status = 'posted' AND ($3::date IS NULL OR p.received_on >= $3::date)
	  AND (p.source = 'trust' OR $4::boolean)
	GROUP BY p.id, p.received_on, c.name, p.reference, p.amount_cents
	ORDER BY p.id`

type bankPayment struct {
	ID         int64          `db:"id"`
	ReceivedOn string         `db:"received_on"`
	Client     string         `db:"client"`
	Reference  string         `db:"reference"`
	Cents      int64          `db:"amount_cents"`
	Parts      pq.StringArray `db:"parts"`
	Deposit    string         `db:"deposit"`
}

// Deposits checks that each practice payment into a bank account is one bank entry in
// QuickBooks.
func Deposits(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope, opts Options) (DepositsReport, error) {
	var pays []bankPayment
	if err := sqlx.SelectContext(ctx, db, &pays, bankPaymentsSQL, sc.FirmID, sc.RealmID, opts.sinceArg(), opts.PaymentsToBank); err != nil {
		return DepositsReport{}, fmt.Errorf("reconcile: payments into the bank: %w", err)
	}
	rep := DepositsReport{PaymentsChecked: len(pays)}
	pays = slices.DeleteFunc(pays, func(p bankPayment) bool { return !opts.checksPayment(p.ID) })
	var partIDs, depositIDs []string
	for _, p := range pays {
		partIDs = append(partIDs, p.Parts...)
		depositIDs = append(depositIDs, p.Deposit)
	}
	parts, err := readByID(ctx, qc, opts.known(), "Payment", partIDs, func(v *qbo.Payment) string { return v.ID })
	if err != nil {
		return DepositsReport{}, err
	}
	deposits, err := readByID(ctx, qc, opts.known(), "Deposit", depositIDs, func(v *qbo.Deposit) string { return v.ID })
	if err != nil {
		return DepositsReport{}, err
	}
	var accountIDs []string
	for _, p := range parts {
		accountIDs = append(accountIDs, refValue(p.DepositToAccountRef))
	}
	for _, d := range deposits {
		accountIDs = append(accountIDs, refValue(d.DepositToAccountRef))
	}
	accounts, err := readByID(ctx, qc, opts.known(), "Account", accountIDs, func(v *qbo.Account) string { return v.ID })
	if err != nil {
		return DepositsReport{}, err
	}
	inBank := func(ref *qbo.Ref) bool {
		a := accounts[refValue(ref)]
		return a != nil && a.AccountType == "Bank"
	}
	for _, p := range pays {
		if why, n := bankEntries(p, parts, deposits, inBank); why != "" {
			rep.Payments = append(rep.Payments, PaymentEntries{PaymentID: p.ID, ReceivedOn: p.ReceivedOn, Client: p.Client,
				Reference: p.Reference, Amount: qbo.Amount(p.Cents), BankEntries: n, Why: why})
		}
	}
	return rep, nil
}

// bankEntries counts a payment's entries in QuickBooks' bank accounts, and says what is
// wrong when it is not one entry that gathers all of the payment.
func bankEntries(p bankPayment, parts map[string]*qbo.Payment, deposits map[string]*qbo.Deposit, inBank func(*qbo.Ref) bool) (string, int) {
	n := 0
	var direct []string
	for _, id := range p.Parts {
		if q := parts[id]; q != nil && inBank(q.DepositToAccountRef) {
			n++
			direct = append(direct, id)
		}
	}
	d := deposits[p.Deposit]
	if d != nil && inBank(d.DepositToAccountRef) {
		n++
	}
	switch {
	case n == 1 && d == nil:
		return "", n
	case n == 1:
		linked := map[string]bool{}
		var cents int64
		for _, l := range d.Line {
			for _, t := range l.LinkedTxn {
				linked[t.TxnID] = t.TxnType == "Payment"
			}
			cents += l.Amount.Cents()
		}
		for _, id := range p.Parts {
			if !linked[id] {
				return fmt.Sprintf("QuickBooks deposit %s does not gather QuickBooks payment %s, a part of this payment: the bank entry misses it.", d.ID, id), n
			}
		}
		if cents != p.Cents {
			return fmt.Sprintf("QuickBooks deposit %s comes to %s; the payment is %s: the bank entry does not match the check.",
				d.ID, qbo.Amount(cents), qbo.Amount(p.Cents)), n
		}
		return "", n
	case n == 0:
		return "The payment is in no QuickBooks bank account: its parts wait in Undeposited Funds and no deposit gathers them " +
			"(was its deposit deleted in QuickBooks?).", n
	}
	return fmt.Sprintf("The payment is %d entries in QuickBooks' bank (QuickBooks payments %s deposited there directly%s), "+
		"where the bank statement shows one: a bookkeeper matching the statement finds no single entry for it.",
		n, strings.Join(direct, ", "), map[bool]string{true: ", and a deposit " + p.Deposit, false: ""}[d != nil && inBank(d.DepositToAccountRef)]), n
}
