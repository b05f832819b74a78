package main

import "syscall"

// physicalMemory is the host's RAM in bytes (0 when unknown). A
// container's memory limit may be lower: there, set transform
// { memory_limit } below the limit and --parallel-profiles shares that.
func physicalMemory() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}
