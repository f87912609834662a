package qbosim

import (
	"net/http"
	"sort"
	"strings"
)

// Reports, GET /reports/{name}, in QBO's report JSON (Report.xsd): a
// top-level object (no envelope) with Header, Columns.Column[] and
// Rows.Row[]; a row is either data {"ColData": [{"value", "id"}...],
// "type": "Data"} or a section {"Header", "Rows", "Summary", "type":
// "Section"}, and the last row is the grand total section
// {"Summary": ..., "type": "Section", "group": "GrandTotal"} (AccountList,
// a list, has none). Money is a
// string with two decimals ("1593.50"); an empty cell is "".
//
// Emulated: TrialBalance, AccountList and CustomerBalance, accrual basis,
// from the company's ledger. end_date (or report_date) limits postings to
// those dated on or before it; start_date is echoed but balances are
// cumulative. Without dates every posting counts.

// reportTypeOrder is the order of account types in reports: assets,
// liabilities, equity, income, expenses.
var reportTypeOrder = []string{
	"Bank", "Accounts Receivable", "Other Current Asset", "Fixed Asset", "Other Asset",
	"Accounts Payable", "Credit Card", "Other Current Liability", "Long Term Liability", "Equity",
	"Income", "Cost of Goods Sold", "Expense", "Other Income", "Other Expense",
}

func (s *Server) handleReport(call *apiCall, c *company, name string) *response {
	q := call.query
	if m := q.Get("accounting_method"); m != "" && !strings.EqualFold(m, "Accrual") {
		return s.faultResponse(call, errUnsupported("qbosim emulates accrual-basis reports only (accounting_method="+m+")."))
	}
	end := q.Get("end_date")
	if end == "" {
		end = q.Get("report_date")
	}
	for param, v := range map[string]string{"start_date": q.Get("start_date"), "end_date": end} {
		if v != "" && !validDate(v) {
			return s.faultResponse(call, errBadProperty("Can not deserialize "+param+": a date (YYYY-MM-DD) expected"))
		}
	}
	accounts, receivables := c.balancesAsOf(end)
	var rep map[string]any
	switch strings.ToLower(name) {
	case "trialbalance":
		rep = trialBalanceReport(c, accounts)
	case "accountlist":
		rep = accountListReport(c, accounts)
	case "customerbalance":
		rep = customerBalanceReport(c, receivables, q.Get("customer"))
	default:
		return s.faultResponse(call, errUnsupported("Report "+name+" is not supported by qbosim (TrialBalance, AccountList, CustomerBalance)."))
	}
	header := rep["Header"].(map[string]any)
	header["Time"] = call.now.In(s.loc).Format(metaTimeLayout)
	header["Currency"] = "USD"
	header["ReportBasis"] = "Accrual"
	if start := q.Get("start_date"); start != "" {
		header["StartPeriod"] = start
	}
	if end == "" {
		end = call.now.In(s.loc).Format(dateLayout)
	}
	header["EndPeriod"] = end
	noData := "true"
	for _, row := range anyMaps(rep["Rows"].(map[string]any)["Row"]) {
		if row["group"] != "GrandTotal" {
			noData = "false"
		}
	}
	header["Option"] = []any{map[string]any{"Name": "NoReportData", "Value": noData}}
	return s.jsonResponse(http.StatusOK, rep)
}

// balancesAsOf sums the postings dated on or before end ("" = all).
func (c *company) balancesAsOf(end string) (accounts, receivables map[string]int64) {
	accounts, receivables = map[string]int64{}, map[string]int64{}
	for _, byID := range c.entities {
		for _, r := range byID {
			if r.deleted {
				continue
			}
			for _, p := range postingsOf(r.data) {
				if end != "" && p.Date > end {
					continue
				}
				accounts[p.Account] += p.Amount
				if p.Receivable {
					receivables[p.Entity] += p.Amount
				}
			}
		}
	}
	return accounts, receivables
}

func column(title, typ, key string) map[string]any {
	return map[string]any{"ColTitle": title, "ColType": typ, "MetaData": []any{map[string]any{"Name": "ColKey", "Value": key}}}
}

func cell(value string) map[string]any { return map[string]any{"value": value} }

func idCell(value, id string) map[string]any { return map[string]any{"value": value, "id": id} }

func dataRow(cols ...map[string]any) map[string]any {
	colData := make([]any, len(cols))
	for i, c := range cols {
		colData[i] = c
	}
	return map[string]any{"ColData": colData, "type": "Data"}
}

func grandTotal(cols ...map[string]any) map[string]any {
	colData := make([]any, len(cols))
	for i, c := range cols {
		colData[i] = c
	}
	return map[string]any{"Summary": map[string]any{"ColData": colData}, "type": "Section", "group": "GrandTotal"}
}

func report(name string, columns []any, rows []any) map[string]any {
	return map[string]any{
		"Header":  map[string]any{"ReportName": name},
		"Columns": map[string]any{"Column": columns},
		"Rows":    map[string]any{"Row": rows},
	}
}

