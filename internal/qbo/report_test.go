package qbo

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// profitAndLossResponse is QBO's ProfitAndLoss report JSON, in the shape
// of the API reference's sample: nested sections with Header, Rows and
// Summary, data rows with ColData, and an empty-rowed summary section.
const profitAndLossResponse = `{
 "Header":{"Time":"2016-03-14T09:08:09-07:00","ReportName":"ProfitAndLoss","DateMacro":"this calendar year-to-date",
  "ReportBasis":"Accrual","StartPeriod":"2016-01-01","EndPeriod":"2016-03-14","SummarizeColumnsBy":"Total","Currency":"USD",
  "Option":[{"Name":"AccountingStandard","Value":"GAAP"},{"Name":"NoReportData","Value":"false"}]},
 "Columns":{"Column":[
  {"ColTitle":"","ColType":"Account","MetaData":[{"Name":"ColKey","Value":"account"}]},
  {"ColTitle":"Total","ColType":"Money","MetaData":[{"Name":"ColKey","Value":"total"}]}]},
 "Rows":{"Row":[
  {"Header":{"ColData":[{"value":"Income"},{"value":""}]},
   "Rows":{"Row":[
    {"ColData":[{"value":"Legal Fees","id":"82"},{"value":"2250.00"}],"type":"Data"},
    {"Header":{"ColData":[{"value":"Reimbursed Costs","id":"45"},{"value":""}]},
     "Rows":{"Row":[{"ColData":[{"value":"Filing Fees","id":"46"},{"value":"187.50"}],"type":"Data"}]},
     "Summary":{"ColData":[{"value":"Total Reimbursed Costs"},{"value":"187.50"}]},"type":"Section"}]},
   "Summary":{"ColData":[{"value":"Total Income"},{"value":"2437.50"}]},"type":"Section","group":"Income"},
  {"Header":{"ColData":[{"value":"Expenses"},{"value":""}]},
   "Rows":{"Row":[{"ColData":[{"value":"Bank Charges","id":"8"},{"value":"-0.01"}],"type":"Data"}]},
   "Summary":{"ColData":[{"value":"Total Expenses"},{"value":"-0.01"}]},"type":"Section","group":"Expenses"},
  {"Summary":{"ColData":[{"value":"Net Income"},{"value":"2437.51"}]},"type":"Section","group":"NetIncome"}]}}`

func TestReport(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, profitAndLossResponse))
	c := newTestClient(t, f)
	var rep Report
	params := url.Values{"start_date": {"2016-01-01"}, "end_date": {"2016-03-14"}, "accounting_method": {"Accrual"}}
	if err := c.Report(context.Background(), "ProfitAndLoss", params, &rep); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Method != "GET" || r.Path != "/v3/company/123/reports/ProfitAndLoss" || r.Query.Get("start_date") != "2016-01-01" ||
		r.Query.Get("accounting_method") != "Accrual" || r.Query.Get("minorversion") != "75" || r.Query.Has("requestid") {
		t.Errorf("sent %s %s %v", r.Method, r.Path, r.Query)
	}
	if rep.Header.ReportName != "ProfitAndLoss" || rep.Header.ReportBasis != "Accrual" || rep.NoData() ||
		rep.ColumnIndex("total") != 1 || rep.ColumnIndex("Total") != 1 || rep.ColumnIndex("account") != 0 || rep.ColumnIndex("x") != -1 {
		t.Errorf("header %+v, columns %+v", rep.Header, rep.Columns)
	}

	// Walk sees every row in order, with its enclosing sections.
	var seen []string
	amounts := map[string]Amount{}
	rep.Walk(func(sections []*ReportRow, row *ReportRow) bool {
		var path []string
		for _, s := range sections {
			path = append(path, s.Cells()[0].Value)
		}
		label := ""
		if cells := row.Cells(); len(cells) > 0 {
			label = cells[0].Value
		}
		if row.IsSection() && row.Summary != nil {
			a, err := row.Summary.ColData[1].Amount()
			if err != nil {
				t.Errorf("%s: %v", label, err)
			}
			amounts[row.Summary.ColData[0].Value] = a
		}
		seen = append(seen, strings.Join(append(path, label), "/"))
		return true
	})
	want := []string{"Income", "Income/Legal Fees", "Income/Reimbursed Costs", "Income/Reimbursed Costs/Filing Fees",
		"Expenses", "Expenses/Bank Charges", ""}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("walk\n got %q\nwant %q", seen, want)
	}
	if amounts["Total Income"] != 243750 || amounts["Net Income"] != 243751 || amounts["Total Expenses"] != -1 {
		t.Errorf("summaries %v", amounts)
	}

	// The walk stops when told.
	n := 0
	rep.Walk(func([]*ReportRow, *ReportRow) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("walked %d rows after stopping at 3", n)
	}
	if a, err := (ReportCell{}).Amount(); a != 0 || err != nil {
		t.Errorf("empty cell: %v %v", a, err)
	}
	if _, err := (ReportCell{Value: "1.005"}).Amount(); err == nil {
		t.Error("1.005 read as money")
	}
}

func TestReportErrors(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, answer(200, jsonCT, `{"Report":`+profitAndLossResponse+`}`))
	var rep Report
	if err := newTestClient(t, f).Report(ctx, "ProfitAndLoss", nil, &rep); err != nil || rep.Header.ReportName != "ProfitAndLoss" {
		t.Errorf("wrapped report: %v", err)
	}
	f = newFakeServer(t, answer(200, jsonCT, `{"time":"x"}`))
	if err := newTestClient(t, f).Report(ctx, "ProfitAndLoss", nil, &rep); ClassOf(err) != Bug {
		t.Errorf("not a report: %v", err)
	}
	f = newFakeServer(t, answer(400, jsonCT, faultBody("ValidationFault", "10100", "Result Set Big Error", "Too many rows", "")))
	err := newTestClient(t, f).Report(ctx, "GeneralLedger", nil, &rep)
	if e := asError(t, err); e.Code != "10100" || IsAmbiguous(err) || !strings.Contains(e.Explanation(), "too large") {
		t.Errorf("10100: %v", err)
	}
	if err := newTestClient(t, f).Report(ctx, "../customer", nil, &rep); ClassOf(err) != Bug {
		t.Errorf("bad name: %v", err)
	}
	empty := `{"Header":{"ReportName":"TrialBalance","Option":[{"Name":"NoReportData","Value":"true"}]},"Columns":{"Column":[]},"Rows":{}}`
	f = newFakeServer(t, answer(200, jsonCT, empty))
	rep = Report{}
	if err := newTestClient(t, f).Report(ctx, "TrialBalance", nil, &rep); err != nil || !rep.NoData() {
		t.Errorf("no data: %v %+v", err, rep)
	}
	rep.Walk(func([]*ReportRow, *ReportRow) bool { t.Error("a row in an empty report"); return true })
}
