// Command scale is the runner behind `make bench`. It runs the Go benchmarks
// of the packages that have them, then, for each tenant size, starts a
// throttled simulated tenant (package simtenant) and runs the real reclaim
// binary against it as a child process — extract, transform, plan — plus a
// comparison of reclaim and a plain msgraph-sdk-go extractor (sdkbaseline) on
// the same endpoints. For each step it records wall time, the requests the
// simulator saw, rows written, rows per second and the child's peak RSS
// (rusage maxrss), compares them with the throttle-limited minimum and the
// minimum request count, and writes the tables into docs/benchmarks.md
// between the generated-section markers, keeping the hand-written text.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type flags struct {
	reclaim   string
	baseline  string
	config    string
	out       string
	work      string
	scales    []int
	seed      int64
	timeScale float64
	goBin     string
	benchPkgs []string
	benchTime string
	keep      bool
}

func main() {
	var f flags
	var scales, pkgs string
	flag.StringVar(&f.reclaim, "reclaim", "bin/reclaim", "the reclaim binary to measure")
	flag.StringVar(&f.baseline, "baseline", "bin/sdkbaseline", "the msgraph-sdk-go baseline binary")
	flag.StringVar(&f.config, "config", "examples/demo", "configuration directory reclaim runs")
	flag.StringVar(&f.out, "out", "docs/benchmarks.md", "Markdown file whose generated section is replaced")
	flag.StringVar(&f.work, "work", "", "working directory for snapshots and logs (default: a temp dir, removed unless -keep)")
	flag.StringVar(&scales, "users", "10000 100000", "tenant sizes, space- or comma-separated")
	flag.Int64Var(&f.seed, "seed", 42, "simulated tenant seed")
	flag.Float64Var(&f.timeScale, "time-scale", 1, "simulator throttling time scale (1 = Microsoft's windows)")
	flag.StringVar(&f.goBin, "go", "go", "go command for the Go benchmarks")
	flag.StringVar(&pkgs, "bench-pkgs", "", "packages whose Go benchmarks to run (empty: skip)")
	flag.StringVar(&f.benchTime, "benchtime", "1s", "go test -benchtime")
	flag.BoolVar(&f.keep, "keep", false, "keep the working directory")
	flag.Parse()
	var err error
	if f.scales, err = parseScales(scales); err != nil {
		fatal(err)
	}
	f.benchPkgs = strings.Fields(pkgs)
	if err := run(f); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func parseScales(s string) ([]int, error) {
	var out []int
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		n, err := strconv.Atoi(strings.ReplaceAll(p, "_", ""))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("tenant size %q: want a positive number of users", p)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no tenant sizes given")
	}
	return out, nil
}

func run(f flags) error {
	for _, p := range []string{f.reclaim, f.baseline} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s: %w (build it first: make bench builds both)", p, err)
		}
	}
	var err error
	if f.reclaim, err = filepath.Abs(f.reclaim); err != nil {
		return err
	}
	if f.baseline, err = filepath.Abs(f.baseline); err != nil {
		return err
	}
	work := f.work
	if work == "" {
		if work, err = os.MkdirTemp("", "reclaim-bench-"); err != nil {
			return err
		}
		if !f.keep {
			defer os.RemoveAll(work)
		}
	}
	rep := &report{Started: time.Now().UTC(), Machine: describeMachine(f.goBin), TimeScale: f.timeScale,
		Seed: f.seed, Config: f.config}
	if len(f.benchPkgs) > 0 {
		logf("Go benchmarks: %s", strings.Join(f.benchPkgs, " "))
		out, err := goBench(f.goBin, f.benchTime, f.benchPkgs)
		rep.GoBench = out
		if err != nil {
			return fmt.Errorf("go test -bench: %w", err)
		}
	}
	for _, n := range f.scales {
		sr, err := runScale(f, work, n)
		if err != nil {
			return fmt.Errorf("%d users: %w", n, err)
		}
		rep.Scales = append(rep.Scales, sr)
	}
	rep.Finished = time.Now().UTC()
	if err := writeReport(f.out, rep); err != nil {
		return err
	}
	logf("wrote %s", f.out)
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
