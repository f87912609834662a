package qbosim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// preferencesKind is the company's Preferences, read-only here like CompanyInfo: created
// with the company, served by GET /preferences and queries, changed only by
// Server.SetPreference. The sandbox keeps just the preferences it acts on, under
// OtherPrefs as name/value pairs, where Intuit's Purchase reference names
// WarnDuplicateCheckNumber.
var preferencesKind = &kind{
	name: "Preferences", resource: "preferences", idSeq: "preferences", readOnly: true,
	fields: mergeFields(entityBaseFields, fields{
		"OtherPrefs": tObject, "AccountingInfoPrefs": tObject, "SalesFormsPrefs": tObject,
		"VendorAndPurchasesPrefs": tObject,
	}),
}

// The duplicate-number preferences ("Warn if duplicate check number is used", "Warn if
// duplicate journal number is used" in QuickBooks' Advanced settings). With one on,
// QuickBooks refuses a check, or a journal entry, whose DocNumber another of its type
// has (6140), unless the request says include=allowduplicatedocnum. Intuit's sample
// company has them on, and so has every company of the sandbox until SetPreference
// turns one off. [U] the journal preference's name: Intuit's JournalEntry reference
// says only "check Preferences:OtherPrefs".
const (
	PrefWarnDuplicateCheckNumber   = "WarnDuplicateCheckNumber"
	PrefWarnDuplicateJournalNumber = "WarnDuplicateJournalNumber"
)

// newPreferences is a company's Preferences as the sandbox creates them.
func newPreferences(c *company, now time.Time, loc *time.Location) *record {
	data := map[string]any{
		"Id": c.nextID(preferencesKind.idSeq), "SyncToken": "0",
		"MetaData": map[string]any{
			"CreateTime":      now.In(loc).Format(metaTimeLayout),
			"LastUpdatedTime": now.In(loc).Format(metaTimeLayout),
		},
		"OtherPrefs": map[string]any{"NameValue": []any{
			nameValue(PrefWarnDuplicateCheckNumber, "true"),
			nameValue(PrefWarnDuplicateJournalNumber, "true"),
		}},
	}
	return &record{id: stringField(data, "Id"), data: data}
}

// preference reads a boolean preference of OtherPrefs. A company without Preferences
// (one saved by an older sandbox) has every warning on: the stricter reading.
func (c *company) preference(name string) bool {
	prefs := c.list(preferencesKind)
	if len(prefs) == 0 {
		return true
	}
	other, _ := prefs[0].data["OtherPrefs"].(map[string]any)
	pairs, _ := other["NameValue"].([]any)
	for _, p := range pairs {
		if m, ok := p.(map[string]any); ok && stringField(m, "Name") == name {
			return strings.EqualFold(stringField(m, "Value"), "true")
		}
	}
	return false
}

// SetPreference turns a boolean preference of the company's OtherPrefs on or off, as
// the company's administrator would in QuickBooks' settings (PrefWarnDuplicateCheckNumber,
// PrefWarnDuplicateJournalNumber).
func (s *Server) SetPreference(realmID, name string, on bool) error {
	c := s.company(realmID)
	if c == nil {
		return fmt.Errorf("qbosim: no company %s", realmID)
	}
	now := s.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	prefs := c.list(preferencesKind)
	var r *record
	if len(prefs) == 0 {
		r = newPreferences(c, now, s.loc)
		c.put(preferencesKind, r)
	} else {
		r = prefs[0]
	}
	other, _ := r.data["OtherPrefs"].(map[string]any)
	if other == nil {
		other = map[string]any{}
		r.data["OtherPrefs"] = other
	}
	pairs, _ := other["NameValue"].([]any)
	value := fmt.Sprint(on)
	found := false
	for _, p := range pairs {
		if m, ok := p.(map[string]any); ok && stringField(m, "Name") == name {
			m["Value"], found = value, true
		}
	}
	if !found {
		pairs = append(pairs, nameValue(name, value))
	}
	other["NameValue"] = pairs
	prev, _ := strconv.Atoi(stringField(r.data, "SyncToken"))
	r.data["SyncToken"] = strconv.Itoa(prev + 1)
	if meta, ok := r.data["MetaData"].(map[string]any); ok {
		meta["LastUpdatedTime"] = now.In(s.loc).Format(metaTimeLayout)
	}
	s.markDirty()
	return nil
}
