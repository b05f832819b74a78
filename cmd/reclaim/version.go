package main

import (
	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/ui"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the reclaim version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return ui.WriteVersion(cmd.OutOrStdout())
		},
	}
}
