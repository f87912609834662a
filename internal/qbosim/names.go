package qbosim

import "strings"

// Customer and Vendor: the "name" entities that share one DisplayName
// namespace and one id sequence (as in QBO, where Customer and Vendor ids
// never coincide).

// nameBaseFields is the XSD NameBase shared by Customer, Vendor and Employee.
var nameBaseFields = fields{
	"IntuitId": tString, "Organization": tBool, "Title": tString, "GivenName": tString,
	"MiddleName": tString, "FamilyName": tString, "Suffix": tString, "FullyQualifiedName": tString,
	"CompanyName": tString, "DisplayName": tString, "PrintOnCheckName": tString, "UserId": tString,
	"Active": tBool, "V4IDPseudonym": tString, "PrimaryPhone": tObject, "AlternatePhone": tObject,
	"Mobile": tObject, "Fax": tObject, "PrimaryEmailAddr": tObject, "WebAddr": tObject,
	"OtherContactInfo": tArray, "DefaultTaxCodeRef": tRef,
}

var customerKind = &kind{
	name: "Customer", resource: "customer", idSeq: "name",
	nameList: true, uniqueKey: true,
	fields: mergeFields(entityBaseFields, nameBaseFields, fields{
		"Taxable": tBool, "BillAddr": tObject, "ShipAddr": tObject, "OtherAddr": tArray,
		"ContactName": tString, "AltContactName": tString, "Notes": tString, "Job": tBool,
		"BillWithParent": tBool, "RootCustomerRef": tRef, "ParentRef": tRef, "Level": tInt,
		"CustomerTypeRef": tRef, "SalesTermRef": tRef, "SalesRepRef": tRef, "TaxGroupCodeRef": tRef,
		"TaxRateRef": tRef, "PaymentMethodRef": tRef, "CCDetail": tObject, "PriceLevelRef": tRef,
		"Balance": tNumber, "OpenBalanceDate": tDate, "BalanceWithJobs": tNumber, "CreditLimit": tNumber,
		"AcctNum": tString, "CurrencyRef": tRef, "OverDueBalance": tNumber, "TotalRevenue": tNumber,
		"TotalExpense": tNumber, "PreferredDeliveryMethod": tString, "ResaleNum": tString,
		"JobInfo": tObject, "TDSEnabled": tBool, "CustomerEx": tAny, "SecondaryTaxIdentifier": tString,
		"ARAccountRef": tRef, "PrimaryTaxIdentifier": tString, "TaxExemptionReasonId": tAny,
		"IsProject": tBool, "BusinessNumber": tString, "GSTIN": tString, "GSTRegistrationType": tString,
		"IsCISContractor": tBool, "ClientCompanyId": tString, "ClientEntityId": tString, "Source": tString,
	}),
	derived:       []string{"FullyQualifiedName", "Level", "BalanceWithJobs", "RootCustomerRef", "V4IDPseudonym", "OverDueBalance", "TotalRevenue", "TotalExpense"},
	writeOnCreate: []string{"Balance", "OpenBalanceDate", "CurrencyRef"},
	refTargets:    map[string]string{"ParentRef": "Customer", "ARAccountRef": "Account"},
	refNameField:  "DisplayName",
	hier: &hierarchy{
		nameField: "DisplayName", flagField: "Job", levelField: "Level",
		rollupFrom: "Balance", rollupTo: "BalanceWithJobs",
	},
}

var vendorKind = &kind{
	name: "Vendor", resource: "vendor", idSeq: "name",
	nameList: true, uniqueKey: true,
	fields: mergeFields(entityBaseFields, nameBaseFields, fields{
		"ContactName": tString, "AltContactName": tString, "Notes": tString, "BillAddr": tObject,
		"ShipAddr": tObject, "OtherAddr": tArray, "TaxCountry": tString, "TaxIdentifier": tString,
		"TaxIdEffectiveDate": tDate, "BusinessNumber": tString, "ParentRef": tRef, "VendorTypeRef": tRef,
		"TermRef": tRef, "PrefillAccountRef": tRef, "Balance": tNumber, "BillRate": tNumber,
		"OpenBalanceDate": tDate, "CreditLimit": tNumber, "AcctNum": tString, "Vendor1099": tBool,
		"T4AEligible": tBool, "T5018Eligible": tBool, "CurrencyRef": tRef, "TDSEnabled": tBool,
		"TDSEntityTypeId": tInt, "TDSSectionTypeId": tInt, "TDSOverrideThreshold": tBool,
		"TaxReportingBasis": tString, "APAccountRef": tRef, "VendorEx": tAny, "GSTIN": tString,
		"GSTRegistrationType": tString, "IsSubContractor": tBool, "SubcontractorType": tString,
		"CISRate": tString, "HasTPAR": tBool, "VendorPaymentBankDetail": tObject, "Source": tString,
	}),
	derived:       []string{"FullyQualifiedName", "V4IDPseudonym"},
	writeOnCreate: []string{"Balance", "OpenBalanceDate", "CurrencyRef"},
	refTargets:    map[string]string{"APAccountRef": "Account", "PrefillAccountRef": "Account"},
	refNameField:  "DisplayName",
}

