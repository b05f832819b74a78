package ui

import (
	"fmt"
	"io"
)

// ApplyLine is one outcome of apply or undo as a person reads it.
type ApplyLine struct {
	Phase     string // done, skipped, failed
	Earlier   bool   // finished by an earlier run of the same journal
	Operation string
	User      string
	SKU       string
	GroupID   string
	Detail    string
}

// WriteApplyLine prints one outcome as it happens.
func WriteApplyLine(w io.Writer, l ApplyLine) error {
	sku, user, group := Terminal(l.SKU), Terminal(l.User), Terminal(l.GroupID)
	what := sku + " from " + user
	switch l.Operation {
	case "remove_from_group":
		what = fmt.Sprintf("%s from %s (left group %s)", sku, user, group)
	case "add_license":
		what = sku + " back to " + user
	case "add_to_group":
		what = fmt.Sprintf("%s back to %s (rejoined group %s)", sku, user, group)
	}
	mark := map[string]string{"done": "✓", "skipped": "·", "failed": "✗"}[l.Phase]
	line := fmt.Sprintf("%s %-7s %s", mark, l.Phase, what)
	if l.Earlier {
		line += " (in the journal from an earlier run)"
	} else if l.Detail != "" {
		line += ": " + Terminal(oneLine(l.Detail))
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// WriteApplySummary prints the closing totals of apply or undo. needsFix of
// the failed changes cannot succeed until the tenant is changed (each line
// named the fix); only the others are worth a plain retry.
func WriteApplySummary(w io.Writer, verb string, done, skipped, failed, needsFix, earlier int, journal string) error {
	ew := &errWriter{w: w}
	ew.printf("\n%s complete: %d done, %d skipped, %d failed", verb, done, skipped, failed)
	if earlier > 0 {
		ew.printf(", %d already finished earlier", earlier)
	}
	ew.printf(".\nJournal: %s\n", Terminal(journal))
	if needsFix > 0 {
		ew.printf("%d failed change(s) cannot succeed as things stand: fix what each line names first, then run the same command again.\n", needsFix)
	}
	if failed > needsFix {
		ew.printf("Some changes failed; see the journal. Running the same command again retries them (done ones are not repeated).\n")
	}
	return ew.err
}
