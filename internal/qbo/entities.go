package qbo

import "time"

// The types in this file mirror QBO's JSON: field names are QBO's, so the
// standard encoding/json rules apply without per-field tags beyond
// omitempty. Every writable field is optional on the wire and tagged
// omitempty, so that a sparse update (Sparse: true) sends only what the
// caller set. Where QBO treats "absent" differently from the zero value
// (false, 0), the field is a pointer: Active: nil leaves a record's status
// alone, Active: new(false) makes it inactive.
//
// Read-only fields (Level, FullyQualifiedName, Balance after create, ...)
// are decoded from responses; QBO ignores them on input.

// An Entity is a QBO object with a name of its own: the name QBO uses as
// the response envelope key and, lower-cased, as the resource path.
type Entity interface {
	EntityName() string
}

// Ref is a reference to another QBO object, such as a CustomerRef or an
// AccountRef. Value holds the referenced object's Id; Name is informative
// and optional on input.
type Ref struct {
	Value string `json:"value"`
	Name  string `json:"name,omitempty"`
	Type  string `json:"type,omitempty"`
}

// MetaData holds the server-maintained timestamps of an entity.
type MetaData struct {
	CreateTime      time.Time `json:",omitzero"`
	LastUpdatedTime time.Time `json:",omitzero"`
}

// EmailAddress is QBO's wrapper for an e-mail address.
type EmailAddress struct {
	Address string `json:",omitempty"`
}

// TelephoneNumber is QBO's wrapper for a phone number.
type TelephoneNumber struct {
	FreeFormNumber string `json:",omitempty"`
}

// PhysicalAddress is a postal address.
type PhysicalAddress struct {
	ID                     string `json:"Id,omitempty"`
	Line1                  string `json:",omitempty"`
	Line2                  string `json:",omitempty"`
	Line3                  string `json:",omitempty"`
	City                   string `json:",omitempty"`
	CountrySubDivisionCode string `json:",omitempty"`
	PostalCode             string `json:",omitempty"`
	Country                string `json:",omitempty"`
}

// NameValue is a free-form name/value pair, as in CompanyInfo.NameValue.
type NameValue struct {
	Name  string
	Value string
}

// Customer is a client or, with Job set and a ParentRef, a matter filed
// under a client (QBO calls these sub-customers or jobs).
//
// DisplayName must be unique across customers, vendors and employees and
// must not contain ':', tab or newline.
type Customer struct {
	ID                 string           `json:"Id,omitempty"`
	SyncToken          string           `json:",omitempty"`
	DisplayName        string           `json:",omitempty"`
	Title              string           `json:",omitempty"`
	GivenName          string           `json:",omitempty"`
	MiddleName         string           `json:",omitempty"`
	FamilyName         string           `json:",omitempty"`
	Suffix             string           `json:",omitempty"`
	CompanyName        string           `json:",omitempty"`
	PrintOnCheckName   string           `json:",omitempty"`
	PrimaryEmailAddr   *EmailAddress    `json:",omitempty"`
	PrimaryPhone       *TelephoneNumber `json:",omitempty"`
	Mobile             *TelephoneNumber `json:",omitempty"`
	BillAddr           *PhysicalAddress `json:",omitempty"`
	Notes              string           `json:",omitempty"`
	Job                *bool            `json:",omitempty"`
	ParentRef          *Ref             `json:",omitempty"`
	BillWithParent     *bool            `json:",omitempty"`
	FullyQualifiedName string           `json:",omitempty"` // read-only
	Level              int              `json:",omitempty"` // read-only; 0 is top level
	Active             *bool            `json:",omitempty"`
	Balance            *Amount          `json:",omitempty"` // opening balance on create, read-only after
	BalanceWithJobs    *Amount          `json:",omitempty"` // read-only
	CurrencyRef        *Ref             `json:",omitempty"`
	Sparse             bool             `json:"sparse,omitempty"`
	Domain             string           `json:"domain,omitempty"`
	MetaData           MetaData         `json:",omitzero"`
}

// Vendor is a supplier, e.g. a court, an expert or a process server.
// DisplayName shares its uniqueness rule with Customer.
type Vendor struct {
	ID               string           `json:"Id,omitempty"`
	SyncToken        string           `json:",omitempty"`
	DisplayName      string           `json:",omitempty"`
	Title            string           `json:",omitempty"`
	GivenName        string           `json:",omitempty"`
	FamilyName       string           `json:",omitempty"`
	CompanyName      string           `json:",omitempty"`
	PrintOnCheckName string           `json:",omitempty"`
	PrimaryEmailAddr *EmailAddress    `json:",omitempty"`
	PrimaryPhone     *TelephoneNumber `json:",omitempty"`
	BillAddr         *PhysicalAddress `json:",omitempty"`
	AcctNum          string           `json:",omitempty"`
	TaxIdentifier    string           `json:",omitempty"`
	Notes            string           `json:",omitempty"` // max 2000; holds qbosync's marker
	Vendor1099       *bool            `json:",omitempty"`
	Active           *bool            `json:",omitempty"`
	Balance          *Amount          `json:",omitempty"` // read-only
	CurrencyRef      *Ref             `json:",omitempty"`
	Sparse           bool             `json:"sparse,omitempty"`
	Domain           string           `json:"domain,omitempty"`
	MetaData         MetaData         `json:",omitzero"`
}

