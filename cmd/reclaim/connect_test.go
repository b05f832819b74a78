package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/simtenant"
)

// TestValidateConnect checks `reclaim validate --connect` against the
// simulator: all permissions → exit 0; a required one missing → exit 1
// naming it; an optional one missing → still 0; wrong secret → one line with
// the AADSTS code.
func TestValidateConnect(t *testing.T) {
	without := func(perm string) []string {
		return slices.DeleteFunc(slices.Clone(simtenant.DefaultPermissions), func(p string) bool { return p == perm })
	}
	for _, tc := range []struct {
		name    string
		perms   []string
		secret  string
		wantErr bool
		want    []string
	}{
		{name: "all granted", want: []string{"Reports.Read.All", "ok", "trial subscriptions", "Every enabled task"}},
		{name: "no Reports.Read.All", perms: without("Reports.Read.All"), wantErr: true, want: []string{"usage reports", "missing"}},
		{name: "no ReportSettings.Read.All", perms: without("ReportSettings.Read.All"), want: []string{"optional-missing"}},
		// AADSTS7000215 is not an expired secret (that is AADSTS7000222): most
		// often the secret's ID was pasted instead of its value.
		{name: "wrong secret", secret: "Xq9-not-the-secret", wantErr: true, want: []string{"AADSTS7000215", `profile "sim"`,
			"check client_secret for app " + simtenant.DefaultClientID, "not its Secret ID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := simtenant.Start(simtenant.Options{Users: 20, Seed: 1, Permissions: tc.perms})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			secret := srv.ClientSecret()
			if tc.secret != "" {
				secret = tc.secret
			}
			text, err := runExtractCLI(t, "validate", "../../examples/demo", "--connect",
				"-var", "sim_url="+srv.URL(), "-var", "ca_file="+srv.CAFile(), "-var", "tenant_id="+srv.TenantID(),
				"-var", "client_id="+srv.ClientID(), "-var", "client_secret="+secret)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v\n%s", err, tc.wantErr, text)
			}
			if err != nil {
				text += err.Error()
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
			if tc.secret != "" && strings.Contains(text, tc.secret) {
				t.Error("output shows the secret")
			}
		})
	}
}

// TestEveryAuthKindIsBuilt: each auth kind the config accepts is one azcred
// builds (an unknown kind would only fail when a profile used it).
func TestEveryAuthKindIsBuilt(t *testing.T) {
	t.Parallel()
	for _, kind := range config.AuthKinds {
		p := &config.Profile{Name: "p", TenantID: "11111111-1111-1111-1111-111111111111", LoginEndpoint: config.DefaultLoginEndpoint,
			Credentials: config.Credentials{Auth: kind, ClientID: "22222222-2222-2222-2222-222222222222", CertificateFile: "app.pem"}}
		_, err := credentialSource(p)
		if err != nil && strings.Contains(err.Error(), "unknown auth") {
			t.Errorf("auth %q: %v", kind, err)
		}
	}
}
