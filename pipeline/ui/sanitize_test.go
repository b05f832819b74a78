package ui

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/reclaimhq/reclaim/pipeline/ui/uitest"
)

// hostileSeeds are the attacks of issue 11 §3 and their relatives: what a
// display name, a guest's self-chosen name or a department can hold.
var hostileSeeds = []string{
	"",
	"alice@contoso.com",
	"\x1b[1A\x1b[2K  - nothing to remove", // cursor up, erase line, forged line
	"evil\r\nPlan: 0 to remove",           // a forged totals line
	"nul\x00byte",                         // NUL
	"\u202egnp.exe",                       // right-to-left override
	"a\u2066b\u2069c\u200ed\u200fe\u061cf\u202a", // isolates and marks
	"\u009b31m C1 CSI",                           // C1 control sequence introducer
	"del\x7f",                                    // DEL
	"bad \xff\xfe utf8",                          // invalid UTF-8
	"zero\u200bwidth\ufeff",                      // zero-width space, BOM
	"line\u2028sep\u2029",                        // line and paragraph separators
	"<script>alert(1)</script>",                  // raw HTML
	"<img src=x onerror=alert(1)>",               // raw HTML attribute
	"@everyone and @here",                        // mentions
	"[x](javascript:alert(1))",                   // link
	"![x](https://evil.example/p.png)",           // image
	"<https://evil.example>",                     // autolink
	"www.evil.example and https://evil.example",  // GFM extended autolinks
	"mail me: bob@evil.example",                  // GFM email autolink
	"`code` and ``more``",                        // backticks
	"a | b || c",                                 // table pipes
	"**bold** _em_ ~~strike~~",                   // emphasis
	"&lt;b&gt; &amp; &#64;everyone",              // HTML entities
	"back\\slash \\| \\*",                        // backslashes
	"# heading",                                  // a heading at line start
	"$x^2$",                                      // math
	"x_everyone#EXT#@contoso.onmicrosoft.com",    // a guest UPN
	"~~o'brien!^~~",                              // UPN-legal punctuation
}

func TestTerminalShowsControlsAsEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[1A\x1b[2Kok":   `\x1b[1A\x1b[2Kok`,
		"a\r\nb\tc":          `a\r\nb\tc`,
		"nul\x00":            `nul\x00`,
		"\u202egnp.exe":      `\u202egnp.exe`,
		"\u2066\u200e\u061c": `\u2066\u200e\u061c`,
		"\u009b31m":          `\u009b31m`,
		"\x9b31m":            `\x9b31m`,
		"\x7f":               `\x7f`,
		"\xff":               `\xff`,
		"\U000e0041tag":      `\U000e0041tag`,
		"plain é 名前 \\x1b":   "plain é 名前 \\x1b",
	} {
		if got := Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := TerminalText("line one\x1b[2K\nline two\u202e"), "line one\\x1b[2K\nline two\\u202e"; got != want {
		t.Errorf("TerminalText = %q, want %q", got, want)
	}
}

// A property of any input: Terminal's output holds nothing a terminal
// obeys, and leaves a string that needs nothing alone.
func FuzzTerminal(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Terminal(s)
		if r, ok := uitest.Hidden(out); ok {
			t.Fatalf("Terminal(%q) = %q still holds %U", s, out, r)
		}
		if _, ok := uitest.Hidden(s); !ok && out != s {
			t.Fatalf("Terminal(%q) = %q changed a harmless string", s, out)
		}
	})
}

// markdownText is the text a reader sees for Markdown(s): Terminal's escapes
// and a zero-width space after each '@'.
func markdownText(s string) string {
	return strings.ReplaceAll(Terminal(s), "@", "@\u200b")
}

// A property of any input: Markdown(s) inside a paragraph and inside a
// table cell renders as exactly the expected text, in no element but the
// paragraph or cell itself.
func FuzzMarkdown(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		md := Markdown(s)
		want := markdownText(s)
		para := uitest.RenderMarkdown(t, "x "+md+" x\n")
		checkOnlyText(t, s, para, "p", "x "+want+" x")
		table := uitest.RenderMarkdown(t, "| a | b |\n|---|---|\n| x "+md+" x | y |\n")
		checkOnlyText(t, s, table, "td", "x "+want+" x")
	})
}

// checkOnlyText parses rendered HTML and fails unless the first <elem> holds
// only a text node equal to want, and no <a>, <img>, <script> or other
// element appears inside it.
func checkOnlyText(t *testing.T, in, rendered, elem, want string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(rendered))
	if err != nil {
		t.Fatalf("parse %q: %v", rendered, err)
	}
	n := findElement(doc, elem)
	if n == nil {
		t.Fatalf("Markdown(%q) rendered %q: no <%s>", in, rendered, elem)
	}
	var text strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			t.Fatalf("Markdown(%q) rendered %q: <%s> holds a <%s>", in, rendered, elem, c.Data)
		}
		text.WriteString(c.Data)
	}
	if text.String() != want {
		t.Fatalf("Markdown(%q) rendered %q: text %q, want %q", in, rendered, text.String(), want)
	}
}

func findElement(n *html.Node, name string) *html.Node {
	if n.Type == html.ElementNode && n.Data == name {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, name); f != nil {
			return f
		}
	}
	return nil
}
