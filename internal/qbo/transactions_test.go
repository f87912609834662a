package qbo

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// Transaction answers in QBO's wire format (docs/qbo-api.md, "Transactions";
// from the official API reference's samples), with rates of more than two
// decimals where QBO allows them.
const (
	invoiceResponse = `{"Invoice":{"TxnDate":"2015-07-24","domain":"QBO","PrintStatus":"NeedToPrint","TotalAmt":233.33,
		"Line":[{"LineNum":1,"Amount":83.33,"Description":"Research, 0.25 h","Id":"1","DetailType":"SalesItemLineDetail",
			"SalesItemLineDetail":{"TaxCodeRef":{"value":"NON"},"ItemRef":{"name":"Services","value":"1"},"Qty":0.25,"UnitPrice":333.3333,
				"ServiceDate":"2015-07-20","ClassRef":{"value":"5000000000000007280","name":"Litigation"}}},
			{"LineNum":2,"Amount":150,"Id":"2","DetailType":"SalesItemLineDetail",
			"SalesItemLineDetail":{"ItemRef":{"value":"2"},"Qty":1,"UnitPrice":150}},
			{"LineNum":3,"Amount":0,"Description":"Thank you","Id":"3","DetailType":"DescriptionOnly","DescriptionLineDetail":{}},
			{"DetailType":"SubTotalLineDetail","Amount":233.33,"SubTotalLineDetail":{}}],
		"DueDate":"2015-08-23","ApplyTaxAfterDiscount":false,"DocNumber":"1069","sparse":false,
		"PrivateNote":"Invoice 1069 qbosync:invoice:17",
		"CustomerMemo":{"value":"Thank you for your business and have a great day!"},"Deposit":0,"Balance":233.33,
		"CustomerRef":{"name":"Amy's Bird Sanctuary","value":"1"},"TxnTaxDetail":{"TotalTax":0},"SyncToken":"0","LinkedTxn":[],
		"BillEmail":{"Address":"Birds@Intuit.com"},"EmailStatus":"NotSet",
		"MetaData":{"CreateTime":"2015-07-24T10:33:39-07:00","LastUpdatedTime":"2015-07-24T10:33:39-07:00"},
		"CustomField":[{"DefinitionId":"1","Type":"StringType","Name":"Crew #"}],"Id":"238"},
		"time":"2015-07-24T10:33:39.11-07:00"}`

	voidedInvoiceResponse = `{"Invoice":{"TxnDate":"2015-07-24","domain":"QBO","TotalAmt":0,"Balance":0,"PrivateNote":"Voided",
		"Line":[{"LineNum":1,"Amount":0,"Id":"1","DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"1"},"Qty":0,"UnitPrice":0}},
			{"DetailType":"SubTotalLineDetail","Amount":0,"SubTotalLineDetail":{}}],
		"DocNumber":"1069","sparse":false,"SyncToken":"1","CustomerRef":{"value":"1"},"Id":"238"},"time":"2015-07-24T10:35:01.11-07:00"}`

	paymentResponse = `{"Payment":{"Id":"163","SyncToken":"0","TxnDate":"2015-01-16","TotalAmt":65.0,"UnappliedAmt":10.0,
		"DepositToAccountRef":{"value":"4"},"CustomerRef":{"value":"20","name":"Red Rock Diner"},"PaymentRefNum":"1042",
		"Line":[{"Amount":55.0,"LinkedTxn":[{"TxnId":"70","TxnType":"Invoice"}],
			"LineEx":{"any":[{"name":"{http://schema.intuit.com/finance/v3}NameValue","nil":false,"value":{"Name":"txnId","Value":"70"},
				"declaredType":"com.intuit.schema.finance.v3.NameValue","scope":"javax.xml.bind.JAXBElement$GlobalScope","globalScope":true,"typeSubstituted":false}]}}],
		"ProcessPayment":false,"domain":"QBO","sparse":false,
		"MetaData":{"CreateTime":"2015-01-16T15:08:12-08:00","LastUpdatedTime":"2015-01-16T15:08:12-08:00"}},
		"time":"2015-07-28T15:16:15.435-07:00"}`

	depositResponse = `{"Deposit":{"DepositToAccountRef":{"value":"35","name":"IOLTA Trust"},"TotalAmt":3175.0,"domain":"QBO","sparse":false,
		"Id":"148","SyncToken":"0","TxnDate":"2015-07-28","PrivateNote":"qbosync:trust:9",
		"Line":[{"Id":"1","LineNum":1,"Amount":1675.0,"LinkedTxn":[{"TxnId":"120","TxnType":"Payment","TxnLineId":"0"}]},
			{"Id":"2","LineNum":2,"Amount":1500.0,"DetailType":"DepositLineDetail",
			 "DepositLineDetail":{"AccountRef":{"value":"88","name":"Client Trust Liability"},"Entity":{"value":"58","name":"Hall","type":"Customer"},"CheckNum":"1234"}}]},
		"time":"2015-07-28T15:16:15.435-07:00"}`

	purchaseResponse = `{"Purchase":{"AccountRef":{"value":"35","name":"Checking"},"PaymentType":"Check","EntityRef":{"value":"42","name":"County Court","type":"Vendor"},
		"TotalAmt":250.0,"PrintStatus":"NeedToPrint","DocNumber":"1001","domain":"QBO","sparse":false,"Id":"252","SyncToken":"0","TxnDate":"2015-07-27",
		"Line":[{"Id":"1","Description":"Filing fee","Amount":250.0,"DetailType":"AccountBasedExpenseLineDetail",
			"AccountBasedExpenseLineDetail":{"AccountRef":{"value":"60","name":"Court Costs"},"CustomerRef":{"value":"77"},"BillableStatus":"Billable","TaxCodeRef":{"value":"NON"}}}]},
		"time":"2015-07-27T11:20:00.000-07:00"}`

	journalEntryResponse = `{"JournalEntry":{"Adjustment":false,"domain":"QBO","sparse":false,"Id":"227","SyncToken":"0","TxnDate":"2015-06-29",
		"Line":[{"Id":"0","Description":"Write-off","Amount":100.0,"DetailType":"JournalEntryLineDetail",
			"JournalEntryLineDetail":{"PostingType":"Debit","AccountRef":{"value":"39","name":"Bad Debts"}}},
			{"Id":"1","Description":"Write-off","Amount":100.0,"DetailType":"JournalEntryLineDetail",
			"JournalEntryLineDetail":{"PostingType":"Credit","AccountRef":{"value":"84","name":"Accounts Receivable"},
				"Entity":{"Type":"Customer","EntityRef":{"value":"58","name":"Hall"}}}}]},
		"time":"2015-06-29T12:33:57.174-07:00"}`

	classResponse = `{"Class":{"Name":"Litigation","SubClass":false,"FullyQualifiedName":"Litigation","Active":true,"domain":"QBO","sparse":false,
		"Id":"5000000000000007280","SyncToken":"0","MetaData":{"CreateTime":"2015-07-22T13:57:27-07:00","LastUpdatedTime":"2015-07-22T13:57:27-07:00"}},
		"time":"2015-07-22T14:08:04.242-07:00"}`
)

