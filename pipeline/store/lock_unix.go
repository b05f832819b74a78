//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// staleHint: the kernel releases a flock when its process ends, even on
// kill -9, so there is never a stale lock to clean up.
const staleHint = ""

// tryLock takes an exclusive, non-blocking flock on path and writes holder
// into it. The file stays; only the flock says whether it is held.
func tryLock(path string, holder []byte) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errHeld
		}
		return nil, err
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt(holder, 0)
	}
	return func() {
		// Empty the file before unlocking so nobody reads a past holder.
		f.Truncate(0)
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
