// Package lang owns the evaluation context of the configuration language: the
// input variables (var.NAME), the functions a configuration may call (env,
// file and the go-cty standard library) and the "sensitive" mark that keeps
// secret values out of anything printed while expressions are evaluated.
//
// It knows nothing about blocks or attributes; pipeline/config decides what an
// expression means. A Scope is built once per load, after the variables are
// resolved, and its EvalContext is shared by every block.
package lang

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// markSensitive is the cty mark carried by values that must never be printed
// in a diagnostic: env() and file() results, sensitive variables, and
// whatever is computed from them. It is an unexported type so no other
// package can forge or collide with it.
type markSensitive struct{}

// markSecret is carried, in addition, by values of variables declared
// sensitive = true: the configuration said they are secrets, so they may
// only land in a secret attribute (client_secret, certificate_password).
type markSecret struct{}

// The mark values; use the functions below rather than comparing with them.
var (
	Sensitive any = markSensitive{}
	Secret    any = markSecret{}
)

// Mark returns v marked sensitive.
func Mark(v cty.Value) cty.Value { return v.Mark(Sensitive) }

// MarkSecret returns v marked sensitive and secret.
func MarkSecret(v cty.Value) cty.Value { return v.Mark(Sensitive).Mark(Secret) }

// IsSensitive reports whether v, or anything inside it, is marked sensitive.
func IsSensitive(v cty.Value) bool { return hasMark(v, Sensitive) }

// IsSecret reports whether v, or anything inside it, comes from a variable
// declared sensitive.
func IsSecret(v cty.Value) bool { return hasMark(v, Secret) }

func hasMark(v cty.Value, mark any) bool {
	_, pvm := v.UnmarkDeepWithPaths()
	for _, pm := range pvm {
		if _, ok := pm.Marks[mark]; ok {
			return true
		}
	}
	return false
}

// Unmark removes every mark from v (deeply) and reports whether it was
// sensitive. The caller takes over the duty of not printing the value.
func Unmark(v cty.Value) (cty.Value, bool) {
	sensitive := IsSensitive(v)
	u, _ := v.UnmarkDeep()
	return u, sensitive
}

// Scope is everything an expression can see. The zero value has no
// variables, reads the process environment and resolves file() against the
// working directory.
type Scope struct {
	// BaseDir is the directory file() paths are relative to: the config
	// directory, or the directory of a single config file.
	BaseDir string
	// Variables are the resolved input variables, already marked sensitive
	// where the declaration says so.
	Variables map[string]cty.Value
	// LookupEnv reads environment variables for env(); nil means os.LookupEnv.
	// Tests inject a map so they never depend on the machine.
	LookupEnv func(string) (string, bool)
	// ReadFile reads files for file(); nil means ReadFile, which refuses
	// anything but a regular file of at most MaxFileBytes.
	ReadFile func(string) ([]byte, error)
	// Redactor, when set, records every value env() and file() return so
	// the loader can scrub them from diagnostics.
	Redactor *Redactor
}

// EvalContext builds the hcl.EvalContext: var.NAME and the functions.
func (s *Scope) EvalContext() *hcl.EvalContext {
	vars := map[string]cty.Value{}
	for k, v := range s.Variables {
		vars[k] = v
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)},
		Functions: s.Functions(),
	}
}

// Functions returns every function a configuration may call, by name.
func (s *Scope) Functions() map[string]function.Function {
	fns := map[string]function.Function{
		"env":  s.envFunc(),
		"file": s.fileFunc(),
	}
	for name, fn := range stdlibFunctions {
		fns[name] = guardSensitive(fn)
	}
	return fns
}

// sensitive marks v and records it with the Redactor.
func (s *Scope) sensitive(v cty.Value) cty.Value {
	if s.Redactor != nil {
		s.Redactor.Add(v)
	}
	return Mark(v)
}

