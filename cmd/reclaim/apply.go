package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/ui"
	"github.com/reclaimhq/reclaim/stages/act"
	"github.com/reclaimhq/reclaim/stages/transform"
)

// applyFlags are shared by apply and undo.
type applyFlags struct {
	cf          configFlags
	configPath  string
	autoApprove bool
	concurrency int
	writesPerS  float64
	lockTimeout time.Duration
	// expectDigest (apply only) is the reviewed actions digest.
	expectDigest string
	// approval (apply only) is the part of the plan approved.
	approval act.Approval
	// allowOneWay (apply only) accepts removals undo could not reverse.
	allowOneWay bool
}

func (f *applyFlags) register(cmd *cobra.Command) {
	f.cf.register(cmd)
	cmd.Flags().StringVar(&f.configPath, "config", "", "configuration to load (default: the one the plan was made from)")
	cmd.Flags().BoolVar(&f.autoApprove, "auto-approve", false, "do not ask for confirmation (required when stdin is not a terminal)")
	cmd.Flags().IntVar(&f.concurrency, "concurrency", act.DefaultConcurrency, "users worked on at once")
	cmd.Flags().Float64Var(&f.writesPerS, "writes-per-second", act.DefaultWritesPerSecond, "pace of changes (Graph allows 3,000 writes per 150 s per app and tenant, 20/s; apply slows down by itself when Graph answers 429 or says the budget is over 90 % used)")
	cmd.Flags().DurationVar(&f.lockTimeout, "lock-timeout", 0, lockTimeoutUsage)
}

func newApplyCmd() *cobra.Command {
	f := &applyFlags{}
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "apply PLAN",
		Short: "Carry out a reviewed plan, with live re-checks and a journal",
		Long: `Apply carries out exactly the actions of a plan saved by "reclaim plan -out".

The plan file is a request, never evidence: every action must be what the
configuration makes of the snapshot the plan records (re-derived from that
recommendations file, field by field), or apply refuses, listing each action
and mismatch. With --expect-digest it also refuses a plan whose actions digest
(printed by plan and show) is not the reviewed one.

It refuses (exit 1, nothing changed) when the configuration's decision digest
changed, when the plan's own snapshot files were altered or removed, when the
plan is older than --max-age, when a profile's reclaim_subscriptions task is
off, when a rule has more actions than its max_actions, or when an action has
data at risk, leaves a group or is one-way (undo could not put the licence
back: the user has no usageLocation, the subscription is not Enabled or has
no seat to re-add) and its rule does not allow that (allow_one_way, or
--allow-one-way for one-way removals). A newer
snapshot is not a reason: apply says so, works against the plan's own
snapshot and re-checks every action live. It asks you to type "yes" on a
terminal; otherwise it needs --auto-approve.

The plan remembers its output directory and the non-sensitive variable values
it was made with; give sensitive ones again (-var or RECLAIM_VAR_NAME). An
explicit -var wins. --action, --exclude-action, --user and --rule approve part
of the plan; the rest is journalled as not approved.

Before each change it re-reads the user and skips the change, saying why, when
the licence is gone, is now inherited from a group, the user signed in after
the plan's evidence (successful sign-ins only), the user now has no
usageLocation and one-way removals are not allowed, or an exclusion now matches: users, groups with nested
membership, SKUs, and "when" expressions, evaluated against the user's
attributes as re-read from Microsoft Graph (department, user_type, …); an
exclusion whose "when" cannot be evaluated fails that action, unchanged. Every
change is journalled before and after in OUT/<profile>/journal/plan-<id>.jsonl
(also exported as .parquet); running apply again on the same plan resumes:
finished actions are not repeated and an interrupted one is resolved by
re-reading the user.

Exit codes: 0 every action done or skipped by a precondition; 2 some failed
(run apply again to retry them); 1 refused, interrupted or error.`,
		Example: `  reclaim apply plan.json
  reclaim apply plan.json --auto-approve --expect-digest sha256:... -var client_secret=...
  reclaim apply plan.json --action 704bcfe336a2146c --action 1f0e2d3c4b5a6978`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApplyCmd(cmd, f, args[0], maxAge)
		},
	}
	f.register(cmd)
	cmd.Flags().DurationVar(&maxAge, "max-age", plan.DefaultMaxAge, "refuse a plan older than this")
	cmd.Flags().StringArrayVar(&f.approval.Actions, "action", nil, "apply only this action `ID` (repeatable); the others are journalled as not approved")
	cmd.Flags().StringArrayVar(&f.approval.ExcludeActions, "exclude-action", nil, "leave this action `ID` out (repeatable)")
	cmd.Flags().StringArrayVar(&f.approval.Users, "user", nil, "apply only the actions of this user (`UPN` or id; repeatable)")
	cmd.Flags().StringArrayVar(&f.approval.Rules, "rule", nil, "apply only the actions of this `RULE` (repeatable)")
	cmd.Flags().BoolVar(&f.allowOneWay, "allow-one-way", false, "apply removals the plan marks one-way (undo could not put the licence back: no usageLocation, subscription not Enabled, no seat to re-add) even where the rule does not set allow_one_way")
	cmd.Flags().StringVar(&f.expectDigest, "expect-digest", "", "refuse unless the plan's actions digest is this `sha256:...` (the one \"reclaim show -markdown\" printed for review)")
	return cmd
}

