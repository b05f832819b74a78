package ui

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// The result of one validate --connect check.
const (
	ProbeOK = "ok"
	// ProbeMissing: a required permission is not granted.
	ProbeMissing = "missing"
	// ProbeOptionalMissing: an optional one is not; reclaim degrades.
	ProbeOptionalMissing = "optional-missing"
	// ProbeError: the check could not be made; Detail says why.
	ProbeError = "error"
	// ProbeNotChecked: a write, which validate does not try.
	ProbeNotChecked = "not checked"
)

// ProbeLine is one validate --connect check: a task of the configuration,
// the permission it needs and what the tenant answered.
type ProbeLine struct {
	Task, Permission string
	// Status is one of the Probe* words.
	Status string
	// Detail is Microsoft's error code or the reason; it may come from the
	// tenant.
	Detail string
}

// Failed says the check makes validate --connect exit 1.
func (l ProbeLine) Failed() bool { return l.Status == ProbeMissing || l.Status == ProbeError }

// WriteConnectProfile writes one profile's connection checks: a heading, the
// credential it signs in with and why (never a token; "" leaves it out),
// then either the error that stopped them (no client, no token) or the
// table task → permission → result.
func WriteConnectProfile(w io.Writer, profile, tenant, credential string, stopped error, lines []ProbeLine) error {
	fmt.Fprintf(w, "\nConnecting profile %s (tenant %s):\n", Terminal(profile), Terminal(tenant))
	if credential != "" {
		fmt.Fprintf(w, "  signed in with %s\n", TerminalText(credential))
	}
	if stopped != nil {
		_, err := fmt.Fprintf(w, "  %s\n", TerminalText(stopped.Error()))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TASK\tPERMISSION\tRESULT")
	for _, l := range lines {
		result := l.Status
		if l.Detail != "" {
			result += " (" + Terminal(l.Detail) + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", Terminal(l.Task), l.Permission, result)
	}
	return tw.Flush()
}
