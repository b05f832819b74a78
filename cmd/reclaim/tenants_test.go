package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

// startFleet serves n simulated tenants of users each on one listener; the
// tenants at the indices in noConsent have no registration of the MSP's app
// (their token endpoint answers AADSTS700016, as a customer that never
// consented does).
func startFleet(t *testing.T, n, users int, noConsent ...int) *simtenant.Fleet {
	t.Helper()
	today := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	var opts []simtenant.Options
	for i := range n {
		o := simtenant.Options{Users: users, Seed: int64(100 + i), Today: today, TenantID: simtenant.FleetTenantID(i)}
		for _, j := range noConsent {
			if i == j {
				o.ClientID = "00000000-0000-4000-8000-00000000dead"
			}
		}
		opts = append(opts, o)
	}
	f, err := simtenant.StartFleet("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestRunManyTenantsOneFailsAlone runs one profile set of four customer
// tenants (for_each over a CSV) against one simulated Microsoft serving all
// four, two profiles at a time. The tenant without consent fails alone and
// is named with Microsoft's reason; the other three each get their own
// snapshots, manifest and report under OUT/fleet.KEY/; the exit code is 2
// (some failed). Then --profile-index and --shard pick by sorted name.
func TestRunManyTenantsOneFailsAlone(t *testing.T) {
	t.Parallel()
	f := startFleet(t, 4, 40, 2)
	dir, out := t.TempDir(), t.TempDir()
	keys := []string{"contoso", "fabrikam.eu", "nocontent", "tailspin"}
	if err := f.WriteConfig(dir, out, keys); err != nil {
		t.Fatal(err)
	}
	asOf := time.Now().UTC().Format(time.DateOnly)
	r := runCLI("run", dir, "--parallel-profiles", "2", "--progress", "log", "--as-of", asOf)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d (some profiles failed):\n%s", r.code, exitPartial, r)
	}
	for _, want := range []string{
		"4 profiles: 3 succeeded, 1 failed:",
		"  fleet.nocontent: ",
		"AADSTS700016",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, k := range keys {
		prof := store.ProfileAt(out, "fleet."+k)
		ms := prof.ManifestPaths()
		if len(ms) != 1 {
			t.Fatalf("fleet.%s: %d manifests, want 1", k, len(ms))
		}
		var m store.Manifest
		b, _ := os.ReadFile(ms[0])
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		wantStatus := store.StatusOK
		if k == "nocontent" {
			wantStatus = store.StatusFailed
		}
		if m.Status != wantStatus || m.Profile != "fleet."+k {
			t.Errorf("fleet.%s: manifest profile %q status %q, want %q", k, m.Profile, m.Status, wantStatus)
		}
		users := filepath.Join(prof.Layer(store.Raw), schemas.TableUsers, "snapshot_date="+asOf, store.PartFile)
		if _, err := os.Stat(users); (err == nil) != (k != "nocontent") {
			t.Errorf("fleet.%s: users snapshot exists %v, want %v", k, err == nil, k != "nocontent")
		}
	}

	// The fan-out flags pick by position in name order (contoso,
	// fabrikam.eu, nocontent, tailspin): index 1 is fabrikam.eu; shard 0/3
	// is positions 0 and 3; shard 5/8 is empty.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--profile-index", "1"}, "Profile fleet.fabrikam.eu,"},
		{[]string{"--shard", "0/3"}, "2 profiles: all succeeded"}, // contoso and tailspin
		{[]string{"--shard", "5/8"}, "No profile in shard 5/8"},
		{[]string{"--profile-index", "4"}, "--profile-index 4: there are 4 profiles"},
	} {
		r := runCLI(append([]string{"run", dir, "--stage", "extract", "--only", "subscribed_skus", "--progress", "log", "--as-of", asOf}, c.args...)...)
		if !strings.Contains(r.stdout+r.stderr, c.want) {
			t.Errorf("run %v: want %q in:\n%s", c.args, c.want, r)
		}
		if strings.Contains(r.stdout, "fleet.nocontent") && c.args[0] == "--shard" {
			t.Errorf("run %v ran fleet.nocontent (position 2):\n%s", c.args, r.stdout)
		}
	}
}
