package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFaultMatrixNamesRealTests keeps the fault matrix in docs/operations.md
// honest: every test it names as evidence must exist as a Go test function
// somewhere in the repository, or, named TestScripts/NAME, as the CLI script
// testdata/script/NAME.txtar; and every row must name at least one.
func TestFaultMatrixNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Fault matrix\n")
	if !ok {
		t.Fatal("docs/operations.md has no \"## Fault matrix\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")

	defined := definedTests(t)

	nameRe := regexp.MustCompile("`(Test\\w+(?:/\\w+)?)`")
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| fault ") {
			continue
		}
		rows++
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		names := nameRe.FindAllStringSubmatch(cells[len(cells)-1], -1)
		if len(names) == 0 {
			t.Errorf("fault matrix row %q names no test", cells[0])
		}
		for _, n := range names {
			if !defined[n[1]] {
				t.Errorf("fault matrix row %q names %s, which is not a test in this repository", cells[0], n[1])
			}
		}
	}
	if rows < 15 {
		t.Errorf("fault matrix has %d rows; the issue lists at least 15 faults", rows)
	}
}

// definedTests are the Go test functions of the repository and, as
// TestScripts/NAME, the CLI scripts: what a doc may cite as evidence.
func definedTests(t *testing.T) map[string]bool {
	t.Helper()
	defined := map[string]bool{}
	funcRe := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range funcRe.FindAllStringSubmatch(string(b), -1) {
			defined[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	scripts, err := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range scripts {
		defined["TestScripts/"+strings.TrimSuffix(filepath.Base(p), ".txtar")] = true
	}

	return defined
}

// TestArchitectureNamesRealThings keeps docs/architecture.md honest: every
// test it cites exists, and every module path it names in backquotes
// (`pipeline/store`, `stages/transform/sql/signals/<name>.sql` aside:
// placeholders are skipped) is a file or folder of the repository.
func TestArchitectureNamesRealThings(t *testing.T) {
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := definedTests(t)
	for _, m := range regexp.MustCompile("`(Test\\w+(?:/\\w+)?)`").FindAllStringSubmatch(string(doc), -1) {
		if !defined[m[1]] {
			t.Errorf("docs/architecture.md cites %s, which is not a test in this repository", m[1])
		}
	}
	paths := 0
	for _, m := range regexp.MustCompile("`((?:cmd|pipeline|stages|msgraph|schemas|simtenant)(?:/[\\w.]+)*)`").FindAllStringSubmatch(string(doc), -1) {
		paths++
		if _, err := os.Stat(filepath.Join("../..", m[1])); err != nil {
			t.Errorf("docs/architecture.md names %s, which is not in the repository", m[1])
		}
	}
	if paths < 20 {
		t.Errorf("docs/architecture.md names %d paths; the check matches too little to mean anything", paths)
	}
}