// FunctionNames lists the callable function names, sorted, for documentation
// and "did you mean" suggestions.
func FunctionNames() []string {
	names := []string{"env", "file"}
	for name := range stdlibFunctions {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// stdlibFunctions are the go-cty standard-library functions under the names
// Terraform users already know.
var stdlibFunctions = map[string]function.Function{
	"abs":          stdlib.AbsoluteFunc,
	"ceil":         stdlib.CeilFunc,
	"chomp":        stdlib.ChompFunc,
	"chunklist":    stdlib.ChunklistFunc,
	"coalesce":     stdlib.CoalesceFunc,
	"coalescelist": stdlib.CoalesceListFunc,
	"compact":      stdlib.CompactFunc,
	"concat":       stdlib.ConcatFunc,
	"contains":     stdlib.ContainsFunc,
	"csvdecode":    stdlib.CSVDecodeFunc,
	"distinct":     stdlib.DistinctFunc,
	"element":      stdlib.ElementFunc,
	"flatten":      stdlib.FlattenFunc,
	"floor":        stdlib.FloorFunc,
	"format":       stdlib.FormatFunc,
	"formatdate":   stdlib.FormatDateFunc,
	"formatlist":   stdlib.FormatListFunc,
	"indent":       stdlib.IndentFunc,
	"join":         stdlib.JoinFunc,
	"jsondecode":   stdlib.JSONDecodeFunc,
	"jsonencode":   stdlib.JSONEncodeFunc,
	"keys":         stdlib.KeysFunc,
	"length":       stdlib.LengthFunc,
	"lookup":       stdlib.LookupFunc,
	"lower":        stdlib.LowerFunc,
	"max":          stdlib.MaxFunc,
	"merge":        stdlib.MergeFunc,
	"min":          stdlib.MinFunc,
	"parseint":     stdlib.ParseIntFunc,
	"range":        stdlib.RangeFunc,
	"regex":        stdlib.RegexFunc,
	"regexall":     stdlib.RegexAllFunc,
	"replace":      stdlib.ReplaceFunc,
	"reverse":      stdlib.ReverseListFunc,
	"setunion":     stdlib.SetUnionFunc,
	"slice":        stdlib.SliceFunc,
	"sort":         stdlib.SortFunc,
	"split":        stdlib.SplitFunc,
	"strlen":       stdlib.StrlenFunc,
	"substr":       stdlib.SubstrFunc,
	"timeadd":      stdlib.TimeAddFunc,
	"title":        stdlib.TitleFunc,
	"tobool":       stdlib.MakeToFunc(cty.Bool),
	"tolist":       stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"tonumber":     stdlib.MakeToFunc(cty.Number),
	"toset":        stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	"tostring":     stdlib.MakeToFunc(cty.String),
	"trim":         stdlib.TrimFunc,
	"trimprefix":   stdlib.TrimPrefixFunc,
	"trimspace":    stdlib.TrimSpaceFunc,
	"trimsuffix":   stdlib.TrimSuffixFunc,
	"upper":        stdlib.UpperFunc,
	"values":       stdlib.ValuesFunc,
	"zipmap":       stdlib.ZipmapFunc,
}

// envFunc is env(NAME) or env(NAME, DEFAULT). An unset variable without a
// default is an error naming it, reported by HCL at the call's range; the
// default lets a config validate on a machine where the secret is not set.
// The result is marked sensitive: environment variables are where secrets
// live, and the mark keeps the value out of diagnostics.
func (s *Scope) envFunc() function.Function {
	lookup := s.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable, or the optional default when it is unset.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "env takes a name and at most one default")
			}
			name := args[0].AsString()
			if name == "" {
				return cty.NilVal, function.NewArgErrorf(0, "the environment variable name must not be empty")
			}
			if v, ok := lookup(name); ok {
				return s.sensitive(cty.StringVal(v)), nil
			}
			if len(args) == 2 {
				return s.sensitive(args[1]), nil
			}
			return cty.NilVal, fmt.Errorf("environment variable %q is not set; set it, or give a default: env(%q, \"\")", name, name)
		},
	})
}

// MaxFileBytes is the most file() (and the loader, for configuration files)
// reads: a certificate, a query or a list of users is kilobytes, and a
// bound keeps file("/dev/zero") from eating all memory.
const MaxFileBytes = 4 << 20

// ReadFile reads a regular file of at most MaxFileBytes. A device, a pipe
// or a directory is refused before it is read; the size is checked on what
// was read too, for a file that grows while it is read.
func ReadFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (it is a %s)", name, fileKind(info.Mode()))
	}
	if info.Size() > MaxFileBytes {
		return nil, tooLarge(name)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes {
		return nil, tooLarge(name)
	}
	return b, nil
}

func tooLarge(name string) error {
	return fmt.Errorf("%s is larger than %d MiB, the most a configuration reads from one file", name, MaxFileBytes>>20)
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// fileFunc is file(PATH): the contents of a UTF-8 file of at most
// MaxFileBytes, relative to the config directory. The result is marked sensitive (files hold secrets) and
// no error ever quotes the contents.
func (s *Scope) fileFunc() function.Function {
	read := s.ReadFile
	if read == nil {
		read = ReadFile
	}
	base := s.BaseDir
	return function.New(&function.Spec{
		Description: "Returns the contents of a UTF-8 text file; relative paths are relative to the config directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			full := p
			if !filepath.IsAbs(p) {
				full = filepath.Join(base, p)
			}
			b, err := read(full)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return cty.NilVal, function.NewArgErrorf(0, "no file exists at %s", full)
				}
				return cty.NilVal, function.NewArgErrorf(0, "reading %s: %v", full, err)
			}
			if len(b) > MaxFileBytes {
				return cty.NilVal, function.NewArgErrorf(0, "%v", tooLarge(full))
			}
			if !utf8.Valid(b) {
				return cty.NilVal, function.NewArgErrorf(0, "%s is not valid UTF-8 text", full)
			}
			return s.sensitive(cty.StringVal(string(b))), nil
		},
	})
}
