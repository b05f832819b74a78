package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine is what a reader needs to compare figures across machines.
type machine struct {
	CPU       string
	Cores     int
	MemoryGiB float64
	OS        string
	Kernel    string
	GoVersion string
	LoadAvg   string // at the start: the machine is shared, say how busy it was
}

func describeMachine(goBin string) machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, GoVersion: runtime.Version()}
	if out, err := exec.Command(goBin, "env", "GOVERSION").Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		m.GoVersion = string(bytes.TrimSpace(out))
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			fs := strings.Fields(s.Text())
			if len(fs) >= 2 && fs[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(fs[1], 64)
				m.MemoryGiB = kb / (1 << 20)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.LoadAvg = loadAvg()
	return m
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	fs := strings.Fields(string(b))
	if len(fs) < 3 {
		return ""
	}
	return strings.Join(fs[:3], " ")
}

// goBench runs the packages' Go benchmarks (no tests), echoing the output,
// and returns the lines a reader (or benchstat) needs.
func goBench(goBin, benchTime string, pkgs []string) (string, error) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", benchTime}, pkgs...)
	cmd := exec.Command(goBin, args...)
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(os.Stderr, &buf)
	cmd.Stderr = io.MultiWriter(os.Stderr, &buf)
	err := cmd.Run()
	var keep []string
	for _, l := range strings.Split(buf.String(), "\n") {
		for _, p := range []string{"Benchmark", "goos:", "goarch:", "pkg:", "cpu:", "ok ", "FAIL", "PASS"} {
			if strings.HasPrefix(l, p) {
				keep = append(keep, l)
				break
			}
		}
	}
	out := strings.Join(keep, "\n")
	if err != nil {
		return buf.String(), fmt.Errorf("%w\n%s", err, buf.String())
	}
	return out, nil
}
