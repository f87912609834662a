package qbo

import (
	"context"
	"encoding/json"
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
	q := Select(entity).Where(naturalKeyField, "=", naturalKeyValue)
	if nameLists[entity] {
		q = q.Where("Active", "IN", List(true, false))
	}
	text, err := q.Build()
	if err != nil {
		return false, &Error{Op: op, Class: Bug, Message: err.Error(), Err: err}
	}
	var rows []json.RawMessage
	if err := c.QueryAll(ctx, text, entity, &rows); err != nil {
		return false, err
	}
	for _, row := range rows {
		var notes struct{ PrivateNote, Notes string }
		if err := json.Unmarshal(row, &notes); err != nil {
			return false, &Error{Op: op, Class: Bug, Message: "cannot decode the answer: " + err.Error(), Err: err}
		}
		if !HasMarker(notes.PrivateNote, marker) && !HasMarker(notes.Notes, marker) {
			continue
		}
		if out != nil {
			if err := json.Unmarshal(row, out); err != nil {
				return false, &Error{Op: op, Class: Bug, Message: "cannot decode the answer: " + err.Error(), Err: err}
			}
		}
		return true, nil
	}
	return false, nil
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
