package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// markerRE finds the expected-diagnostic markers in testdata/invalid: a
// comment "# ERROR: Summary" or "# WARNING: Summary" on the line the
// diagnostic must point at. A line may carry several.
var markerRE = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*([^#]+)`)

type marker struct {
	line     int
	severity string
	summary  string
}

func (m marker) String() string { return fmt.Sprintf("line %d: %s: %s", m.line, m.severity, m.summary) }

func readMarkers(t *testing.T, path string) []marker {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ms []marker
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		for _, m := range markerRE.FindAllStringSubmatch(sc.Text(), -1) {
			ms = append(ms, marker{line: n, severity: m[1], summary: strings.TrimSpace(m[2])})
		}
	}
	return ms
}

// TestInvalidConfigs loads each file in testdata/invalid on its own and
// checks that its diagnostics are exactly the marked ones: same line, same
// severity, summary starting with the marked text. Nothing unmarked may be
// reported and nothing marked may be missed.
func TestInvalidConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := readMarkers(t, path)
			if len(want) == 0 {
				t.Fatal("no # ERROR: or # WARNING: markers in file")
			}
			l := testLoader(map[string]string{"SECRET": "s3cr3t-value", "EMPTY": ""})
			_, diags := l.Load(path, nil)
			var got []marker
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a source range: %s: %s", d.Summary, d.Detail)
					continue
				}
				if d.Subject.Filename != path {
					t.Errorf("diagnostic in %s, want %s: %s", d.Subject.Filename, path, d.Summary)
				}
				sev := "ERROR"
				if d.Severity == hcl.DiagWarning {
					sev = "WARNING"
				}
				got = append(got, marker{line: d.Subject.Start.Line, severity: sev, summary: d.Summary})
			}
			sortMarkers(got)
			sortMarkers(want)
			used := make([]bool, len(got))
			for _, w := range want {
				found := false
				for i, g := range got {
					if !used[i] && g.line == w.line && g.severity == w.severity && strings.HasPrefix(g.summary, w.summary) {
						used[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("missing diagnostic %s", w)
				}
			}
			for i, g := range got {
				if !used[i] {
					t.Errorf("unexpected diagnostic %s (detail: %s)", g, detailOf(diags, g))
				}
			}
		})
	}
}

func sortMarkers(ms []marker) {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].line < ms[j].line })
}

func detailOf(diags hcl.Diagnostics, m marker) string {
	for _, d := range diags {
		if d.Subject != nil && d.Subject.Start.Line == m.line && d.Summary == m.summary {
			return d.Detail
		}
	}
	return ""
}