// Account is a ledger account. Client trust is conventionally a Bank
// account of subtype TrustAccounts balanced by an Other Current Liability
// of subtype TrustAccountsLiabilities.
type Account struct {
	ID                            string   `json:"Id,omitempty"`
	SyncToken                     string   `json:",omitempty"`
	Name                          string   `json:",omitempty"`
	AcctNum                       string   `json:",omitempty"`
	Description                   string   `json:",omitempty"`
	AccountType                   string   `json:",omitempty"`
	AccountSubType                string   `json:",omitempty"`
	Classification                string   `json:",omitempty"` // read-only
	SubAccount                    *bool    `json:",omitempty"`
	ParentRef                     *Ref     `json:",omitempty"`
	FullyQualifiedName            string   `json:",omitempty"` // read-only
	Active                        *bool    `json:",omitempty"`
	CurrentBalance                *Amount  `json:",omitempty"` // read-only
	CurrentBalanceWithSubAccounts *Amount  `json:",omitempty"` // read-only
	CurrencyRef                   *Ref     `json:",omitempty"`
	Sparse                        bool     `json:"sparse,omitempty"`
	Domain                        string   `json:"domain,omitempty"`
	MetaData                      MetaData `json:",omitzero"`
}

// Item is a product or service that appears on invoice lines, such as
// "Legal Services - Hourly".
//
// UnitPrice and PurchaseCost are rates, not sums of money: QBO allows more
// than two decimals in them, so they are Decimals, which keep the number's
// exact text.
type Item struct {
	ID                 string   `json:"Id,omitempty"`
	SyncToken          string   `json:",omitempty"`
	Name               string   `json:",omitempty"`
	Sku                string   `json:",omitempty"`
	Description        string   `json:",omitempty"`
	Type               string   `json:",omitempty"`
	Active             *bool    `json:",omitempty"`
	SubItem            *bool    `json:",omitempty"`
	ParentRef          *Ref     `json:",omitempty"`
	Level              int      `json:",omitempty"` // read-only
	FullyQualifiedName string   `json:",omitempty"` // read-only
	Taxable            *bool    `json:",omitempty"`
	UnitPrice          Decimal  `json:",omitempty"`
	PurchaseCost       Decimal  `json:",omitempty"`
	IncomeAccountRef   *Ref     `json:",omitempty"`
	ExpenseAccountRef  *Ref     `json:",omitempty"`
	Sparse             bool     `json:"sparse,omitempty"`
	Domain             string   `json:"domain,omitempty"`
	MetaData           MetaData `json:",omitzero"`
}

// CompanyInfo describes the connected QBO company. There is exactly one,
// and its Id is the realm ID.
type CompanyInfo struct {
	ID                   string           `json:"Id,omitempty"`
	SyncToken            string           `json:",omitempty"`
	CompanyName          string           `json:",omitempty"`
	LegalName            string           `json:",omitempty"`
	CompanyAddr          *PhysicalAddress `json:",omitempty"`
	LegalAddr            *PhysicalAddress `json:",omitempty"`
	Email                *EmailAddress    `json:",omitempty"`
	PrimaryPhone         *TelephoneNumber `json:",omitempty"`
	Country              string           `json:",omitempty"`
	CompanyStartDate     string           `json:",omitempty"` // a date, "2015-06-05"
	FiscalYearStartMonth string           `json:",omitempty"`
	DefaultTimeZone      string           `json:",omitempty"` // minor version 75
	SupportedLanguages   string           `json:",omitempty"`
	NameValue            []NameValue      `json:",omitempty"`
	Domain               string           `json:"domain,omitempty"`
	MetaData             MetaData         `json:",omitzero"`
}

// EntityName implements Entity.
func (Customer) EntityName() string { return "Customer" }

// EntityName implements Entity.
func (Vendor) EntityName() string { return "Vendor" }

// EntityName implements Entity.
func (Account) EntityName() string { return "Account" }

// EntityName implements Entity.
func (Item) EntityName() string { return "Item" }

// EntityName implements Entity.
func (CompanyInfo) EntityName() string { return "CompanyInfo" }
