//go:build !unix

package run

import (
	"fmt"
	"os"
)

// lock creates path exclusively; a crashed run leaves it behind and the
// error says to remove it.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("another reclaim run holds %s; if none is running, delete the file", path)
	}
	f.Close()
	return func() { os.Remove(path) }, nil
}