func runApplyCmd(cmd *cobra.Command, f *applyFlags, planPath string, maxAge time.Duration) error {
	out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
	log := actLogger(cmd).Named("apply")
	p, cfg, outDir, err := f.loadPlan(cmd, planPath)
	if err != nil {
		return err
	}
	ctx, stop := stopContext(cmd.Context())
	defer stop()
	approval := f.approval.String()
	progress := progressPrinter(out)
	st := outputStore(cfg, outDir)
	res, err := act.Apply(ctx, act.ApplyRequest{Plan: p, Config: cfg, OutDir: outDir, Store: st,
		ExpectDigest: f.expectDigest, MaxAge: maxAge, Approval: f.approval, AllowOneWay: f.allowOneWay,
		Lock: f.locker(st, "apply"),
		Directory: func(profile string) (act.Directory, error) {
			return newDirectory(cfg.Profiles[profile], f.concurrency, f.writesPerS, log)
		},
		// The exclusions' when expressions, re-evaluated against each user
		// as re-read just before the change (one sandboxed in-memory DuckDB).
		OpenLiveExclusions: func(ctx context.Context, cfg *config.Config) (act.LiveExclusions, error) {
			w, err := transform.NewLiveWhen(ctx, cfg)
			if err != nil {
				return nil, err
			}
			return w, nil
		},
		Confirm: func(p *plan.Plan) error {
			if err := ui.WritePlanText(out, p); err != nil {
				return err
			}
			return confirm(cmd, f.autoApprove, "Do you want to perform these actions?")
		},
		View: act.ApplyView{
			Notes:     func(notes []string) { ui.WriteApplyNotes(out, notes) },
			NoChanges: func() { ui.WriteNoChanges(out) },
			Warnings:  func(w []string) { printWarnings(errw, w) },
			Begin: func(b act.ApplyBegin) {
				ui.WriteApplyBegin(out, b.Profile, b.Approved, b.NotApproved, b.Journal, approval)
				progress.begin(b.Approved)
			},
			Progress: progress.outcome,
			End: func(e act.ApplyEnd) error {
				if e.ExportErr != nil {
					ui.WriteExportWarning(errw, e.ExportErr)
				}
				r := e.Result
				if err := ui.WriteApplySummary(out, "Apply", r.Done, r.Skipped, r.Failed, r.NeedsFix, r.Earlier, e.Journal); err != nil {
					return err
				}
				return ui.WriteNotApproved(out, r.NotApproved, approval)
			},
		},
		RunOptions: act.RunOptions{Concurrency: f.concurrency, WritesPerSecond: f.writesPerS, Logger: log, AfterSend: testKillAfterSends()},
	})
	if err != nil {
		if errors.Is(err, act.ErrInterrupted) {
			return interruptedError(ctx, "apply")
		}
		return withExitCode(exitError, err)
	}
	if err := publishError(st); err != nil {
		return err
	}
	if res.Failed > 0 {
		return withExitCode(exitPartial, fmt.Errorf("%d action(s) failed", res.Failed))
	}
	return nil
}

// locker takes the profiles' locks of st for command, waiting up to
// --lock-timeout.
func (f *applyFlags) locker(st *store.Store, command string) act.Locker {
	return func(ctx context.Context, profiles []string) (func(), error) {
		locks, err := lockProfiles(ctx, st, profiles, command, f.lockTimeout)
		if err != nil {
			return nil, err
		}
		return locks.Unlock, nil
	}
}

