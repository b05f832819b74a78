package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// globalFlags are the flags every command accepts.
type globalFlags struct {
	logLevel  string
	logFormat string
}

func newRootCmd() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "reclaim",
		Short: "Find and reclaim unused Microsoft 365 licences, reviewed like code",
		Long: `reclaim is a declarative batch pipeline for Microsoft 365 licence reclamation.

It reads HCL configuration (profiles, exclusions, reclamation rules, prices),
extracts users, licences and activity from Microsoft Graph and Dataverse into
Parquet snapshots, computes waste and recommendations with DuckDB SQL, and turns
them into a reviewable plan that "reclaim apply" carries out with live
re-checks, a journal and undo.

Typical flow:
  reclaim validate ./config            check the configuration
  reclaim run ./config                 extract + transform into snapshots
  reclaim plan ./config -out plan.json review what would change
  reclaim apply plan.json              carry out exactly the reviewed plan

Exit codes: 0 ok, 1 error or refused, 2 partial success (see each command).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			_, err := g.logger()
			return err
		},
	}
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", envOr("RECLAIM_LOG", "warn"),
		"log level: trace, debug, info, warn, error, off (env RECLAIM_LOG)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "",
		"log format: text or json (default: text on a terminal, json otherwise)")

	root.AddCommand(
		newVersionCmd(),
		newValidateCmd(),
		newPlanCmd(), newShowCmd(), newApplyCmd(), newUndoCmd(),
		newSimCmd(),
		newRunCmd(),
		newDemoCmd(),
	)
	return root
}

// logger builds the one hclog logger for this process; logs go to stderr.
func (g *globalFlags) logger() (hclog.Logger, error) {
	level := hclog.LevelFromString(g.logLevel)
	if level == hclog.NoLevel {
		return nil, fmt.Errorf("invalid --log-level %q: want trace, debug, info, warn, error or off", g.logLevel)
	}
	var jsonFmt bool
	switch strings.ToLower(g.logFormat) {
	case "json":
		jsonFmt = true
	case "text":
	case "":
		jsonFmt = !term.IsTerminal(int(os.Stderr.Fd()))
	default:
		return nil, fmt.Errorf("invalid --log-format %q: want text or json", g.logFormat)
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:       "reclaim",
		Level:      level,
		Output:     os.Stderr,
		JSONFormat: jsonFmt,
	}), nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
