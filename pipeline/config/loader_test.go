package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/pipeline/sqlcheck"
)

// minimalProfile is the smallest valid profile; tests append the blocks they
// are about.
const minimalProfile = `
profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}
`

// testLoader reads only the given environment, never the machine's.
func testLoader(env map[string]string) *Loader {
	l := NewLoader()
	l.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return l
}

func loadString(t *testing.T, env, vars map[string]string, files ...string) (*Config, hcl.Diagnostics) {
	t.Helper()
	srcs := map[string][]byte{}
	for i, f := range files {
		srcs[string(rune('a'+i))+".hcl"] = []byte(f)
	}
	if env == nil {
		env = map[string]string{"SECRET": "s3cr3t"}
	}
	return testLoader(env).LoadSources("cfg", srcs, vars)
}

func mustLoad(t *testing.T, files ...string) *Config {
	t.Helper()
	cfg, diags := loadString(t, nil, nil, files...)
	for _, d := range diags {
		t.Errorf("unexpected diagnostic: %s", d)
	}
	if cfg == nil {
		t.Fatal("nil config")
	}
	return cfg
}

func TestProfileDefaults(t *testing.T) {
	cfg := mustLoad(t, minimalProfile)
	p := cfg.Profile("p")
	if p == nil {
		t.Fatal("profile p not found")
	}
	if p.GraphEndpoint != DefaultGraphEndpoint || p.LoginEndpoint != DefaultLoginEndpoint {
		t.Errorf("endpoints = %q, %q; want the public cloud defaults", p.GraphEndpoint, p.LoginEndpoint)
	}
	if !p.Tasks.DownloadActivity || p.Tasks.ReclaimSubscriptions {
		t.Errorf("tasks = %+v; want download_activity on, reclaim_subscriptions off", p.Tasks)
	}
	if p.LookbackDays != 90 || !p.ActivitySince.IsZero() {
		t.Errorf("lookback %d since %v; want 90 and zero", p.LookbackDays, p.ActivitySince)
	}
	if p.ClientSecret.Reveal() != "s3cr3t" {
		t.Errorf("client secret not read from env()")
	}
	if cfg.Output.Dir != DefaultOutputDir || cfg.Output.Compression != "zstd" {
		t.Errorf("output = %+v; want defaults", cfg.Output)
	}
	if p.DeclRange.Filename != "a.hcl" || p.DeclRange.Start.Line != 2 {
		t.Errorf("DeclRange = %s; want a.hcl line 2", p.DeclRange)
	}
}

