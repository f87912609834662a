package qbosim

import "strings"

// accountType is one row of Intuit's AccountType -> AccountSubType table.
type accountType struct {
	name           string
	classification string
	defaultSub     string
	subtypes       []string
}

// accountTypes is the official table (Account API reference), including the
// sub-types added with minor version 13; the sandbox always speaks 75.
// Order matters only for deriving a type from a sub-type listed twice
// ("Utilities"): the first row wins.
var accountTypes = []accountType{
	{"Bank", "Asset", "CashOnHand", strings.Fields(`CashOnHand Checking MoneyMarket RentsHeldInTrust Savings
		TrustAccounts CashAndCashEquivalents OtherEarMarkedBankAccounts`)},
	{"Other Current Asset", "Asset", "EmployeeCashAdvances", strings.Fields(`AllowanceForBadDebts
		DevelopmentCosts EmployeeCashAdvances OtherCurrentAssets Inventory Investment_MortgageRealEstateLoans
		Investment_Other Investment_TaxExemptSecurities Investment_USGovernmentObligations LoansToOfficers
		LoansToOthers LoansToStockholders PrepaidExpenses Retainage UndepositedFunds AssetsAvailableForSale
		BalWithGovtAuthorities CalledUpShareCapitalNotPaid ExpenditureAuthorisationsAndLettersOfCredit
		GlobalTaxDeferred GlobalTaxRefund InternalTransfers OtherConsumables ProvisionsCurrentAssets
		ShortTermInvestmentsInRelatedParties ShortTermLoansAndAdvancesToRelatedParties TradeAndOtherReceivables`)},
	{"Fixed Asset", "Asset", "FurnitureAndFixtures", strings.Fields(`AccumulatedDepletion
		AccumulatedDepreciation DepletableAssets FixedAssetComputers FixedAssetCopiers FixedAssetFurniture
		FixedAssetPhone FixedAssetPhotoVideo FixedAssetSoftware FixedAssetOtherToolsEquipment
		FurnitureAndFixtures Land LeaseholdImprovements OtherFixedAssets AccumulatedAmortization Buildings
		IntangibleAssets MachineryAndEquipment Vehicles AssetsInCourseOfConstruction CapitalWip
		CumulativeDepreciationOnIntangibleAssets IntangibleAssetsUnderDevelopment LandAsset NonCurrentAssets
		ParticipatingInterests ProvisionsFixedAssets`)},
	{"Other Asset", "Asset", "Licenses", strings.Fields(`LeaseBuyout OtherLongTermAssets SecurityDeposits
		AccumulatedAmortizationOfOtherAssets Goodwill Licenses OrganizationalCosts AssetsHeldForSale
		AvailableForSaleFinancialAssets DeferredTax Investments LongTermInvestments
		LongTermLoansAndAdvancesToRelatedParties OtherIntangibleAssets OtherLongTermInvestments
		OtherLongTermLoansAndAdvances PrepaymentsAndAccruedIncome ProvisionsNonCurrentAssets`)},
	{"Accounts Receivable", "Asset", "AccountsReceivable", []string{"AccountsReceivable"}},
	{"Equity", "Equity", "OpeningBalanceEquity", strings.Fields(`OpeningBalanceEquity PartnersEquity
		RetainedEarnings AccumulatedAdjustment OwnersEquity PaidInCapitalOrSurplus PartnerContributions
		PartnerDistributions PreferredStock CommonStock TreasuryStock EstimatedTaxes Healthcare PersonalIncome
		PersonalExpense AccumulatedOtherComprehensiveIncome CalledUpShareCapital CapitalReserves
		DividendDisbursed EquityInEarningsOfSubsiduaries InvestmentGrants MoneyReceivedAgainstShareWarrants
		OtherFreeReserves ShareApplicationMoneyPendingAllotment ShareCapital Funds`)},
	{"Expense", "Expense", "Travel", strings.Fields(`AdvertisingPromotional BadDebts BankCharges
		CharitableContributions CommissionsAndFees Entertainment EntertainmentMeals EquipmentRental
		FinanceCosts GlobalTaxExpense Insurance InterestPaid LegalProfessionalFees OfficeExpenses
		OfficeGeneralAdministrativeExpenses OtherBusinessExpenses OtherMiscellaneousServiceCost
		PromotionalMeals RentOrLeaseOfBuildings RepairMaintenance ShippingFreightDelivery SuppliesMaterials
		Travel TravelMeals Utilities Auto CostOfLabor DuesSubscriptions PayrollExpenses TaxesPaid
		UnappliedCashBillPaymentExpense AmortizationExpense AppropriationsToDepreciation BorrowingCost
		DistributionCosts ExternalServices ExtraordinaryCharges IncomeTaxExpense
		LossOnDiscontinuedOperationsNetOfTax ManagementCompensation OtherCurrentOperatingCharges
		OtherExternalServices OtherRentalCosts OtherSellingExpenses ProjectStudiesSurveysAssessments
		PurchasesRebates ShippingAndDeliveryExpense StaffCosts Sundry TravelExpensesGeneralAndAdminExpenses
		TravelExpensesSellingExpense`)},
	{"Other Expense", "Expense", "Depreciation", strings.Fields(`Depreciation ExchangeGainOrLoss
		OtherMiscellaneousExpense PenaltiesSettlements Amortization GasAndFuel HomeOffice
		HomeOwnerRentalInsurance OtherHomeOfficeExpenses MortgageInterest RentAndLease RepairsAndMaintenance
		ParkingAndTolls Vehicle VehicleInsurance VehicleLease VehicleLoanInterest VehicleLoan
		VehicleRegistration VehicleRepairs OtherVehicleExpenses Utilities WashAndRoadServices
		DeferredTaxExpense Depletion ExceptionalItems ExtraordinaryItems IncomeTaxOtherExpense MatCredit
		PriorPeriodItems TaxRoundoffGainOrLoss`)},
	{"Cost of Goods Sold", "Expense", "CostOfLaborCos", strings.Fields(`EquipmentRentalCos
		OtherCostsOfServiceCos ShippingFreightDeliveryCos SuppliesMaterialsCogs CostOfLaborCos CostOfSales
		FreightAndDeliveryCost`)},
	{"Accounts Payable", "Liability", "AccountsPayable", strings.Fields(`AccountsPayable
		OutstandingDuesMicroSmallEnterprise OutstandingDuesOtherThanMicroSmallEnterprise`)},
	{"Credit Card", "Liability", "CreditCard", []string{"CreditCard"}},
	{"Long Term Liability", "Liability", "NotesPayable", strings.Fields(`NotesPayable
		OtherLongTermLiabilities ShareholderNotesPayable AccrualsAndDeferredIncome AccruedLongLermLiabilities
		AccruedVacationPayable BankLoans DebtsRelatedToParticipatingInterests DeferredTaxLiabilities
		GovernmentAndOtherPublicAuthorities GroupAndAssociates LiabilitiesRelatedToAssetsHeldForSale
		LongTermBorrowings LongTermDebit LongTermEmployeeBenefitObligations ObligationsUnderFinanceLeases
		OtherLongTermProvisions ProvisionForLiabilities ProvisionsNonCurrentLiabilities
		StaffAndRelatedLongTermLiabilityAccounts`)},
	{"Other Current Liability", "Liability", "OtherCurrentLiabilities", strings.Fields(`DirectDepositPayable
		LineOfCredit LoanPayable GlobalTaxPayable GlobalTaxSuspense OtherCurrentLiabilities PayrollClearing
		PayrollTaxPayable PrepaidExpensesPayable RentsInTrustLiability TrustAccountsLiabilities
		FederalIncomeTaxPayable InsurancePayable SalesTaxPayable StateLocalIncomeTaxPayable AccruedLiabilities
		CurrentLiabilities CurrentPortionEmployeeBenefitsObligations CurrentPortionOfObligationsUnderFinanceLeases
		CurrentTaxLiability DividendsPayable DutiesAndTaxes InterestPayables ProvisionForWarrantyObligations
		ProvisionsCurrentLiabilities ShortTermBorrowings SocialSecurityAgencies StaffAndRelatedLiabilityAccounts
		SundryDebtorsAndCreditors TradeAndOtherPayables`)},
	{"Income", "Revenue", "OtherPrimaryIncome", strings.Fields(`NonProfitIncome OtherPrimaryIncome
		SalesOfProductIncome ServiceFeeIncome DiscountsRefundsGiven UnappliedCashPaymentIncome CashReceiptIncome
		OperatingGrants OtherCurrentOperatingIncome OwnWorkCapitalized RevenueGeneral SalesRetail
		SalesWholesale SavingsByTaxScheme`)},
	{"Other Income", "Revenue", "OtherInvestmentIncome", strings.Fields(`DividendIncome InterestEarned
		OtherInvestmentIncome OtherMiscellaneousIncome TaxExemptInterest GainLossOnSaleOfFixedAssets
		GainLossOnSaleOfInvestments LossOnDisposalOfAssets OtherOperatingIncome
		UnrealisedLossOnSecuritiesNetOfTax`)},
}