func TestInvoiceWireFormat(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, invoiceResponse))
	c := newTestClient(t, f)
	amount, exact, err := MulAmount("0.25", "333.3333")
	if err != nil || amount != 8333 || exact {
		t.Fatalf("MulAmount = %v %v %v", amount, exact, err)
	}
	in := Invoice{
		DocNumber: "1069", TxnDate: "2015-07-24", DueDate: "2015-08-23",
		CustomerRef: &Ref{Value: "1"}, PrivateNote: "Invoice 1069 qbosync:invoice:17",
		CustomerMemo: &MemoRef{Value: "Thank you for your business and have a great day!"},
		Line: []Line{
			{Amount: amount, Description: "Research, 0.25 h", DetailType: SalesItemLine, SalesItemLineDetail: &SalesItemLineDetail{
				ItemRef: &Ref{Value: "1"}, Qty: "0.25", UnitPrice: "333.3333", ServiceDate: "2015-07-20", ClassRef: &Ref{Value: "5000000000000007280"}}},
			{Amount: 15000, DetailType: SalesItemLine, SalesItemLineDetail: &SalesItemLineDetail{ItemRef: &Ref{Value: "2"}, Qty: DecimalOf(1), UnitPrice: DecimalFromAmount(15000)}},
			{Amount: 1000, DetailType: DiscountLine, DiscountLineDetail: &DiscountLineDetail{PercentBased: new(false), DiscountAccountRef: &Ref{Value: "86"}}},
			{Description: "Thank you", DetailType: DescriptionOnlyLine, DescriptionLineDetail: &DescriptionLineDetail{}},
		},
	}
	var out Invoice
	if err := c.Create(context.Background(), "Invoice", in, RequestID("invoice", "17"), &out); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Path != "/v3/company/123/invoice" || r.Query.Has("operation") {
		t.Errorf("sent %s %v", r.Path, r.Query)
	}
	want := `{"DocNumber":"1069","TxnDate":"2015-07-24","DueDate":"2015-08-23","CustomerRef":{"value":"1"},` +
		`"PrivateNote":"Invoice 1069 qbosync:invoice:17","CustomerMemo":{"value":"Thank you for your business and have a great day!"},"Line":[` +
		`{"Description":"Research, 0.25 h","Amount":83.33,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"1"},"ClassRef":{"value":"5000000000000007280"},"Qty":0.25,"UnitPrice":333.3333,"ServiceDate":"2015-07-20"}},` +
		`{"Amount":150,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"2"},"Qty":1,"UnitPrice":150.00}},` +
		`{"Amount":10,"DetailType":"DiscountLineDetail","DiscountLineDetail":{"PercentBased":false,"DiscountAccountRef":{"value":"86"}}},` +
		`{"Description":"Thank you","Amount":0,"DetailType":"DescriptionOnly","DescriptionLineDetail":{}}]}`
	if r.Body != want {
		t.Errorf("body\n%s\nwant\n%s", r.Body, want)
	}

	if out.ID != "238" || out.DocNumber != "1069" || *out.TotalAmt != 23333 || *out.Balance != 23333 ||
		out.CustomerRef.Name != "Amy's Bird Sanctuary" || out.BillEmail.Address != "Birds@Intuit.com" || len(out.Line) != 4 {
		t.Fatalf("decoded %+v", out)
	}
	l := out.Line[0]
	if l.ID != "1" || l.Amount != 8333 || l.SalesItemLineDetail.Qty != "0.25" || l.SalesItemLineDetail.UnitPrice != "333.3333" ||
		l.SalesItemLineDetail.ClassRef.Value != "5000000000000007280" || l.SalesItemLineDetail.ServiceDate != "2015-07-20" {
		t.Errorf("line 1 %+v %+v", l, l.SalesItemLineDetail)
	}
	if out.Line[2].DetailType != DescriptionOnlyLine || out.Line[2].DescriptionLineDetail == nil ||
		out.Line[3].DetailType != SubTotalLine || out.Line[3].SubTotalLineDetail == nil || out.Line[3].Amount != 23333 {
		t.Errorf("lines %+v", out.Line)
	}
	// What was read is written back exactly: the rate keeps its digits.
	b, err := json.Marshal(out.Line[0].SalesItemLineDetail)
	if err != nil || !strings.Contains(string(b), `"Qty":0.25,"UnitPrice":333.3333`) {
		t.Errorf("re-encoded %s, %v", b, err)
	}
}

