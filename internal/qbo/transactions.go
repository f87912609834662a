package qbo

// Transactions: the entities that move money (docs/qbo-api.md,
// "Transactions"). The conventions of entities.go apply: QBO's field names,
// omitempty everywhere so that a sparse update sends only what was set,
// pointers where absent and zero differ, read-only fields marked.
//
// Money is an Amount (exact cents). Quantities and rates, which QBO allows
// more decimals in, are Decimals (exact text). Dates are "YYYY-MM-DD"
// strings, as QBO writes them, so that no time zone can move a posting to
// the next day.
//
// Lines are all or nothing, even in a sparse update: to change one line,
// send all of them; to leave them alone, send none (Line nil). A line's
// Amount is always sent, zero included, because every line type but
// DescriptionOnly requires it and QBO ignores it there.

// Line detail types (Line.DetailType).
const (
	SalesItemLine       = "SalesItemLineDetail"
	DescriptionOnlyLine = "DescriptionOnly"
	DiscountLine        = "DiscountLineDetail"
	SubTotalLine        = "SubTotalLineDetail"
	GroupLine           = "GroupLineDetail"
	DepositLine         = "DepositLineDetail"
	AccountExpenseLine  = "AccountBasedExpenseLineDetail"
	JournalEntryLine    = "JournalEntryLineDetail"
)

// Values of JournalEntryLineDetail.PostingType.
const (
	Debit  = "Debit"
	Credit = "Credit"
)

// Values of Purchase.PaymentType.
const (
	PaymentCash       = "Cash"
	PaymentCheck      = "Check"
	PaymentCreditCard = "CreditCard"
)

// Values of AccountBasedExpenseLineDetail.BillableStatus.
const (
	Billable      = "Billable"
	NotBillable   = "NotBillable"
	HasBeenBilled = "HasBeenBilled"
)

// Line is a line of any transaction. DetailType says which detail it
// carries; set that detail and leave the others nil:
//
//   - Invoice, CreditMemo: SalesItemLineDetail, DescriptionOnly (with an
//     empty DescriptionLineDetail), DiscountLineDetail, SubTotalLineDetail
//     (QBO appends one to every response; it is read-only in effect).
//   - Payment: no DetailType; Amount and LinkedTxn (the invoices or credit
//     memos paid).
//   - Deposit: LinkedTxn (a payment from Undeposited Funds, with TxnLineId
//     "0") or DepositLineDetail (money straight to an account).
//   - Purchase: AccountBasedExpenseLineDetail.
//   - JournalEntry: JournalEntryLineDetail.
type Line struct {
	ID          string      `json:"Id,omitempty"` // set to update a line in place
	LineNum     int         `json:",omitempty"`
	Description string      `json:",omitempty"`
	Amount      Amount      // always sent
	DetailType  string      `json:",omitempty"`
	LinkedTxn   []LinkedTxn `json:",omitempty"`

	SalesItemLineDetail           *SalesItemLineDetail           `json:",omitempty"`
	DescriptionLineDetail         *DescriptionLineDetail         `json:",omitempty"`
	DiscountLineDetail            *DiscountLineDetail            `json:",omitempty"`
	SubTotalLineDetail            *SubTotalLineDetail            `json:",omitempty"`
	DepositLineDetail             *DepositLineDetail             `json:",omitempty"`
	AccountBasedExpenseLineDetail *AccountBasedExpenseLineDetail `json:",omitempty"`
	JournalEntryLineDetail        *JournalEntryLineDetail        `json:",omitempty"`
}

// SalesItemLineDetail is an invoice or credit memo line for an Item. A
// line without ItemRef is documentation only and its Amount is ignored.
// Amount should equal Qty × UnitPrice to the cent (see MulAmount).
type SalesItemLineDetail struct {
	ItemRef     *Ref    `json:",omitempty"`
	ClassRef    *Ref    `json:",omitempty"`
	Qty         Decimal `json:",omitempty"`
	UnitPrice   Decimal `json:",omitempty"`
	ServiceDate string  `json:",omitempty"` // YYYY-MM-DD
	TaxCodeRef  *Ref    `json:",omitempty"`
}

