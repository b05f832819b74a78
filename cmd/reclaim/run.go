package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/graph"
	"github.com/reclaimhq/reclaim/pipeline/report"
	piperun "github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/ui"
	"github.com/reclaimhq/reclaim/stages"
	"github.com/reclaimhq/reclaim/stages/extract"
	"github.com/reclaimhq/reclaim/stages/transform"
)

// newTransformStage carries the configuration's transform block and
// sql_stage blocks into the transform stage.
func newTransformStage(cfg *config.Config) *transform.Stage {
	ts := &transform.Stage{}
	if t := cfg.Transform; t != nil {
		ts.DuckDB = transform.Settings{Threads: t.Threads, MemoryLimit: t.MemoryLimit, TempDirectory: t.TempDirectory}
		ts.StaleReportDays = t.StaleReportDays
	}
	for _, s := range cfg.SQLStages {
		ts.SQLStages = append(ts.SQLStages, transform.SQLStage{Name: s.Name, Profiles: s.Profiles, Query: s.Query, QueryRange: s.QueryRange})
	}
	return ts
}

// newRegistry lists every stage this build of reclaim knows. This is the one
// place concrete stages are wired in; a new stage package adds its stages here.
func newRegistry(ts *transform.Stage) (*stages.Registry, error) {
	return stages.NewRegistry(append(extract.New().Stages(), ts)...)
}

// runReports keeps the summary of each run that transformed and writes it
// into the run directory as report.md and report.html.
type runReports struct {
	mu    sync.Mutex
	byRun map[string]*report.Summary
}

// write is the runner's Report hook.
func (rr *runReports) write(st *store.Store, prof store.Profile, runID string, sum *report.Summary) error {
	rr.mu.Lock()
	if rr.byRun == nil {
		rr.byRun = map[string]*report.Summary{}
	}
	rr.byRun[runID] = sum
	rr.mu.Unlock()
	for _, f := range []struct {
		name   string
		render func(io.Writer, *report.Summary) error
	}{{store.ReportMarkdownFile, ui.WriteReportMarkdown}, {store.ReportHTMLFile, ui.WriteReportHTML}} {
		if err := st.WriteFile(prof.RunFile(runID, f.name), store.KindReport, 0o600,
			func(w io.Writer) error { return f.render(w, sum) }); err != nil {
			return err
		}
	}
	return nil
}

// of returns the summary of a run, or nil when it did not transform.
func (rr *runReports) of(runID string) *report.Summary {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.byRun[runID]
}

type runFlags struct {
	stage        string
	only         []string
	asOf         string
	profiles     []string
	signInLog    bool
	signInBudget int
	maxRetryTime time.Duration
	reportPeriod string
	parallel     int
	progress     string
	lockTimeout  time.Duration
	// profileIndex < 0: not given.
	profileIndex     int
	shard            string
	parallelProfiles int
}

