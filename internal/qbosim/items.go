package qbosim

var itemKind = &kind{
	name: "Item", resource: "item", idSeq: "item", nameList: true,
	fields: mergeFields(entityBaseFields, fields{
		"Name": tString, "Sku": tString, "Description": tString, "Active": tBool, "SubItem": tBool,
		"ParentRef": tRef, "Level": tInt, "FullyQualifiedName": tString, "Taxable": tBool,
		"SalesTaxIncluded": tBool, "PercentBased": tBool, "UnitPrice": tNumber, "RatePercent": tNumber,
		"Type": tString, "PaymentMethodRef": tRef, "UOMSetRef": tRef, "IncomeAccountRef": tRef,
		"PurchaseDesc": tString, "PurchaseTaxIncluded": tBool, "PurchaseCost": tNumber,
		"ExpenseAccountRef": tRef, "COGSAccountRef": tRef, "AssetAccountRef": tRef, "PrefVendorRef": tRef,
		"AvgCost": tNumber, "TrackQtyOnHand": tBool, "QtyOnHand": tNumber, "QtyOnPurchaseOrder": tNumber,
		"QtyOnSalesOrder": tNumber, "ReorderPoint": tNumber, "ManPartNum": tString,
		"DepositToAccountRef": tRef, "SalesTaxCodeRef": tRef, "PurchaseTaxCodeRef": tRef,
		"InvStartDate": tDate, "BuildPoint": tNumber, "PrintGroupedItems": tBool, "SpecialItem": tBool,
		"SpecialItemType": tString, "ItemGroupDetail": tObject, "ItemAssemblyDetail": tObject,
		"AbatementRate": tNumber, "ReverseChargeRate": tNumber, "ServiceType": tString,
		"ItemCategoryType": tString, "ItemEx": tAny, "TaxClassificationRef": tRef, "UQCDisplayText": tString,
		"UQCId": tString, "ClassRef": tRef, "Source": tString, "DeferredRevenue": tBool,
	}),
	derived: []string{"FullyQualifiedName", "Level", "AvgCost", "QtyOnPurchaseOrder", "QtyOnSalesOrder"},
	refTargets: map[string]string{
		"ParentRef": "Item", "IncomeAccountRef": "Account", "ExpenseAccountRef": "Account",
		"AssetAccountRef": "Account", "COGSAccountRef": "Account", "DepositToAccountRef": "Account",
		"PrefVendorRef": "Vendor",
	},
	refNameField: "Name",
	hier: &hierarchy{
		nameField: "Name", flagField: "SubItem", levelField: "Level",
		parentOK: func(parent *record) *fault {
			// "Items — the things the company sells — cannot have children."
			if stringField(parent.data, "Type") != "Category" {
				return errInvalidReference("ParentRef", parent.id, "the parent of an item must be a Category")
			}
			return nil
		},
	},
}

func prepareItem(w *writeCtx) *fault {
	if _, f := w.requireName("Name"); f != nil {
		return f
	}
	if f := w.checkStrings(
		nameRule("Name", 100), textRule("Sku", 100), textRule("Description", 4000), textRule("PurchaseDesc", 1000),
	); f != nil {
		return f
	}
	typ := stringField(w.body, "Type")
	switch typ {
	case "":
		// Required since minor version 4; the sandbox always speaks 75.
		return errRequired("Type")
	case "Service", "NonInventory", "Inventory", "Category":
	default:
		// Group (bundle) creation "via the QuickBooks Online API is not
		// supported"; other ItemTypeEnum values are system items.
		return errInvalidEnum("Type", typ)
	}
	if !w.creating() && stringField(w.old.data, "Type") != typ {
		return errBusiness("Item Type cannot be changed from " + stringField(w.old.data, "Type") + " to " + typ + ".")
	}

	income, f := w.optionalRef("IncomeAccountRef", accountKind, typ == "Service" || typ == "Inventory")
	if f != nil {
		return f
	}
	// The "income" account of an item is where its sales post, and QBO takes more
	// than income accounts there: Intuit's own steps for writing off bad debt give a
	// bad debt item the Bad debts expense account, and firms give a retainer item a
	// customer-deposits liability. Balance-sheet assets, Accounts Payable and equity
	// are refused here (kept from before; not confirmed against QBO).
	if income != nil && !itemIncomeAccountOK(income) {
		return errInvalidReference("IncomeAccountRef", income.id, "an income, expense or liability account is required")
	}
	expense, f := w.optionalRef("ExpenseAccountRef", accountKind, typ == "Inventory")
	if f != nil {
		return f
	}
	if typ == "NonInventory" && income == nil && expense == nil {
		return errRequired("IncomeAccountRef")
	}
	if _, f := w.optionalRef("AssetAccountRef", accountKind, typ == "Inventory"); f != nil {
		return f
	}
	if _, f := w.optionalRef("PrefVendorRef", vendorKind, false); f != nil {
		return f
	}
	if typ == "Inventory" {
		for _, field := range []string{"QtyOnHand", "InvStartDate"} {
			if _, ok := w.body[field]; !ok {
				return errRequired(field)
			}
		}
		w.body["TrackQtyOnHand"] = true
	}

	parent, level, f := w.resolveParent()
	if f != nil {
		return f
	}
	w.setHierarchyFields(parent, level)
	w.setDefault("Active", true)
	// "Name of the item. This value is unique." The sandbox reads that as
	// unique across all items, whatever their category. [U]
	if f := w.checkUnique("Name", w.k); f != nil {
		return f
	}
	if typ != "Category" {
		w.setDefault("Taxable", false)
		w.setDefault("UnitPrice", zero)
		w.setDefault("PurchaseCost", zero)
		w.setDefault("TrackQtyOnHand", false)
	}
	return nil
}

// itemIncomeAccountOK says whether an account can be an item's IncomeAccountRef:
// revenue, expense or a liability other than Accounts Payable.
func itemIncomeAccountOK(a *record) bool {
	switch stringField(a.data, "Classification") {
	case "Revenue", "Expense":
		return true
	case "Liability":
		return stringField(a.data, "AccountType") != "Accounts Payable"
	}
	return false
}
