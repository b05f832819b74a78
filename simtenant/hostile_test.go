package simtenant

import (
	"regexp"
	"strings"
	"testing"
)

// upnChars are the characters Microsoft's user resource allows in a UPN
// ("A - Z, a - z, 0 - 9, ' . - _ ! # ^ ~"), with the '@' between the parts.
var upnChars = regexp.MustCompile(`^[A-Za-z0-9'._!#^~-]+@[A-Za-z0-9.-]+$`)

// With hostile names every fourth user carries every kind of hostile text
// somewhere in its free-text fields, its UPN stays within Microsoft's
// characters and still resolves to the user, and the admin is untouched.
func TestHostileNames(t *testing.T) {
	tn := NewTenant(3, 200, testToday).WithHostileNames()
	plain := NewTenant(3, 200, testToday)
	seen := map[string]bool{}
	hostileUPNs := 0
	for i := range 200 {
		u, p := tn.user(i), plain.user(i)
		if !upnChars.MatchString(u.upn) {
			t.Errorf("user %d: UPN %q breaks Microsoft's rules", i, u.upn)
		}
		if got := tn.indexOfUPN(u.upn); got != i {
			t.Errorf("user %d: UPN %q resolves to %d", i, u.upn, got)
		}
		if !tn.hostile(i) {
			if u.upn != p.upn || u.display != p.display || u.department != p.department {
				t.Errorf("user %d is not hostile but changed: %q/%q", i, u.upn, u.display)
			}
			continue
		}
		if u.upn != p.upn {
			hostileUPNs++
		}
		for _, h := range HostileTexts {
			if strings.Contains(u.display+u.surname+u.department+u.jobTitle, h) {
				seen[h] = true
			}
		}
		if u.id != p.id || len(u.lic) != len(p.lic) {
			t.Errorf("user %d: hostile names changed its id or licences", i)
		}
	}
	for _, h := range HostileTexts {
		if !seen[h] {
			t.Errorf("no user carries %q", h)
		}
	}
	if hostileUPNs == 0 || tn.user(0).display != "MOD Administrator" {
		t.Errorf("hostile UPNs %d, admin %q", hostileUPNs, tn.user(0).display)
	}
}