// DescriptionLineDetail goes with DetailType DescriptionOnly; QBO's own
// samples send it empty.
type DescriptionLineDetail struct {
	ServiceDate string `json:",omitempty"`
	TaxCodeRef  *Ref   `json:",omitempty"`
}

// DiscountLineDetail is a discount, as an Amount or a percentage.
type DiscountLineDetail struct {
	PercentBased       *bool   `json:",omitempty"`
	DiscountPercent    Decimal `json:",omitempty"`
	DiscountAccountRef *Ref    `json:",omitempty"`
	ClassRef           *Ref    `json:",omitempty"`
}

// SubTotalLineDetail marks a subtotal line.
type SubTotalLineDetail struct {
	ItemRef *Ref `json:",omitempty"`
}

// DepositLineDetail is deposit money that does not come from Undeposited
// Funds: AccountRef is where it is booked (income, a liability such as
// client trust funds...), Entity who it came from ({"value":"58",
// "type":"Customer"}).
type DepositLineDetail struct {
	AccountRef       *Ref   `json:",omitempty"`
	Entity           *Ref   `json:",omitempty"`
	PaymentMethodRef *Ref   `json:",omitempty"`
	CheckNum         string `json:",omitempty"`
	ClassRef         *Ref   `json:",omitempty"`
}

// AccountBasedExpenseLineDetail is an expense line: AccountRef is the
// expense account; CustomerRef and BillableStatus Billable make it a
// billable cost of that customer (QBO documents BillableStatus as
// read-only, but honours it on create).
type AccountBasedExpenseLineDetail struct {
	AccountRef     *Ref   `json:",omitempty"`
	CustomerRef    *Ref   `json:",omitempty"`
	ClassRef       *Ref   `json:",omitempty"`
	BillableStatus string `json:",omitempty"`
	TaxCodeRef     *Ref   `json:",omitempty"`
}

// JournalEntryLineDetail is one side of a journal entry. Lines on
// Accounts Receivable need a Customer Entity, on Accounts Payable a Vendor.
type JournalEntryLineDetail struct {
	PostingType string              `json:",omitempty"` // Debit or Credit
	AccountRef  *Ref                `json:",omitempty"`
	Entity      *JournalEntryEntity `json:",omitempty"`
	ClassRef    *Ref                `json:",omitempty"`
}

// JournalEntryEntity names the customer, vendor or employee of a journal
// entry line: {"Type":"Customer","EntityRef":{"value":"58"}}.
type JournalEntryEntity struct {
	Type      string `json:",omitempty"`
	EntityRef *Ref   `json:",omitempty"`
}

// LinkedTxn links a transaction or line to another, e.g. a payment line to
// the invoice it pays ({"TxnId":"70","TxnType":"Invoice"}).
type LinkedTxn struct {
	TxnID     string `json:"TxnId"`
	TxnType   string
	TxnLineID string `json:"TxnLineId,omitempty"` // required for Deposit lines ("0")
}

// MemoRef is QBO's wrapper for a memo shown to the customer.
type MemoRef struct {
	Value string `json:"value"`
}

// Invoice is a bill to a customer. The marker qbosync:<kind>:<id> goes in
// PrivateNote (max 4000 characters; QBO prepends "Voided" on void).
// DocNumber (max 21) is the natural key FindByMarker looks it up by; QBO
// does not enforce its uniqueness for invoices.
type Invoice struct {
	ID           string        `json:"Id,omitempty"`
	SyncToken    string        `json:",omitempty"`
	DocNumber    string        `json:",omitempty"`
	TxnDate      string        `json:",omitempty"`
	DueDate      string        `json:",omitempty"`
	CustomerRef  *Ref          `json:",omitempty"`
	ClassRef     *Ref          `json:",omitempty"`
	SalesTermRef *Ref          `json:",omitempty"`
	PrivateNote  string        `json:",omitempty"`
	CustomerMemo *MemoRef      `json:",omitempty"`
	BillEmail    *EmailAddress `json:",omitempty"`
	LinkedTxn    []LinkedTxn   `json:",omitempty"`
	Line         []Line        `json:",omitempty"`
	TotalAmt     *Amount       `json:",omitempty"` // read-only
	Balance      *Amount       `json:",omitempty"` // read-only; 0 when paid
	CurrencyRef  *Ref          `json:",omitempty"`
	Sparse       bool          `json:"sparse,omitempty"`
	Domain       string        `json:"domain,omitempty"`
	Status       string        `json:"status,omitempty"` // "Deleted" in a delete's answer
	MetaData     MetaData      `json:",omitzero"`
}