func TestDecodeEveryBlock(t *testing.T) {
	cfg := mustLoad(t, `
variable "days" { default = 45 }
profile "prod" {
  tenant_id        = "11111111-1111-1111-1111-111111111111"
  client_id        = "22222222-2222-2222-2222-222222222222"
  certificate_file = "certs/app.pem"
  certificate_password = env("SECRET")
  graph_endpoint   = "https://graph.microsoft.us/"
  login_endpoint   = "https://login.microsoftonline.us"
  ca_file          = "/etc/ssl/ca.pem"
  activity_since   = "2026-01-31"
  tasks {
    download_activity     = false
    reclaim_subscriptions = true
  }
  dynamics "sales" {
    url = "https://contoso.crm.dynamics.com"
  }
  dynamics "service" {
    url           = "https://contoso-cs.crm.dynamics.com"
    client_id     = "33333333-3333-3333-3333-333333333333"
    client_secret = env("SECRET")
  }
}
exclude "vip" {
  profiles = ["prod"]
  users    = ["ceo@contoso.com", "44444444-4444-4444-4444-444444444444"]
  groups   = ["55555555-5555-5555-5555-555555555555"]
  skus     = ["SPE_E5"]
  when     = "department = 'Board'"
}
reclaim "e3" {
  profiles            = ["prod"]
  skus                = ["SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d965"]
  signals             = ["dynamics"]
  inactive_days       = var.days
  grace_days          = 14
  disabled_accounts   = "exclude"
  include_guests      = false
  action              = "remove_license"
  max_actions         = 50
  allow_group_removal = true
  allow_data_at_risk  = true
}
consolidate "d365" {
  product {
    base   = "DYN365_ENTERPRISE_SALES"
    attach = "D365_SALES_ENT_ATTACH"
  }
  product {
    base = "DYN365_ENTERPRISE_TEAM_MEMBERS"
  }
}
price "SPE_E3" {
  amount   = 432
  currency = "EUR"
  period   = "year"
}
output {
  dir         = "/var/lib/reclaim"
  compression = "snappy"
}
`)
	p := cfg.Profile("prod")
	if p.CertificateFile != "cfg/certs/app.pem" {
		t.Errorf("certificate_file = %q; want it relative to the config dir", p.CertificateFile)
	}
	if !p.CertificatePassword.IsSet() || p.ClientSecret.IsSet() {
		t.Errorf("credentials: password set %v, secret set %v", p.CertificatePassword.IsSet(), p.ClientSecret.IsSet())
	}
	if p.GraphEndpoint != "https://graph.microsoft.us" {
		t.Errorf("graph endpoint %q; want trailing slash dropped", p.GraphEndpoint)
	}
	if want := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC); !p.ActivitySince.Equal(want) {
		t.Errorf("activity_since = %v", p.ActivitySince)
	}
	if p.Tasks.DownloadActivity || !p.Tasks.ReclaimSubscriptions {
		t.Errorf("tasks = %+v", p.Tasks)
	}
	if len(p.Dynamics) != 2 || p.Dynamics[0].Credentials != nil || p.Dynamics[1].Credentials == nil ||
		p.Dynamics[1].Credentials.ClientID != "33333333-3333-3333-3333-333333333333" {
		t.Errorf("dynamics = %+v", p.Dynamics)
	}
	e := cfg.Exclusions[0]
	if len(e.Users) != 2 || len(e.Groups) != 1 || e.When != "department = 'Board'" || e.WhenRange.Start.Line == 0 || !e.AppliesTo("prod") || e.AppliesTo("other") {
		t.Errorf("exclusion = %+v", e)
	}
	r := cfg.ReclaimRule("e3")
	if r.InactiveDays != 45 || r.GraceDays != 14 || r.DisabledAccounts != "exclude" || r.IncludeGuests ||
		r.Action != ActionRemoveLicense || r.MaxActions != 50 || !r.AllowGroupRemoval || !r.AllowDataAtRisk ||
		len(r.SKUs) != 2 || r.Signals[0] != SignalDynamics {
		t.Errorf("reclaim rule = %+v", r)
	}
	c := cfg.ConsolidationRules[0]
	if len(c.Products) != 2 || c.Products[0].Attach != "D365_SALES_ENT_ATTACH" || c.Products[1].Attach != "" {
		t.Errorf("consolidation = %+v", c)
	}
	price := cfg.PriceFor("05e9a617-0261-4cee-bb44-138d3ef5d965", "spe_e3")
	if price == nil || price.Currency != "EUR" || price.MonthlyAmount() != 36 {
		t.Errorf("PriceFor = %+v", price)
	}
	if cfg.PriceFor("x", "POWER_BI_PRO") != nil {
		t.Error("PriceFor of an unpriced SKU should be nil")
	}
	if cfg.Output.Dir != "/var/lib/reclaim" || cfg.Output.Compression != "snappy" {
		t.Errorf("output = %+v", cfg.Output)
	}
}

func TestReclaimDefaults(t *testing.T) {
	cfg := mustLoad(t, minimalProfile, `
reclaim "r" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}`)
	r := cfg.ReclaimRules[0]
	if r.GraceDays != DefaultGraceDays || r.DisabledAccounts != "include" || !r.IncludeGuests ||
		r.Action != ActionReport || r.MaxActions != 0 || r.AllowGroupRemoval || r.AllowDataAtRisk || !r.AppliesTo("anything") {
		t.Errorf("defaults = %+v", r)
	}
}

