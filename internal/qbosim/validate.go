package qbosim

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Field rules shared by the entity kinds.

// stringRule constrains one string property.
type stringRule struct {
	field     string
	max       int    // in characters; 0 = unlimited
	forbidden string // characters that must not appear
	trim      bool   // strip surrounding spaces before checking and storing
}

// nameChars are the characters QBO forbids in names: the colon is the
// FullyQualifiedName separator; tab and newline break its list views.
const nameChars = ":\t\n"

// nameRule is the rule for a name part: trimmed, no colon, tab or newline.
func nameRule(field string, max int) stringRule { return stringRule{field, max, nameChars, true} }

// textRule only limits the length of free text, which is kept verbatim.
func textRule(field string, max int) stringRule { return stringRule{field: field, max: max} }

// trimName strips the spaces around a name; names are stored trimmed and
// compared trimmed. [U]
func trimName(s string) string { return strings.Trim(s, " ") }

// checkStrings enforces the length and character rules of each present
// string property.
func (w *writeCtx) checkStrings(rules ...stringRule) *fault {
	for _, r := range rules {
		v, ok := w.body[r.field].(string)
		if !ok {
			continue
		}
		if r.trim {
			v = trimName(v)
			w.body[r.field] = v
		}
		if r.forbidden != "" && strings.ContainsAny(v, r.forbidden) {
			return errInvalidString(r.field, "must not contain "+describeChars(r.forbidden)+".")
		}
		if n := utf8.RuneCountInString(v); r.max > 0 && n > r.max {
			return errLength(r.field, r.max, n)
		}
	}
	return nil
}

func describeChars(chars string) string {
	names := map[rune]string{':': "colon (:)", '\t': "tab", '\n': "newline", '"': `double quote (")`}
	var parts []string
	for _, c := range chars {
		parts = append(parts, names[c])
	}
	return strings.Join(parts, ", ")
}

// requireName returns the trimmed, non-empty value of a name property or 2020.
func (w *writeCtx) requireName(field string) (string, *fault) {
	v := trimName(stringField(w.body, field))
	if v == "" {
		return "", errRequired(field)
	}
	w.body[field] = v
	return v, nil
}

// setDefault stores v under field when the candidate has no value.
func (w *writeCtx) setDefault(field string, v any) {
	if _, ok := w.body[field]; !ok {
		w.body[field] = v
	}
}

// reference resolves a reference to an entity of kind target: unknown or
// deleted ids, and inactive ones, give 2500. An unchanged reference on an
// update is allowed to point at an entity made inactive since ("references
// to inactive objects remain intact").
func (w *writeCtx) reference(field string, target *kind, id string) (*record, *fault) {
	r := w.c.visible(target, id)
	if r == nil {
		return nil, errInvalidReference(field, id, target.name+" not found")
	}
	unchanged := w.old != nil && refValue(w.old.data[field]) == id
	if target.nameList && !isActive(r.data) && !unchanged {
		return nil, errInvalidReference(field, id, "")
	}
	return r, nil
}

// optionalRef resolves field when present; required makes absence a 2020.
func (w *writeCtx) optionalRef(field string, target *kind, required bool) (*record, *fault) {
	id := refValue(w.body[field])
	if id == "" {
		if required {
			return nil, errRequired(field)
		}
		return nil, nil
	}
	return w.reference(field, target, id)
}

// checkEmail enforces the documented rule for PrimaryEmailAddr.Address.
func (w *writeCtx) checkEmail() *fault {
	addr, ok := w.body["PrimaryEmailAddr"].(map[string]any)
	if !ok {
		return nil
	}
	email, _ := addr["Address"].(string)
	if email == "" {
		return nil
	}
	const field = "PrimaryEmailAddr.Address"
	if n := utf8.RuneCountInString(email); n > 100 {
		return errLength(field, 100, n)
	}
	if !strings.Contains(email, "@") || !strings.Contains(email, ".") {
		return errInvalidString(field, "must contain an at sign (@) and a dot (.).")
	}
	return nil
}

// nameKey normalises a name for uniqueness comparison.
func (s *Server) nameKey(name string) string {
	name = trimName(name)
	if !s.opts.CaseSensitiveNames {
		name = strings.ToLower(name)
	}
	return name
}

// namesCollide decides whether two entities with equal names clash, given
// whether each is active.
func (s *Server) namesCollide(aActive, bActive bool) bool {
	return !s.opts.ReleaseInactiveNames || (aActive && bActive)
}

// checkUnique fails with 6240 when another entity of one of the given kinds
// has the same value of field (DisplayName across Customer/Vendor, Name
// within Item, FullyQualifiedName within Account).
func (w *writeCtx) checkUnique(field string, among ...*kind) *fault {
	key := w.s.nameKey(stringField(w.body, field))
	active := isActive(w.body)
	for _, k := range among {
		for _, r := range w.c.list(k) {
			if k == w.k && r.id == w.selfID() {
				continue
			}
			if w.s.nameKey(stringField(r.data, field)) == key && w.s.namesCollide(active, isActive(r.data)) {
				return errDuplicateName(r.id)
			}
		}
	}
	return nil
}

// Currency every company uses until multicurrency is emulated.
func homeCurrency() map[string]any {
	return map[string]any{"value": "USD", "name": "United States Dollar"}
}

var zero = json.Number("0")
