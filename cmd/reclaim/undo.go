package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/ui"
	"github.com/reclaimhq/reclaim/stages/act"
)

func newUndoCmd() *cobra.Command {
	f := &applyFlags{}
	var actions []string
	cmd := &cobra.Command{
		Use:   "undo JOURNAL",
		Short: "Put back what an apply removed, from its journal",
		Long: `Undo reads an apply journal (OUT/<profile>/journal/plan-<id>.jsonl) and puts
back every licence it shows removed, with the same disabled service plans it
had just before removal, and re-adds every group membership it removed. With
--action it undoes only those action ids.

Undo is journalled too, in plan-<id>.undo.jsonl beside the apply journal, and
resumable the same way; a licence or membership that is already back is
skipped. The configuration (for credentials) is the one recorded in the plan
copy beside the journal, or --config.

A damaged journal does not stop undo: a garbled line is skipped with a
warning naming its line number, a torn last line likewise, and the other
entries are undone. Undo holds the profile lock (OUT/<profile>/.lock, shared
with run and apply): while another reclaim process holds it, undo exits 1 at
once naming the holder, or waits up to --lock-timeout. SIGINT or SIGTERM
stops it cleanly like apply (exit 1; run it again to resume).

Exit codes: 0 everything restored or already back; 2 some failed; 1 error or
interrupted.`,
		Example: `  reclaim undo reclaim-data/contoso/journal/plan-3f2a9c1d0e4b5a6f.jsonl
  reclaim undo JOURNAL --action 704bcfe336a2146c --auto-approve`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			jpath := args[0]
			applied, err := act.ReadJournal(jpath)
			if err != nil {
				return withExitCode(exitError, err)
			}
			if len(applied) == 0 {
				return withExitCode(exitError, fmt.Errorf("journal %s is empty", jpath))
			}
			// The plan copy beside the journal says where the configuration
			// is and remembers its non-sensitive variables and output dir.
			copied := &plan.Plan{}
			if _, err := os.Stat(store.PlanCopyPath(jpath)); err == nil {
				if p, err := plan.Read(store.PlanCopyPath(jpath)); err == nil {
					copied = p
				}
			}
			cfg, outDir, err := f.planConfig(cmd, copied, store.PlanCopyPath(jpath))
			if err != nil {
				return err
			}
			profile := applied[0].Profile
			ctx, stop := stopContext(cmd.Context())
			defer stop()
			locks, err := lockProfiles(ctx, cfg, []string{profile}, "undo", f.lockTimeout)
			if err != nil {
				return withExitCode(exitError, err)
			}
			defer locks.Unlock()
			// Read again under the lock: an apply may have been writing it.
			applied, warnings, err := act.ReadJournalWithWarnings(jpath)
			if err != nil {
				return withExitCode(exitError, err)
			}
			printWarnings(cmd.ErrOrStderr(), warnings)
			last := act.LastByAction(applied)
			n := 0
			listed := map[string]bool{}
			for _, e := range applied { // journal order, each action once
				id := e.ActionID
				if l := last[id]; !listed[id] && l.Phase == act.PhaseDone && (len(actions) == 0 || contains(actions, id)) {
					listed[id] = true
					n++
					what := l.SkuPartNumber
					if l.GroupID != "" {
						what += " (rejoin group " + l.GroupID + ")"
					}
					fmt.Fprintf(out, "  + %s back to %s (action %s)\n", ui.Terminal(what), ui.Terminal(l.UserPrincipalName), ui.Terminal(id))
				}
			}
			if n == 0 && len(actions) == 0 {
				fmt.Fprintln(out, "Nothing to undo: the journal shows no change done.")
				return nil
			}
			if err := confirm(cmd, f.autoApprove, fmt.Sprintf("Do you want to undo %d change(s) in profile %q?", n, profile)); err != nil {
				return err
			}
			dir, err := newDirectory(cfg.Profiles[profile], f.concurrency, f.writesPerS, actLogger(cmd).Named("undo"))
			if err != nil {
				return withExitCode(exitError, err)
			}
			upath := store.UndoJournalPath(jpath)
			uj, err := act.OpenJournal(upath)
			if err != nil {
				return withExitCode(exitError, err)
			}
			printWarnings(cmd.ErrOrStderr(), uj.Warnings())
			res, err := act.Undo(ctx, act.UndoOptions{Applied: applied, ActionIDs: actions, Journal: uj,
				Directories: func(string) (act.Directory, error) { return dir, nil },
				RunOptions:  act.RunOptions{Concurrency: f.concurrency, WritesPerSecond: f.writesPerS, Logger: actLogger(cmd).Named("undo"), Progress: progressPrinter(out)}})
			exportErr := act.ExportParquet(outputStore(outDir), uj.Entries(), store.JournalParquetPath(upath))
			uj.Close()
			if err != nil {
				if ctx.Err() != nil {
					return interruptedError(ctx, "undo")
				}
				return withExitCode(exitError, fmt.Errorf("undo stopped: %w", err))
			}
			if exportErr != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "Warning: journal Parquet export failed: %v\n", exportErr)
			}
			if err := ui.WriteApplySummary(out, "Undo", res.Done, res.Skipped, res.Failed, res.NeedsFix, res.Earlier, upath); err != nil {
				return withExitCode(exitError, err)
			}
			if res.Failed > 0 {
				return withExitCode(exitPartial, errors.New("some changes could not be undone"))
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringArrayVar(&actions, "action", nil, "undo only this action id (repeatable)")
	return cmd
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
