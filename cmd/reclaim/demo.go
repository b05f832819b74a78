package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the demo's closing query runs on embedded DuckDB
	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/ui"
	"github.com/reclaimhq/reclaim/simtenant"
)

type demoFlags struct {
	config string
	dir    string
	users  int
	seed   int64
}

func newDemoCmd() *cobra.Command {
	f := &demoFlags{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole job against a built-in simulated tenant",
		Long: `Demo shows reclaim doing its whole job, end to end, against a simulated
Microsoft 365 tenant it starts on a free loopback port (nothing leaves this
machine). It runs the same commands you would run against a real tenant and
prints each one before running it:

  1. reclaim run    extract users, licences and activity, then transform
  2. reclaim plan   build a reviewable plan from the recommendations
  3. reclaim apply  carry the plan out on the simulated tenant (--auto-approve),
                    leaving out removals the plan marks one-way (undo could not
                    reverse them), as a reviewer would (--exclude-action)
  4. reclaim run    refresh the snapshots after the change
  5. reclaim plan   show that nothing is left to reclaim but those one-way
                    removals

It ends by telling you where the Parquet snapshots and the report are, and runs
one DuckDB query on them. The simulated tenant is stopped when the demo ends.`,
		Example: `  make demo
  reclaim demo --users 5000 --seed 7 --dir /tmp/reclaim-demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	cmd.Flags().StringVar(&f.config, "config", "examples/demo", "the demo configuration directory")
	cmd.Flags().StringVar(&f.dir, "dir", "reclaim-demo", "where snapshots, plans and journals go: a new or empty directory, or one an earlier demo made (its demo files are replaced)")
	cmd.Flags().IntVar(&f.users, "users", 3000, "users in the simulated tenant")
	cmd.Flags().Int64Var(&f.seed, "seed", 42, "seed of the simulated tenant (same seed, same tenant)")
	return cmd
}

func runDemo(ctx context.Context, stdout, stderr io.Writer, f *demoFlags) error {
	ctx, stop := stopContext(ctx)
	defer stop()

	if _, err := os.Stat(filepath.Join(f.config, "main.hcl")); err != nil {
		return fmt.Errorf("demo configuration not found at %s: run the demo from the repository root (make demo) or pass --config", f.config)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the reclaim binary: %w", err)
	}
	dir, err := filepath.Abs(f.dir)
	if err != nil {
		return err
	}
	if err := prepareDemoDir(dir); err != nil {
		return err
	}

	sim, err := simtenant.Start(simtenant.Options{Addr: "127.0.0.1:0", Users: f.users, Seed: f.seed})
	if err != nil {
		return fmt.Errorf("starting the simulated tenant: %w", err)
	}
	defer sim.Close()
	fmt.Fprintf(stdout, "Simulated tenant: %d users (seed %d) at %s\n", f.users, f.seed, sim.URL())

	data := filepath.Join(dir, "data")
	vars := []string{
		"-var", "sim_url=" + sim.URL(),
		"-var", "ca_file=" + sim.CAFile(),
		"-var", "tenant_id=" + sim.TenantID(),
		"-var", "client_id=" + sim.ClientID(),
		"-var", "output_dir=" + data,
	}
	shown := "-var sim_url=" + sim.URL() + " -var ca_file=… -var output_dir=" + rel(data)
	plan1 := filepath.Join(dir, "plan.json")
	plan2 := filepath.Join(dir, "plan-after.json")

	step := func(n int, what string, wantCodes []int, args ...string) (int, error) {
		fmt.Fprintf(stdout, "\n==> %d. %s\n$ reclaim %s\n\n", n, what, display(args, vars, shown))
		// Plans and applies list every user; the demo shows the head and the
		// tail of each step and keeps the whole output in a log file.
		logPath := filepath.Join(dir, fmt.Sprintf("step-%d-%s.log", n, args[0]))
		logFile, err := os.Create(logPath)
		if err != nil {
			return -1, err
		}
		defer logFile.Close()
		view := &headTail{w: stdout, head: 30, tail: 12}
		c := exec.CommandContext(ctx, exe, args...)
		c.Stdout = io.MultiWriter(logFile, view)
		c.Stderr = io.MultiWriter(logFile, stderr)
		c.Env = append(os.Environ(), "RECLAIM_VAR_client_secret="+sim.ClientSecret())
		err = c.Run()
		view.Close(rel(logPath))
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			return -1, fmt.Errorf("step %d (reclaim %s): %w", n, args[0], err)
		}
		for _, w := range wantCodes {
			if code == w {
				return code, nil
			}
		}
		return code, fmt.Errorf("step %d (reclaim %s) exited %d", n, args[0], code)
	}

	started := time.Now()
	if _, err := step(1, "Extract and transform the tenant into Parquet snapshots", []int{0},
		append([]string{"run", f.config, "--progress", "log"}, vars...)...); err != nil {
		return err
	}
	code, err := step(2, "Plan: what would change, for review", []int{0, 2},
		append([]string{"plan", f.config, "-out", plan1, "--detailed-exitcode"}, vars...)...)
	if err != nil {
		return err
	}
	if code != 2 {
		return errors.New("the first plan has no changes: the simulated tenant should have inactive licences to reclaim")
	}
	// A reviewer does not approve removals that undo could not reverse: the
	// demo leaves the plan's one-way actions out of the approval (partial
	// approval, journalled as not approved), as a person would.
	reviewed, err := plan.Read(plan1)
	if err != nil {
		return err
	}
	applyArgs := []string{"apply", plan1, "--auto-approve", "--writes-per-second", "200"}
	oneWay := map[string]bool{}
	for _, a := range reviewed.Actions {
		if len(a.OneWayReasons) > 0 {
			applyArgs = append(applyArgs, "--exclude-action", a.ID)
			oneWay[a.UserID+"\x00"+strings.ToLower(a.SkuID)] = true
		}
	}
	what := "Apply exactly the reviewed plan to the simulated tenant"
	if len(oneWay) > 0 {
		what = fmt.Sprintf("Apply the reviewed plan, leaving out its %d one-way removal(s) (undo could not reverse them)", len(oneWay))
	}
	if _, err := step(3, what, []int{0}, append(applyArgs, vars...)...); err != nil {
		return err
	}
	if _, err := step(4, "Refresh the snapshots after the change", []int{0},
		append([]string{"run", f.config, "--progress", "log"}, vars...)...); err != nil {
		return err
	}
	what = "Plan again: nothing left to reclaim"
	codes := []int{0}
	if len(oneWay) > 0 {
		what = "Plan again: only the one-way removals left out of the approval remain"
		codes = []int{2}
	}
	if _, err := step(5, what, codes,
		append([]string{"plan", f.config, "-out", plan2, "--detailed-exitcode"}, vars...)...); err != nil {
		return fmt.Errorf("%w (exit 2 means the second plan still has changes)", err)
	}
	if len(oneWay) > 0 {
		after, err := plan.Read(plan2)
		if err != nil {
			return err
		}
		for _, a := range after.Actions {
			if !oneWay[a.UserID+"\x00"+strings.ToLower(a.SkuID)] {
				return fmt.Errorf("the second plan still removes %s from %s, which the first plan's apply should have done", a.SkuPartNumber, ui.Terminal(a.UserPrincipalName))
			}
		}
		if len(after.Actions) != len(oneWay) {
			return fmt.Errorf("the second plan has %d action(s), want the %d one-way removal(s) left out", len(after.Actions), len(oneWay))
		}
	}

	curated := filepath.Join(data, "sim", "curated")
	fmt.Fprintf(stdout, "\n==> Done in %s. The simulated tenant is stopped.\n\n", time.Since(started).Round(time.Second))
	fmt.Fprintf(stdout, "Snapshots (Parquet, Hive layout): %s/sim/{raw,curated}/<table>/snapshot_date=YYYY-MM-DD/\n", rel(data))
	if reports, _ := filepath.Glob(filepath.Join(data, "sim", "runs", "*", "report.html")); len(reports) > 0 {
		fmt.Fprintf(stdout, "Report of the last run:           %s\n", rel(reports[len(reports)-1]))
	}
	fmt.Fprintf(stdout, "Plan that was applied:            %s\n", rel(plan1))
	if journals, _ := filepath.Glob(filepath.Join(data, "sim", "journal", "*.jsonl")); len(journals) > 0 {
		fmt.Fprintf(stdout, "Journal of the changes (undo):    %s  (reclaim undo %s)\n", rel(journals[0]), rel(journals[0]))
	}
	query := fmt.Sprintf(`SELECT sku_part_number, assigned, inactive, unassigned, round(monthly_waste, 2) AS monthly_waste
FROM read_parquet('%s/licence_position/*/*.parquet', hive_partitioning = true)
ORDER BY monthly_waste DESC NULLS LAST LIMIT 8`, rel(curated))
	fmt.Fprintf(stdout, "\nTry a query (duckdb CLI, or any Parquet reader) — what is still wasted per SKU after the apply:\n\n%s\n\n", indent(query))
	if err := printQuery(stdout, query); err != nil {
		fmt.Fprintf(stderr, "(the sample query failed: %v)\n", err)
	}
	return nil
}

// headTail passes the first head lines through, then remembers only the
// last tail lines and prints them, with a count of what it left out, on Close.
type headTail struct {
	w          io.Writer
	head, tail int
	seen       int
	partial    []byte
	last       []string
}

func (h *headTail) Write(p []byte) (int, error) {
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

func (h *headTail) line(l string) {
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

func (h *headTail) Close(logPath string) {
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

// printQuery runs a query on embedded DuckDB and prints it as a plain table.
func printQuery(w io.Writer, query string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	// Aligned like every other table reclaim prints (run summary, --connect).
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rule := make([]string, len(cols))
	for i, c := range cols {
		rule[i] = strings.Repeat("-", len(c))
	}
	fmt.Fprintf(tw, "  %s\n  %s\n", strings.Join(cols, "\t"), strings.Join(rule, "\t"))
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = ui.Terminal(fmt.Sprint(v)) // the tenant's data
			}
		}
		fmt.Fprintf(tw, "  %s\n", strings.Join(row, "\t"))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return tw.Flush()
}

// display shortens the long -var list to what a reader needs to see.
func display(args, vars []string, shown string) string {
	n := len(args) - len(vars)
	if n >= 0 && strings.Join(args[n:], "\x00") == strings.Join(vars, "\x00") {
		return strings.Join(args[:n], " ") + " " + shown
	}
	return strings.Join(args, " ")
}

func rel(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// demoMarker marks a directory the demo made, so a later demo may clear it.
const demoMarker = ".reclaim-demo"

// prepareDemoDir readies dir for a fresh demo (a fresh one each time keeps
// the output honest) without ever deleting what the demo did not write: a
// new or empty dir is taken and marked; a marked one (an earlier demo's)
// loses only the demo's own files; any other non-empty dir — ".", a home
// directory, someone's data — is refused.
func prepareDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating --dir %s: %w", dir, err)
		}
	case err != nil:
		return fmt.Errorf("--dir %s: %w", dir, err)
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("--dir %s is not empty and was not made by reclaim demo (it has no %s file): refusing to delete anything in it; pass a new or empty directory", dir, demoMarker)
		}
		for _, e := range entries {
			if !demoOwned(e.Name()) {
				continue
			}
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("clearing the previous demo in %s: %w", dir, err)
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by reclaim demo; a later demo replaces its files here\n"), 0o644)
}

// demoOwned reports whether name is one of the files runDemo writes.
func demoOwned(name string) bool {
	switch name {
	case "data", "plan.json", "plan-after.json":
		return true
	}
	ok, _ := filepath.Match("step-*.log", name)
	return ok
}
