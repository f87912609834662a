package settings

import (
	"bytes"
	"encoding/json"
	"errors"
)

// DecodeAnswers reads a step's answers sent as JSON (the JSON API's "answers") onto s:
// a field a section leaves out keeps its value in s, never its zero value, so a client
// that sends only what changed does not reset the rest to a default. Only the sections
// named in raw are answered. A QuickBooks object (Target) sent is taken whole, and bank
// account entries are matched by pms_account_id (Apply), so an entry's unsent fields
// are refused by validation rather than borrowed from another account. Unknown fields
// are refused.
func (s Settings) DecodeAnswers(raw []byte) (Answers, error) {
	var sent map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sent); err != nil {
		return Answers{}, err
	}
	var a Answers
	for _, sec := range Sections {
		if _, ok := sent[string(sec)]; !ok {
			continue
		}
		stored, _ := json.Marshal(s.Section(sec))
		if err := json.Unmarshal(stored, &a); err != nil {
			return Answers{}, err
		}
	}
	// Lists are merged by id in Apply: an entry must not start from another's values.
	if a.OperatingBank != nil {
		a.OperatingBank.Accounts = nil
	}
	if a.Trust != nil {
		a.Trust.Accounts = nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&a); err != nil {
		return Answers{}, err
	}
	if d.More() {
		return Answers{}, errors.New("there is more after the answers")
	}
	return a, nil
}

// UnmarshalJSON takes a target whole: {"name": "X"} is a new object named X, even when
// decoded onto an existing object's target (DecodeAnswers decodes onto stored values).
func (t *Target) UnmarshalJSON(b []byte) error {
	type plain Target
	var p plain
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return err
	}
	*t = Target(p)
	return nil
}
