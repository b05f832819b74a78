package msgraph

import (
	"net/http"
	"testing"
	"time"
)

// TestRetryAfterForms: Retry-After is read as whole or fractional seconds or
// as an HTTP date; anything else, a negative number or a date in the past
// means "no hint", and our own backoff applies.
func TestRetryAfterForms(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		in       string
		min, max time.Duration
	}{
		{"", 0, 0},
		{"30", 30 * time.Second, 30 * time.Second},
		{" 2 ", 2 * time.Second, 2 * time.Second},
		{"0.5", 500 * time.Millisecond, 500 * time.Millisecond},
		{"1.25", 1250 * time.Millisecond, 1250 * time.Millisecond},
		{future, 80 * time.Second, 90 * time.Second},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, 0},
		{"-3", 0, 0},
		{"soon", 0, 0},
	}
	for _, c := range cases {
		if got := retryAfter(c.in); got < c.min || got > c.max {
			t.Errorf("retryAfter(%q) = %s, want between %s and %s", c.in, got, c.min, c.max)
		}
	}
}
