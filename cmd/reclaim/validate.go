package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

func newValidateCmd() *cobra.Command {
	cf := &configFlags{}
	conn := &connectFlag{}
	cmd := &cobra.Command{
		Use:   "validate [CONFIG]",
		Short: "Check a configuration offline (with --connect, also the app's permissions)",
		Long: `Validate reads a configuration, evaluates its variables and functions, and
checks every block: syntax, unknown blocks and arguments, GUIDs, signal and
action names, references to profiles, duplicate names, credentials (exactly
one of client_secret or certificate_file). It contacts nothing.

On success it prints a short summary (profiles, exclusions, rules, prices,
output) and exits 0; secrets print as (sensitive). Otherwise it prints every
problem as FILE:LINE,COLUMN: error: SUMMARY with an explanation and the
source line, and exits 1. Warnings are printed too but do not fail.

With --connect it then signs in to every profile's tenant (and Dataverse
environment) and makes one cheap read per enabled task, printing a table of
task, permission and result (ok, missing, optional-missing); it exits 1 when a
permission a task needs is missing.

` + configFlagsHelp,
		Example: `  # the configuration in the current directory
  reclaim validate

  # a directory, with a variable set on the command line
  reclaim validate examples/demo -var sim_url=https://127.0.0.1:8443

  # one file; a variable from the environment
  RECLAIM_VAR_client_secret=... reclaim validate prod/reclaim.hcl

  # also check the app's permissions against the tenant
  reclaim validate --connect ./config`,
		Args: cf.args(),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load(cmd, args)
			if err != nil {
				return err
			}
			// A later --connect flag (token and read-only Graph probe per
			// profile) hooks in here, after the offline checks pass.
			writeConfigSummary(cmd.OutOrStdout(), cf.path(args), cfg)
			return conn.run(cmd, cfg) // --connect (connect.go)
		},
	}
	cf.register(cmd)
	conn.register(cmd)
	return cmd
}

// writeConfigSummary prints what a valid configuration will do, briefly.
// Secrets appear only through config.Secret, which prints as (sensitive).
func writeConfigSummary(w io.Writer, path string, cfg *config.Config) {
	fmt.Fprintf(w, "The configuration in %s is valid (%s).\n", path, plural(len(cfg.Files), "file"))

	if len(cfg.Variables) > 0 {
		fmt.Fprintln(w, "\nVariables:")
		names := make([]string, 0, len(cfg.Variables))
		for n := range cfg.Variables {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v := cfg.Variables[n]
			fmt.Fprintf(w, "  %s = %s (%s)\n", n, v.Display, v.Source)
		}
	}

	fmt.Fprintln(w, "\nProfiles:")
	for _, n := range cfg.ProfileNames() {
		p := cfg.Profiles[n]
		fmt.Fprintf(w, "  %s: tenant %s, client %s, %s\n", p.Name, p.TenantID, p.ClientID, credentialSummary(&p.Credentials))
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
				parts = append(parts, plural(len(e.Users), "user"))
			}
			if len(e.Groups) > 0 {
				parts = append(parts, plural(len(e.Groups), "group"))
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
			fmt.Fprintf(w, "  %s: %s inactive %d days (%s) -> %s%s\n", r.Name, strings.Join(r.SKUs, ", "),
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
		fmt.Fprintf(w, "\nPrices: %s\n", plural(len(cfg.Prices), "SKU"))
	}
	if len(cfg.SQLStages) > 0 {
		fmt.Fprintln(w, "\nSQL stages:")
		for _, st := range cfg.SQLStages {
			lines := strings.Count(strings.TrimRight(st.Query, "\n"), "\n") + 1
			fmt.Fprintf(w, "  %s: %s:%d (%s)%s\n", st.Name, st.QueryRange.Filename, st.QueryRange.Start.Line,
				plural(lines, "line"), profilesSuffix(st.Profiles))
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
