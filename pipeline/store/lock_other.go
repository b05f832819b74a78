//go:build !unix

package store

import (
	"errors"
	"os"
)

// staleHint: without flock a crashed process leaves its lock file behind.
const staleHint = "; if no reclaim process is running, delete the file"

// tryLock creates path exclusively with holder in it; releasing removes it.
func tryLock(path string, holder []byte) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, errHeld
		}
		return nil, err
	}
	f.Write(holder)
	f.Close()
	return func() { os.Remove(path) }, nil
}