// noSubAccountSubtypes cannot have sub-accounts nor be one (Account reference).
var noSubAccountSubtypes = map[string]bool{
	"OpeningBalanceEquity": true, "UndepositedFunds": true, "RetainedEarnings": true,
	"CashReceiptIncome": true, "CashExpenditureExpense": true, "ExchangeGainOrLoss": true,
}

func findAccountType(name string) (accountType, bool) {
	for _, t := range accountTypes {
		if t.name == name {
			return t, true
		}
	}
	return accountType{}, false
}

func typeOfSubtype(sub string) (accountType, bool) {
	for _, t := range accountTypes {
		for _, s := range t.subtypes {
			if s == sub {
				return t, true
			}
		}
	}
	return accountType{}, false
}

func (t accountType) hasSubtype(sub string) bool {
	for _, s := range t.subtypes {
		if s == sub {
			return true
		}
	}
	return false
}

var accountKind = &kind{
	name: "Account", resource: "account", idSeq: "account", nameList: true,
	fields: mergeFields(entityBaseFields, fields{
		"Name": tString, "SubAccount": tBool, "ParentRef": tRef, "Description": tString,
		"FullyQualifiedName": tString, "AccountAlias": tString, "TxnLocationType": tString, "Active": tBool,
		"Classification": tString, "AccountType": tString, "AccountSubType": tString, "AccountPurposes": tArray,
		"AcctNum": tString, "AcctNumExtn": tString, "BankNum": tString, "OpeningBalance": tNumber,
		"OpeningBalanceDate": tDate, "CurrentBalance": tNumber, "CurrentBalanceWithSubAccounts": tNumber,
		"CurrencyRef": tRef, "TaxAccount": tBool, "TaxCodeRef": tRef, "OnlineBankingEnabled": tBool,
		"FIName": tString, "JournalCodeRef": tRef, "AccountEx": tAny,
	}),
	derived:       []string{"FullyQualifiedName", "Classification", "CurrentBalanceWithSubAccounts"},
	writeOnCreate: []string{"OpeningBalance", "OpeningBalanceDate", "CurrencyRef"},
	preserved:     []string{"CurrentBalance"},
	refTargets:    map[string]string{"ParentRef": "Account"},
	refNameField:  "FullyQualifiedName",
	hier: &hierarchy{
		nameField: "Name", flagField: "SubAccount",
		rollupFrom: "CurrentBalance", rollupTo: "CurrentBalanceWithSubAccounts",
	},
}

