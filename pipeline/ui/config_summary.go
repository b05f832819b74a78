package ui

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// WriteConfigSummary prints what a valid configuration will do, briefly.
// path is the configuration as named on the command line. Secrets appear
// only through config.Secret, which prints as (sensitive).
func WriteConfigSummary(w io.Writer, path string, cfg *config.Config) {
	fmt.Fprintf(w, "The configuration in %s is valid (%s).\n", path, Plural(len(cfg.Files), "file"))
	cat := cfg.SKUCatalog()

	if len(cfg.Variables) > 0 {
		fmt.Fprintln(w, "\nVariables:")
		for _, n := range slices.Sorted(maps.Keys(cfg.Variables)) {
			v := cfg.Variables[n]
			fmt.Fprintf(w, "  %s = %s (%s)\n", n, v.Display, v.Source)
		}
	}

	fmt.Fprintln(w, "\nProfiles:")
	for _, n := range cfg.ProfileNames() {
		p := cfg.Profiles[n]
		client := p.ClientID
		if client == "" {
			client = map[string]string{config.AuthWorkloadIdentity: "from AZURE_CLIENT_ID", config.AuthManagedIdentity: "system-assigned", config.AuthAzureCLI: "az login"}[p.Auth]
		}
		fmt.Fprintf(w, "  %s: tenant %s, client %s, %s\n", p.Name, p.TenantID, client, credentialSummary(&p.Credentials))
		fmt.Fprintf(w, "    graph %s, login %s", p.GraphEndpoint, p.LoginEndpoint)
		if p.CAFile != "" {
			fmt.Fprintf(w, ", ca_file %s", p.CAFile)
		}
		fmt.Fprintln(w)
		activity := fmt.Sprintf("last %d days", p.LookbackDays)
		if !p.ActivitySince.IsZero() {
			activity = "since " + p.ActivitySince.Format("2006-01-02")
		}
		fmt.Fprintf(w, "    download_activity %t, reclaim_subscriptions %t, activity %s\n",
			p.Tasks.DownloadActivity, p.Tasks.ReclaimSubscriptions, activity)
		for _, d := range p.Dynamics {
			creds := "profile credentials"
			if d.Credentials != nil {
				creds = "client " + d.Credentials.ClientID + ", " + credentialSummary(d.Credentials)
			}
			fmt.Fprintf(w, "    dynamics %s: %s (%s)\n", d.Name, d.URL, creds)
		}
	}

	if len(cfg.Exclusions) > 0 {
		fmt.Fprintln(w, "\nExclusions:")
		for _, e := range cfg.Exclusions {
			var parts []string
			if len(e.Users) > 0 {
				parts = append(parts, Plural(len(e.Users), "user"))
			}
			if len(e.Groups) > 0 {
				parts = append(parts, Plural(len(e.Groups), "group"))
			}
			if e.When != "" {
				parts = append(parts, "when "+e.When)
			}
			if len(e.SKUs) > 0 {
				parts = append(parts, "skus "+strings.Join(e.SKUs, ", "))
			}
			fmt.Fprintf(w, "  %s: %s%s\n", e.Name, strings.Join(parts, "; "), profilesSuffix(e.Profiles))
		}
	}

	if len(cfg.ReclaimRules) > 0 {
		fmt.Fprintln(w, "\nReclaim rules:")
		for _, r := range cfg.ReclaimRules {
			signals := make([]string, len(r.Signals))
			for i, s := range r.Signals {
				signals[i] = string(s)
			}
			skus := make([]string, len(r.SKUs))
			for i, sku := range r.SKUs {
				skus[i] = SKULabel(sku, cat.Name(sku), Terminal)
			}
			fmt.Fprintf(w, "  %s: %s inactive %d days (%s) -> %s%s\n", r.Name, strings.Join(skus, ", "),
				r.InactiveDays, strings.Join(signals, ", "), r.Action, profilesSuffix(r.Profiles))
		}
	}

	if len(cfg.ConsolidationRules) > 0 {
		fmt.Fprintln(w, "\nConsolidation rules:")
		for _, c := range cfg.ConsolidationRules {
			pairs := make([]string, len(c.Products))
			for i, p := range c.Products {
				attach := p.Attach
				if attach == "" {
					attach = "(removed)"
				}
				pairs[i] = p.Base + " -> " + attach
			}
			fmt.Fprintf(w, "  %s: %s%s\n", c.Name, strings.Join(pairs, ", "), profilesSuffix(c.Profiles))
		}
	}

	if len(cfg.Prices) > 0 {
		fmt.Fprintf(w, "\nPrices: %s\n", Plural(len(cfg.Prices), "SKU"))
	}
	fmt.Fprintf(w, "\nSKU names: %s\n", Terminal(config.CatalogDescription(cfg)))
	if len(cfg.SQLStages) > 0 {
		fmt.Fprintln(w, "\nSQL stages:")
		for _, st := range cfg.SQLStages {
			lines := strings.Count(strings.TrimRight(st.Query, "\n"), "\n") + 1
			fmt.Fprintf(w, "  %s: %s:%d (%s)%s\n", st.Name, st.QueryRange.Filename, st.QueryRange.Start.Line,
				Plural(lines, "line"), profilesSuffix(st.Profiles))
		}
	}
	fmt.Fprintf(w, "\nOutput: %s (%s)\n", cfg.Output.Dir, cfg.Output.Compression)
	if t := cfg.Transform; t != nil {
		fmt.Fprintf(w, "Transform: %s, stale_report_days %d\n", duckDBSummary(t), t.StaleReportDays)
	}
	fmt.Fprintf(w, "Digest: %s\n", cfg.Digest())
}

// duckDBSummary lists the DuckDB settings a transform block changes.
func duckDBSummary(t *config.Transform) string {
	var parts []string
	if t.Threads > 0 {
		parts = append(parts, fmt.Sprintf("threads %d", t.Threads))
	}
	if t.MemoryLimit != "" {
		parts = append(parts, "memory_limit "+t.MemoryLimit)
	}
	if t.TempDirectory != "" {
		parts = append(parts, "temp_directory "+t.TempDirectory)
	}
	if len(parts) == 0 {
		return "DuckDB defaults"
	}
	return strings.Join(parts, ", ")
}

func credentialSummary(c *config.Credentials) string {
	if config.Secretless(c.Auth) {
		s := "auth " + c.Auth
		if c.TokenFile != "" {
			s += ", federated_token_file " + c.TokenFile
		}
		if c.ServiceConnectionID != "" {
			s += ", service_connection_id " + c.ServiceConnectionID
		}
		return s
	}
	if c.CertificateFile != "" {
		s := "certificate " + c.CertificateFile
		if c.CertificatePassword.IsSet() {
			s += " (password " + c.CertificatePassword.String() + ")"
		}
		return s
	}
	return "client_secret " + c.ClientSecret.String()
}

func profilesSuffix(profiles []string) string {
	if len(profiles) == 0 {
		return ""
	}
	return " [profiles: " + strings.Join(profiles, ", ") + "]"
}
