package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/graph"
	"github.com/reclaimhq/reclaim/pipeline/ui"
	"github.com/reclaimhq/reclaim/schemas"
)

// connectFlag is validate's --connect: after the offline checks, get a token
// per profile and make one cheap read per task the configuration enables.
type connectFlag struct{ on bool }

func (c *connectFlag) register(cmd *cobra.Command) {
	cmd.Long += `

With --connect it then contacts Microsoft: for every profile it gets a token
and makes one cheap read per task the configuration enables, and prints a
table task → permission → ok / missing / optional-missing. It exits 1 when a
profile cannot authenticate (the AADSTS code is named) or a required
permission is missing; optional ones (signInActivity, report settings, the
sign-in log) only degrade what reclaim can see.`
	cmd.Flags().BoolVar(&c.on, "connect", false,
		"also get a token for every profile and make one cheap read per enabled task, reporting missing permissions")
}

// probe is one permission check.
type probe struct {
	task       string
	permission string
	required   bool
	api        func() (*msgraph.API, error)
	path       string
	class      msgraph.Class
	header     http.Header
}

// run checks every profile; it returns an error carrying exit code 1 when a
// required permission is missing or a profile cannot authenticate.
func (c *connectFlag) run(cmd *cobra.Command, cfg *config.Config) error {
	if !c.on {
		return nil
	}
	out := cmd.OutOrStdout()
	ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
	defer cancel()
	failed := 0
	for _, name := range cfg.ProfileNames() {
		p := cfg.Profiles[name]
		var results []ui.ProbeLine
		why, err := credentialSource(p)
		if err == nil {
			var client *msgraph.Client
			if client, err = newClient(p, nil, msgraph.RetryPolicy{MaxAttempts: 3}, nil); err == nil {
				results, err = connectProfile(ctx, cfg, p, client)
			}
		}
		if err != nil {
			failed++
		}
		for _, r := range results {
			if r.Failed() {
				failed++
			}
		}
		if werr := ui.WriteConnectProfile(out, p.Name, p.TenantID, why, err, results); werr != nil {
			return werr
		}
	}
	if failed > 0 {
		return withExitCode(exitError, fmt.Errorf("%s failed; grant the permissions listed (Entra ID → App registrations → API permissions, then admin consent)", ui.Plural(failed, "connection check")))
	}
	fmt.Fprintln(out, "\nEvery enabled task can read what it needs.")
	return nil
}

// reportProbes makes one probe per permission the needed usage reports of
// the signal catalogue ask for, calling the cheapest of them: one without a
// period when there is one (its 302 to the download proves the permission).
func reportProbes(need map[string]string, g func() (*msgraph.API, error)) []probe {
	var out []probe
	at := map[string]int{}
	for _, r := range schemas.UsageReports() {
		if _, ok := need[r.Table]; !ok {
			continue
		}
		i, seen := at[r.Permission]
		if !seen {
			at[r.Permission] = len(out)
			out = append(out, probe{task: "usage reports", permission: r.Permission, required: true, api: g, path: r.Path(schemas.ReportParams{Period: "D7"}), class: msgraph.ClassReports})
			continue
		}
		if r.Form == schemas.ReportNoParam {
			out[i].path = r.Path(schemas.ReportParams{Period: "D7"})
		}
	}
	return out
}