// accountsInReportOrder lists accounts by type (assets first), then by
// FullyQualifiedName.
func accountsInReportOrder(c *company) []*record {
	rank := map[string]int{}
	for i, t := range reportTypeOrder {
		rank[t] = i
	}
	accts := c.list(accountKind)
	sort.SliceStable(accts, func(i, j int) bool {
		ri, rj := rank[stringField(accts[i].data, "AccountType")], rank[stringField(accts[j].data, "AccountType")]
		if ri != rj {
			return ri < rj
		}
		return strings.ToLower(stringField(accts[i].data, "FullyQualifiedName")) < strings.ToLower(stringField(accts[j].data, "FullyQualifiedName"))
	})
	return accts
}

// trialBalanceReport: one row per account with a balance, in the Debit or
// the Credit column, and the totals, which are equal.
func trialBalanceReport(c *company, balances map[string]int64) map[string]any {
	var rows []any
	var debits, credits int64
	for _, a := range accountsInReportOrder(c) {
		b := balances[a.id]
		if b == 0 {
			continue
		}
		debit, credit := "", ""
		if b > 0 {
			debit, debits = reportMoney(b), debits+b
		} else {
			credit, credits = reportMoney(-b), credits-b
		}
		rows = append(rows, dataRow(idCell(stringField(a.data, "FullyQualifiedName"), a.id), cell(debit), cell(credit)))
	}
	rows = append(rows, grandTotal(cell("TOTAL"), cell(reportMoney(debits)), cell(reportMoney(credits))))
	return report("TrialBalance", []any{
		column("", "Account", "account"), column("Debit", "Money", "debit"), column("Credit", "Money", "credit"),
	}, rows)
}

// accountListReport: every active account with its type, detail type,
// description and balance. [U] QBO's chart of accounts leaves income and
// expense balances blank; the sandbox shows every account's balance (in
// its natural sign, sub-accounts excluded) so tests can read any of them.
func accountListReport(c *company, balances map[string]int64) map[string]any {
	var rows []any
	for _, a := range accountsInReportOrder(c) {
		if !isActive(a.data) {
			continue
		}
		rows = append(rows, dataRow(
			idCell(stringField(a.data, "FullyQualifiedName"), a.id),
			cell(stringField(a.data, "AccountType")), cell(stringField(a.data, "AccountSubType")),
			cell(stringField(a.data, "Description")), cell(reportMoney(naturalSign(a.data)*balances[a.id])),
		))
	}
	return report("AccountList", []any{
		column("Account", "Account", "account_name"), column("Type", "String", "account_type"),
		column("Detail Type", "String", "detail_acc_type"), column("Description", "String", "account_desc"),
		column("Balance", "Money", "account_bal"),
	}, rows)
}

// customerBalanceReport: open receivables by customer. A customer with
// jobs that owe money is a section: its own balance (if any) as a row, a
// row or section per job, and "Total <name>". customer= limits the report
// to the listed top-level customers.
func customerBalanceReport(c *company, receivables map[string]int64, only string) map[string]any {
	customers := c.list(customerKind)
	children := map[string][]*record{}
	var roots []*record
	for _, r := range customers {
		if pid := refValue(r.data["ParentRef"]); pid != "" {
			children[pid] = append(children[pid], r)
		} else {
			roots = append(roots, r)
		}
	}
	byName := func(rs []*record) {
		sort.SliceStable(rs, func(i, j int) bool {
			return strings.ToLower(stringField(rs[i].data, "DisplayName")) < strings.ToLower(stringField(rs[j].data, "DisplayName"))
		})
	}
	var total func(r *record) int64
	total = func(r *record) int64 {
		t := receivables[r.id]
		for _, child := range children[r.id] {
			t += total(child)
		}
		return t
	}
	var row func(r *record) map[string]any
	row = func(r *record) map[string]any {
		name := stringField(r.data, "DisplayName")
		kids := append([]*record(nil), children[r.id]...)
		byName(kids)
		var sub []any
		for _, k := range kids {
			if total(k) != 0 {
				sub = append(sub, row(k))
			}
		}
		if len(sub) == 0 {
			return dataRow(idCell(name, r.id), cell(reportMoney(receivables[r.id])))
		}
		if own := receivables[r.id]; own != 0 {
			sub = append([]any{dataRow(idCell(name, r.id), cell(reportMoney(own)))}, sub...)
		}
		return map[string]any{
			"Header":  map[string]any{"ColData": []any{idCell(name, r.id), cell("")}},
			"Rows":    map[string]any{"Row": sub},
			"Summary": map[string]any{"ColData": []any{cell("Total " + name), cell(reportMoney(total(r)))}},
			"type":    "Section",
		}
	}
	wanted := map[string]bool{}
	for _, id := range strings.Split(only, ",") {
		if id = strings.TrimSpace(id); id != "" {
			wanted[id] = true
		}
	}
	byName(roots)
	var rows []any
	var grand int64
	for _, r := range roots {
		if (len(wanted) > 0 && !wanted[r.id]) || total(r) == 0 {
			continue
		}
		rows = append(rows, row(r))
		grand += total(r)
	}
	rows = append(rows, grandTotal(cell("TOTAL"), cell(reportMoney(grand))))
	rep := report("CustomerBalance", []any{column("", "Customer", "customer"), column("Total", "Money", "total")}, rows)
	if only != "" {
		rep["Header"].(map[string]any)["Customer"] = only
	}
	return rep
}
