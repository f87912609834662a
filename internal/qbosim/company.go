package qbosim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// companyInfoKind is read-only here: it is created with the company and
// served by GET /companyinfo/{realmId} and queries.
var companyInfoKind = &kind{
	name: "CompanyInfo", resource: "companyinfo", idSeq: "companyinfo", readOnly: true,
	fields: mergeFields(entityBaseFields, fields{
		"CompanyName": tString, "LegalName": tString, "CompanyAddr": tObject,
		"CustomerCommunicationAddr": tObject, "LegalAddr": tObject, "CustomerCommunicationEmailAddr": tObject,
		"PrimaryPhone": tObject, "CompanyStartDate": tDate, "EmployerId": tString,
		"FiscalYearStartMonth": tString, "Country": tString, "Email": tObject, "WebAddr": tObject,
		"SupportedLanguages": tString, "NameValue": tArray, "DefaultTimeZone": tString,
	}),
}

// realmBase makes realm ids look like Intuit's 16-digit sandbox ids.
const realmBase = 9341000000000000

// newRealmID returns a realm id no other sandbox is likely to have given out. Intuit's
// realm ids are unique across all companies; a sandbox that handed out the same ids
// again after losing its state would let an application's stored mappings point into a
// different company without noticing.
func (s *Server) newRealmIDLocked() string {
	for {
		id := strconv.FormatUint(realmBase+rand.Uint64N(1_000_000_000_000), 10)
		if _, taken := s.companies[id]; !taken {
			return id
		}
	}
}

// newRealmLocked creates an unpublished company with its CompanyInfo and
// the system accounts every QBO company has. The caller holds s.mu.
func (s *Server) newRealmLocked(name string, now time.Time) *company {
	s.nextRealm++
	c := newCompany(s.newRealmIDLocked())
	addr := map[string]any{
		"Id": "1", "Line1": "123 Sierra Way", "City": "San Pablo",
		"CountrySubDivisionCode": "CA", "PostalCode": "87999",
	}
	info := map[string]any{
		"Id": c.nextID(companyInfoKind.idSeq), "SyncToken": "0",
		"MetaData": map[string]any{
			"CreateTime":      now.In(s.loc).Format(metaTimeLayout),
			"LastUpdatedTime": now.In(s.loc).Format(metaTimeLayout),
		},
		"CompanyName": name, "LegalName": name,
		"CompanyAddr": addr, "CustomerCommunicationAddr": cloneMap(addr), "LegalAddr": cloneMap(addr),
		"CustomerCommunicationEmailAddr": map[string]any{"Address": "noreply@quickbooks.com"},
		"Email":                          map[string]any{"Address": "noreply@quickbooks.com"},
		"PrimaryPhone":                   map[string]any{}, "WebAddr": map[string]any{},
		"CompanyStartDate":     now.In(s.loc).Format(dateLayout),
		"FiscalYearStartMonth": "January", "Country": "US", "SupportedLanguages": "en",
		"DefaultTimeZone": s.loc.String(),
		"NameValue": []any{
			nameValue("NeoEnabled", "true"), nameValue("IndustryType", "Legal Services"),
			nameValue("SubscriptionStatus", "SUBSCRIBED"), nameValue("OfferingSku", "QuickBooks Online Plus"),
			nameValue("PayrollFeature", "false"), nameValue("AccountantFeature", "false"),
			nameValue("ItemCategoriesFeature", "true"),
		},
	}
	c.put(companyInfoKind, &record{id: stringField(info, "Id"), data: info})
	c.put(preferencesKind, newPreferences(c, now, s.loc))

	// QBO creates these with every company; payments default to
	// Undeposited Funds, so it must exist before any sync runs.
	s.mustCreate(c, accountKind, now,
		map[string]any{"Name": "Undeposited Funds", "AccountType": "Other Current Asset", "AccountSubType": "UndepositedFunds"},
		map[string]any{"Name": "Opening Balance Equity", "AccountType": "Equity", "AccountSubType": "OpeningBalanceEquity"},
		map[string]any{"Name": "Retained Earnings", "AccountType": "Equity", "AccountSubType": "RetainedEarnings"},
	)
	return c
}

func nameValue(name, value string) map[string]any {
	return map[string]any{"Name": name, "Value": value}
}

// mustCreate seeds entities through the normal write pipeline, so seed data
// obeys the same rules as API writes. A failure is a bug in the seed.
func (s *Server) mustCreate(c *company, k *kind, now time.Time, bodies ...map[string]any) []string {
	ids := make([]string, len(bodies))
	for i, b := range bodies {
		r, f := s.write(c, k, b, now, writeOpts{})
		if f != nil {
			panic(fmt.Sprintf("qbosim: seeding %s %v: %v", k.name, b, f))
		}
		ids[i] = r.id
	}
	return ids
}