// loadPlan reads a saved plan and loads its configuration (--config, else
// the one recorded) with the variable values the plan remembers, -var and
// RECLAIM_VAR_NAME winning. It returns the output directory the plan's
// snapshots are under: the one recorded in the plan, unless -var or the
// environment now point the configuration elsewhere.
func (f *applyFlags) loadPlan(cmd *cobra.Command, planPath string) (*plan.Plan, *config.Config, string, error) {
	p, err := plan.Read(planPath)
	if err != nil {
		return nil, nil, "", withExitCode(exitError, err)
	}
	cfg, outDir, err := f.planConfig(cmd, p, planPath)
	return p, cfg, outDir, err
}

// planConfig loads the configuration of plan p (read from planPath): apply's
// plan, or undo's copy of it beside the journal.
func (f *applyFlags) planConfig(cmd *cobra.Command, p *plan.Plan, planPath string) (*config.Config, string, error) {
	if err := f.cf.recall(p.Variables, p.SensitiveVariables); err != nil {
		return nil, "", withExitCode(exitError, fmt.Errorf("plan %s: %w", planPath, err))
	}
	cfg, err := f.loadConfig(cmd, p.ConfigPath)
	if err != nil {
		return nil, "", err
	}
	return cfg, useRecordedOutputDir(cmd, cfg, p.OutputDir), nil
}

// useRecordedOutputDir chooses the output directory a saved plan's files
// are under and sets it in cfg, so locks and journals use the same one: the
// configuration's, unless it is relative (it resolves against the working
// directory, which cron or CI may not share with plan) and the plan
// recorded an absolute one. An absolute directory other than the recorded
// one means a -var or RECLAIM_VAR_NAME given now moved it, and what is
// given now wins.
func useRecordedOutputDir(cmd *cobra.Command, cfg *config.Config, recorded string) string {
	outDir := cfg.Output.Dir
	switch {
	case recorded == "" || outDir == recorded:
	case !filepath.IsAbs(outDir):
		outDir = recorded
	default:
		fmt.Fprintf(cmd.ErrOrStderr(), "Note: using the output directory %s from the configuration as loaded now, not %s recorded in the plan.\n", outDir, recorded)
	}
	cfg.Output.Dir = outDir
	return outDir
}

// loadConfig loads --config, else the path recorded in the plan.
func (f *applyFlags) loadConfig(cmd *cobra.Command, recorded string) (*config.Config, error) {
	path := f.configPath
	if path == "" {
		path = recorded
	}
	if path == "" {
		return nil, withExitCode(exitError, errors.New("the plan does not say where its configuration is; pass --config"))
	}
	return f.cf.load(cmd, []string{path})
}

// heartbeatEvery is how often a long apply or undo prints a progress line
// (finished of total, rate, time left) between its outcome lines.
var heartbeatEvery = 10 * time.Second

// applyProgress prints each outcome of apply or undo as it happens and, on a
// long run, a heartbeat every heartbeatEvery. begin starts a profile's count.
type applyProgress struct {
	w               io.Writer
	total, finished int
	start, last     time.Time
}

func progressPrinter(w io.Writer) *applyProgress { return &applyProgress{w: w} }

func (p *applyProgress) begin(total int) {
	p.total, p.finished = total, 0
	p.start = time.Now()
	p.last = p.start
}

// outcome is act's Progress: called once per outcome, never concurrently.
func (p *applyProgress) outcome(o act.Outcome) {
	e := o.Entry
	ui.WriteApplyLine(p.w, ui.ApplyLine{Phase: o.Phase, Earlier: o.Earlier, Operation: e.Operation, User: e.UserPrincipalName,
		SKU: e.SkuPartNumber, GroupID: e.GroupID, Detail: o.Detail})
	p.finished++
	if now := time.Now(); p.total > 0 && p.finished < p.total && now.Sub(p.last) >= heartbeatEvery {
		p.last = now
		ui.WriteApplyProgress(p.w, ui.ApplyProgress{Finished: p.finished, Total: p.total, Elapsed: now.Sub(p.start)})
	}
}

// stdinIsTerminal reports whether apply may ask a person; a variable so
// tests can answer the prompt.
var stdinIsTerminal = func(in io.Reader) bool {
	f, ok := in.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirm asks for "yes" on a terminal, or requires --auto-approve.
func confirm(cmd *cobra.Command, autoApprove bool, question string) error {
	if autoApprove {
		return nil
	}
	in := cmd.InOrStdin()
	if !stdinIsTerminal(in) {
		return withExitCode(exitError, errors.New("refusing to change the tenant without confirmation: stdin is not a terminal; review the plan and pass --auto-approve"))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "\n%s\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question)
	line, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return withExitCode(exitError, errors.New("cancelled: nothing was changed"))
	}
	return nil
}