// CreditMemo is money owed back to a customer (a write-off, a refund
// due); it is applied to invoices by a Payment linking both. QBO cannot
// void a credit memo; it can only delete one.
type CreditMemo struct {
	ID              string        `json:"Id,omitempty"`
	SyncToken       string        `json:",omitempty"`
	DocNumber       string        `json:",omitempty"`
	TxnDate         string        `json:",omitempty"`
	CustomerRef     *Ref          `json:",omitempty"`
	ClassRef        *Ref          `json:",omitempty"`
	PrivateNote     string        `json:",omitempty"`
	CustomerMemo    *MemoRef      `json:",omitempty"`
	BillEmail       *EmailAddress `json:",omitempty"`
	LinkedTxn       []LinkedTxn   `json:",omitempty"`
	Line            []Line        `json:",omitempty"`
	TotalAmt        *Amount       `json:",omitempty"` // read-only
	Balance         *Amount       `json:",omitempty"` // read-only
	RemainingCredit *Amount       `json:",omitempty"` // read-only
	CurrencyRef     *Ref          `json:",omitempty"`
	Sparse          bool          `json:"sparse,omitempty"`
	Domain          string        `json:"domain,omitempty"`
	Status          string        `json:"status,omitempty"`
	MetaData        MetaData      `json:",omitzero"`
}

// Payment is money received from a customer. TotalAmt is required (a
// pointer, so that a sparse update without it leaves it alone; a payment
// that only applies a credit memo has TotalAmt 0). Its Lines apply it to
// invoices; what they leave over is UnappliedAmt, a credit.
// DepositToAccountRef defaults to Undeposited Funds. Void it with
// Client.Void; once deposited it can be neither changed nor voided (6540).
type Payment struct {
	ID                  string   `json:"Id,omitempty"`
	SyncToken           string   `json:",omitempty"`
	DocNumber           string   `json:",omitempty"`
	TxnDate             string   `json:",omitempty"`
	CustomerRef         *Ref     `json:",omitempty"`
	DepositToAccountRef *Ref     `json:",omitempty"`
	PaymentMethodRef    *Ref     `json:",omitempty"`
	PaymentRefNum       string   `json:",omitempty"` // e.g. the check number
	TotalAmt            *Amount  `json:",omitempty"`
	UnappliedAmt        *Amount  `json:",omitempty"` // read-only
	PrivateNote         string   `json:",omitempty"`
	ProcessPayment      *bool    `json:",omitempty"`
	Line                []Line   `json:",omitempty"`
	CurrencyRef         *Ref     `json:",omitempty"`
	Sparse              bool     `json:"sparse,omitempty"`
	Domain              string   `json:"domain,omitempty"`
	Status              string   `json:"status,omitempty"`
	MetaData            MetaData `json:",omitzero"`
}

// CashBack is the part of a deposit kept as cash.
type CashBack struct {
	AccountRef *Ref `json:",omitempty"`
	Amount     Amount
	Memo       string `json:",omitempty"`
}

// Deposit puts money into a bank (or other current asset) account:
// payments from Undeposited Funds (lines with LinkedTxn) or money booked
// straight to an account (lines with DepositLineDetail), such as client
// funds received into trust. DepositToAccountRef is required.
type Deposit struct {
	ID                  string      `json:"Id,omitempty"`
	SyncToken           string      `json:",omitempty"`
	DocNumber           string      `json:",omitempty"`
	TxnDate             string      `json:",omitempty"`
	DepositToAccountRef *Ref        `json:",omitempty"`
	PrivateNote         string      `json:",omitempty"`
	Line                []Line      `json:",omitempty"`
	CashBack            *CashBack   `json:",omitempty"`
	TotalAmt            *Amount     `json:",omitempty"` // read-only
	CurrencyRef         *Ref        `json:",omitempty"`
	LinkedTxn           []LinkedTxn `json:",omitempty"`
	Sparse              bool        `json:"sparse,omitempty"`
	Domain              string      `json:"domain,omitempty"`
	Status              string      `json:"status,omitempty"`
	MetaData            MetaData    `json:",omitzero"`
}

