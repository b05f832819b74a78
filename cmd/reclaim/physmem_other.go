//go:build !linux

package main

// physicalMemory is unknown off Linux: each DuckDB keeps its own default
// unless transform { memory_limit } sets the budget to share.
func physicalMemory() uint64 { return 0 }
