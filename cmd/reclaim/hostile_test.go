package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/ui/uitest"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

// TestHostileTenantOutputs runs the real pipeline against a simulated tenant
// whose users carry attacker-chosen names (sim serve --hostile-names):
// run (extract, transform, report.md, report.html), plan, show and
// show -markdown. Every terminal output must hold no control or bidi
// character, the Markdown must render (goldmark, GitHub's extensions) with
// no link, image, raw tag or @mention, and report.html must hold no element
// we never write — in our parser and in headless Chromium when installed.
// Microsoft keeps UPNs to A-Z a-z 0-9 ' . - _ ! # ^ ~, so the tenant's
// control characters reach the plan through a hand-edited plan file (its
// actions digest recomputed), which show reads as it reads any plan sent
// for review.
func TestHostileTenantOutputs(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	sc := newSimCLI(t, simtenant.Options{Users: 120, Seed: 5, Today: today, HostileNames: true})
	sc.writeConfig(t, 100)
	work, cfgDir, out, vars := sc.work, sc.cfgDir, sc.out, sc.vars

	code, stdout, stderr := runActCLI(t, "", append([]string{"run", cfgDir, "--as-of", today.Format(time.DateOnly), "--progress", "log", "--sign-in-log=false"}, vars...)...)
	if !strings.Contains(stdout, "recommendations") {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	uitest.CheckTerminal(t, "run output", stdout)
	uitest.CheckTerminal(t, "run log", stderr)

	// The hostile names reached our snapshot unchanged: the raw table is
	// data, not output, and keeps what Microsoft sent.
	users, err := parquet.ReadFile[schemas.User](filepath.Join(out, "sim", "raw", "users", "snapshot_date=2026-11-24", "part-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	hostileRaw := 0
	for _, u := range users {
		for _, h := range simtenant.HostileTexts {
			if strings.Contains(u.DisplayName, h) {
				hostileRaw++
			}
		}
	}
	if hostileRaw == 0 {
		t.Fatalf("no hostile display name in the raw users table: the fixture is not hostile")
	}

	planPath := filepath.Join(work, "plan.json")
	code, stdout, stderr = runActCLI(t, "", append([]string{"plan", cfgDir, "-out", planPath}, vars...)...)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	uitest.CheckTerminal(t, "plan", stdout)
	p, err := plan.Read(planPath)
	if err != nil {
		t.Fatal(err)
	}
	// Some planned user must be hostile, or the test proves nothing.
	hostileUPN := ""
	for _, a := range p.Actions {
		if strings.ContainsAny(a.UserPrincipalName, "_~!#^'") && !strings.Contains(a.UserPrincipalName, "#EXT#") || strings.HasPrefix(a.UserPrincipalName, "__") {
			hostileUPN = a.UserPrincipalName
		}
	}
	if hostileUPN == "" {
		t.Fatalf("no planned action for a user with a hostile UPN; actions: %d", len(p.Actions))
	}

	reportDir := filepath.Dir(firstMatch(t, filepath.Join(out, "sim", "runs", "*", "report.md")))
	reportMD, _ := os.ReadFile(filepath.Join(reportDir, "report.md"))
	uitest.CheckMarkdown(t, "report.md", string(reportMD))
	reportHTML := filepath.Join(reportDir, "report.html")
	page, _ := os.ReadFile(reportHTML)
	uitest.CheckHTML(t, "report.html", string(page))

	// What the tenant can put nowhere Microsoft allows, a hand-edited plan
	// can: every attack in the UPNs of the plan someone sends for review.
	for i := range p.Actions {
		p.Actions[i].UserPrincipalName = simtenant.HostileTexts[i%len(simtenant.HostileTexts)] + p.Actions[i].UserPrincipalName
	}
	for i := range p.Reviews {
		p.Reviews[i].UserPrincipalName = simtenant.HostileTexts[i%len(simtenant.HostileTexts)] + p.Reviews[i].UserPrincipalName
	}
	// Whoever edits a plan can recompute its actions digest too.
	p.ActionsDigest = plan.ActionsDigest(p.Actions)
	edited := filepath.Join(work, "edited.json")
	if err := plan.Write(nil, edited, p); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{planPath, edited} {
		code, stdout, stderr = runActCLI(t, "", "show", path)
		if code != 0 || !strings.Contains(stdout, "Plan: ") {
			t.Fatalf("show %s: exit %d\n%s\n%s", path, code, stdout, stderr)
		}
		uitest.CheckTerminal(t, "show "+path, stdout)
		code, stdout, stderr = runActCLI(t, "", "show", path, "-markdown")
		if code != 0 {
			t.Fatalf("show -markdown %s: exit %d\n%s", path, code, stderr)
		}
		uitest.CheckMarkdown(t, "show -markdown "+path, stdout)
		// The hostile UPN is still shown, as text: sanitising must not hide
		// whom a change is about.
		if rendered := uitest.RenderMarkdown(t, stdout); !strings.Contains(strings.ReplaceAll(rendered, "\u200b", ""), hostileUPN) {
			t.Errorf("show -markdown %s: %q not shown as text", path, hostileUPN)
		}
	}

	// The page as a browser builds it: the hostile names are text.
	dom := uitest.ChromiumDOM(t, reportHTML)
	uitest.CheckHTML(t, "report.html in Chromium", dom)
}

func firstMatch(t *testing.T, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	if len(m) == 0 {
		t.Fatalf("nothing matches %s", pattern)
	}
	return m[0]
}