// connectProfile builds the probes the profile's configuration needs (the
// same selection `reclaim run` makes) and runs them.
func connectProfile(ctx context.Context, cfg *config.Config, p *config.Profile, client *msgraph.Client) ([]ui.ProbeLine, error) {
	need, _ := graph.RawTables(cfg, p, true)
	g := func() (*msgraph.API, error) { return client.Graph(), nil }
	probes := []probe{
		{task: "users", permission: "User.Read.All", required: true, api: g, path: "/users?$top=1&$select=id", class: msgraph.ClassDirectory},
		{task: "subscriptions", permission: "Organization.Read.All", required: true, api: g, path: "/subscribedSkus", class: msgraph.ClassDirectory},
		{task: "sign-in activity", permission: schemas.PermissionSignInLog, required: false, api: g, path: "/users?$top=1&$select=id,signInActivity", class: msgraph.ClassDirectory},
	}
	// graph.RawTables adds report_settings exactly when a usage report is read.
	if _, hasReport := need[schemas.TableReportSettings]; hasReport {
		probes = append(probes, reportProbes(need, g)...)
		probes = append(probes,
			probe{task: "report settings", permission: "ReportSettings.Read.All", required: false, api: g, path: "/admin/reportSettings", class: msgraph.ClassDirectory})
	}
	if _, ok := need[schemas.TableSubscriptions]; ok {
		// Optional: without it extract warns and trial status is unknown.
		probes = append(probes, probe{task: "trial subscriptions", permission: "Organization.Read.All", required: false, api: g, path: "/directory/subscriptions", class: msgraph.ClassDirectory})
	}
	if _, ok := need[schemas.TableSignIns]; ok {
		probes = append(probes, probe{task: "sign-in log", permission: schemas.PermissionSignInLog, required: false, api: g, path: "/auditLogs/signIns?$top=1", class: msgraph.ClassAuditLogs})
	}
	if _, ok := need[schemas.TableGroupMembers]; ok {
		for _, ex := range cfg.Exclusions {
			if len(ex.Groups) > 0 {
				probes = append(probes, probe{task: "exclusion groups", permission: "GroupMember.Read.All", required: true, api: g,
					path: "/groups/" + url.PathEscape(ex.Groups[0]) + "/transitiveMembers?$top=1&$select=id", class: msgraph.ClassDirectory})
				break
			}
		}
	}
	if _, ok := need[schemas.TableDataverseAudits]; ok {
		for _, env := range p.Dynamics {
			env := env
			dv := func() (*msgraph.API, error) { return client.Dataverse(env.URL) }
			hdr := http.Header{"OData-MaxVersion": {"4.0"}, "OData-Version": {"4.0"}}
			probes = append(probes,
				probe{task: "dynamics " + env.Name + " users", permission: "application user with read on systemuser", required: true, api: dv, path: "/systemusers?$top=1&$select=systemuserid", class: msgraph.ClassDataverse, header: hdr},
				probe{task: "dynamics " + env.Name + " audit", permission: "prvReadAuditSummary", required: true, api: dv, path: "/audits?$top=1&$select=auditid", class: msgraph.ClassDataverse, header: hdr})
		}
	}
	var out []ui.ProbeLine
	for _, pr := range probes {
		r := ui.ProbeLine{Task: pr.task, Permission: pr.permission, Status: ui.ProbeOK}
		api, err := pr.api()
		if err == nil {
			var resp *http.Response
			resp, err = api.Do(ctx, msgraph.Request{Class: pr.class, Path: pr.path, Header: pr.header})
			if err == nil {
				// A report answers 302 to its download: permission proven,
				// nothing downloaded.
				io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
			}
		}
		var ae *msgraph.AuthError
		switch {
		case err == nil:
		case errors.As(err, &ae):
			return nil, err
		case msgraph.IsStatus(err, http.StatusForbidden):
			r.Status = ui.ProbeMissing
			if !pr.required {
				r.Status = ui.ProbeOptionalMissing
				r.Detail = "reclaim falls back; see docs"
			}
			var ge *msgraph.Error
			if errors.As(err, &ge) && ge.Code != "" {
				r.Detail = ge.Code
			}
		case msgraph.IsStatus(err, http.StatusNotFound) && pr.task == "exclusion groups":
			r.Status, r.Detail = ui.ProbeError, "group not found"
		default:
			r.Status, r.Detail = ui.ProbeError, err.Error()
		}
		out = append(out, r)
	}
	if p.Tasks.ReclaimSubscriptions {
		out = append(out, ui.ProbeLine{Task: "reclaim (assignLicense)", Permission: "LicenseAssignment.ReadWrite.All",
			Status: ui.ProbeNotChecked, Detail: "a write; apply checks it on its first call"})
	}
	return out, nil
}
