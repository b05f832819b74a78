package run

import (
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// TestProfileSelectionPick: index and shard map onto the sorted names the
// same way in every worker; shards cover every profile exactly once.
func TestProfileSelectionPick(t *testing.T) {
	cfg := &config.Config{Profiles: map[string]*config.Profile{}, ProfileSets: map[string]*config.ProfileSet{"c": {Name: "c"}}}
	for _, n := range []string{"own", "c.zeta", "c.alpha", "c.beta", "c.gamma"} {
		cfg.Profiles[n] = &config.Profile{Name: n}
	}
	for _, tc := range []struct {
		sel  ProfileSelection
		want string
	}{
		{ProfileSelection{}, "c.alpha c.beta c.gamma c.zeta own"},
		{ProfileSelection{Index: 0, HasIndex: true}, "c.alpha"},
		{ProfileSelection{Index: 4, HasIndex: true}, "own"},
		{ProfileSelection{Index: 5, HasIndex: true}, "error: --profile-index 5: there are 5 profiles"},
		{ProfileSelection{ShardK: 1, ShardN: 2}, "c.beta c.zeta"},
		{ProfileSelection{ShardK: 6, ShardN: 7}, ""},
		{ProfileSelection{Names: []string{"c"}}, "c.alpha c.beta c.gamma c.zeta"},
		{ProfileSelection{Names: []string{"c"}, Index: 3, HasIndex: true}, "c.zeta"},
		{ProfileSelection{Names: []string{"own", "c.beta"}}, "c.beta own"},
		{ProfileSelection{Names: []string{"nope"}}, `error: no profile "nope"`},
		{ProfileSelection{Index: 0, HasIndex: true, ShardN: 2}, "error: --profile-index and --shard"},
	} {
		got, err := tc.sel.Pick(cfg)
		s := strings.Join(got, " ")
		if err != nil {
			s = "error: " + err.Error()
		}
		if !strings.HasPrefix(s, tc.want) || (err == nil && s != tc.want) {
			t.Errorf("%+v: got %q, want %q", tc.sel, s, tc.want)
		}
	}
	seen := map[string]int{}
	for k := range 3 {
		got, err := ProfileSelection{ShardK: k, ShardN: 3}.Pick(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			seen[p]++
		}
	}
	if len(seen) != 5 {
		t.Errorf("3 shards covered %v, want all 5 profiles once", seen)
	}
	for p, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d shards", p, n)
		}
	}
}

func TestParseShard(t *testing.T) {
	for s, ok := range map[string]bool{"0/1": true, "3/4": true, "4/4": false, "-1/2": false, "1": false, "a/b": false, "0/0": false} {
		_, _, err := ParseShard(s)
		if (err == nil) != ok {
			t.Errorf("ParseShard(%q) err = %v, want ok %v", s, err, ok)
		}
	}
}
