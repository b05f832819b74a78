package main

import (
	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/ui"
)

func newShowCmd() *cobra.Command {
	var asJSON, asMarkdown bool
	cmd := &cobra.Command{
		Use:   "show PLAN",
		Short: "Print a saved plan as text, JSON or Markdown",
		Long: `Show prints a plan saved by "reclaim plan -out": as the same text plan
prints (default), as JSON (-json), or as Markdown for a pull-request comment
(-markdown). It reads only the plan file.`,
		Example: `  reclaim show plan.json
  reclaim show plan.json -markdown | gh pr comment 42 --body-file -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := plan.Read(args[0])
			if err != nil {
				return withExitCode(exitError, err)
			}
			w := cmd.OutOrStdout()
			switch {
			case asJSON:
				err = ui.WritePlanJSON(w, p)
			case asMarkdown:
				err = ui.WritePlanMarkdown(w, p)
			default:
				err = ui.WritePlanText(w, p)
			}
			if err != nil {
				return withExitCode(exitError, err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	cmd.Flags().BoolVar(&asMarkdown, "markdown", false, "print the plan as Markdown (for a pull-request comment)")
	cmd.MarkFlagsMutuallyExclusive("json", "markdown")
	return cmd
}