func newRunCmd() *cobra.Command {
	cf := &configFlags{}
	rf := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run [CONFIG]",
		Short: "Extract from Microsoft Graph and Dataverse (and transform) into Parquet snapshots",
		Long: `Run executes the pipeline stages the configuration needs, for every profile:
extract pulls users, licences, subscriptions, usage reports, sign-ins, group
members and Dataverse audit into raw Parquet snapshots; transform (when
present) builds the curated tables from them.

Only what a rule needs is extracted: no Dynamics signal or environment means
no Dataverse calls, a usage report is read only for a signal in use, and
download_activity = false skips every activity source.

Snapshots go to OUTPUT/<profile>/raw/<table>/snapshot_date=YYYY-MM-DD/part-0.parquet,
written to a temporary file and renamed into place only when the stage
succeeded; a re-run the same day replaces that day's file. Each run writes
OUTPUT/<profile>/runs/<run-id>/manifest.json (rows, pages, retries, throttled
waits, quarantined rows, checksums). The sign-in watermark is kept in
OUTPUT/<profile>/state.json and moves only when the sign-in extract succeeded.

With output { url = "az://ACCOUNT/CONTAINER/PREFIX" } (or "s3://BUCKET/PREFIX")
OUTPUT is the local working directory: every committed file is published to
the store in the same layout, the manifest last, and a host with an empty
OUTPUT first reads the state and latest snapshots back from it. The profile
lock is then also a lease in the store, so two hosts never run one profile.

A table whose answers stay malformed after retries (a 200 with an empty body,
a page without "value") fails and keeps its earlier snapshot. When every
request to Microsoft has failed for --max-retry-time (an outage), retrying
stops and the run fails; a token refusal (wrong secret, invalid scope) is
asked for once and named once.

Run takes the profile's lock (OUT/<profile>/.lock), shared with apply and
undo: while another reclaim process holds it, run exits 1 at once naming the
holder (command, pid, host, since), or waits up to --lock-timeout.
SIGINT or SIGTERM stops the run cleanly: unfinished stages are discarded, the
manifest is written with status "interrupted", the lock is released, exit 1.

Many profiles (a profile set declared with for_each, see
docs/configuration.md) run one after another, or --parallel-profiles at once
on one host: Microsoft throttles per app per tenant, so tenants extract side
by side; the transforms share the DuckDB memory (transform { memory_limit },
or 80% of RAM) and cores equally. A profile that fails (its app not
consented, a token refused) fails alone: the others run, and a closing line
lists which failed and why. To fan out over machines, every worker sees the
profiles sorted by name (an instance is SET.KEY) and takes a share:
--profile-index N runs the profile at 0-based position N (a Kubernetes
Indexed Job passes $(JOB_COMPLETION_INDEX)); --shard K/N runs positions i
with i mod N = K (N workers for any number of tenants; a worker with none
exits 0). --profile narrows the list first and accepts a set's name.

Exit codes: 0 every stage succeeded; 1 a stage failed, the run was
interrupted or could not start (the manifest names the failed stages);
2 some profiles failed and others succeeded (the closing line lists them).

` + configFlagsHelp,
		Example: `  # everything, against the simulated tenant
  reclaim run examples/demo -var sim_url=https://127.0.0.1:8443 -var ca_file=/tmp/sim/ca.pem

  # extract only two tables, as if it were another day
  reclaim run ./config --stage extract --only users,subscribed_skus --as-of 2026-11-01`,
		Args: cf.args(),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load(cmd, args)
			if err != nil {
				return err
			}
			return runPipeline(cmd, cfg, rf)
		},
	}
	cf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&rf.stage, "stage", "", "run only this kind of stage: extract or transform (default: all)")
	fl.StringSliceVar(&rf.only, "only", nil, "run only the stages producing these tables (comma-separated)")
	fl.StringVar(&rf.asOf, "as-of", "", "snapshot date YYYY-MM-DD (default: today, UTC)")
	fl.StringArrayVar(&rf.profiles, "profile", nil, "run only this profile, or every instance of this profile set (repeatable; default: all)")
	fl.IntVar(&rf.profileIndex, "profile-index", -1, "run only the profile at this 0-based position in name order (e.g. $(JOB_COMPLETION_INDEX))")
	fl.StringVar(&rf.shard, "shard", "", "run only the profiles at positions i in name order with i mod N = K, given as K/N")
	fl.IntVar(&rf.parallelProfiles, "parallel-profiles", 1, "profiles run at once on this host (each transform gets an equal share of DuckDB memory and threads)")
	fl.BoolVar(&rf.signInLog, "sign-in-log", true, "read the sign-in log (auditLogs/signIns) when a rule counts sign_in")
	fl.IntVar(&rf.signInBudget, "sign-in-budget", 200, "most sign-in log pages read per run (the API allows 5 requests per 10 s)")
	fl.StringVar(&rf.reportPeriod, "report-period", "D30", "usage report period: D7, D30, D90 or D180")
	fl.IntVar(&rf.parallel, "parallel", 4, "stages run at once")
	fl.DurationVar(&rf.maxRetryTime, "max-retry-time", msgraph.DefaultMaxRetryTime,
		"give up once every request to Microsoft has failed for this long (an outage)")
	fl.StringVar(&rf.progress, "progress", "auto", "progress display: auto (bars on a terminal), bars, or log")
	fl.DurationVar(&rf.lockTimeout, "lock-timeout", 0, lockTimeoutUsage)
	return cmd
}

