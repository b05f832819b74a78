// Package uitest checks, for tests, that what pipeline/ui wrote for people
// is safe to read whatever the tenant's data held: terminal text with no
// control or bidi character, Markdown that renders (as a pull-request
// comment would: CommonMark with GitHub's extensions, by goldmark) with no
// link, image, raw tag or @mention, and HTML with no element we never write.
// It does not import pipeline/ui, so that package's own tests can use it.
package uitest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"
)

// Attacks are the hostile values of issue 11 §3 and their relatives: what a
// display name, a department or a guest's self-chosen name can hold.
var Attacks = map[string]string{
	"cursor up, erase line": "\x1b[1A\x1b[2K",
	"newline, forged line":  "\r\n  - nothing here\n",
	"NUL":                   "\x00",
	"right-to-left":         "\u202emoc.nimda",
	"raw HTML":              "<script>alert(1)</script><b>x</b>",
	"mention":               "@everyone",
	"javascript link":       "[x](javascript:alert(1))",
	"autolink":              "https://evil.example",
	"backticks and pipes":   "`a` | b",
	"entity":                "&lt;i&gt;&#64;here",
}

// Hidden finds a rune a terminal acts on instead of showing (C0 and C1
// controls, DEL, Unicode format characters such as bidi overrides, line and
// paragraph separators) or an invalid UTF-8 byte; keep lists runes that
// are expected (a newline between lines).
func Hidden(s string, keep ...rune) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return r, true
		}
		hidden := r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
		if hidden && !containsRune(keep, r) {
			return r, true
		}
	}
	return 0, false
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// CheckTerminal fails if terminal output holds anything but printable text
// and newlines.
func CheckTerminal(t testing.TB, what, out string) {
	t.Helper()
	for n, line := range strings.Split(out, "\n") {
		if r, ok := Hidden(line); ok {
			t.Errorf("%s line %d holds %U: %q", what, n+1, r, line)
		}
	}
}

// gfm renders Markdown the way a pull-request comment does: CommonMark with
// GitHub's tables, autolinks, strikethrough and task lists.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

// RenderMarkdown renders md to HTML as GitHub would (as far as goldmark can).
func RenderMarkdown(t testing.TB, md string) string {
	t.Helper()
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		t.Fatalf("goldmark: %v", err)
	}
	return b.String()
}

// CheckMarkdown renders md and fails on any control character in the
// source, and on any link, image, script, raw tag, control character or
// @mention in the rendered page.
func CheckMarkdown(t testing.TB, what, md string) {
	t.Helper()
	if r, ok := Hidden(md, '\n'); ok {
		t.Errorf("%s source holds %U", what, r)
	}
	checkHTML(t, what+" (rendered)", RenderMarkdown(t, md), true)
}

// CheckHTML parses a page and fails if an element we never write appears
// (a, img, script, iframe: tenant markup came through), if an attribute is
// an event handler or a javascript: URL, or if a text node holds a control
// or bidi character.
func CheckHTML(t testing.TB, what, page string) {
	t.Helper()
	checkHTML(t, what, page, false)
}

// ourTags are the elements our Markdown and report.html produce.
var ourTags = map[string]bool{"html": true, "head": true, "body": true, "meta": true, "title": true, "style": true,
	"h1": true, "h2": true, "h3": true, "p": true, "strong": true, "code": true, "table": true, "thead": true, "tbody": true,
	"tr": true, "th": true, "td": true, "details": true, "summary": true, "blockquote": true, "span": true, "b": true,
	"ul": true, "li": true, "svg": true, "text": true, "rect": true}

func checkHTML(t testing.TB, what, page string, mentions bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("%s: parse: %v", what, err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			if !ourTags[n.Data] {
				t.Errorf("%s holds a <%s> element: tenant markup came through", what, n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
					t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
				}
			}
		case html.TextNode:
			// A zero-width space after '@' is how Markdown stops a mention.
			if r, ok := Hidden(strings.ReplaceAll(n.Data, "@\u200b", "@"), '\n'); ok {
				t.Errorf("%s: text %q holds %U", what, n.Data, r)
			}
			if mentions && strings.Contains(n.Data, "@everyone") {
				t.Errorf("%s: text %q mentions @everyone", what, n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// ChromiumDOM loads an HTML file in headless Chromium and returns the DOM
// as the browser built it (--dump-dom): what a person opening the page
// would get, parsed by a real browser rather than by our own parser. The
// test is skipped when chromium is not installed, unless CI=true (.ci/run
// installs it), where its absence fails the test.
func ChromiumDOM(t testing.TB, path string) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is not installed; .ci/run installs it (apt-get install chromium)")
		}
		t.Skip("chromium not installed (apt-get install chromium); report.html checked with golang.org/x/net/html only")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "file://"+abs)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", path, err, stderr.String())
	}
	return string(out)
}
