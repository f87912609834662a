package qbo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// nameLists are the entities whose records are made inactive rather than
// deleted, and which a query returns only while active unless asked.
var nameLists = map[string]bool{
	"Customer": true, "Vendor": true, "Employee": true, "Item": true, "Account": true,
	"Class": true, "Department": true, "Term": true, "PaymentMethod": true, "TaxCode": true,
}

// FindByMarker resolves an ambiguous create: it looks for the object of
// entity whose naturalKeyField equals naturalKeyValue (DocNumber for a
// transaction; DisplayName for a customer, vendor or employee; Name for
// other name-list entities, inactive ones included) and that carries
// qbosync's marker, qbosync:<kind>:<id>, in its PrivateNote (transactions)
// or Notes (customers, vendors). If there is one, it is decoded into out
// and found is true.
//
// Callers must call it after every write error for which IsAmbiguous
// holds, and before creating the object again: QBO may have performed the
// create whose answer was lost, and request IDs alone are not a reliable
// guard (package documentation, "Exactly once"). If found, adopt the
// object (record its Id and SyncToken); if not, retry the create with the
// same request ID. An error means nothing is known yet: retry later,
// never create.
//
// The marker must stand on its own in the note (followed by the end, a
// space or punctuation other than ':', '-', '_'), so qbosync:client:1 is
// not found in a note holding qbosync:client:12; QBO's "Voided" prefix
// does not hide it. Should several objects carry the marker (a duplicate
// made before this check existed), the first in QBO's answer is returned.
func (c *Client) FindByMarker(ctx context.Context, entity, naturalKeyField, naturalKeyValue, marker string, out any) (found bool, err error) {
	op := "find " + entity + " by marker"
	if naturalKeyValue == "" || marker == "" {
		return false, &Error{Op: op, Class: Bug, Message: "a natural key value and a marker are required"}
	}
	rows, err := c.findRows(ctx, op, Select(entity).Where(naturalKeyField, "=", naturalKeyValue))
	if err != nil {
		return false, err
	}
	notes, err := notesOf(op, rows)
	if err != nil {
		return false, err
	}
	i := firstWith(notes, marker)
	if i < 0 {
		return false, nil
	}
	if out != nil {
		if err := json.Unmarshal(rows[i], out); err != nil {
			return false, &Error{Op: op, Class: Bug, Message: "cannot decode the answer: " + err.Error(), Err: err}
		}
	}
	return true, nil
}

// FindByMarkers is FindByMarker for many ambiguous creates of one entity at
// once: one query for the objects whose naturalKeyField lies between from and
// to (the records' dates, for transactions), instead of one per record. It
// returns, for each marker an object carries, the first such object in QBO's
// answer, as JSON; a marker missing from the map is on no object. A page whose
// worker died after sending its creates has up to a page of them in doubt, and
// a lookup each would take the next attempt longer than a worker may live
// while workers keep dying (the chaos run, scripts/chaos.sh).
func (c *Client) FindByMarkers(ctx context.Context, entity, naturalKeyField, from, to string, markers []string) (map[string]json.RawMessage, error) {
	op := "find " + entity + " by markers"
	if from == "" || to == "" || len(markers) == 0 {
		return nil, &Error{Op: op, Class: Bug, Message: "a range of natural key values and markers are required"}
	}
	rows, err := c.findRows(ctx, op, Select(entity).Where(naturalKeyField, ">=", from).Where(naturalKeyField, "<=", to))
	if err != nil {
		return nil, err
	}
	notes, err := notesOf(op, rows)
	if err != nil {
		return nil, err
	}
	found := make(map[string]json.RawMessage, len(markers))
	for _, m := range markers {
		if i := firstWith(notes, m); i >= 0 {
			found[m] = rows[i]
		}
	}
	return found, nil
}

// findRows reads every object q selects, inactive name-list entries included.
func (c *Client) findRows(ctx context.Context, op string, q *Query) ([]json.RawMessage, error) {
	text, err := withInactive(op, q)
	if err != nil {
		return nil, err
	}
	var rows []json.RawMessage
	if err := c.QueryAll(ctx, text, q.entity, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// notesOf is each row's PrivateNote and Notes, joined by a space (a marker holds
// none, so none spans the two).
func notesOf(op string, rows []json.RawMessage) ([]string, error) {
	out := make([]string, len(rows))
	for i, row := range rows {
		var notes struct{ PrivateNote, Notes string }
		if err := json.Unmarshal(row, &notes); err != nil {
			return nil, &Error{Op: op, Class: Bug, Message: "cannot decode the answer: " + err.Error(), Err: err}
		}
		out[i] = notes.PrivateNote + " " + notes.Notes
	}
	return out, nil
}

// firstWith is the index of the first notes carrying marker, or -1.
func firstWith(notes []string, marker string) int {
	return slices.IndexFunc(notes, func(n string) bool { return HasMarker(n, marker) })
}

// HasMarker reports whether note holds marker as a whole: not followed by
// a character that could continue it.
func HasMarker(note, marker string) bool {
	for i := 0; ; {
		j := strings.Index(note[i:], marker)
		if j < 0 {
			return false
		}
		end := i + j + len(marker)
		if end == len(note) || !continuesMarker(note[end]) {
			return true
		}
		i += j + 1
	}
}

func continuesMarker(c byte) bool {
	return c >= '0' && c <= '9' || isLetter(c) || c == ':' || c == '-' || c == '_'
}

// ReadByIDs reads the objects of entity with the given Ids, inactive name-list
// entries included, into out, a pointer to a slice, in one query: it names up
// to 1,000 Ids and asks for as many rows, and no second page (QueryAll would
// ask for one after every full page, an empty answer for every 1,000 Ids). An
// Id QuickBooks does not hold is left out of the answer, not an error.
func (c *Client) ReadByIDs(ctx context.Context, entity string, ids []string, out any) error {
	op := "read " + entity + " by Ids"
	if len(ids) == 0 || len(ids) > MaxQueryResults {
		return &Error{Op: op, Class: Bug, Message: "between 1 and 1000 Ids are required"}
	}
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = id
	}
	text, err := withInactive(op, Select(entity).Where("Id", "IN", List(vals...)))
	if err != nil {
		return err
	}
	_, err = c.Query(ctx, fmt.Sprintf("%s MAXRESULTS %d", text, len(ids)), entity, out)
	return err
}

// withInactive is the text of q, which also selects inactive name-list entries: a
// query of a name list returns only active ones unless asked.
func withInactive(op string, q *Query) (string, error) {
	if nameLists[q.entity] {
		q = q.Where("Active", "IN", List(true, false))
	}
	text, err := q.Build()
	if err != nil {
		return "", &Error{Op: op, Class: Bug, Message: err.Error(), Err: err}
	}
	return text, nil
}