// TestDiagnostics checks the summary and line of each problem on small
// in-memory configurations; testdata/invalid covers the same ground from
// files, this table covers multi-file and variable cases.
func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		vars  map[string]string
		files []string
		want  []string // "file:line: summary" (substring of the summary)
	}{
		{
			name:  "duplicate profile across files names the first",
			files: []string{minimalProfile, minimalProfile},
			want:  []string{"b.hcl:2: Duplicate profile \"p\""},
		},
		{
			name:  "variable without value",
			files: []string{minimalProfile, "variable \"region\" {}\n"},
			want:  []string{"b.hcl:1: No value for variable \"region\""},
		},
		{
			name:  "undeclared -var",
			vars:  map[string]string{"regoin": "x"},
			files: []string{minimalProfile, "variable \"region\" { default = \"eu\" }\n"},
			want:  []string{":0: Undeclared variable \"regoin\""},
		},
		{
			name:  "unknown variable reference",
			files: []string{minimalProfile, "output {\n  dir = var.nope\n}\n"},
			want:  []string{"b.hcl:2: Reference to undeclared variable \"nope\""},
		},
		{
			name:  "env unset",
			env:   map[string]string{},
			files: []string{minimalProfile},
			want:  []string{"a.hcl:5: Error in function call"},
		},
		{
			name:  "no profile",
			files: []string{"output {}\n"},
			want:  []string{":0: No profile"},
		},
		{
			name:  "duplicate output",
			files: []string{minimalProfile + "output {}\n", "output {}\n"},
			want:  []string{"b.hcl:1: Duplicate output block"},
		},
		{
			name:  "unknown profile suggests",
			files: []string{minimalProfile, "exclude \"x\" {\n  profiles = [\"pp\"]\n  users = [\"a@b.c\"]\n}\n"},
			want:  []string{"b.hcl:2: Unknown profile \"pp\""},
		},
		{
			name:  "dynamics signal without environment warns",
			files: []string{minimalProfile, "reclaim \"d\" {\n  skus = [\"DYN365_ENTERPRISE_SALES\"]\n  signals = [\"dynamics\"]\n  inactive_days = 30\n}\n"},
			want:  []string{"b.hcl:1: dynamics signal without a dynamics environment"},
		},
		{
			name:  "signals from a variable keep going",
			files: []string{minimalProfile, "variable \"s\" { default = [\"sign_in\", \"emial\"] }\nreclaim \"d\" {\n  skus = [\"SPE_E3\"]\n  signals = var.s\n  inactive_days = 30\n}\n"},
			want:  []string{"b.hcl:4: Unknown signal \"emial\""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if env == nil {
				env = map[string]string{"SECRET": "s"}
			}
			_, diags := loadString(t, env, tt.vars, tt.files...)
			var got []string
			for _, d := range diags {
				file, line := "", 0
				if d.Subject != nil {
					file, line = d.Subject.Filename, d.Subject.Start.Line
				}
				got = append(got, file+":"+strconv.Itoa(line)+": "+d.Summary)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics %q; want %q", len(got), got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("diagnostic %d = %q; want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestVariablePrecedence(t *testing.T) {
	files := []string{minimalProfile, `
variable "dir" { default = "from-default" }
output { dir = var.dir }
`}
	for _, tt := range []struct {
		name   string
		env    map[string]string
		vars   map[string]string
		want   string
		source string
	}{
		{"default", nil, nil, "from-default", "default"},
		{"env", map[string]string{"RECLAIM_VAR_dir": "from-env"}, nil, "from-env", "env RECLAIM_VAR_dir"},
		{"var wins", map[string]string{"RECLAIM_VAR_dir": "from-env"}, map[string]string{"dir": "from-var"}, "from-var", "-var"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"SECRET": "s"}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, diags := loadString(t, env, tt.vars, files...)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if cfg.Output.Dir != tt.want || cfg.Variables["dir"].Source != tt.source {
				t.Errorf("dir = %q from %q; want %q from %q", cfg.Output.Dir, cfg.Variables["dir"].Source, tt.want, tt.source)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	a := mustLoad(t, minimalProfile)
	b := mustLoad(t, minimalProfile)
	c := mustLoad(t, minimalProfile+"\n# a comment changes the digest\n")
	if a.Digest() == "" || !strings.HasPrefix(a.Digest(), "sha256:") {
		t.Fatalf("digest %q", a.Digest())
	}
	if a.Digest() != b.Digest() {
		t.Error("same files, different digests")
	}
	if a.Digest() == c.Digest() {
		t.Error("different files, same digest")
	}
}

// TestLoadDirectory reads a real directory: only visible *.hcl files count,
// in name order, and file() and relative paths resolve against it.
func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("b_profile.hcl", strings.Replace(minimalProfile, `env("SECRET")`, `trimspace(file("secret.txt"))`, 1))
	write("a_vars.hcl", "variable \"days\" {}\n")
	write("c_rules.hcl", "reclaim \"r\" {\n  skus = [\"SPE_E3\"]\n  signals = [\"sign_in\"]\n  inactive_days = var.days\n}\n")
	write(".hidden.hcl", "this is not HCL")
	write("notes.txt", "neither is this")
	write("backup.hcl~", "nor this")
	write("secret.txt", "from-a-file\n")
	if err := os.Mkdir(filepath.Join(dir, "sub.hcl"), 0o700); err != nil {
		t.Fatal(err)
	}

	l := testLoader(nil)
	cfg, diags := l.Load(dir, map[string]string{"days": "60"}) // a string from -var, used as a number
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []string{filepath.Join(dir, "a_vars.hcl"), filepath.Join(dir, "b_profile.hcl"), filepath.Join(dir, "c_rules.hcl")}
	if strings.Join(cfg.Files, ",") != strings.Join(want, ",") {
		t.Errorf("Files = %q; want %q", cfg.Files, want)
	}
	if len(l.Files()) != 3 {
		t.Errorf("Loader.Files has %d files; want 3 for rendering diagnostics", len(l.Files()))
	}
	if got := cfg.Profile("p").ClientSecret.Reveal(); got != "from-a-file" {
		t.Errorf("file() secret = %d bytes; want the file's trimmed contents", len(got))
	}
	if cfg.ReclaimRules[0].InactiveDays != 60 {
		t.Errorf("inactive_days = %d; want 60 from -var", cfg.ReclaimRules[0].InactiveDays)
	}
	if cfg.Dir != dir {
		t.Errorf("Dir = %q; want %q", cfg.Dir, dir)
	}

	// One file of the directory on its own: var.days is declared elsewhere.
	_, diags = testLoader(nil).Load(filepath.Join(dir, "c_rules.hcl"), nil)
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Summary)
	}
	if got := strings.Join(summaries, "; "); got != `No profile; Reference to undeclared variable "days"` {
		t.Errorf("single file diagnostics: %s", got)
	}

	empty := t.TempDir()
	if _, diags := testLoader(nil).Load(empty, nil); !strings.Contains(diags.Error(), "No configuration files") {
		t.Errorf("empty dir: %v", diags)
	}
}

func TestEmptyCertificatePasswordMeansNone(t *testing.T) {
	cfg := mustLoad(t, `
profile "p" {
  tenant_id            = "11111111-1111-1111-1111-111111111111"
  client_id            = "22222222-2222-2222-2222-222222222222"
  certificate_file     = "/etc/app.pfx"
  certificate_password = env("UNSET_PASSWORD", "")
}`)
	if cfg.Profile("p").CertificatePassword.IsSet() {
		t.Error("an empty certificate_password should mean no password")
	}
}

// TestPathologicalConfigs: a file that would crash the parser or exhaust
// memory gets a clear error instead (issue 11).
func TestPathologicalConfigs(t *testing.T) {
	deep := func(open, close string, n int) string {
		return "x = " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "\n"
	}
	for _, c := range []struct{ name, src, want string }{
		{"100,000 brackets", deep("[", "]", 100000), "Configuration nested too deeply"},
		{"10,000 parentheses", deep("(", ")", 10000), "Configuration nested too deeply"},
		{"10,000 interpolations", "x = " + strings.Repeat(`"${`, 10000) + "1" + strings.Repeat(`}"`, 10000) + "\n", "Configuration nested too deeply"},
		{"brackets after a # in a string", "x = \"#\" + " + strings.Repeat("[", 10000) + "1" + strings.Repeat("]", 10000) + "\n", "Configuration nested too deeply"},
		{"10,000 negations", "x = " + strings.Repeat("!", 10000) + "true\n", "Configuration nested too deeply"},
		{"file of /dev/zero", minimalProfile + "\nsql_stage \"z\" {\n  query = file(\"/dev/zero\")\n}\n", "/dev/zero is not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(c.src), 0o600); err != nil {
				t.Fatal(err)
			}
			_, diags := testLoader(map[string]string{"SECRET": "s"}).Load(dir, nil)
			if !diags.HasErrors() || !strings.Contains(diags.Error(), c.want) {
				t.Fatalf("diagnostics %.300v; want %q", diags, c.want)
			}
			if diags[0].Subject == nil || diags[0].Subject.Filename != filepath.Join(dir, "main.hcl") {
				t.Errorf("diagnostic without the file's place: %v", diags[0])
			}
		})
	}
	// The limit leaves room for real configurations, and for separators.
	cfg := mustLoad(t, minimalProfile, "# "+strings.Repeat("-", 120)+"\nvariable \"v\" { default = "+strings.Repeat("[", 20)+strings.Repeat("]", 20)+" }")
	if cfg == nil {
		t.Fatal("20 levels refused")
	}
}

// TestWhenRefusesForbidden: validate refuses, on the when's line, each
// function pipeline/sqlcheck forbids (the transform and the live re-check
// refuse the same list: stages/transform TestEveryWhenPathRefusesForbidden).
func TestWhenRefusesForbidden(t *testing.T) {
	for _, f := range sqlcheck.ForbiddenFunctions() {
		_, diags := loadString(t, nil, nil, minimalProfile, "exclude \"bad\" {\n  when = \"department = 'x' OR "+f+"('x') IS NOT NULL\"\n}\n")
		refused := false
		for _, d := range diags {
			refused = refused || (d.Summary == "Invalid when expression" && d.Subject != nil && d.Subject.Filename == "b.hcl" && d.Subject.Start.Line == 2)
		}
		if !refused {
			t.Errorf("%s: %v; want an invalid when at b.hcl line 2", f, diags)
		}
	}
}

// TestCoversProfile pins what profiles = [...] means everywhere: empty
// covers all; otherwise the exact, case-sensitive labels listed.
func TestCoversProfile(t *testing.T) {
	for _, c := range []struct {
		profiles []string
		profile  string
		want     bool
	}{
		{nil, "prod", true},
		{[]string{"prod", "test"}, "test", true},
		{[]string{"prod"}, "test", false},
		{[]string{"prod"}, "Prod", false},
	} {
		if got := CoversProfile(c.profiles, c.profile); got != c.want {
			t.Errorf("CoversProfile(%q, %q) = %v, want %v", c.profiles, c.profile, got, c.want)
		}
		if got := (&Exclusion{Profiles: c.profiles}).AppliesTo(c.profile); got != c.want {
			t.Errorf("Exclusion.AppliesTo(%q) with profiles %q = %v, want %v", c.profile, c.profiles, got, c.want)
		}
	}
}
