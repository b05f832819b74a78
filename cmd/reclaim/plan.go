package main

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/ui"
	"github.com/reclaimhq/reclaim/stages/act"
)

func newPlanCmd() *cobra.Command {
	cf := &configFlags{}
	var out string
	var asJSON, detailed bool
	cmd := &cobra.Command{
		Use:   "plan [CONFIG]",
		Short: "Show which licences would be reclaimed, and save that as a plan",
		Long: `Plan reads the latest recommendations snapshot of every profile whose
reclaim_subscriptions task is on and turns it into a reviewable plan: one
action per licence to remove (or, where a rule sets allow_group_removal, per
licensing group to leave), with the rule, the evidence and the saving.
Report-only, review, excluded and not-allowed rows are listed but are never
actions. Nothing is changed and Microsoft is not contacted.

With -out the plan is saved as versioned JSON for "reclaim apply"; it records
the configuration digest and each snapshot's run manifest and recommendations
digests, the absolute output directory and the values of the non-sensitive
variables set by -var or RECLAIM_VAR_NAME (apply uses them; sensitive ones
must be given again). It never holds a credential. Apply refuses the plan once
the configuration or its own snapshot files change; a newer snapshot from a
later run does not void it. The plan and show print an actions digest: approve
that and pass it to apply --expect-digest.

Exit codes: 0 success; 1 error. With --detailed-exitcode (as in Terraform):
0 success with no changes, 2 success with changes, 1 error.

` + configFlagsHelp,
		Example: `  reclaim plan ./config -out plan.json
  reclaim plan ./config -json > plan.json
  reclaim plan ./config --detailed-exitcode -out plan.json || [ $? -eq 2 ]`,
		Args: cf.args(),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load(cmd, args)
			if err != nil {
				return err
			}
			// What apply needs to find the same data without every -var
			// again; never a sensitive value.
			vars, sensitive := rememberedVariables(cfg)
			// With output.url, plan reads the latest snapshots and manifests
			// from the store (it takes no lock: a manifest is published last).
			st := outputStore(cfg, cfg.Output.Dir)
			for _, name := range slices.Sorted(maps.Keys(cfg.Profiles)) {
				if err := st.Pull(cmd.Context(), st.Profile(name)); err != nil {
					return withExitCode(exitError, err)
				}
			}
			p, err := act.Plan(cmd.Context(), act.PlanRequest{Config: cfg, ConfigPath: cf.path(args),
				Variables: vars, SensitiveVariables: sensitive, Now: time.Now()})
			if err != nil {
				return withExitCode(exitError, err)
			}
			printWarnings(cmd.ErrOrStderr(), p.Warnings)
			w := cmd.OutOrStdout()
			if asJSON {
				err = ui.WritePlanJSON(w, p)
			} else {
				err = ui.WritePlanText(w, p)
			}
			if err != nil {
				return withExitCode(exitError, err)
			}
			if out != "" {
				if err := plan.Write(st, out, p); err != nil {
					return withExitCode(exitError, err)
				}
				if !asJSON {
					fmt.Fprintf(w, "\nSaved the plan to %s. Review it, then run:\n  reclaim apply %s\n", out, out)
				}
			}
			if detailed && p.HasChanges() {
				return withExitCode(exitPartial, nil)
			}
			return nil
		},
	}
	cf.register(cmd)
	cmd.Flags().StringVar(&out, "out", "", "save the plan to this file for \"reclaim apply\"")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON (the plan file's form) instead of text")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none, 1 on error")
	return cmd
}

// actLogger is the process logger (see commandLogger), or a silent one
// when the flags are invalid (PersistentPreRunE has rejected those already).
func actLogger(cmd *cobra.Command) hclog.Logger {
	l, err := commandLogger(cmd)
	if err != nil {
		return hclog.NewNullLogger()
	}
	return l
}