func TestTransactionsDecode(t *testing.T) {
	var p Payment
	decodeFixture(t, paymentResponse, "Payment", &p)
	if p.ID != "163" || *p.TotalAmt != 6500 || *p.UnappliedAmt != 1000 || p.PaymentRefNum != "1042" || p.DepositToAccountRef.Value != "4" ||
		len(p.Line) != 1 || p.Line[0].Amount != 5500 || p.Line[0].LinkedTxn[0] != (LinkedTxn{TxnID: "70", TxnType: "Invoice"}) ||
		p.ProcessPayment == nil || *p.ProcessPayment {
		t.Errorf("payment %+v", p)
	}

	var d Deposit
	decodeFixture(t, depositResponse, "Deposit", &d)
	if *d.TotalAmt != 317500 || d.DepositToAccountRef.Name != "IOLTA Trust" || len(d.Line) != 2 ||
		d.Line[0].LinkedTxn[0].TxnLineID != "0" || d.Line[0].LinkedTxn[0].TxnType != "Payment" ||
		d.Line[1].DepositLineDetail.Entity.Type != "Customer" || d.Line[1].DepositLineDetail.CheckNum != "1234" ||
		d.Line[1].DepositLineDetail.AccountRef.Value != "88" || d.Line[1].Amount != 150000 {
		t.Errorf("deposit %+v", d)
	}

	var pu Purchase
	decodeFixture(t, purchaseResponse, "Purchase", &pu)
	ld := pu.Line[0].AccountBasedExpenseLineDetail
	if pu.PaymentType != PaymentCheck || pu.EntityRef.Type != "Vendor" || pu.DocNumber != "1001" || *pu.TotalAmt != 25000 ||
		ld.BillableStatus != Billable || ld.CustomerRef.Value != "77" || ld.AccountRef.Value != "60" {
		t.Errorf("purchase %+v %+v", pu, ld)
	}

	var je JournalEntry
	decodeFixture(t, journalEntryResponse, "JournalEntry", &je)
	cr := je.Line[1].JournalEntryLineDetail
	if len(je.Line) != 2 || je.Line[0].JournalEntryLineDetail.PostingType != Debit || cr.PostingType != Credit ||
		cr.Entity.Type != "Customer" || cr.Entity.EntityRef.Value != "58" || je.Line[1].Amount != 10000 {
		t.Errorf("journal entry %+v", je)
	}

	var cl TrackingClass
	decodeFixture(t, classResponse, "Class", &cl)
	if cl.ID != "5000000000000007280" || cl.Name != "Litigation" || !*cl.Active || cl.EntityName() != "Class" {
		t.Errorf("class %+v", cl)
	}
}

