//go:build unix

package run

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// lock takes an exclusive, non-blocking flock on path, so two runs of the
// same profile cannot write the same snapshots; the kernel releases it if the
// process dies, so there are no stale locks.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		return nil, fmt.Errorf("another reclaim run holds %s (pid %s); wait for it to finish", path, string(holder))
	}
	f.Truncate(0)
	f.WriteString(strconv.Itoa(os.Getpid()))
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
