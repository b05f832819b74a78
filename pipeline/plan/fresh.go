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
	// Planned is, per profile, the plan's own snapshot as found now: the
	// files at the plan's recorded paths, digested again. An empty digest
	// means the file is gone; a profile missing here was not looked at.
	Planned map[string]Source
	// Latest is the newest snapshot per profile; it only feeds the notice
	// that a newer snapshot exists (see Newer).
	Latest map[string]Source
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

// CheckFresh refuses a plan whose configuration decision digest changed,
// whose planned-from files (run manifest, recommendations) were altered or
// removed, that is older than the maximum age, or that acts on a profile
// whose reclaim task is now off. Every reason is reported, not just the
// first.
//
// A newer snapshot is not a reason: the plan is applied against its own
// snapshot and every action is re-checked live before it is carried out, so
// a nightly run between plan and apply does not void a reviewed plan.
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
	for _, s := range p.Sources {
		if !p.acts(s.Profile) {
			continue
		}
		if cur.ReclaimOn != nil && !cur.ReclaimOn[s.Profile] {
			reasons = append(reasons, fmt.Sprintf("profile %q no longer has tasks { reclaim_subscriptions = true }", s.Profile))
			continue
		}
		now, ok := cur.Planned[s.Profile]
		switch {
		case !ok || now.RecommendationsDigest == "":
			reasons = append(reasons, fmt.Sprintf("profile %q: the recommendations file %s the plan was made from was removed", s.Profile, s.RecommendationsPath))
		case now.RecommendationsDigest != s.RecommendationsDigest:
			reasons = append(reasons, fmt.Sprintf("profile %q: the recommendations file %s was altered since the plan was made (a run of the same snapshot date rewrites it)", s.Profile, s.RecommendationsPath))
		}
		if s.ManifestDigest == "" || !ok {
			continue
		}
		switch {
		case now.ManifestDigest == "":
			reasons = append(reasons, fmt.Sprintf("profile %q: the run manifest %s the plan was made from was removed", s.Profile, s.ManifestPath))
		case now.ManifestDigest != s.ManifestDigest:
			reasons = append(reasons, fmt.Sprintf("profile %q: the run manifest %s was altered since the plan was made", s.Profile, s.ManifestPath))
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return &StaleError{Reasons: reasons, Fix: `Run "reclaim plan CONFIG -out PLAN" again (after "reclaim run CONFIG" if the data is old), review it, then apply the new plan.`}
}

// Newer lists, per profile acted on, a notice that a newer snapshot than
// the one planned from exists. It is not a reason to refuse (see
// CheckFresh); apply prints it so the person knows the plan is older than
// the data.
func (p *Plan) Newer(cur Current) []string {
	var notes []string
	for _, s := range p.Sources {
		if now, ok := cur.Latest[s.Profile]; ok && p.acts(s.Profile) && now.SnapshotID != s.SnapshotID {
			notes = append(notes, fmt.Sprintf("profile %q: a newer snapshot exists (planned from %s of %s, latest is %s of %s); the plan is applied against its own snapshot and every action is re-checked live before it is carried out",
				s.Profile, s.SnapshotID, s.SnapshotDate, now.SnapshotID, now.SnapshotDate))
		}
	}
	return notes
}

// acts reports whether the plan has an action in profile.
func (p *Plan) acts(profile string) bool {
	for _, a := range p.Actions {
		if a.Profile == profile {
			return true
		}
	}
	return false
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
