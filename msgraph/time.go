package msgraph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Time is a date-time as Microsoft sends it: Graph's DateTimeOffset, a usage
// report's date column, a Dataverse datetime. Every date field read from
// Microsoft goes through it (UnmarshalJSON or ParseTime), so "no value" means
// one thing everywhere.
//
// The zero Time (IsZero, Ptr returns nil) is "no value". Microsoft spells no
// value in three ways: JSON null, an empty string (signInActivity's
// lastSuccessfulSignInDateTime in the list-users Example 11), and the .NET
// minimum 0001-01-01T00:00:00Z (lastNonInteractiveSignInDateTime in the same
// example). Stored as a real date, the last one made a user 739,951 days
// inactive. Any value in year 1 or earlier is taken as no value, whatever its
// precision or offset.
//
// A value that is none of these and does not parse is an error naming it:
// taking it as "no value" would make an active user look as if they never
// signed in.
type Time struct{ time.Time }

// timeLayouts are tried in order. Graph sends RFC 3339 with or without
// fractional seconds; some Graph and Dataverse fields omit the offset (UTC is
// meant); report CSVs carry plain dates.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	time.DateOnly,
}

// ParseTime reads s as a Microsoft date-time in UTC; nil for no value: ""
// (after trimming spaces), "null" and any year-0001 form. Anything else that
// does not parse is an error naming the value.
func ParseTime(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" || strings.HasPrefix(s, "0001-01-01") || strings.HasPrefix(s, "0000-") {
		return nil, nil
	}
	for _, layout := range timeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if t.Year() <= 1 {
			return nil, nil
		}
		t = t.UTC()
		return &t, nil
	}
	return nil, fmt.Errorf("not a date-time: %q", s)
}

// UnmarshalJSON accepts a JSON string or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("not a date-time: %s", b)
	}
	p, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = Time{}
	if p != nil {
		t.Time = *p
	}
	return nil
}

// MarshalJSON writes null for no value, RFC 3339 otherwise.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Time.UTC().Format(time.RFC3339Nano))
}

// Ptr is the time, or nil for no value: the form the schemas' nullable
// timestamp columns take.
func (t Time) Ptr() *time.Time {
	if t.IsZero() {
		return nil
	}
	v := t.Time
	return &v
}

// PtrOf is p.Ptr(), nil for a nil p (a field absent from the response).
func PtrOf(p *Time) *time.Time {
	if p == nil {
		return nil
	}
	return p.Ptr()
}