// Purchase is an expense, a check or a card charge (PaymentType Cash,
// Check or CreditCard; required). AccountRef, required, is the bank or
// credit card account it is paid from; EntityRef the payee, with its type
// ({"value":"42","type":"Vendor"}); DocNumber the check number. TotalAmt
// is computed by QBO from the lines.
type Purchase struct {
	ID          string      `json:"Id,omitempty"`
	SyncToken   string      `json:",omitempty"`
	PaymentType string      `json:",omitempty"`
	AccountRef  *Ref        `json:",omitempty"`
	EntityRef   *Ref        `json:",omitempty"`
	DocNumber   string      `json:",omitempty"`
	TxnDate     string      `json:",omitempty"`
	PrivateNote string      `json:",omitempty"`
	Credit      *bool       `json:",omitempty"` // a card refund
	PrintStatus string      `json:",omitempty"` // Check only
	Line        []Line      `json:",omitempty"`
	TotalAmt    *Amount     `json:",omitempty"` // read-only
	CurrencyRef *Ref        `json:",omitempty"`
	LinkedTxn   []LinkedTxn `json:",omitempty"`
	Sparse      bool        `json:"sparse,omitempty"`
	Domain      string      `json:"domain,omitempty"`
	Status      string      `json:"status,omitempty"`
	MetaData    MetaData    `json:",omitzero"`
}

// JournalEntry is a balanced set of debits and credits, e.g. a trust
// transfer or a write-off.
type JournalEntry struct {
	ID          string   `json:"Id,omitempty"`
	SyncToken   string   `json:",omitempty"`
	DocNumber   string   `json:",omitempty"`
	TxnDate     string   `json:",omitempty"`
	PrivateNote string   `json:",omitempty"`
	Adjustment  *bool    `json:",omitempty"`
	Line        []Line   `json:",omitempty"`
	TotalAmt    *Amount  `json:",omitempty"` // read-only
	CurrencyRef *Ref     `json:",omitempty"`
	Sparse      bool     `json:"sparse,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Status      string   `json:"status,omitempty"`
	MetaData    MetaData `json:",omitzero"`
}

// TrackingClass is QBO's Class entity (named so here because Class is the
// class of an error): it tags lines and transactions for reporting, e.g.
// by practice area or office. Ids are large ("5000000000000007280"): never assume small
// integers. Classes cannot be deleted; make them inactive.
type TrackingClass struct {
	ID                 string   `json:"Id,omitempty"`
	SyncToken          string   `json:",omitempty"`
	Name               string   `json:",omitempty"`
	SubClass           *bool    `json:",omitempty"`
	ParentRef          *Ref     `json:",omitempty"`
	FullyQualifiedName string   `json:",omitempty"` // read-only
	Active             *bool    `json:",omitempty"`
	Sparse             bool     `json:"sparse,omitempty"`
	Domain             string   `json:"domain,omitempty"`
	MetaData           MetaData `json:",omitzero"`
}

// EntityName implements Entity.
func (Invoice) EntityName() string { return "Invoice" }

// EntityName implements Entity.
func (CreditMemo) EntityName() string { return "CreditMemo" }

// EntityName implements Entity.
func (Payment) EntityName() string { return "Payment" }

// EntityName implements Entity.
func (Deposit) EntityName() string { return "Deposit" }

// EntityName implements Entity.
func (Purchase) EntityName() string { return "Purchase" }

// EntityName implements Entity.
func (JournalEntry) EntityName() string { return "JournalEntry" }

// EntityName implements Entity.
func (TrackingClass) EntityName() string { return "Class" }
