package ui

import (
	"fmt"
	"io"
	"strings"

	piperun "github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
)

// WriteManifestSummary prints what one run of one profile did, a line per
// stage (rows, pages, retries, throttled waits, quarantined rows), then the
// skipped stages and where the manifest is. outDir is the configuration's
// output directory. Errors and warnings come from Microsoft's answers, so
// they are escaped for the terminal.
func WriteManifestSummary(w io.Writer, outDir string, m *piperun.Manifest) {
	fmt.Fprintf(w, "Profile %s, snapshot %s, run %s: %s\n", m.Profile, m.SnapshotDate, m.RunID, m.Status)
	causeFirst := map[string]string{}
	for _, s := range m.Stages {
		line := fmt.Sprintf("  %-42s %-7s %9d rows", s.Table, s.Status, s.Rows)
		var extra []string
		if s.Pages > 0 {
			extra = append(extra, Plural(int(s.Pages), "page"))
		}
		if s.Retries > 0 {
			extra = append(extra, fmt.Sprintf("%d retries", s.Retries))
		}
		if s.ThrottledWaits > 0 {
			extra = append(extra, fmt.Sprintf("%d throttled", s.ThrottledWaits))
		}
		if s.Quarantined > 0 {
			extra = append(extra, fmt.Sprintf("%d quarantined", s.Quarantined))
		}
		if len(extra) > 0 {
			line += "  (" + strings.Join(extra, ", ") + ")"
		}
		fmt.Fprintln(w, line)
		switch first, seen := causeFirst[s.Cause]; {
		case s.Cause != "" && seen:
			// One token refusal or outage fails every stage: say it once.
			fmt.Fprintf(w, "      error: the same as %s\n", first)
		case s.Error != "":
			fmt.Fprintf(w, "      error: %s\n", TerminalText(s.Error))
			if s.Cause != "" {
				causeFirst[s.Cause] = s.Table
			}
		}
		for _, warn := range s.Warnings {
			fmt.Fprintf(w, "      warning: %s\n", TerminalText(warn))
		}
	}
	for _, s := range m.Skipped {
		fmt.Fprintf(w, "  %-42s skipped: %s\n", s.Table, TerminalText(s.Reason))
	}
	fmt.Fprintf(w, "  manifest: %s\n", store.Display(outDir, store.ProfileAt(outDir, m.Profile).ManifestPath(m.RunID)))
}

// Plural is "1 word" or "N words", for words whose plural adds an s.
func Plural(n int, word string) string {
	return count(n, word, word+"s")
}

// WriteProfilesOutcome closes a run over several profiles: how many ran,
// and each that failed with why (its first line; the manifest has the
// rest), so a run over many tenants says at a glance which need attention.
func WriteProfilesOutcome(w io.Writer, ran int, failed []*piperun.ProfileError) {
	if len(failed) == 0 {
		fmt.Fprintf(w, "%s: all succeeded\n", Plural(ran, "profile"))
		return
	}
	fmt.Fprintf(w, "%s: %d succeeded, %d failed:\n", Plural(ran, "profile"), ran-len(failed), len(failed))
	for _, f := range failed {
		why, _, _ := strings.Cut(f.Err.Error(), "\n")
		fmt.Fprintf(w, "  %s: %s\n", f.Profile, Terminal(why))
	}
}