// decodeFixture reads a fixture through a fake QBO, as Client.Read does.
func decodeFixture(t *testing.T, body, entity string, out any) {
	t.Helper()
	f := newFakeServer(t, answer(200, jsonCT, body))
	if err := newTestClient(t, f).Read(context.Background(), entity, "1", out); err != nil {
		t.Fatalf("%s: %v", entity, err)
	}
}

// TestTransactionsEncode checks the shapes QBO documents for writes.
func TestTransactionsEncode(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{Payment{TotalAmt: new(Amount(6500)), CustomerRef: &Ref{Value: "20"}, DepositToAccountRef: &Ref{Value: "4"}, PaymentRefNum: "1042",
			TxnDate: "2015-01-16", PrivateNote: "qbosync:payment:3",
			Line: []Line{{Amount: 5500, LinkedTxn: []LinkedTxn{{TxnID: "70", TxnType: "Invoice"}}}}},
			`{"TxnDate":"2015-01-16","CustomerRef":{"value":"20"},"DepositToAccountRef":{"value":"4"},"PaymentRefNum":"1042","TotalAmt":65,` +
				`"PrivateNote":"qbosync:payment:3","Line":[{"Amount":55,"LinkedTxn":[{"TxnId":"70","TxnType":"Invoice"}]}]}`},
		// A payment that only applies a credit memo: TotalAmt 0 is sent.
		{Payment{TotalAmt: new(Amount(0)), CustomerRef: &Ref{Value: "20"}, Line: []Line{
			{Amount: 2000, LinkedTxn: []LinkedTxn{{TxnID: "70", TxnType: "Invoice"}}},
			{Amount: 2000, LinkedTxn: []LinkedTxn{{TxnID: "71", TxnType: "CreditMemo"}}}}},
			`{"CustomerRef":{"value":"20"},"TotalAmt":0,"Line":[{"Amount":20,"LinkedTxn":[{"TxnId":"70","TxnType":"Invoice"}]},` +
				`{"Amount":20,"LinkedTxn":[{"TxnId":"71","TxnType":"CreditMemo"}]}]}`},
		// A sparse update of a memo leaves amounts and lines alone.
		{Payment{ID: "163", SyncToken: "2", Sparse: true, PrivateNote: "x"}, `{"Id":"163","SyncToken":"2","PrivateNote":"x","sparse":true}`},
		{Deposit{DepositToAccountRef: &Ref{Value: "35"}, Line: []Line{
			{Amount: 167500, LinkedTxn: []LinkedTxn{{TxnID: "120", TxnType: "Payment", TxnLineID: "0"}}},
			{Amount: 150000, DetailType: DepositLine, DepositLineDetail: &DepositLineDetail{AccountRef: &Ref{Value: "88"}, Entity: &Ref{Value: "58", Type: "Customer"}, CheckNum: "1234"}}}},
			`{"DepositToAccountRef":{"value":"35"},"Line":[{"Amount":1675,"LinkedTxn":[{"TxnId":"120","TxnType":"Payment","TxnLineId":"0"}]},` +
				`{"Amount":1500,"DetailType":"DepositLineDetail","DepositLineDetail":{"AccountRef":{"value":"88"},"Entity":{"value":"58","type":"Customer"},"CheckNum":"1234"}}]}`},
		{Purchase{PaymentType: PaymentCheck, AccountRef: &Ref{Value: "35"}, EntityRef: &Ref{Value: "42", Type: "Vendor"}, DocNumber: "1001",
			Line: []Line{{Amount: 25000, Description: "Filing fee", DetailType: AccountExpenseLine, AccountBasedExpenseLineDetail: &AccountBasedExpenseLineDetail{
				AccountRef: &Ref{Value: "60"}, CustomerRef: &Ref{Value: "77"}, BillableStatus: Billable}}}},
			`{"PaymentType":"Check","AccountRef":{"value":"35"},"EntityRef":{"value":"42","type":"Vendor"},"DocNumber":"1001","Line":[` +
				`{"Description":"Filing fee","Amount":250,"DetailType":"AccountBasedExpenseLineDetail","AccountBasedExpenseLineDetail":{"AccountRef":{"value":"60"},"CustomerRef":{"value":"77"},"BillableStatus":"Billable"}}]}`},
		{JournalEntry{Line: []Line{
			{Amount: 10000, DetailType: JournalEntryLine, JournalEntryLineDetail: &JournalEntryLineDetail{PostingType: Debit, AccountRef: &Ref{Value: "39"}}},
			{Amount: 10000, DetailType: JournalEntryLine, JournalEntryLineDetail: &JournalEntryLineDetail{PostingType: Credit, AccountRef: &Ref{Value: "84"},
				Entity: &JournalEntryEntity{Type: "Customer", EntityRef: &Ref{Value: "58"}}}}}},
			`{"Line":[{"Amount":100,"DetailType":"JournalEntryLineDetail","JournalEntryLineDetail":{"PostingType":"Debit","AccountRef":{"value":"39"}}},` +
				`{"Amount":100,"DetailType":"JournalEntryLineDetail","JournalEntryLineDetail":{"PostingType":"Credit","AccountRef":{"value":"84"},"Entity":{"Type":"Customer","EntityRef":{"value":"58"}}}}]}`},
		{CreditMemo{CustomerRef: &Ref{Value: "58"}, Line: []Line{{Amount: 5025, DetailType: SalesItemLine, SalesItemLineDetail: &SalesItemLineDetail{ItemRef: &Ref{Value: "1"}}}}},
			`{"CustomerRef":{"value":"58"},"Line":[{"Amount":50.25,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"1"}}}]}`},
		{TrackingClass{Name: "Litigation"}, `{"Name":"Litigation"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil || string(b) != tt.want {
			t.Errorf("%T:\n got %s (%v)\nwant %s", tt.in, b, err, tt.want)
		}
	}
}

func TestVoid(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, answer(200, jsonCT, voidedInvoiceResponse))
	c := newTestClient(t, f)
	var inv Invoice
	if err := c.Void(ctx, "Invoice", "238", "0", RequestID("void", "238"), &inv); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Method != "POST" || r.Path != "/v3/company/123/invoice" || r.Query.Get("operation") != "void" || r.Query.Has("include") ||
		r.Query.Get("requestid") != RequestID("void", "238") || r.Body != `{"Id":"238","SyncToken":"0"}` {
		t.Errorf("sent %s %s %v %s", r.Method, r.Path, r.Query, r.Body)
	}
	if inv.SyncToken != "1" || *inv.TotalAmt != 0 || inv.PrivateNote != "Voided" {
		t.Errorf("voided invoice %+v", inv)
	}

	voided := strings.Replace(strings.Replace(paymentResponse, `"TotalAmt":65.0,"UnappliedAmt":10.0`, `"TotalAmt":0,"UnappliedAmt":0,"PrivateNote":"Voided"`, 1), `"SyncToken":"0"`, `"SyncToken":"1"`, 1)
	f = newFakeServer(t, answer(200, jsonCT, voided))
	c = newTestClient(t, f)
	var p Payment
	if err := c.Void(ctx, "Payment", "163", "0", "r", &p); err != nil {
		t.Fatal(err)
	}
	r = f.requests()[0]
	if r.Path != "/v3/company/123/payment" || r.Query.Get("operation") != "update" || r.Query.Get("include") != "void" ||
		r.Body != `{"Id":"163","SyncToken":"0","sparse":true}` {
		t.Errorf("sent %s %v %s", r.Path, r.Query, r.Body)
	}
	if p.SyncToken != "1" || *p.TotalAmt != 0 || p.PrivateNote != "Voided" {
		t.Errorf("voided payment %+v", p)
	}

	// A deposited payment: 6540, a validation failure explained.
	f = newFakeServer(t, answer(400, jsonCT, faultBody("ValidationFault", "6540", "Deposited Transaction cannot be changed",
		"This transaction has been deposited. If you want to change or delete it, you must edit the deposit it appears on and remove it first.", "")))
	err := newTestClient(t, f).Void(ctx, "Payment", "163", "0", "r", nil)
	if e := asError(t, err); e.Class != Validation || e.Code != "6540" || IsAmbiguous(err) || !strings.Contains(e.Explanation(), "deposit") {
		t.Errorf("6540: %v", err)
	}

	// What QBO cannot void, and a void without a SyncToken, never leave.
	for _, err := range []error{
		c.Void(ctx, "CreditMemo", "5", "0", "r", nil),
		c.Void(ctx, "Deposit", "5", "0", "r", nil),
		c.Void(ctx, "Invoice", "5", "", "r", nil),
		c.Void(ctx, "Invoice", "5", "0", "", nil),
	} {
		if ClassOf(err) != Bug {
			t.Errorf("%v: want a Bug", err)
		}
	}
	if len(f.requests()) != 1 {
		t.Errorf("%d requests sent", len(f.requests()))
	}
}

func TestDecimal(t *testing.T) {
	for _, s := range []string{"0", "1", "-0.5", "333.3333", "1e2", "0.000001"} {
		d, err := ParseDecimal(s)
		if err != nil || d.String() != s {
			t.Errorf("ParseDecimal(%q) = %q, %v", s, d, err)
		}
		b, err := json.Marshal(d)
		if err != nil || string(b) != s {
			t.Errorf("Marshal(%q) = %s, %v", s, b, err)
		}
	}
	for _, s := range []string{"", "abc", "1.2.3", "+1", "1,5", "0x10", "NaN"} {
		if _, err := ParseDecimal(s); err == nil {
			t.Errorf("ParseDecimal(%q) succeeded", s)
		}
	}
	if _, err := json.Marshal(SalesItemLineDetail{Qty: "two"}); err == nil {
		t.Error("an invalid Decimal was encoded")
	}
	var v struct{ A, B, C Decimal }
	v.C = "7"
	if err := json.Unmarshal([]byte(`{"A":12.3450,"B":"0.1","C":null}`), &v); err != nil || v.A != "12.3450" || v.B != "0.1" || v.C != "7" {
		t.Errorf("Unmarshal = %+v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"A":"x"}`), &v); err == nil {
		t.Error("decoded a non-number")
	}
	if a, err := Decimal("12.5").Amount(); err != nil || a != 1250 {
		t.Errorf("Amount = %v, %v", a, err)
	}
	if _, err := Decimal("12.505").Amount(); err == nil {
		t.Error("12.505 became an Amount")
	}

	tests := []struct {
		qty, price Decimal
		want       Amount
		exact      bool
	}{
		{"0.25", "333.3333", 8333, false},
		{"1.5", "250", 37500, true},
		{"0.1", "0.05", 1, false},   // 0.005 rounds half up
		{"-0.1", "0.05", -1, false}, // and half away from zero
		{"3", "0.333", 100, false},  // 0.999
		{"0.3", "1e1", 300, true},
		{"0", "999.9999", 0, true},
	}
	for _, tt := range tests {
		got, exact, err := MulAmount(tt.qty, tt.price)
		if err != nil || got != tt.want || exact != tt.exact {
			t.Errorf("MulAmount(%s, %s) = %v %v %v; want %v %v", tt.qty, tt.price, got, exact, err, tt.want, tt.exact)
		}
	}
	if _, _, err := MulAmount("x", "1"); err == nil {
		t.Error("MulAmount accepted x")
	}
	if _, _, err := MulAmount("1e30", "1"); err == nil {
		t.Error("MulAmount overflowed silently")
	}
}
