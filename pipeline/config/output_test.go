package config

import (
	"strings"
	"testing"
)

// TestOutputRemote decodes output.url for each store kind; the invalid
// forms are in testdata/invalid/output_*.hcl.
func TestOutputRemote(t *testing.T) {
	const prof = `profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}
`
	cases := []struct {
		out  string
		want Remote
	}{
		{`output {
  url        = "az://devstoreaccount1/reclaim/tenants/contoso/"
  endpoint   = "http://127.0.0.1:10000/devstoreaccount1"
  shared_key = env("KEY")
}`, Remote{URL: "az://devstoreaccount1/reclaim/tenants/contoso/", Scheme: RemoteAzure, Account: "devstoreaccount1",
			Container: "reclaim", Prefix: "tenants/contoso", Endpoint: "http://127.0.0.1:10000/devstoreaccount1"}},
		{`output {
  url = "az://onelake/MyWorkspace/lake.Lakehouse/Files/reclaim"
  endpoint = "https://onelake.blob.fabric.microsoft.com"
}`, Remote{URL: "az://onelake/MyWorkspace/lake.Lakehouse/Files/reclaim", Scheme: RemoteAzure, Account: "onelake",
			Container: "MyWorkspace", Prefix: "lake.Lakehouse/Files/reclaim", Endpoint: "https://onelake.blob.fabric.microsoft.com"}},
		{`output { url = "az://acct/container" }`, Remote{URL: "az://acct/container", Scheme: RemoteAzure, Account: "acct", Container: "container"}},
		{`output {
  url    = "s3://lake-bucket/reclaim"
  region = "eu-west-1"
}`, Remote{URL: "s3://lake-bucket/reclaim", Scheme: RemoteS3, Account: "lake-bucket", Prefix: "reclaim", Region: "eu-west-1"}},
	}
	for _, c := range cases {
		cfg, diags := loadString(t, map[string]string{"SECRET": "s", "KEY": "a2V5"}, nil, prof+c.out)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", c.out, diags.Error())
		}
		got := cfg.Output.Remote
		if got == nil {
			t.Fatalf("%s: no remote", c.out)
		}
		if wantKey := strings.Contains(c.out, "shared_key"); got.SharedKey.IsSet() != wantKey || (wantKey && got.SharedKey.Reveal() != "a2V5") {
			t.Errorf("%s: shared key set %v", c.out, got.SharedKey.IsSet())
		}
		got.SharedKey, got.DeclRange = Secret{}, c.want.DeclRange
		if *got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.out, *got, c.want)
		}
	}
	cfg, diags := loadString(t, map[string]string{"SECRET": "s"}, nil, prof)
	if diags.HasErrors() || cfg.Output.Remote != nil {
		t.Errorf("no output block: remote %+v, %s", cfg.Output.Remote, diags.Error())
	}
}
