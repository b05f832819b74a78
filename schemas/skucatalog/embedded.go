package skucatalog

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// The embedded copy and its header, both written by ./gen (never by hand).
//
//go:embed skus.csv
var embeddedCSV []byte

//go:embed skus.source
var embeddedSource string

// Header is what skus.source records about the embedded copy.
type Header struct {
	// Taken is the day the copy was made from the newest source reachable;
	// TestEmbeddedCopyIsFresh fails 180 days after it.
	Taken time.Time
	// Published is the "last updated" date of Microsoft's source.
	Published time.Time
	// Lines are the header's other lines (inputs, method, counts), as written.
	Lines []string
}

// MaxAge is how old the embedded copy may grow before its test fails and a
// refresh is due: Microsoft adds products every few weeks.
const MaxAge = 180 * 24 * time.Hour

// Embedded is the catalogue compiled into reclaim, parsed on first use.
var Embedded = sync.OnceValue(func() *Catalog {
	c, err := Parse(bytes.NewReader(embeddedCSV), "embedded")
	if err != nil {
		// The embedded file is checked by the package's tests; a broken
		// one is a build defect, not a user error.
		panic(err)
	}
	return c
})

// EmbeddedHeader is the parsed skus.source.
var EmbeddedHeader = sync.OnceValue(func() Header {
	h, err := ParseHeader(embeddedSource)
	if err != nil {
		panic(err)
	}
	return h
})

// ParseHeader reads a skus.source: "key: value" lines, of which "taken" and
// "published" (YYYY-MM-DD) are required.
func ParseHeader(text string) (Header, error) {
	var h Header
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		key, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		var err error
		switch strings.TrimSpace(key) {
		case "taken":
			h.Taken, err = time.Parse(time.DateOnly, value)
		case "published":
			h.Published, err = time.Parse(time.DateOnly, value)
		default:
			if strings.TrimSpace(line) != "" {
				h.Lines = append(h.Lines, line)
			}
		}
		if err != nil {
			return h, fmt.Errorf("skus.source: %q: %w", line, err)
		}
	}
	if h.Taken.IsZero() || h.Published.IsZero() {
		return h, fmt.Errorf("skus.source needs both a taken: and a published: date")
	}
	return h, nil
}

// Load parses a copy of Microsoft's CSV from path, for the config's
// catalog { sku_file = ... }.
func Load(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the SKU catalogue: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}
