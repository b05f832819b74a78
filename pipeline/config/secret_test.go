// An external test package: pipeline/ui renders configurations, so it
// imports this package, and these tests render diagnostics through ui.
package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/ui"
)

// knownSecret contains "(" so regex() fails on it, and is long enough to
// be unmistakable in any output.
const knownSecret = "Zz9-(never-print-me)-4417"

// secretLoader serves the secret from the environment (SECRET and
// RECLAIM_VAR_secret) and from the file secret.txt.
func secretLoader() *config.Loader {
	l := envLoader(map[string]string{"SECRET": knownSecret, "RECLAIM_VAR_env_secret": knownSecret})
	l.ReadFile = func(name string) ([]byte, error) {
		if filepath.Base(name) == "secret.txt" {
			return []byte(knownSecret + "\n"), nil
		}
		return nil, os.ErrNotExist
	}
	return l
}

const secretVars = `
variable "secret" { sensitive = true }
variable "env_secret" { sensitive = true }
`

// TestSecretNeverPrinted proves a secret that reaches the configuration
// through env(), file(), -var or RECLAIM_VAR_* never appears in the decoded
// config however it is formatted, nor in any diagnostic, however the value
// is misused.
func TestSecretNeverPrinted(t *testing.T) {
	valid := secretVars + `
profile "env" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
  dynamics "d" {
    url           = "https://x.crm.dynamics.com"
    client_id     = "33333333-3333-3333-3333-333333333333"
    client_secret = trimspace(file("secret.txt"))
  }
}
profile "var" {
  tenant_id            = "11111111-1111-1111-1111-111111111111"
  client_id            = "22222222-2222-2222-2222-222222222222"
  certificate_file     = "app.pfx"
  certificate_password = var.secret
}
profile "envvar" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = upper(var.env_secret)
}
`
	// Secrets declared sensitive, put where they would be printed: each is
	// refused, so the Config never holds them.
	varMisuse := secretVars + `
profile "p" {
  tenant_id      = var.secret
  client_id      = var.env_secret
  client_secret  = tonumber(var.secret)
  graph_endpoint = var.env_secret
  activity_since = var.secret
  lookback_days  = var.secret
}
exclude "e" {
  users  = [var.secret, "a@b.c"]
  groups = [upper(var.secret)]
  skus   = [regex(var.secret, "x")]
  when   = "${var.secret};"
}
reclaim "r" {
  skus              = [var.secret]
  signals           = [var.secret, format("%s-x", var.env_secret)]
  inactive_days     = var.secret
  action            = var.secret
  disabled_accounts = var.env_secret
}
price "SPE_E3" {
  amount   = 1
  currency = var.secret
  period   = var.env_secret
}
output {
  dir         = var.secret
  compression = var.env_secret
}
`
	// env() and file() values are ordinary configuration when they land in
	// an ordinary attribute (tenant_id = env("AZURE_TENANT_ID") is normal),
	// so here only the diagnostics are checked: none may quote the value.
	envMisuse := `
profile "p" {
  tenant_id      = env("SECRET")
  client_id      = file("secret.txt")
  client_secret  = tonumber(env("SECRET"))
  graph_endpoint = env("SECRET")
  activity_since = file("secret.txt")
  lookback_days  = env("SECRET")
}
exclude "e" {
  users  = [env("SECRET")]
  groups = [file("secret.txt")]
  skus   = [regex(env("SECRET"), "x")]
  when   = "${env("SECRET")};"
}
reclaim "r" {
  skus              = [env("SECRET")]
  signals           = [env("SECRET")]
  inactive_days     = env("SECRET")
  action            = env("SECRET")
  disabled_accounts = file("secret.txt")
}
price "SPE_E3" {
  amount   = env("SECRET")
  currency = env("SECRET")
  period   = env("SECRET")
}
output {
  compression = env("SECRET")
}
`
	for _, tt := range []struct {
		name        string
		src         string
		wantErr     bool
		checkConfig bool // the Config may not hold the secret either
	}{
		{"valid", valid, false, true},
		{"sensitive variables misused", varMisuse, true, true},
		{"env and file values misused", envMisuse, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := secretLoader()
			cfg, diags := l.LoadSources("cfg", map[string][]byte{"main.hcl": []byte(tt.src)}, map[string]string{"secret": knownSecret})
			if diags.HasErrors() != tt.wantErr {
				t.Fatalf("errors = %v, want %v: %v", diags.HasErrors(), tt.wantErr, diags)
			}
			var out bytes.Buffer
			if err := ui.WriteDiagnostics(&out, l.Files(), diags); err != nil {
				t.Fatal(err)
			}
			for _, d := range diags {
				fmt.Fprintf(&out, "%v\n%#v\n%s\n%s\n", d, d, d.Summary, d.Detail)
			}
			if !tt.checkConfig {
				if strings.Contains(out.String(), knownSecret) {
					t.Fatalf("the secret was printed:\n%s", out.String())
				}
				if len(diags) < 15 {
					t.Errorf("only %d diagnostics; want one per misuse:\n%s", len(diags), out.String())
				}
				return
			}
			fmt.Fprintf(&out, "%v\n%+v\n%#v\n", cfg, cfg, cfg)
			for _, name := range cfg.ProfileNames() {
				p := cfg.Profiles[name]
				fmt.Fprintf(&out, "%v\n%+v\n%#v\n%s\n", p, *p, *p, p.ClientSecret)
				fmt.Fprintf(&out, "%d %x %q %t %10.3v %+v\n", p.ClientSecret, p.ClientSecret, p.ClientSecret,
					p.CertificatePassword, p.ClientSecret, p.Credentials)
				for _, d := range p.Dynamics {
					fmt.Fprintf(&out, "%v %+v %#v\n", d, *d, d.Credentials)
				}
			}
			for _, v := range cfg.Variables {
				fmt.Fprintf(&out, "%+v %#v\n", *v, *v)
			}
			js, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			out.Write(js)
			if testing.Verbose() {
				t.Log(out.String())
			}
			if strings.Contains(out.String(), knownSecret) || strings.Contains(out.String(), strings.ToUpper(knownSecret)) {
				t.Fatalf("the secret was printed:\n%s", out.String())
			}
			if tt.wantErr && len(diags) < 15 {
				t.Errorf("only %d diagnostics; the misuse config should produce one per misuse:\n%s", len(diags), out.String())
			}
			if !tt.wantErr {
				if got := cfg.Profile("env").ClientSecret.Reveal(); got != knownSecret {
					t.Errorf("env() secret = %d bytes, want the secret", len(got))
				}
				if got := cfg.Profile("env").Dynamics[0].Credentials.ClientSecret.Reveal(); got != knownSecret {
					t.Errorf("file() secret = %d bytes, want the secret", len(got))
				}
				if got := cfg.Profile("var").CertificatePassword.Reveal(); got != knownSecret {
					t.Errorf("-var secret = %d bytes, want the secret", len(got))
				}
				if !strings.Contains(out.String(), "(sensitive)") {
					t.Error("secrets should print as (sensitive)")
				}
			}
		})
	}
}
