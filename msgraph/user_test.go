package msgraph

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLastActivityIgnoresAttempts: lastSignInDateTime (attempts, failed ones
// included) never makes a user active; the newer of the successful and the
// non-interactive sign-in does; "no value" in any of Microsoft's spellings
// is none.
func TestLastActivityIgnoresAttempts(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // RFC 3339, "" for none
	}{
		{"failed attempt newest", `{"lastSignInDateTime":"2026-11-20T10:00:00Z","lastSuccessfulSignInDateTime":"2026-09-01T08:00:00Z","lastNonInteractiveSignInDateTime":null}`, "2026-09-01T08:00:00Z"},
		{"only attempts", `{"lastSignInDateTime":"2026-11-20T10:00:00Z","lastSuccessfulSignInDateTime":"","lastNonInteractiveSignInDateTime":"0001-01-01T00:00:00Z"}`, ""},
		{"non-interactive newer", `{"lastSuccessfulSignInDateTime":"2026-09-01T08:00:00Z","lastNonInteractiveSignInDateTime":"2026-10-02T08:00:00Z"}`, "2026-10-02T08:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s SignInActivity
			if err := json.Unmarshal([]byte(tc.body), &s); err != nil {
				t.Fatal(err)
			}
			got := s.LastActivity()
			switch {
			case tc.want == "" && got != nil:
				t.Errorf("LastActivity = %s, want none", got)
			case tc.want != "" && (got == nil || got.Format(time.RFC3339) != tc.want):
				t.Errorf("LastActivity = %v, want %s", got, tc.want)
			}
		})
	}
	if (*SignInActivity)(nil).LastActivity() != nil {
		t.Error("no signInActivity has an activity")
	}
}

// TestSignInActivityErrorNamesTheField: a timestamp that is not one fails
// the decode naming which.
func TestSignInActivityErrorNamesTheField(t *testing.T) {
	var u User
	err := json.Unmarshal([]byte(`{"id":"u","signInActivity":{"lastSuccessfulSignInDateTime":"yesterday"}}`), &u)
	if err == nil || !strings.Contains(err.Error(), "signInActivity.lastSuccessfulSignInDateTime") || !strings.Contains(err.Error(), `"yesterday"`) {
		t.Fatalf("error %v, want it to name signInActivity.lastSuccessfulSignInDateTime and the value", err)
	}
}
