package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/ui"
)

// configFlags are what every command that reads a configuration accepts:
// the optional CONFIG argument (a directory of *.hcl files or one file,
// default ".") and repeatable -var NAME=VALUE. Use it as
//
//	cf := &configFlags{}
//	cmd := &cobra.Command{Use: "plan [CONFIG]", Args: cf.args(), ...}
//	cf.register(cmd)
//	...
//	cfg, ok := cf.load(cmd, args) // prints diagnostics; !ok means exit 1
type configFlags struct {
	vars []string
	// recalled are variable values a saved plan remembers (see recall):
	// used where neither -var nor RECLAIM_VAR_NAME sets the variable.
	recalled map[string]string
}

// configFlagsHelp is the help paragraph shared by every config-reading
// command; append it to Long.
const configFlagsHelp = `CONFIG is a directory whose *.hcl files form one configuration (default: the
current directory), or a single .hcl file. Input variables are set with
-var NAME=VALUE (repeatable; wins) or the environment variable
RECLAIM_VAR_NAME; otherwise the variable's default applies.`

// register adds -var to cmd.
func (f *configFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.vars, "var", nil,
		"set an input variable: `NAME=VALUE` (repeatable; wins over RECLAIM_VAR_NAME; -var works too)")
}

// args is the positional-argument check: at most one CONFIG.
func (f *configFlags) args() cobra.PositionalArgs { return cobra.MaximumNArgs(1) }

// path returns the CONFIG argument or ".".
func (f *configFlags) path(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return "."
}

// varValues parses the -var flags.
func (f *configFlags) varValues() (map[string]string, error) {
	vals := map[string]string{}
	for _, kv := range f.vars {
		name, value, ok := strings.Cut(kv, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("invalid -var %q: want NAME=VALUE", kv)
		}
		vals[name] = value
	}
	for name, value := range f.recalled {
		if _, set := vals[name]; set {
			continue
		}
		if _, set := os.LookupEnv(config.VarEnvPrefix + name); set {
			continue
		}
		vals[name] = value
	}
	return vals, nil
}

// rememberedVariables is what a saved plan keeps of the variables: the
// values of the non-sensitive ones set by -var or RECLAIM_VAR_NAME
// (defaults are in the configuration already), and the names of the
// sensitive ones so apply can say which it needs again. No sensitive value
// is ever returned.
func rememberedVariables(cfg *config.Config) (map[string]string, []string) {
	values := map[string]string{}
	var sensitive []string
	for name, v := range cfg.Variables {
		if v.Source != "-var" && !strings.HasPrefix(v.Source, "env ") {
			continue
		}
		if v.Sensitive {
			sensitive = append(sensitive, name)
			continue
		}
		// Values from -var and the environment are strings, displayed
		// quoted; anything else (a value marked sensitive by env() or
		// file()) is not remembered.
		if s, err := strconv.Unquote(v.Display); err == nil {
			values[name] = s
		}
	}
	sort.Strings(sensitive)
	if len(values) == 0 {
		values = nil
	}
	return values, sensitive
}

// recall makes the values a plan remembers the fallback for -var, and
// refuses, naming them, when a sensitive variable the plan was made with
// is set neither by -var nor by RECLAIM_VAR_NAME now.
func (f *configFlags) recall(values map[string]string, sensitive []string) error {
	f.recalled = values
	given, err := f.varValues()
	if err != nil {
		return err
	}
	var missing []string
	for _, name := range sensitive {
		if _, ok := given[name]; ok {
			continue
		}
		if _, ok := os.LookupEnv(config.VarEnvPrefix + name); ok {
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) == 0 {
		return nil
	}
	how := make([]string, len(missing))
	for i, n := range missing {
		how[i] = fmt.Sprintf("-var %s=... or %s%s", n, config.VarEnvPrefix, n)
	}
	return fmt.Errorf("the plan remembers every non-sensitive variable but never a sensitive one; set %s again: %s",
		quoteNames(missing), strings.Join(how, "; "))
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// loadDiagnostics loads the configuration and returns it with its
// diagnostics and the parsed files (for ui.WriteDiagnostics). It prints
// nothing; commands that want to present diagnostics themselves use it.
func (f *configFlags) loadDiagnostics(args []string) (*config.Config, hcl.Diagnostics, map[string]*hcl.File, error) {
	vals, err := f.varValues()
	if err != nil {
		return nil, nil, nil, err
	}
	loader := config.NewLoader()
	cfg, diags := loader.Load(f.path(args), vals)
	return cfg, diags, loader.Files(), nil
}

// load loads the configuration, writes every diagnostic (warnings too) to
// the command's stderr, and returns the config when there were no errors.
// On errors it returns an error carrying exit code 1 that says how many.
func (f *configFlags) load(cmd *cobra.Command, args []string, checks ...func(*config.Config) hcl.Diagnostics) (*config.Config, error) {
	cfg, diags, files, err := f.loadDiagnostics(args)
	if err != nil {
		return nil, withExitCode(exitError, err)
	}
	if !diags.HasErrors() {
		// Further checks (validate's SKU names) run on a config that loaded.
		for _, check := range checks {
			diags = append(diags, check(cfg)...)
		}
	}
	if len(diags) > 0 {
		if werr := ui.WriteDiagnostics(cmd.ErrOrStderr(), files, diags); werr != nil {
			return nil, werr
		}
	}
	if diags.HasErrors() {
		nerr, _ := ui.Count(diags)
		return nil, withExitCode(exitError, fmt.Errorf("the configuration in %s is invalid: %s", f.path(args), ui.Plural(nerr, "error")))
	}
	return cfg, nil
}

// singleDashLongFlags lets Terraform-style single-dash long flags (-var,
// -out) work: pflag would read "-var" as -v -a -r. An argument "-NAME" or
// "-NAME=VALUE" becomes "--NAME..." when NAME is a long flag of the command
// being run. Everything after "--" is left alone.
func singleDashLongFlags(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return args
	}
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && (cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil) {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}
