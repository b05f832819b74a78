package plan

import (
	"fmt"
	"strings"
	"time"
)

// DefaultMaxAge is how old a plan apply accepts unless told otherwise: a week
// of sign-ins can change a lot of recommendations.
const DefaultMaxAge = 7 * 24 * time.Hour

// Current is what the inputs look like now, gathered by the caller (apply)
// from the configuration and the output directory.
type Current struct {
	ConfigDigest string
	// Sources is the latest snapshot per profile, as Build would record it
	// now; a profile missing here has no snapshot any more.
	Sources map[string]Source
	// ReclaimOn lists profiles whose reclaim task is on.
	ReclaimOn map[string]bool
	Now       time.Time
	MaxAge    time.Duration // 0: DefaultMaxAge
}

// StaleError says why a plan may not be applied and what to run instead.
type StaleError struct {
	Reasons []string
	Fix     string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("the plan is stale and was not applied:\n  - %s\n%s", strings.Join(e.Reasons, "\n  - "), e.Fix)
}

// CheckFresh refuses a plan whose configuration, snapshot or manifest changed
// since it was made, that is older than the maximum age, or that acts on a
// profile whose reclaim task is now off. Every reason is reported, not just
// the first.
func (p *Plan) CheckFresh(cur Current) error {
	var reasons []string
	if p.ConfigDigest != cur.ConfigDigest {
		reasons = append(reasons, fmt.Sprintf("the configuration changed since the plan was made (plan %s, now %s)", short(p.ConfigDigest), short(cur.ConfigDigest)))
	}
	maxAge := cur.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if age := cur.Now.Sub(p.CreatedAt); age > maxAge {
		reasons = append(reasons, fmt.Sprintf("the plan is %s old, more than the maximum %s (--max-age)", age.Round(time.Minute), maxAge))
	}
	acted := map[string]bool{}
	for _, a := range p.Actions {
		acted[a.Profile] = true
	}
	for _, s := range p.Sources {
		if !acted[s.Profile] {
			continue
		}
		if cur.ReclaimOn != nil && !cur.ReclaimOn[s.Profile] {
			reasons = append(reasons, fmt.Sprintf("profile %q no longer has tasks { reclaim_subscriptions = true }", s.Profile))
			continue
		}
		now, ok := cur.Sources[s.Profile]
		switch {
		case !ok:
			reasons = append(reasons, fmt.Sprintf("profile %q: the snapshot %s planned from is gone", s.Profile, s.SnapshotID))
		case now.SnapshotID != s.SnapshotID:
			reasons = append(reasons, fmt.Sprintf("profile %q: a newer snapshot exists (planned from %s, latest is %s)", s.Profile, s.SnapshotID, now.SnapshotID))
		case now.ManifestDigest != s.ManifestDigest:
			reasons = append(reasons, fmt.Sprintf("profile %q: the run manifest %s changed since the plan was made", s.Profile, s.ManifestPath))
		case now.RecommendationsDigest != s.RecommendationsDigest:
			reasons = append(reasons, fmt.Sprintf("profile %q: the recommendations file %s changed since the plan was made", s.Profile, s.RecommendationsPath))
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return &StaleError{Reasons: reasons, Fix: `Run "reclaim plan CONFIG -out PLAN" again (after "reclaim run CONFIG" if the data is old), review it, then apply the new plan.`}
}

func short(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	if d == "" {
		return "(none)"
	}
	return d
}
