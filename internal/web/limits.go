package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/setupapi"
)

// Every text field has a length cap, checked before anything reaches a workflow: a
// refusal names the field and the cap, never echoing the value (a page or log line
// must not carry a megabyte someone pasted). The caps, by field:
const (
	// maxFieldName caps a form field's name: ours are paths of a few dozen characters.
	maxFieldName = 120
	// maxID caps QuickBooks ids (existing_id, realm_id): short numbers.
	maxID = 32
	// maxChoice caps choices and keys: actions, steps, modes, option values, flags.
	maxChoice = 40
	// maxDate caps a date: YYYY-MM-DD.
	maxDate = len("2006-01-02")
	// maxSecret caps anti-forgery values, sign-in tokens and OAuth values.
	maxSecret = 1024
	// maxLabel caps labels the wizard shows back (a practice account's name).
	maxLabel = 200
)

// fieldCap is the cap of a field, by its path (a form field's name, or the JSON path
// of an answer: "operating_bank.accounts.0.account.name").
func fieldCap(path string) int {
	last := path[strings.LastIndex(path, ".")+1:]
	switch {
	case last == "name" || last == "default_vendor":
		// QuickBooks' own limit on names (settings.MaxNameLength).
		return settings.MaxNameLength
	case last == "existing_id" || last == "realm_id" || last == "realmId":
		return maxID
	case last == "start_date":
		return maxDate
	case last == "pms_name":
		return maxLabel
	case slices.Contains([]string{"csrf", "confirm", "token", "login_token", "state", "code"}, last):
		return maxSecret
	}
	return maxChoice
}

// textField is one text value sent, and where.
type textField struct{ path, value string }

// checkLengths refuses the fields over their caps, each by name with its cap; nil
// when all fit.
func checkLengths(fields []textField) settings.FieldErrors {
	var errs settings.FieldErrors
	fields = slices.Clone(fields)
	slices.SortFunc(fields, func(a, b textField) int { return strings.Compare(a.path, b.path) })
	for _, f := range fields {
		if len(f.path) > maxFieldName {
			errs = append(errs, settings.FieldError{Field: strings.ToValidUTF8(f.path[:20], "") + "…",
				Message: fmt.Sprintf("a field name is over %d characters; this form has no such field", maxFieldName)})
			continue
		}
		if n, max := utf8.RuneCountInString(f.value), fieldCap(f.path); n > max {
			errs = append(errs, settings.FieldError{Field: f.path,
				Message: fmt.Sprintf("is %d characters long; at most %d are allowed; shorten it", n, max)})
		}
	}
	return errs
}

// formFields lists a form's (or a query's) values: all of them, or only those named
// (a redirect from QuickBooks may carry parameters of its own that are not ours to cap).
func formFields(form map[string][]string, only ...string) []textField {
	var out []textField
	for k, vs := range form {
		if len(only) > 0 && !slices.Contains(only, k) {
			continue
		}
		for _, v := range vs {
			out = append(out, textField{k, v})
		}
	}
	return out
}

// actionStrings lists an API action's text values by their JSON paths.
func actionStrings(a setupapi.Action) []textField {
	out := []textField{{"realm_id", a.RealmID}, {"mode", string(a.Mode)}, {"step", string(a.Step)}}
	if a.Answers == nil {
		return out
	}
	raw, _ := json.Marshal(a.Answers)
	var v any
	_ = json.Unmarshal(raw, &v)
	walkStrings("", v, func(path, s string) { out = append(out, textField{path, s}) })
	return out
}

// walkStrings calls visit with every string in a decoded JSON value and its dotted
// path (array elements by index, as the form's field names have them).
func walkStrings(path string, v any, visit func(path, s string)) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := v.(type) {
	case string:
		visit(path, v)
	case map[string]any:
		for k, e := range v {
			walkStrings(join(k), e, visit)
		}
	case []any:
		for i, e := range v {
			walkStrings(join(strconv.Itoa(i)), e, visit)
		}
	}
}

// tooLong is the refusal of fields over their caps, as a sentence.
func tooLong(errs settings.FieldErrors) string {
	return "Shorten these and send them again: " + errs.Error() + "."
}
