package whatsapp

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The flex* types decode the loosely typed values Meta sends: numbers that
// arrive as strings and strings that arrive as numbers. They never fail, so a
// surprising value empties one field instead of losing a whole notification.

// flexString takes a JSON string, number or boolean as text.
type flexString string

// UnmarshalJSON reads a string, number or boolean as text and never fails.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || b[0] == '{' || b[0] == '[' || string(b) == "null":
		return nil
	case len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		// No escapes and valid UTF-8 (the common case): the text is between the quotes.
		*f = flexString(b[1 : len(b)-1])
		return nil
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*f = flexString(s)
		}
		return nil
	default:
		*f = flexString(b)
		return nil
	}
}

// flexFloat takes a JSON number or a string holding one.
type flexFloat float64

// UnmarshalJSON reads a number or numeric string and never fails.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	v, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		*f = flexFloat(v)
	}
	return nil
}

// flexInt takes a JSON integer, a float with no fraction, or a string of one.
type flexInt int64

// UnmarshalJSON reads an integer or integer string and never fails.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	t := strings.TrimSpace(string(s))
	if v, err := strconv.ParseInt(t, 10, 64); err == nil {
		*f = flexInt(v)
		return nil
	}
	if v, err := strconv.ParseFloat(t, 64); err == nil && v == math.Trunc(v) && math.Abs(v) < 1<<62 {
		*f = flexInt(int64(v))
	}
	return nil
}

// flexBool takes true/false, "true"/"false" or 1/0.
type flexBool bool

// UnmarshalJSON reads a boolean, "true"/"false" or 1/0 and never fails.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	v, err := strconv.ParseBool(strings.TrimSpace(string(s)))
	if err == nil {
		*f = flexBool(v)
	}
	return nil
}

// flexTime takes Unix seconds as a number or a string. Values too large to be
// seconds are read as milliseconds, and RFC 3339 text is accepted as well.
type flexTime time.Time

// UnmarshalJSON reads Unix seconds (or milliseconds, or RFC 3339) and never fails.
func (f *flexTime) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	t := strings.TrimSpace(string(s))
	if t == "" {
		return nil
	}
	var n flexInt
	_ = n.UnmarshalJSON([]byte(strconv.Quote(t)))
	switch {
	case n > 1e11: // past year 5000 as seconds, so it must be milliseconds
		*f = flexTime(time.UnixMilli(int64(n)).UTC())
	case n > 0:
		*f = flexTime(time.Unix(int64(n), 0).UTC())
	default:
		if p, err := time.Parse(time.RFC3339, t); err == nil {
			*f = flexTime(p.UTC())
		}
	}
	return nil
}

// rawList returns the elements of a JSON array; a lone object counts as a
// one-element list and anything else as an empty one.
func rawList(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '{':
		return []json.RawMessage{raw}
	case '[':
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return nil
		}
		return list
	}
	return nil
}

// isObject reports whether raw is a JSON object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// normalizePhone strips spaces and a leading "+" from a WhatsApp id.
func normalizePhone(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSpace(strings.TrimPrefix(s, "+"))
}
