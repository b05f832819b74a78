package ui

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestConnectProfile: validate --connect's table has a row per check with
// its detail, escapes what the tenant sent, and shows only the error when
// the checks could not start; Failed is true for missing and error only.
func TestConnectProfile(t *testing.T) {
	lines := []ProbeLine{
		{Task: "users", Permission: "User.Read.All", Status: ProbeOK},
		{Task: "usage reports", Permission: "Reports.Read.All", Status: ProbeMissing, Detail: "Authorization_RequestDenied\x1b[2J"},
		{Task: "report settings", Permission: "ReportSettings.Read.All", Status: ProbeOptionalMissing, Detail: "reclaim falls back; see docs"},
	}
	var b bytes.Buffer
	if err := WriteConnectProfile(&b, "contoso", "t-1", "client secret of app a-1", nil, lines); err != nil {
		t.Fatal(err)
	}
	want := "\nConnecting profile contoso (tenant t-1):\n" +
		"  signed in with client secret of app a-1\n" +
		"  TASK             PERMISSION               RESULT\n" +
		"  users            User.Read.All            ok\n" +
		"  usage reports    Reports.Read.All         missing (Authorization_RequestDenied\\x1b[2J)\n" +
		"  report settings  ReportSettings.Read.All  optional-missing (reclaim falls back; see docs)\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}

	b.Reset()
	if err := WriteConnectProfile(&b, "contoso", "t-1", "", errors.New("AADSTS7000215: invalid client secret"), lines); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.HasSuffix(got, ":\n  AADSTS7000215: invalid client secret\n") || strings.Contains(got, "TASK") {
		t.Errorf("a profile that could not connect shows its error alone, got\n%s", got)
	}

	for status, failed := range map[string]bool{ProbeOK: false, ProbeMissing: true, ProbeOptionalMissing: false, ProbeError: true, ProbeNotChecked: false} {
		if got := (ProbeLine{Status: status}).Failed(); got != failed {
			t.Errorf("ProbeLine{Status: %q}.Failed() = %v, want %v", status, got, failed)
		}
	}
}
