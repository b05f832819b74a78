package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/ui"
	"github.com/reclaimhq/reclaim/schemas"
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
copy beside the journal, or --config. With output.url, a journal that is not
on this host (a fresh pod) is read back from the object store first when
--config names the configuration.

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
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
			jpath := args[0]
			if err := f.pullJournal(cmd, jpath); err != nil {
				return err
			}
			src, err := act.ReadUndoSource(jpath)
			if err != nil {
				return withExitCode(exitError, err)
			}
			// The plan copy beside the journal says where the configuration
			// is and remembers its non-sensitive variables and output dir.
			cfg, outDir, err := f.planConfig(cmd, src.PlanCopy, store.PlanCopyPath(jpath))
			if err != nil {
				return err
			}
			ctx, stop := stopContext(cmd.Context())
			defer stop()
			log := actLogger(cmd).Named("undo")
			progress := progressPrinter(out)
			st := outputStore(cfg, outDir)
			res, err := act.Undo(ctx, act.UndoRequest{Journal: jpath, Profile: src.Profile, Config: cfg, Store: st,
				ActionIDs: actions, Lock: f.locker(st, "undo"),
				Directory: func(profile string) (act.Directory, error) {
					return newDirectory(cfg.Profiles[profile], f.concurrency, f.writesPerS, log)
				},
				Confirm: func(n int, profile string) error {
					if err := confirm(cmd, f.autoApprove, fmt.Sprintf("Do you want to undo %d change(s) in profile %q?", n, profile)); err != nil {
						return err
					}
					progress.begin(n)
					return nil
				},
				View: act.UndoView{
					Warnings: func(w []string) { printWarnings(errw, w) },
					Listed: func(e schemas.JournalEntry) {
						ui.WriteUndoListed(out, e.SkuPartNumber, e.UserPrincipalName, e.GroupID, e.ActionID)
					},
					NothingToUndo: func() { ui.WriteNothingToUndo(out) },
					Progress:      progress.outcome,
					End: func(e act.UndoEnd) error {
						if e.ExportErr != nil {
							ui.WriteExportWarning(errw, e.ExportErr)
						}
						r := e.Result
						return ui.WriteApplySummary(out, "Undo", r.Done, r.Skipped, r.Failed, r.NeedsFix, r.Earlier, e.Journal)
					},
				},
				RunOptions: act.RunOptions{Concurrency: f.concurrency, WritesPerSecond: f.writesPerS, Logger: log},
			})
			if err != nil {
				if errors.Is(err, act.ErrInterrupted) {
					return interruptedError(ctx, "undo")
				}
				return withExitCode(exitError, err)
			}
			if err := publishError(st); err != nil {
				return err
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

// pullJournal reads the journal at jpath (OUT/<profile>/journal/…) and the
// plan copy beside it back from the object store when they are not here (a
// fresh host) and --config names a configuration with output.url: the plan
// copy, which names the configuration, is itself in the store.
func (f *applyFlags) pullJournal(cmd *cobra.Command, jpath string) error {
	if _, err := os.Stat(jpath); err == nil || f.configPath == "" {
		return nil
	}
	cfg, err := f.cf.load(cmd, []string{f.configPath})
	if err != nil {
		return err
	}
	if cfg.Output.Remote == nil {
		return nil
	}
	st := outputStore(cfg, cfg.Output.Dir)
	profile := filepath.Base(filepath.Dir(filepath.Dir(jpath)))
	if err := st.Pull(cmd.Context(), st.Profile(profile)); err != nil {
		return withExitCode(exitError, err)
	}
	return nil
}
