package ui

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteDemoStart says which simulated tenant the demo started.
func WriteDemoStart(w io.Writer, users int, seed int64, url string) {
	fmt.Fprintf(w, "Simulated tenant: %d users (seed %d) at %s\n", users, seed, url)
}

// WriteDemoStep heads one step of the demo: its number, what it shows, and
// the command line it runs (as a person would type it).
func WriteDemoStep(w io.Writer, n int, what, cmdline string) {
	fmt.Fprintf(w, "\n==> %d. %s\n$ %s\n\n", n, what, cmdline)
}

// DemoDone is what the demo's closing lines point at; an empty Report or
// Journal is left out.
type DemoDone struct {
	Took      time.Duration
	Snapshots string // the snapshot layout under the demo's output directory
	Report    string // the last run's report.html
	Plan      string // the plan that was applied
	Journal   string // the apply's journal, which undo reads
	Query     string // a DuckDB query on the curated snapshots
}

// WriteDemoDone prints where the demo left its snapshots, report, plan and
// journal, and the query it is about to run.
func WriteDemoDone(w io.Writer, d DemoDone) {
	fmt.Fprintf(w, "\n==> Done in %s. The simulated tenant is stopped.\n\n", d.Took)
	fmt.Fprintf(w, "Snapshots (Parquet, Hive layout): %s\n", d.Snapshots)
	if d.Report != "" {
		fmt.Fprintf(w, "Report of the last run:           %s\n", d.Report)
	}
	fmt.Fprintf(w, "Plan that was applied:            %s\n", d.Plan)
	if d.Journal != "" {
		fmt.Fprintf(w, "Journal of the changes (undo):    %s  (reclaim undo %s)\n", d.Journal, d.Journal)
	}
	fmt.Fprintf(w, "\nTry a query (duckdb CLI, or any Parquet reader) — what is still wasted per SKU after the apply:\n\n%s\n\n",
		"  "+strings.ReplaceAll(d.Query, "\n", "\n  "))
}

// WriteQueryTable prints a query's result as a plain aligned table, indented
// two spaces, columns ruled with dashes. Cells are the tenant's data, so they
// are escaped for the terminal.
func WriteQueryTable(w io.Writer, cols []string, rows [][]string) error {
	// Aligned like every other table reclaim prints (run summary, --connect).
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rule := make([]string, len(cols))
	for i, c := range cols {
		rule[i] = strings.Repeat("-", len(c))
	}
	fmt.Fprintf(tw, "  %s\n  %s\n", strings.Join(cols, "\t"), strings.Join(rule, "\t"))
	cells := make([]string, len(cols))
	for _, row := range rows {
		for i, v := range row {
			cells[i] = Terminal(v)
		}
		fmt.Fprintf(tw, "  %s\n", strings.Join(cells[:len(row)], "\t"))
	}
	return tw.Flush()
}

// HeadTail passes the first head lines through, then remembers only the
// last tail lines and prints them, with a count of what it left out, on Close.
type HeadTail struct {
	w          io.Writer
	head, tail int
	seen       int
	partial    []byte
	last       []string
}

func (h *HeadTail) Write(p []byte) (int, error) {
	h.partial = append(h.partial, p...)
	for {
		i := bytes.IndexByte(h.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		h.line(string(h.partial[:i+1]))
		h.partial = h.partial[i+1:]
	}
}

func (h *HeadTail) line(l string) {
	h.seen++
	if h.seen <= h.head {
		io.WriteString(h.w, l)
		return
	}
	h.last = append(h.last, l)
	if len(h.last) > h.tail {
		h.last = h.last[1:]
	}
}

func (h *HeadTail) Close(logPath string) {
	if len(h.partial) > 0 {
		h.line(string(h.partial) + "\n")
		h.partial = nil
	}
	if skipped := h.seen - h.head - len(h.last); skipped > 0 {
		fmt.Fprintf(h.w, "    … %d more lines (the whole output is in %s) …\n", skipped, logPath)
	}
	for _, l := range h.last {
		io.WriteString(h.w, l)
	}
}

// NewHeadTail shows the first head and the last tail lines written to it on
// w; Close prints the tail.
func NewHeadTail(w io.Writer, head, tail int) *HeadTail {
	return &HeadTail{w: w, head: head, tail: tail}
}
