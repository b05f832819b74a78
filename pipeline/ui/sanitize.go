package ui

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tenant data is written by whoever administers or invites users (guests
// name themselves), so every string that came from Microsoft — a UPN, a SKU
// part number, a group name, a reason that quotes one — passes through one
// of the functions below before a person reads it. There is one per medium;
// HTML is escaped by html/template (report_html.go), which also applies
// Terminal so that a control character is shown, not obeyed.

// Terminal returns s safe to print on a terminal as one line of text.
//
// It guarantees that the result holds no C0 control (U+0000–U+001F, tab and
// newline included), no DEL, no C1 control (U+0080–U+009F), no Unicode format
// character (category Cf: the bidi embeddings, overrides and isolates
// U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F and U+061C,
// zero-width characters, the BOM), no line or paragraph separator
// (U+2028, U+2029) and no invalid UTF-8. Each is shown as a visible escape
// instead: \n, \r, \t, \xNN for the other ASCII controls and invalid bytes,
// \uNNNN (or \UNNNNNNNN) for the rest. So an ESC sequence cannot move the
// cursor or erase what a reviewer read, a newline cannot forge a plan line,
// and a right-to-left override cannot make "moc.elgoog" read as
// "google.com". Everything else, backslashes included, is unchanged: the
// escapes are for a person reading, not a reversible encoding.
func Terminal(s string) string {
	if !needsTerminalEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !hiddenRune(r):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// TerminalText is Terminal for a message of several lines that we composed
// (an error, a warning): newlines are kept, everything else Terminal escapes
// is escaped. Put tenant values into such a message through Terminal first
// (or %q) so that they cannot add lines of their own.
func TerminalText(s string) string {
	if !needsTerminalEscape(s) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Terminal(l)
	}
	return strings.Join(lines, "\n")
}

// hiddenRune reports whether r acts on the terminal or on the layout of the
// text around it instead of being shown.
func hiddenRune(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	case r < utf8.RuneSelf:
		return false
	}
	return unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

func needsTerminalEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || hiddenRune(r) {
			return true
		}
		i += size
	}
	return false
}

// Markdown returns s as literal text for a Markdown paragraph or table cell
// (CommonMark with the GitHub and GitLab extensions).
//
// It guarantees that the result renders as the text of s and nothing else:
// Terminal's escapes first (no control, bidi or zero-width character, no line
// break, so a table row stays one row), then a backslash before every ASCII
// punctuation character except , ; ? ' " / and % (which start nothing), so
// no HTML tag or entity, link, image, autolink (www., http:, javascript:),
// code span, emphasis, strikethrough, math, heading, list or table pipe can
// start. An '@' is followed by a zero-width space written as an entity
// ("@&#8203;everyone"), because GitHub and GitLab find @mentions in the
// rendered text, where a backslash no longer is; it also stops an address
// from becoming a mailto: link. The rendered text differs from s only by
// those zero-width spaces and Terminal's visible escapes.
func Markdown(s string) string {
	s = Terminal(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for _, r := range s {
		switch {
		case r == '@':
			b.WriteString("@&#8203;")
		case r < utf8.RuneSelf && (unicode.IsPunct(r) || unicode.IsSymbol(r)) && !strings.ContainsRune(mdPlain, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdPlain is the ASCII punctuation that starts no Markdown construct in
// CommonMark, GFM or GitLab, so Markdown leaves it unescaped to keep the
// source readable.
const mdPlain = `,;?'"/%`
