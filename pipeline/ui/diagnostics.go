package ui

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/mitchellh/go-wordwrap"
)

// DiagnosticWidth is the column detail text is wrapped at.
const DiagnosticWidth = 78

// WriteDiagnostics writes each diagnostic the way compilers do, so editors
// and people can jump to it:
//
//	main.hcl:12,3: error: Unsupported argument
//	  An argument named "foo" is not expected here.
//
//	    12 |   foo = 1
//	       |   ^^^
//
// files supplies the source lines (config.Loader.Files); a diagnostic whose
// file is missing is written without them. Values of expressions are never
// printed — only source text — so a secret held in a variable or read by
// env() or file() cannot appear.
func WriteDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) error {
	bw := bufio.NewWriter(w)
	for _, d := range diags {
		writeDiagnostic(bw, files, d)
	}
	return bw.Flush()
}

func writeDiagnostic(w *bufio.Writer, files map[string]*hcl.File, d *hcl.Diagnostic) {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	if d.Subject != nil {
		fmt.Fprintf(w, "%s:%d,%d: %s: %s\n", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, sev, d.Summary)
	} else {
		fmt.Fprintf(w, "%s: %s\n", sev, d.Summary)
	}
	if d.Detail != "" {
		for _, line := range strings.Split(wordwrap.WrapString(d.Detail, DiagnosticWidth-2), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	if d.Subject != nil {
		if f := files[d.Subject.Filename]; f != nil && f.Bytes != nil {
			writeSnippet(w, f.Bytes, *d.Subject)
		}
	}
	w.WriteString("\n")
}

// writeSnippet writes the first line of rng with a caret line under the
// part rng covers (to the end of that line when rng spans several lines).
func writeSnippet(w *bufio.Writer, src []byte, rng hcl.Range) {
	lineStart := rng.Start.Byte
	if lineStart > len(src) {
		return
	}
	for lineStart > 0 && src[lineStart-1] != '\n' {
		lineStart--
	}
	lineEnd := bytes.IndexByte(src[lineStart:], '\n')
	if lineEnd < 0 {
		lineEnd = len(src)
	} else {
		lineEnd += lineStart
	}
	line := strings.TrimRight(string(src[lineStart:lineEnd]), "\r")
	startCol := rng.Start.Byte - lineStart
	if startCol > len(line) {
		startCol = len(line)
	}
	endCol := rng.End.Byte - lineStart
	if rng.End.Line != rng.Start.Line || endCol > len(line) {
		endCol = len(line)
	}
	width := utf8.RuneCountInString(line[startCol:max(endCol, startCol)])
	if width < 1 {
		width = 1
	}
	// Keep tabs in the indent so the caret lines up under tab-indented code.
	var pad strings.Builder
	for _, r := range line[:startCol] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	num := fmt.Sprint(rng.Start.Line)
	gutter := strings.Repeat(" ", len(num))
	fmt.Fprintf(w, "\n  %s | %s\n", num, line)
	fmt.Fprintf(w, "  %s | %s%s\n", gutter, pad.String(), strings.Repeat("^", width))
}

// Count returns how many errors and warnings diags holds, for the line
// that ends a command's report.
func Count(diags hcl.Diagnostics) (errors, warnings int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}
