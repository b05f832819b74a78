package main

import (
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"github.com/reclaimhq/reclaim/stages/transform"
)

// duckSizeRE is a DuckDB size as transform { memory_limit } accepts it
// (the config has checked it already).
var duckSizeRE = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?\s*$`)

var duckUnits = map[string]float64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
	"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}

// shareDuckDB divides one host's DuckDB budget between n transforms that
// may run at once (--parallel-profiles): each gets memory_limit/n (of 80%
// of physical memory, DuckDB's own default, when the config sets none) and
// threads/n (of every core), at least one thread and 64 MiB. Without the
// share, each DuckDB would assume the whole machine is its own.
func shareDuckDB(s transform.Settings, n int) (transform.Settings, error) {
	total := 0.0
	if s.MemoryLimit != "" {
		m := duckSizeRE.FindStringSubmatch(s.MemoryLimit)
		if m == nil {
			return s, fmt.Errorf("transform memory_limit %q: want a size such as 4GB", s.MemoryLimit)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		total = v * duckUnits[strings.ToUpper(m[2])]
	} else if phys := physicalMemory(); phys > 0 {
		total = 0.8 * float64(phys)
	}
	if total > 0 {
		s.MemoryLimit = fmt.Sprintf("%dMiB", max(int64(total/float64(n))>>20, 64))
	}
	threads := s.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	s.Threads = max(threads/n, 1)
	return s, nil
}
