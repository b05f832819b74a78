// Command reclaim finds and reclaims unused Microsoft 365, Dynamics 365, Power BI,
// Project and Visio licences with a declarative, reviewable pipeline.
//
// This package is flag parsing and wiring only: it is the one place that imports
// concrete stages. Each command lives in its own file and is registered in
// newRootCmd.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/reclaimhq/reclaim/pipeline/ui"
)

// Exit codes are part of the CLI contract and documented in docs/operations.md.
const (
	exitOK      = 0 // success
	exitError   = 1 // error, refused or invalid input
	exitPartial = 2 // partial success (apply with failures) or "changes present" where documented
)

// exitError wraps an error with the exit code it should produce.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// withExitCode makes a command end with a specific code. A nil err with a
// non-zero code is allowed: the command has already said what it had to say.
func withExitCode(code int, err error) error {
	return &exitCodeError{code: code, err: err}
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	return execute(args, os.Stdin, os.Stdout, os.Stderr)
}

// execute runs one command line with the given outputs and returns its exit
// code; tests call it to check exactly what a person would see.
func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(singleDashLongFlags(root, args))
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ec *exitCodeError
	if errors.As(err, &ec) {
		if ec.err != nil && ec.err.Error() != "" {
			fmt.Fprintln(stderr, "Error:", ui.TerminalText(ec.err.Error()))
		}
		return ec.code
	}
	fmt.Fprintln(stderr, "Error:", ui.TerminalText(err.Error()))
	return exitError
}
