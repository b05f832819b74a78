package msgraph

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func TestParseTimeNoValue(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "  ", "null", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00", "0001-01-01T00:00:00.0000000Z",
		"0001-01-01T00:00:00+00:00", "0001-01-01T01:00:00+01:00", "0001-01-01", "0000-12-31T23:00:00Z"} {
		got, err := ParseTime(s)
		if err != nil || got != nil {
			t.Errorf("ParseTime(%q) = %v, %v; want no value", s, got, err)
		}
	}
}

func TestParseTimeValues(t *testing.T) {
	t.Parallel()
	want := time.Date(2021, 6, 17, 16, 41, 33, 0, time.UTC)
	for _, s := range []string{"2021-06-17T16:41:33Z", "2021-06-17T16:41:33.0000000Z", "2021-06-17T18:41:33+02:00", "2021-06-17T16:41:33"} {
		got, err := ParseTime(s)
		if err != nil || got == nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if d, err := ParseTime("2024-03-01"); err != nil || d == nil || !d.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date only: %v, %v", d, err)
	}
	if _, err := ParseTime("17/06/2021"); err == nil {
		t.Error("an unparsable date-time must be an error, not no value")
	}
	var v struct{ T Time }
	if err := json.Unmarshal([]byte(`{"T": 12}`), &v); err == nil {
		t.Error("a number is not a date-time")
	}
}

// TestTimeMicrosoftExample11 decodes Microsoft's verbatim "List users"
// Example 11: "" and 0001-01-01T00:00:00Z are no value, real dates stay.
func TestTimeMicrosoftExample11(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../testdata/microsoft/user-list-example11.json")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Value []struct {
			UserPrincipalName string
			SignInActivity    struct {
				LastSignInDateTime, LastNonInteractiveSignInDateTime, LastSuccessfulSignInDateTime *Time
			}
		}
	}
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	adele := page.Value[0].SignInActivity
	if PtrOf(adele.LastNonInteractiveSignInDateTime) != nil || PtrOf(adele.LastSuccessfulSignInDateTime) != nil {
		t.Errorf("Adele: 0001-01-01 and \"\" must be no value, got %v / %v", adele.LastNonInteractiveSignInDateTime, adele.LastSuccessfulSignInDateTime)
	}
	if p := PtrOf(adele.LastSignInDateTime); p == nil || !p.Equal(time.Date(2021, 6, 17, 16, 41, 33, 0, time.UTC)) {
		t.Errorf("Adele lastSignInDateTime = %v", p)
	}
	alex := page.Value[1].SignInActivity
	if p := PtrOf(alex.LastNonInteractiveSignInDateTime); p == nil || p.Year() != 2021 {
		t.Errorf("Alex lastNonInteractiveSignInDateTime = %v", p)
	}
	if PtrOf(nil) != nil {
		t.Error("PtrOf(nil)")
	}
	out, _ := json.Marshal(struct{ A, B Time }{B: Time{time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)}})
	if string(out) != `{"A":null,"B":"2021-01-02T03:04:05Z"}` {
		t.Errorf("marshal: %s", out)
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string // RFC 3339, "" for no value
		wantErr bool
	}{
		{in: ""},
		{in: "0001-01-01T00:00:00Z"},
		{in: "0001-01-01T00:00:00+00:00"},
		{in: "2021-06-17T16:41:33Z", want: "2021-06-17T16:41:33Z"},
		{in: "2021-06-17T18:41:33.123+02:00", want: "2021-06-17T16:41:33.123Z"},
		{in: "yesterday", wantErr: true},
	} {
		got, err := ParseTime(tc.in)
		switch {
		case tc.wantErr:
			if err == nil {
				t.Errorf("ParseTime(%q) = %v, want an error", tc.in, got)
			}
		case err != nil:
			t.Errorf("ParseTime(%q): %v", tc.in, err)
		case tc.want == "" && got != nil:
			t.Errorf("ParseTime(%q) = %v, want no value", tc.in, got)
		case tc.want != "" && (got == nil || got.Format(time.RFC3339Nano) != tc.want):
			t.Errorf("ParseTime(%q) = %v, want %s", tc.in, got, tc.want)
		}
	}
}
