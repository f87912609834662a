package qbo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Report runs one of QBO's reports, e.g. "ProfitAndLoss", "BalanceSheet",
// "TrialBalance", "GeneralLedger" or "AgedReceivables", with its
// parameters (start_date, end_date, accounting_method, customer, ...),
// and decodes the answer into out, normally a *Report.
//
// Reports are reads: they carry no request ID and count against the
// company's limits like any request. A report too large for QBO is a
// 10100 "Result Set Big Error": ask for a shorter period.
func (c *Client) Report(ctx context.Context, name string, params url.Values, out any) error {
	r := &request{op: "report " + name, method: http.MethodGet, resource: "reports/" + name, params: params}
	if !isName(name) {
		return r.bug("%q is not a QBO report name", name)
	}
	res, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	// The report is the answer itself: {"Header":...,"Columns":...,"Rows":...}.
	// Accept it wrapped in {"Report":...} too.
	var env map[string]json.RawMessage
	if err := json.Unmarshal(res.body, &env); err != nil {
		return res.decodeError(err)
	}
	raw := json.RawMessage(res.body)
	if _, ok := lookupKey(env, "Header"); !ok {
		if raw, ok = lookupKey(env, "Report"); !ok {
			return res.decodeError(errors.New("the answer is not a report"))
		}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return res.decodeError(err)
	}
	return nil
}

// Report is QBO's report JSON: a header, the columns, and a tree of rows.
// Sections ("type":"Section") have a Header row of cells, nested Rows and
// a Summary (their totals); data rows ("type":"Data") have ColData, one
// cell per column. Money cells hold decimal text ("2250.00"), which
// ReportCell.Amount reads exactly.
type Report struct {
	Header  ReportHeader
	Columns ReportColumns
	Rows    ReportRows
}

// ReportHeader describes a report run.
type ReportHeader struct {
	Time               string      `json:",omitempty"`
	ReportName         string      `json:",omitempty"`
	DateMacro          string      `json:",omitempty"`
	ReportBasis        string      `json:",omitempty"` // Accrual or Cash
	StartPeriod        string      `json:",omitempty"`
	EndPeriod          string      `json:",omitempty"`
	SummarizeColumnsBy string      `json:",omitempty"`
	Currency           string      `json:",omitempty"`
	Customer           string      `json:",omitempty"`
	Vendor             string      `json:",omitempty"`
	Item               string      `json:",omitempty"`
	Class              string      `json:",omitempty"`
	Department         string      `json:",omitempty"`
	Option             []NameValue `json:",omitempty"` // e.g. NoReportData: true
}

// ReportColumns lists a report's columns.
type ReportColumns struct {
	Column []ReportColumn `json:",omitempty"`
}

// ReportColumn is one column; MetaData carries its ColKey. Columns
// summarised by period have sub-columns.
type ReportColumn struct {
	ColTitle string         `json:",omitempty"`
	ColType  string         `json:",omitempty"` // Account, Money, ...
	MetaData []NameValue    `json:",omitempty"`
	Columns  *ReportColumns `json:",omitempty"`
}

// ReportRows holds rows.
type ReportRows struct {
	Row []ReportRow `json:",omitempty"`
}

// ReportRow is a section or a data row.
type ReportRow struct {
	Type    string          `json:"type,omitempty"`  // Section or Data
	Group   string          `json:"group,omitempty"` // a section's kind, e.g. Income, NetIncome
	ColData []ReportCell    `json:",omitempty"`      // a data row's cells
	Header  *ReportRowCells `json:",omitempty"`      // a section's heading
	Rows    *ReportRows     `json:",omitempty"`      // a section's rows
	Summary *ReportRowCells `json:",omitempty"`      // a section's totals
}

// ReportRowCells is a row of cells: a section's Header or Summary.
type ReportRowCells struct {
	ColData []ReportCell `json:",omitempty"`
}

// ReportCell is one cell: its text and, for an account, customer or
// transaction, the Id of the object.
type ReportCell struct {
	Value string `json:"value"`
	ID    string `json:"id,omitempty"`
	Href  string `json:"href,omitempty"`
}

// Amount reads the cell as money; an empty cell is zero.
func (c ReportCell) Amount() (Amount, error) {
	if strings.TrimSpace(c.Value) == "" {
		return 0, nil
	}
	return ParseAmount(strings.TrimSpace(c.Value))
}

// Cells returns a data row's cells, or a section's heading cells.
func (r *ReportRow) Cells() []ReportCell {
	if r.ColData == nil && r.Header != nil {
		return r.Header.ColData
	}
	return r.ColData
}

// IsSection reports whether the row is a section (it has a heading,
// rows or a summary).
func (r *ReportRow) IsSection() bool {
	return strings.EqualFold(r.Type, "Section") || r.Rows != nil || r.Summary != nil || r.Header != nil
}

// Walk visits every row, sections and data rows alike, depth first in the
// report's order: a section, then the rows inside it. sections holds the
// sections enclosing row, outermost first (shared between calls: copy it
// to keep it). A section's Summary belongs to the section row. Returning
// false stops the walk.
func (r *Report) Walk(fn func(sections []*ReportRow, row *ReportRow) bool) {
	var walk func(path []*ReportRow, rows *ReportRows) bool
	walk = func(path []*ReportRow, rows *ReportRows) bool {
		if rows == nil {
			return true
		}
		for i := range rows.Row {
			row := &rows.Row[i]
			if !fn(path, row) || !walk(append(path, row), row.Rows) {
				return false
			}
		}
		return true
	}
	walk(nil, &r.Rows)
}

// ColumnIndex returns the index of the column whose ColKey (in its
// MetaData) or ColTitle is key, case-insensitively, or -1.
func (r *Report) ColumnIndex(key string) int {
	for i, col := range r.Columns.Column {
		if strings.EqualFold(col.ColTitle, key) {
			return i
		}
		for _, m := range col.MetaData {
			if m.Name == "ColKey" && strings.EqualFold(m.Value, key) {
				return i
			}
		}
	}
	return -1
}

// NoData reports whether QBO said the report has no data (the header
// option NoReportData).
func (r *Report) NoData() bool {
	for _, o := range r.Header.Option {
		if o.Name == "NoReportData" {
			return strings.EqualFold(o.Value, "true")
		}
	}
	return false
}
