package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting is how deeply a configuration may nest brackets, braces and
// interpolations, or chain prefix operators (!, -). Real configurations use
// a handful of levels; HCL's parser recurses once per level, and a
// pathological file (100,000 brackets) would overflow the stack and kill the
// process instead of reporting an error.
const MaxNesting = 100

// checkNesting returns an error at the first place src nests deeper than
// MaxNesting, or nil. Brackets are counted on the raw bytes, comments and
// strings included: every nesting of quotes and heredocs goes through "${"
// or "%{", so ( [ { bound the depth, and brackets inside strings or
// comments only make the count stricter (a hundred unclosed ones in a row
// is no real configuration).
// A long run of ! or - is checked again with HCL's lexer, which does not
// recurse, so that "-----" inside a string or heredoc does not count.
func checkNesting(src []byte, filename string) *hcl.Diagnostic {
	depth, unary, longRun := 0, 0, false
	for i, c := range src {
		switch c {
		case '(', '[', '{':
			if depth++; depth > MaxNesting {
				return tooDeep(src, filename, i)
			}
			unary = 0
		case ')', ']', '}':
			depth = max(depth-1, 0)
			unary = 0
		case '!', '-':
			if unary++; unary > MaxNesting {
				longRun = true
			}
		case ' ', '\t', '\r', '\n':
		default:
			unary = 0
		}
	}
	if !longRun {
		return nil
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	unary = 0
	for _, tok := range tokens {
		if tok.Type != hclsyntax.TokenBang && tok.Type != hclsyntax.TokenMinus {
			unary = 0
			continue
		}
		if unary++; unary > MaxNesting {
			return tooDeep(src, filename, tok.Range.Start.Byte)
		}
	}
	return nil
}

// tooDeep is the error at byte off of src.
func tooDeep(src []byte, filename string, off int) *hcl.Diagnostic {
	start := hcl.Pos{Line: 1, Column: 1, Byte: off}
	for _, c := range src[:off] {
		if c == '\n' {
			start.Line++
			start.Column = 1
		} else if c&0xC0 != 0x80 {
			start.Column++
		}
	}
	end := start
	end.Byte++
	end.Column++
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Configuration nested too deeply",
		Detail: fmt.Sprintf("The file nests brackets, braces or interpolations, or chains ! and -, more than %d levels deep here; reclaim stops rather than exhaust its stack. Flatten the expression.",
			MaxNesting),
		Subject: &hcl.Range{Filename: filename, Start: start, End: end},
	}
}
