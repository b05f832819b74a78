package simtenant

import (
	"slices"
	"strings"
	"testing"
)

// TestGeneratorInvariants walks a 20,000-user tenant and checks what other
// packages rely on: ids and UPNs invert to their index, every archetype and
// licensing path occurs, archetypes mean what their names say, and disabled
// plans belong to their SKU.
func TestGeneratorInvariants(t *testing.T) {
	const n = 20000
	tn := NewTenant(5, n, testToday)
	arch := map[Archetype]int{}
	kinds := map[Kind]int{}
	directAndGroup := 0
	for i := 0; i < n; i++ {
		u := tn.user(i)
		tr := tn.truth(u)
		if tn.indexOfID(u.id) != i || tn.indexOfUPN(u.upn) != i || tn.lookup(strings.ToUpper(u.upn)) != i {
			t.Fatalf("user %d (%s, %s) does not invert", i, u.id, u.upn)
		}
		arch[u.arch]++
		kinds[u.kind]++
		la := tr.LastActivity
		switch u.arch {
		case ArchNeverUsed, ArchNewHireNotStarted, ArchSharedMailbox, ArchResourceMailbox:
			if len(la) != 0 {
				t.Fatalf("user %d %s has activity %v", i, u.arch, la)
			}
		case ArchOnlyTeams, ArchOnlyMail, ArchOnlyMobileApps:
			for k := range la {
				switch k {
				case WorkSignIn, WorkNonInteractive, WorkOffice365:
				case WorkTeams:
					if u.arch != ArchOnlyTeams {
						t.Fatalf("user %d %s active in %s", i, u.arch, k)
					}
				case WorkEmail:
					if u.arch != ArchOnlyMail {
						t.Fatalf("user %d %s active in %s", i, u.arch, k)
					}
				case WorkM365Apps:
					if u.arch != ArchOnlyMobileApps {
						t.Fatalf("user %d %s active in %s", i, u.arch, k)
					}
				default:
					t.Fatalf("user %d %s active in %s", i, u.arch, k)
				}
			}
		case ArchNonInteractiveOnly:
			if la[WorkNonInteractive] == "" || la[WorkSignIn] > "2026-08-01" {
				t.Fatalf("user %d non-interactive-only: %v", i, la)
			}
		case ArchInactive95:
			for k, d := range la {
				if d > testToday.AddDate(0, 0, -95).Format("2006-01-02") {
					t.Fatalf("user %d inactive_95 has %s on %s", i, k, d)
				}
			}
		}
		if u.kind == KindGuest != strings.Contains(u.upn, "#EXT#") {
			t.Fatalf("user %d kind %s upn %s", i, u.kind, u.upn)
		}
		paths := map[string][2]bool{}
		for _, a := range u.lic {
			p := paths[skus[a.sku].ID]
			p[map[bool]int{true: 0, false: 1}[a.group < 0]] = true
			paths[skus[a.sku].ID] = p
			for _, d := range a.disabled {
				if !slices.Contains(skus[a.sku].plans, d) {
					t.Fatalf("user %d disables plan %s not in %s", i, servicePlans[d].Name, skus[a.sku].PartNumber)
				}
			}
		}
		for _, p := range paths {
			if p[0] && p[1] {
				directAndGroup++
			}
		}
	}
	for _, a := range []Archetype{ArchActive, ArchInactive30, ArchInactive60, ArchInactive95, ArchInactive200, ArchNeverUsed,
		ArchNonInteractiveOnly, ArchOnlyTeams, ArchOnlyMail, ArchOnlyMobileApps, ArchDynamicsMultiBase, ArchSharedMailbox,
		ArchResourceMailbox, ArchDisabled, ArchNewHire, ArchNewHireNotStarted} {
		if arch[a] < 10 {
			t.Errorf("archetype %s: %d users", a, arch[a])
		}
	}
	if directAndGroup < 50 {
		t.Errorf("only %d users hold a SKU both directly and through a group", directAndGroup)
	}
	t.Logf("archetypes %v kinds %v", arch, kinds)
}
