package main

import (
	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/ui"
)

func newValidateCmd() *cobra.Command {
	cf := &configFlags{}
	conn := &connectFlag{}
	cmd := &cobra.Command{
		Use:   "validate [CONFIG]",
		Short: "Check a configuration offline (with --connect, also the app's permissions)",
		Long: `Validate reads a configuration, evaluates its variables and functions, and
checks every block: syntax, unknown blocks and arguments, GUIDs, signal and
action names, references to profiles, duplicate names, credentials (exactly
one of client_secret or certificate_file, or a secretless auth such as
workload_identity or github_oidc, whose environment is checked only by
--connect and run). It warns about every SKU part number or GUID that the
SKU catalogue does not know ("SPE_E33": did you mean "SPE_E3"?), at the
place it is written. It contacts nothing.

On success it prints a short summary (profiles, exclusions, rules, prices,
output) and exits 0; secrets print as (sensitive). Otherwise it prints every
problem as FILE:LINE,COLUMN: error: SUMMARY with an explanation and the
source line, and exits 1. Warnings are printed too but do not fail.

With --connect it then signs in to every profile's tenant (and Dataverse
environment) and makes one cheap read per enabled task, printing a table of
task, permission and result (ok, missing, optional-missing); it exits 1 when a
permission a task needs is missing.

` + configFlagsHelp,
		Example: `  # the configuration in the current directory
  reclaim validate

  # a directory, with a variable set on the command line
  reclaim validate examples/demo -var sim_url=https://127.0.0.1:8443

  # one file; a variable from the environment
  RECLAIM_VAR_client_secret=... reclaim validate prod/reclaim.hcl

  # also check the app's permissions against the tenant
  reclaim validate --connect ./config`,
		Args: cf.args(),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load(cmd, args, (*config.Config).CheckSKUNames)
			if err != nil {
				return err
			}
			// A later --connect flag (token and read-only Graph probe per
			// profile) hooks in here, after the offline checks pass.
			ui.WriteConfigSummary(cmd.OutOrStdout(), cf.path(args), cfg)
			return conn.run(cmd, cfg) // --connect (connect.go)
		},
	}
	cf.register(cmd)
	conn.register(cmd)
	return cmd
}