// seedSample fills c like an Intuit sandbox company: a small chart of
// accounts, service items, customers (one with jobs) and vendors. The demo
// relies on the vendor named exactly "Hall Properties" to show a name clash
// with a practice client of the same name.
func (s *Server) seedSample(c *company, now time.Time) {
	ref := func(id string) map[string]any { return map[string]any{"value": id} }
	addr := func(line, city, zip string) map[string]any {
		return map[string]any{"Line1": line, "City": city, "CountrySubDivisionCode": "CA", "PostalCode": zip}
	}
	email := func(a string) map[string]any { return map[string]any{"Address": a} }
	phone := func(n string) map[string]any { return map[string]any{"FreeFormNumber": n} }

	acct := func(name, typ, sub string) map[string]any {
		return map[string]any{"Name": name, "AccountType": typ, "AccountSubType": sub}
	}
	ids := s.mustCreate(c, accountKind, now,
		acct("Checking", "Bank", "Checking"),
		acct("Savings", "Bank", "Savings"),
		acct("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
		acct("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
		acct("Visa", "Credit Card", "CreditCard"),
		acct("Services", "Income", "ServiceFeeIncome"),
		acct("Sales of Product Income", "Income", "SalesOfProductIncome"),
		acct("Legal & Professional Fees", "Expense", "LegalProfessionalFees"),
		acct("Insurance", "Expense", "Insurance"),
		acct("Rent or Lease", "Expense", "RentOrLeaseOfBuildings"),
		acct("Bank Charges", "Expense", "BankCharges"),
		acct("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses"),
	)
	services := ids[5]
	s.mustCreate(c, itemKind, now,
		map[string]any{"Name": "Services", "Type": "Service", "IncomeAccountRef": ref(services)},
		map[string]any{"Name": "Hours", "Type": "Service", "IncomeAccountRef": ref(services), "UnitPrice": "150"},
	)

	customers := s.mustCreate(c, customerKind, now,
		map[string]any{"DisplayName": "Amy's Bird Sanctuary", "GivenName": "Amy", "FamilyName": "Lauterbach",
			"CompanyName": "Amy's Bird Sanctuary", "PrimaryEmailAddr": email("Birds@Intuit.com"),
			"PrimaryPhone": phone("(650) 555-3311"), "BillAddr": addr("4581 Finch St.", "Bayshore", "94326")},
		map[string]any{"DisplayName": "Bill's Windsurf Shop", "GivenName": "Bill", "FamilyName": "Lucchini",
			"CompanyName": "Bill's Windsurf Shop", "PrimaryEmailAddr": email("Surf@Intuit.com"),
			"PrimaryPhone": phone("(415) 444-6538"), "BillAddr": addr("12 Ocean Dr.", "Half Moon Bay", "94213")},
		map[string]any{"DisplayName": "Cool Cars", "GivenName": "Grace", "FamilyName": "Pariente",
			"CompanyName": "Cool Cars", "PrimaryEmailAddr": email("Cool_Cars@intuit.com"),
			"PrimaryPhone": phone("(415) 555-9933"), "BillAddr": addr("65 Ocean Dr.", "Half Moon Bay", "94213")},
		map[string]any{"DisplayName": "Freeman Sporting Goods", "GivenName": "Sasha", "FamilyName": "Tillou",
			"CompanyName": "Freeman Sporting Goods", "PrimaryEmailAddr": email("Sporting_goods@intuit.com"),
			"BillAddr": addr("370 Easy St.", "Middlefield", "94482")},
	)
	freeman := customers[3]
	s.mustCreate(c, customerKind, now,
		map[string]any{"DisplayName": "0969 Ocean View Road", "Job": true, "ParentRef": ref(freeman), "BillWithParent": true},
		map[string]any{"DisplayName": "55 Twin Lane", "Job": true, "ParentRef": ref(freeman), "BillWithParent": true},
	)

	s.mustCreate(c, vendorKind, now,
		map[string]any{"DisplayName": "Hall Properties", "GivenName": "Melanie", "FamilyName": "Hall",
			"CompanyName": "Hall Properties", "PrimaryPhone": phone("(973) 555-3827"),
			"BillAddr": addr("P.O.Box 357", "South Orange", "07079")},
		map[string]any{"DisplayName": "Brosnahan Insurance Agency", "GivenName": "Nick", "FamilyName": "Brosnahan",
			"CompanyName": "Brosnahan Insurance Agency", "PrimaryPhone": phone("(650) 555-9912"),
			"BillAddr": addr("P.O. Box 5", "Middlefield", "94303")},
		map[string]any{"DisplayName": "Norton Lumber and Building Materials", "CompanyName": "Norton Lumber and Building Materials",
			"PrimaryEmailAddr": email("Materials@intuit.com"), "BillAddr": addr("4528 Bay Blvd.", "Middlefield", "94303")},
		map[string]any{"DisplayName": "PG&E", "CompanyName": "PG&E", "PrimaryPhone": phone("(888) 555-9465"),
			"BillAddr": addr("4 Brown St.", "Palo Alto", "94303")},
	)
}
