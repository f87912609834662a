package qbosim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Wire time layouts. The envelope "time" carries milliseconds, MetaData
// times do not (both with the company's UTC offset), as in Intuit samples.
const (
	envelopeTimeLayout = "2006-01-02T15:04:05.000-07:00"
	metaTimeLayout     = "2006-01-02T15:04:05-07:00"
	dateLayout         = "2006-01-02"
)

// decodeJSON parses exactly one JSON value. Numbers stay json.Number so that
// amounts are never rounded through float64.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// marshalJSON encodes like the real API: no HTML escaping of <, > and &.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// cloneValue deep-copies a decoded JSON value so callers of the test
// accessors cannot reach into the store.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

// stringField returns m[key] when it is a string.
func stringField(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// boolField returns m[key] as a bool, or def when absent or not a bool.
func boolField(m map[string]any, key string, def bool) bool {
	if b, ok := m[key].(bool); ok {
		return b
	}
	return def
}

// refValue returns the "value" of a reference object {"value":..,"name":..}.
func refValue(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	return scalarString(m["value"])
}

// scalarString renders a JSON scalar (string or number) as a string.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		return ""
	}
}

// isActive reports the Active flag of a stored entity; absent means active.
func isActive(data map[string]any) bool { return boolField(data, "Active", true) }

// lessID orders numeric string ids numerically, then lexically.
func lessID(a, b string) bool {
	if len(a) != len(b) {
		if _, errA := strconv.ParseUint(a, 10, 64); errA == nil {
			if _, errB := strconv.ParseUint(b, 10, 64); errB == nil {
				return len(a) < len(b)
			}
		}
	}
	return a < b
}

func sortIDs(ids []string) { sort.Slice(ids, func(i, j int) bool { return lessID(ids[i], ids[j]) }) }

// lookupKey finds key in m, case-insensitively when there is no exact match:
// query attribute names are case-insensitive.
func lookupKey(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// parseQBOTime parses the date/time forms QBO accepts in queries and
// payloads: RFC 3339, a local date-time, or a bare date (midnight in loc).
func parseQBOTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", dateLayout} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
