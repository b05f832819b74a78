package main

import (
	"testing"

	"github.com/reclaimhq/reclaim/stages/transform"
)

// TestShareDuckDB: n transforms at once each get 1/n of the configured
// memory and threads, never less than 64 MiB and one thread.
func TestShareDuckDB(t *testing.T) {
	for _, c := range []struct {
		in      transform.Settings
		n       int
		mem     string
		threads int
	}{
		{transform.Settings{MemoryLimit: "8GiB", Threads: 8}, 4, "2048MiB", 2},
		{transform.Settings{MemoryLimit: "4GB", Threads: 2}, 8, "476MiB", 1},
		{transform.Settings{MemoryLimit: "100MB", Threads: 1}, 8, "64MiB", 1},
	} {
		got, err := shareDuckDB(c.in, c.n)
		if err != nil || got.MemoryLimit != c.mem || got.Threads != c.threads {
			t.Errorf("shareDuckDB(%+v, %d) = %+v, %v; want %s and %d threads", c.in, c.n, got, err, c.mem, c.threads)
		}
	}
	if got, _ := shareDuckDB(transform.Settings{}, 2); physicalMemory() > 0 && got.MemoryLimit == "" {
		t.Errorf("no memory_limit set: want 80%% of RAM shared, got none")
	}
}
