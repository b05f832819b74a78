package run

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// ProfileSelection says which profiles of a configuration one process
// runs, so a fan-out (a Kubernetes Indexed Job, a CI matrix) gives each
// worker its share deterministically. Every worker sees the same list: the
// configuration's profile names sorted by byte value (ProfileNames; an
// instance of a profile set is SET.KEY), narrowed by Names, then indexed.
// The zero value selects every profile.
type ProfileSelection struct {
	// Names are profiles or profile sets (--profile); a set names each of
	// its instances. Empty: every profile.
	Names []string
	// Index >= 0 picks the one profile at that 0-based position
	// (--profile-index, e.g. JOB_COMPLETION_INDEX); -1 or unset with
	// HasIndex false: no index.
	Index    int
	HasIndex bool
	// Shard K of N (--shard K/N, 0 <= K < N) picks the profiles at positions
	// i with i mod N == K: round robin, so N workers share any number of
	// tenants evenly. N == 0: no shard.
	ShardK, ShardN int
}

// ParseShard reads "K/N".
func ParseShard(s string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return 0, 0, fmt.Errorf("invalid --shard %q: want K/N with 0 <= K < N, such as 0/4 (the first of four workers)", s)
	}
	return k, n, nil
}

// Pick returns the selected profile names in run order. An unknown name,
// an index past the end, or both an index and a shard are errors; a shard
// with nothing in it (more workers than profiles) is an empty list.
func (sel ProfileSelection) Pick(cfg *config.Config) ([]string, error) {
	all := cfg.ProfileNames()
	if len(sel.Names) > 0 {
		var picked []string
		for _, n := range sel.Names {
			if cfg.Profiles[n] == nil && cfg.ProfileSets[n] == nil {
				return nil, fmt.Errorf("no profile %q in the configuration (profiles: %s)", n, strings.Join(all, ", "))
			}
		}
		for _, p := range all {
			if config.CoversProfile(sel.Names, p) {
				picked = append(picked, p)
			}
		}
		all = picked
	}
	switch {
	case sel.HasIndex && sel.ShardN > 0:
		return nil, fmt.Errorf("--profile-index and --shard both pick profiles; give one")
	case sel.HasIndex:
		if sel.Index < 0 || sel.Index >= len(all) {
			return nil, fmt.Errorf("--profile-index %d: there are %d profiles, numbered 0 to %d in name order (reclaim validate lists them)", sel.Index, len(all), len(all)-1)
		}
		return all[sel.Index : sel.Index+1], nil
	case sel.ShardN > 0:
		var picked []string
		for i, p := range all {
			if i%sel.ShardN == sel.ShardK {
				picked = append(picked, p)
			}
		}
		return picked, nil
	}
	return all, nil
}
