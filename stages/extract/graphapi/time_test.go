package graphapi

import (
	"testing"
	"time"
)

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
