package seed

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// refTables names the table each id column points into. Ids differ between databases
// (and between firms), so the dump replaces every id by the row's rank in its table:
// the order rows were generated in.
var refTables = map[string]string{
	"client_id": tClients, "matter_id": tMatters, "timekeeper_id": tTimekeepers,
	"responsible_timekeeper_id": tTimekeepers, "invoice_id": tInvoices, "time_entry_id": tTimeEntries,
	"expense_id": tExpenses, "payment_id": tPayments, "bank_account_id": tBankAccounts,
	"paid_from_account_id": tBankAccounts, "deposit_slip_id": tDepositSlips,
}

// dump is a canonical text form of every practice row of a firm, without the firm id,
// the timestamps the database sets, and with ids normalised by their order.
func dump(t *testing.T, db *sqlx.DB, firmID int64) string {
	t.Helper()
	rank := map[string]map[int64]int{}
	for _, table := range practiceTables {
		var ids []int64
		if err := db.Select(&ids, "SELECT id FROM "+table+" WHERE firm_id = $1 ORDER BY id", firmID); err != nil {
			t.Fatal(err)
		}
		rank[table] = make(map[int64]int, len(ids))
		for i, id := range ids {
			rank[table][id] = i + 1
		}
	}
	var out strings.Builder
	for _, table := range practiceTables {
		var rows []string
		err := db.Select(&rows, "SELECT (to_jsonb(t) - 'firm_id' - 'created_at' - 'updated_at')::text FROM "+
			table+" t WHERE firm_id = $1 ORDER BY id", firmID)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			var rec map[string]any
			dec := json.NewDecoder(strings.NewReader(row))
			dec.UseNumber() // keep "1.50" hours and big cents exactly as stored
			if err := dec.Decode(&rec); err != nil {
				t.Fatal(err)
			}
			for col, v := range rec {
				into := refTables[col]
				if col == "id" {
					into = table
				}
				if into == "" || v == nil {
					continue
				}
				id, err := v.(json.Number).Int64()
				if err != nil {
					t.Fatalf("%s.%s: %v", table, col, err)
				}
				rec[col] = rank[into][id]
			}
			var line bytes.Buffer
			enc := json.NewEncoder(&line) // map keys come out sorted
			enc.SetEscapeHTML(false)
			if err := enc.Encode(rec); err != nil {
				t.Fatal(err)
			}
			out.WriteString(table + " ")
			out.Write(line.Bytes())
		}
	}
	return out.String()
}
