package main

import (
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
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the demo's closing query runs on embedded DuckDB
	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
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
	ui.WriteDemoStart(stdout, f.users, f.seed, sim.URL())

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
		ui.WriteDemoStep(stdout, n, what, "reclaim "+display(args, vars, shown))
		// Plans and applies list every user; the demo shows the head and the
		// tail of each step and keeps the whole output in a log file.
		logPath := filepath.Join(dir, fmt.Sprintf("step-%d-%s.log", n, args[0]))
		logFile, err := os.Create(logPath)
		if err != nil {
			return -1, err
		}
		defer logFile.Close()
		view := ui.NewHeadTail(stdout, 30, 12)
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

	simOut := store.ProfileAt(data, "sim")
	curated := simOut.Layer(store.Curated)
	done := ui.DemoDone{
		Took:      time.Since(started).Round(time.Second),
		Snapshots: rel(data) + "/sim/{raw,curated}/<table>/snapshot_date=YYYY-MM-DD/",
		Plan:      rel(plan1),
		Query: fmt.Sprintf(`SELECT sku_part_number, assigned, inactive, unassigned, round(monthly_waste, 2) AS monthly_waste
FROM read_parquet('%s/licence_position/*/*.parquet', hive_partitioning = true)
ORDER BY monthly_waste DESC NULLS LAST LIMIT 8`, rel(curated)),
	}
	if reports := simOut.RunFiles(store.ReportHTMLFile); len(reports) > 0 {
		done.Report = rel(reports[len(reports)-1])
	}
	if journals := simOut.JournalPaths(); len(journals) > 0 {
		done.Journal = rel(journals[0])
	}
	ui.WriteDemoDone(stdout, done)
	if err := printQuery(stdout, done.Query); err != nil {
		fmt.Fprintf(stderr, "(the sample query failed: %v)\n", err)
	}
	return nil
}

// printQuery runs a query on embedded DuckDB and prints its result.
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
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var table [][]string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = fmt.Sprint(v)
			}
		}
		table = append(table, row)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return ui.WriteQueryTable(w, cols, table)
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