func prepareAccount(w *writeCtx) *fault {
	if _, f := w.requireName("Name"); f != nil {
		return f
	}
	if f := w.checkStrings(
		stringRule{field: "Name", max: 100, forbidden: `"` + nameChars, trim: true},
		stringRule{field: "AcctNum", forbidden: ":"}, textRule("Description", 4000),
	); f != nil {
		return f
	}
	t, f := resolveAccountType(w.body)
	if f != nil {
		return f
	}
	w.body["AccountType"] = t.name
	w.body["Classification"] = t.classification
	sub := stringField(w.body, "AccountSubType")

	if refValue(w.body["ParentRef"]) == "" && boolField(w.input, "SubAccount", false) {
		return errRequired("ParentRef")
	}
	parent, level, f := w.resolveParent()
	if f != nil {
		return f
	}
	if parent != nil {
		if noSubAccountSubtypes[sub] || noSubAccountSubtypes[stringField(parent.data, "AccountSubType")] {
			return errBusiness("Accounts of detail type " + sub + " cannot have or be sub-accounts.")
		}
		if stringField(parent.data, "AccountType") != t.name {
			return errBusiness("A sub-account must have the same account type as its parent (" + stringField(parent.data, "AccountType") + ").")
		}
	}
	w.setHierarchyFields(parent, level)
	w.setDefault("Active", true)
	if f := w.checkUnique("FullyQualifiedName", w.k); f != nil {
		return f
	}
	if w.creating() {
		w.setDefault("CurrentBalance", zero)
		w.setDefault("CurrencyRef", homeCurrency())
		return w.postAccountOpening(sub)
	}
	return nil
}

// postAccountOpening books a new account's OpeningBalance against Opening
// Balance Equity, in the account's natural sign, dated OpeningBalanceDate.
func (w *writeCtx) postAccountOpening(sub string) *fault {
	ob, ok := w.body["OpeningBalance"]
	if !ok {
		return nil
	}
	w.body["CurrentBalance"] = ob
	cents := naturalSign(w.body) * roundCents(ob)
	if cents == 0 || sub == "OpeningBalanceEquity" {
		return nil
	}
	return w.openingPostings(posting{Account: w.reserveID()}, cents, "OpeningBalanceDate")
}

// resolveAccountType validates AccountType/AccountSubType and fills the
// missing one: the type's default sub-type, or the type a sub-type belongs to.
func resolveAccountType(body map[string]any) (accountType, *fault) {
	typeName := stringField(body, "AccountType")
	sub := stringField(body, "AccountSubType")
	switch {
	case typeName == "" && sub == "":
		return accountType{}, errRequired("AccountType")
	case typeName == "":
		t, ok := typeOfSubtype(sub)
		if !ok {
			return accountType{}, errInvalidEnum("AccountSubType", sub)
		}
		return t, nil
	}
	t, ok := findAccountType(typeName)
	if !ok {
		return accountType{}, errInvalidEnum("AccountType", typeName)
	}
	if sub == "" {
		body["AccountSubType"] = t.defaultSub
	} else if !t.hasSubtype(sub) {
		return accountType{}, errInvalidEnum("AccountSubType", sub+" is not a sub-type of "+t.name)
	}
	return t, nil
}
