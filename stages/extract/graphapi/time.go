package graphapi

import (
	"fmt"
	"time"
)

// ParseTime reads a Graph DateTimeOffset. Microsoft writes "no value" in
// several ways — null (pass ""), an empty string, and the .NET zero time
// "0001-01-01T00:00:00Z" (both appear in the signInActivity of the List
// users reference, Example 11) — and all of them give nil. Anything else
// that is not RFC 3339 is an error naming the value. The time is in UTC.
func ParseTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("not a date-time: %q", s)
	}
	if t.Year() <= 1 {
		return nil, nil
	}
	t = t.UTC()
	return &t, nil
}
