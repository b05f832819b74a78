package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/stages/extract/graphapi/graphapitest"
)

// TestRunDemoExtract runs `reclaim run examples/demo --stage extract`
// against the fake tenant and checks every table the demo's rules need
// lands, and the ones they do not are skipped.
func TestRunDemoExtract(t *testing.T) {
	ten := graphapitest.Demo(200)
	ten.Groups["0e5c4a1b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"] = ten.Groups["g-excl"]
	graphapitest.Start(t, ten)
	out := t.TempDir()
	root := newRootCmd()
	var stdout, stderr bytes.Buffer
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	root.SetArgs(singleDashLongFlags(root, []string{"run", "../../examples/demo", "--stage", "extract", "--as-of", "2026-11-25",
		"-var", "sim_url=" + ten.URL(), "-var", "ca_file=" + ten.CAFile(), "-var", "output_dir=" + out,
		"-var", "tenant_id=" + ten.TenantID, "-var", "client_id=" + ten.ClientID, "-var", "client_secret=" + ten.ClientSecret,
		"--progress", "log"}))
	if err := root.Execute(); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	got := stdout.String()
	for _, table := range []string{"users", "user_license_assignments", "subscribed_skus", "group_members", "report_settings",
		"report_office365_active_user_detail", "report_m365_app_user_detail", "report_office365_activations_user_detail",
		"report_mailbox_usage_detail", "report_onedrive_usage_account_detail", "sign_ins",
		"dataverse_system_users", "dataverse_audits"} {
		p := filepath.Join(out, "sim", "raw", table, "snapshot_date=2026-11-25", "part-0.parquet")
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", table, err)
		}
	}
	for _, skipped := range []string{"report_teams_user_activity_user_detail", "report_email_activity_user_detail"} {
		if !strings.Contains(got, skipped) || strings.Contains(got, skipped+" ok") {
			t.Errorf("%s should be listed as skipped", skipped)
		}
		if _, err := os.Stat(filepath.Join(out, "sim", "raw", skipped)); !os.IsNotExist(err) {
			t.Errorf("%s was extracted though no rule needs it", skipped)
		}
	}
	if strings.Contains(got+stderr.String(), ten.ClientSecret) {
		t.Error("the client secret appears in the output")
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("stdout:\n%s", got)
	}
}