func runPipeline(cmd *cobra.Command, cfg *config.Config, rf *runFlags) error {
	log, err := commandLogger(cmd)
	if err != nil {
		return err
	}
	sel := graph.Selection{Only: rf.only, SignInLog: rf.signInLog}
	switch rf.stage {
	case "":
	case string(stages.KindExtract), string(stages.KindTransform):
		sel.Kinds = []stages.Kind{stages.Kind(rf.stage)}
	default:
		return withExitCode(exitError, fmt.Errorf("invalid --stage %q: want extract or transform", rf.stage))
	}
	var asOf time.Time
	if rf.asOf != "" {
		asOf, err = time.Parse(time.DateOnly, rf.asOf)
		if err != nil {
			return withExitCode(exitError, fmt.Errorf("invalid --as-of %q: want YYYY-MM-DD", rf.asOf))
		}
	}
	switch rf.reportPeriod {
	case "D7", "D30", "D90", "D180":
	default:
		return withExitCode(exitError, fmt.Errorf("invalid --report-period %q: want D7, D30, D90 or D180", rf.reportPeriod))
	}
	pick := piperun.ProfileSelection{Names: rf.profiles, Index: rf.profileIndex, HasIndex: rf.profileIndex >= 0}
	if cmd.Flags().Changed("profile-index") && rf.profileIndex < 0 {
		return withExitCode(exitError, fmt.Errorf("invalid --profile-index %d: want 0 or more", rf.profileIndex))
	}
	if rf.shard != "" {
		if pick.ShardK, pick.ShardN, err = piperun.ParseShard(rf.shard); err != nil {
			return withExitCode(exitError, err)
		}
	}
	if rf.parallelProfiles < 1 {
		return withExitCode(exitError, fmt.Errorf("invalid --parallel-profiles %d: want 1 or more", rf.parallelProfiles))
	}
	names, err := pick.Pick(cfg)
	if err != nil {
		return withExitCode(exitError, err)
	}
	if len(names) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "No profile in shard %s: the configuration has %s, fewer than the shards.\n", rf.shard, ui.Plural(len(cfg.Profiles), "profile"))
		return nil
	}
	ts := newTransformStage(cfg)
	par := min(rf.parallelProfiles, len(names))
	if par > 1 {
		ts.DuckDB, err = shareDuckDB(ts.DuckDB, par)
		if err != nil {
			return withExitCode(exitError, err)
		}
		log.Info("transforms share DuckDB", "profiles_at_once", par, "memory_limit_each", ts.DuckDB.MemoryLimit, "threads_each", ts.DuckDB.Threads)
	}
	reg, err := newRegistry(ts)
	if err != nil {
		return err
	}
	reports := &runReports{}
	st := outputStore(cfg, piperun.OutputDir(cfg))
	r := &piperun.Runner{
		Registry: reg,
		Report:   reports.write,
		Store:    st,
		NewClient: func(p *config.Profile) (*msgraph.Client, error) {
			return newClient(p, nil, msgraph.RetryPolicy{MaxRetryTime: rf.maxRetryTime}, log.Named("http"))
		},
		Options: stages.Options{ReportPeriod: rf.reportPeriod,
			SignInRequestBudget: rf.signInBudget},
		Logger:           log,
		Parallel:         rf.parallel,
		ParallelProfiles: par,
		LockTimeout:      rf.lockTimeout,
	}
	var bars *ui.Bars
	useBars := rf.progress == "bars" || (rf.progress == "auto" && isTerminal(cmd.ErrOrStderr()))
	if useBars {
		bars = ui.NewBars(cmd.ErrOrStderr())
		r.Progress = bars
		// Log lines go above the bars instead of through them.
		r.Logger = hclog.New(&hclog.LoggerOptions{Name: "reclaim", Level: log.GetLevel(), Output: bars})
	}
	ctx, stop := stopContext(cmd.Context())
	defer stop()
	ms, err := r.Run(ctx, piperun.Request{Config: cfg, Profiles: names, Selection: sel, AsOf: asOf})
	if bars != nil {
		bars.Wait()
	}
	out, outDir := cmd.OutOrStdout(), piperun.OutputDir(cfg)
	for _, m := range ms {
		ui.WriteManifestSummary(out, outDir, m)
		if sum := reports.of(m.RunID); sum != nil {
			fmt.Fprintln(out)
			ui.WriteRunSummary(out, sum)
			fmt.Fprintf(out, "  report: %s\n\n", store.Display(outDir, store.ProfileAt(outDir, m.Profile).RunFile(m.RunID, store.ReportHTMLFile)))
		}
	}
	failed := piperun.FailedProfiles(err)
	if len(names) > 1 {
		ui.WriteProfilesOutcome(out, len(names), failed)
	}
	if err != nil {
		if ctx.Err() != nil {
			return withExitCode(exitError, fmt.Errorf("interrupted (%v): the manifest says %q, snapshots of unfinished stages were discarded and the profile lock is released", context.Cause(ctx), piperun.StatusInterrupted))
		}
		if len(names) > 1 && len(failed) > 0 && len(failed) < len(names) {
			return withExitCode(exitPartial, fmt.Errorf("%d of %d profiles failed: %w", len(failed), len(names), errors.Join(err, st.PublishErr())))
		}
		return withExitCode(exitError, errors.Join(err, st.PublishErr()))
	}
	return publishError(st)
}

// commandLogger builds the process logger from the root's --log-level and
// --log-format flags.
func commandLogger(cmd *cobra.Command) (hclog.Logger, error) {
	g := &globalFlags{}
	g.logLevel, _ = cmd.Flags().GetString("log-level")
	g.logFormat, _ = cmd.Flags().GetString("log-format")
	if g.logLevel == "" {
		g.logLevel = "warn"
	}
	return g.logger()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