// prepareParty applies the rules Customer and Vendor share.
func prepareParty(w *writeCtx) *fault {
	if f := w.checkStrings(
		nameRule("Title", 16), nameRule("GivenName", 100), nameRule("MiddleName", 100),
		nameRule("FamilyName", 100), nameRule("Suffix", 16), nameRule("DisplayName", 500),
		nameRule("PrintOnCheckName", 110), textRule("CompanyName", 100), textRule("Notes", 2000),
	); f != nil {
		return f
	}
	if stringField(w.body, "DisplayName") == "" {
		// "If not supplied, the system generates DisplayName by concatenating
		// Title, GivenName, MiddleName, FamilyName and Suffix."
		var parts []string
		for _, f := range []string{"Title", "GivenName", "MiddleName", "FamilyName", "Suffix"} {
			if v := stringField(w.body, f); v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) == 0 {
			return errRequired("DisplayName")
		}
		w.body["DisplayName"] = strings.Join(parts, " ")
		if f := w.checkStrings(nameRule("DisplayName", 500)); f != nil {
			return f
		}
	}
	if f := w.checkEmail(); f != nil {
		return f
	}
	w.setDefault("Active", true)
	if f := w.checkUnique("DisplayName", kinds.uniqueKeys...); f != nil {
		return f
	}
	if _, ok := w.body["PrintOnCheckName"]; !ok {
		name := stringField(w.body, "CompanyName")
		if name == "" {
			name = stringField(w.body, "DisplayName")
		}
		w.body["PrintOnCheckName"] = truncateRunes(name, 110)
	}
	w.setDefault("Balance", zero)
	w.setDefault("CurrencyRef", homeCurrency())
	return nil
}

func prepareCustomer(w *writeCtx) *fault {
	if f := prepareParty(w); f != nil {
		return f
	}
	if refValue(w.body["ParentRef"]) == "" && boolField(w.input, "Job", false) {
		return errRequired("ParentRef")
	}
	parent, level, f := w.resolveParent()
	if f != nil {
		return f
	}
	if parent == nil && boolField(w.body, "BillWithParent", false) {
		return errBusiness("BillWithParent is valid only for a sub-customer or job.")
	}
	w.setHierarchyFields(parent, level)
	w.setDefault("BillWithParent", false)
	w.setDefault("Taxable", false)
	w.setDefault("PreferredDeliveryMethod", "Print")
	switch m := stringField(w.body, "PreferredDeliveryMethod"); m {
	case "Print", "Email", "None":
	default:
		return errInvalidEnum("PreferredDeliveryMethod", m)
	}
	if w.creating() {
		return w.postOpeningBalance()
	}
	return nil
}

// postOpeningBalance books a new customer's opening Balance: Dr Accounts
// Receivable (the customer), Cr Opening Balance Equity, dated
// OpenBalanceDate. The Balance keeps the value as written; the ledger holds
// it rounded to the cent.
func (w *writeCtx) postOpeningBalance() *fault {
	bal, ok := w.body["Balance"]
	if !ok {
		return nil
	}
	w.body[keyOpening] = bal
	cents := roundCents(bal)
	if cents == 0 {
		return nil
	}
	ar, f := w.s.receivableAccount(w.c, w.now)
	if f != nil {
		return f
	}
	return w.openingPostings(posting{Account: ar.id, Entity: w.reserveID(), EntityType: customerKind.name, Receivable: true},
		cents, "OpenBalanceDate")
}

func prepareVendor(w *writeCtx) *fault {
	if f := prepareParty(w); f != nil {
		return f
	}
	w.setDefault("Vendor1099", false)
	w.body["FullyQualifiedName"] = stringField(w.body, "DisplayName")
	return nil
}

// fullyQualified joins a parent's FullyQualifiedName and a child's name.
func fullyQualified(parent *record, name string) string {
	if parent == nil {
		return name
	}
	return stringField(parent.data, "FullyQualifiedName") + ":" + name
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
