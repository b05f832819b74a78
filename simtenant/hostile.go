package simtenant

import (
	"fmt"
	"strings"
)

// Hostile names: with Options.HostileNames every fourth user (never the
// admin) carries attacker-chosen text, the way a real tenant can — display
// names, given names, surnames, departments and job titles are free text
// chosen by whoever administers or invites users, and guests name
// themselves. Each field carries one of HostileTexts, so a run over a few
// dozen users meets all of them.
//
// The UPN keeps Microsoft's rules (the user resource: "Only the following
// characters are allowed A - Z, a - z, 0 - 9, ' . - _ ! # ^ ~"): its local
// part gets one of hostileUPNParts, which are legal there and still mean
// something to Markdown (emphasis, strikethrough, headings). The index
// digits stay last before '@' (or before the guest's '_'), so indexOfUPN
// still finds the user.

// HostileTexts are the values hostile users carry in their free-text fields:
// terminal escape sequences (cursor up, erase line), CR/LF, NUL, right-to-left
// override and other bidi controls, raw HTML, mentions, a javascript: link,
// backticks, pipes and HTML entities.
var HostileTexts = []string{
	"\x1b[1A\x1b[2K\x1b[32mApproved\x1b[0m",
	"Sales\r\n  - nothing to remove",
	"nul\x00byte",
	"\u202eadmin@contoso.com",
	"\u2066isolate\u2069 \u200fmark\u200e \u061cletter \u202aembed\u202c",
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"@everyone @here",
	"[x](javascript:alert(1))",
	"`code` ``span``",
	"a | b || c",
	"&lt;b&gt; &amp; &#64;everyone",
}

// hostileUPNParts are legal in a UPN's local part and active in Markdown.
var hostileUPNParts = []string{"__", "~~", "!", "#", "^", "'"}

// hostile reports whether user i gets hostile names.
func (t *Tenant) hostile(i int) bool { return t.hostileNames && i > 0 && i%4 == 1 }

// hostileNamesFor overwrites the free-text fields of user u and puts a legal
// but Markdown-active part into its UPN.
func (t *Tenant) hostileNamesFor(u *user) {
	k := u.idx / 4
	text := func(n int) string { return HostileTexts[(k+n)%len(HostileTexts)] }
	part := hostileUPNParts[k%len(hostileUPNParts)]
	u.display = u.given + " " + text(0) + " " + u.surname
	u.surname = text(1) + u.surname
	if u.department != "" {
		u.department = text(2)
	}
	if u.jobTitle != "" {
		u.jobTitle = text(3)
	}
	at := strings.LastIndexByte(u.upn, '@')
	local, domain := u.upn[:at], u.upn[at:]
	if u.kind == KindGuest {
		// local is <external local><i>_<external domain>#EXT#.
		u.upn = part + local + domain
		u.mail = part + u.mail
	} else {
		u.upn = fmt.Sprintf("%s%s%s", part, local, domain)
		u.mail = u.upn
	}
}
