package ui

import (
	"fmt"
	"io"
	"runtime"

	"github.com/reclaimhq/reclaim/pipeline/version"
)

// WriteVersion prints the line `reclaim version` shows: this build's version,
// the Go toolchain and the platform, which a bug report needs.
func WriteVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "reclaim %s (%s, %s/%s)\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
