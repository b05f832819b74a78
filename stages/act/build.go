package act

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/report"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/version"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/schemas/skucatalog"
)

// BuildOptions are the inputs of Build.
type BuildOptions struct {
	Config *config.Config
	// ConfigDigest is recorded in the plan; see (*config.Config).DecisionDigest.
	ConfigDigest string
	// ConfigPath is recorded so apply can find the configuration again.
	ConfigPath string
	// OutDir is the resolved output directory (config output.dir).
	OutDir string
	Now    time.Time
}

// Build makes a plan from the latest recommendations snapshot of every
// profile whose reclaim task is on. Rows the rule lets apply act on become
// actions; report-only, review, excluded and not-allowed rows become
// reviews, listed but never applied.
func Build(o BuildOptions) (*plan.Plan, error) {
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion,
		ToolVersion:   version.Version,
		CreatedAt:     o.Now.UTC().Truncate(time.Second),
		ConfigDigest:  o.ConfigDigest,
		ConfigPath:    o.ConfigPath,
	}
	rules := rulesByName(o.Config)
	names := make([]string, 0, len(o.Config.Profiles))
	for n, prof := range o.Config.Profiles {
		if prof.Tasks.ReclaimSubscriptions {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, profile := range names {
		src, err := LatestSource(o.OutDir, profile)
		if err != nil {
			return nil, err
		}
		p.Sources = append(p.Sources, src)
		if w := latestRunWarning(o.OutDir, profile, src); w != "" {
			p.Warnings = append(p.Warnings, w)
		}
		recs, err := ReadRecommendations(filepath.Join(o.OutDir, src.RecommendationsPath))
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			addRecommendation(p, profile, src, r, rules)
		}
		w, err := unsubscribedWarnings(o.Config, o.OutDir, profile, src)
		if err != nil {
			return nil, err
		}
		p.Warnings = append(p.Warnings, w...)
	}
	nameSKUs(p, o.Config.SKUCatalog())
	p.Finish()
	// Warn now about what apply would refuse.
	perRule, oneWay := map[string]int{}, map[string]int{}
	for _, a := range p.Actions {
		perRule[a.Rule]++
		if r := rules[a.Rule]; len(a.OneWayReasons) > 0 && r != nil && !r.AllowOneWay {
			oneWay[a.Rule]++
		}
	}
	for _, r := range o.Config.ReclaimRules {
		if r.MaxActions > 0 && perRule[r.Name] > r.MaxActions {
			p.Warnings = append(p.Warnings, fmt.Sprintf("rule %q plans %d actions but max_actions = %d: apply will refuse this plan; narrow the rule or raise max_actions", r.Name, perRule[r.Name], r.MaxActions))
		}
		if n := oneWay[r.Name]; n > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("rule %q plans %d one-way removal(s) that undo could not reverse (see one_way_reasons): apply will refuse this plan unless the rule sets allow_one_way = true or apply is given --allow-one-way", r.Name, n))
		}
	}
	return p, nil
}

// unsubscribedWarnings names the SKUs the config names for profile that the
// tenant's subscribedSkus (the licence_position of the snapshot planned
// from) do not hold. A snapshot without licence_position gives none.
func unsubscribedWarnings(cfg *config.Config, outDir, profile string, src plan.Source) ([]string, error) {
	day, err := time.Parse(time.DateOnly, src.SnapshotDate)
	if err != nil {
		return nil, nil
	}
	path := store.ProfileAt(outDir, profile).Partition(store.Curated, licencePositionTable, day)
	rows, err := parquet.ReadFile[schemas.LicencePosition](path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	held := make([]string, 0, 2*len(rows))
	for _, r := range rows {
		held = append(held, r.SkuPartNumber, r.SkuID)
	}
	var out []string
	for _, ref := range cfg.UnsubscribedSKUs(profile, held) {
		l := report.SKURefLine{Where: ref.Where, SKU: ref.SKU, At: ref.At()}
		out = append(out, fmt.Sprintf("profile %s: %s", profile, l.Sentence()))
	}
	return out, nil
}

// nameSKUs gives every action and review its product's friendly name:
// subscribedSkus carry none, the catalogue does.
func nameSKUs(p *plan.Plan, cat *skucatalog.Catalog) {
	for i := range p.Actions {
		p.Actions[i].SkuName = cat.Name(p.Actions[i].SkuPartNumber)
	}
	for i := range p.Reviews {
		p.Reviews[i].SkuName = cat.Name(p.Reviews[i].SkuPartNumber)
	}
}

func addRecommendation(p *plan.Plan, profile string, src plan.Source, r schemas.Recommendation, rules map[string]*config.ReclaimRule) {
	saving, currency := 0.0, r.Currency
	if r.MonthlySaving != nil {
		saving = *r.MonthlySaving
	}
	review := func(kind plan.ReviewKind, reason string) {
		p.Reviews = append(p.Reviews, plan.Review{
			Profile: profile, UserID: r.UserID, UserPrincipalName: r.UserPrincipalName, SkuID: r.SkuID, SkuPartNumber: r.SkuPartNumber,
			Kind: kind, GroupID: r.AssignedByGroup, Rule: r.Rule, Reason: reason, MonthlySaving: saving, Currency: currency, DataAtRisk: r.DataAtRisk,
		})
	}
	rule := rules[r.Rule]
	var op plan.Operation
	switch {
	case r.Suppressed:
		review(plan.ReviewExcluded, "excluded by "+r.SuppressedBy)
		return
	case r.Action == schemas.RecommendReport:
		review(plan.ReviewReportOnly, r.Reason)
		return
	case r.Action == schemas.RecommendRemoveLicense:
		op = plan.OpRemoveLicense
	case r.Action == schemas.RecommendRemoveFromGroup:
		op = plan.OpRemoveFromGroup
	default:
		review(plan.ReviewReview, r.Reason)
		return
	}
	// The transform already applies these rules; checking again here keeps
	// a plan safe even from a snapshot made under another configuration.
	switch {
	case rule == nil:
		review(plan.ReviewBlocked, fmt.Sprintf("rule %q is not in the configuration", r.Rule))
		return
	case rule.Action != config.ActionRemoveLicense:
		review(plan.ReviewReportOnly, r.Reason)
		return
	case r.DataAtRisk && !rule.AllowDataAtRisk:
		review(plan.ReviewBlocked, fmt.Sprintf("data at risk (%s) and rule %q does not set allow_data_at_risk", r.DataAtRiskReason, r.Rule))
		return
	case op == plan.OpRemoveFromGroup && (!rule.AllowGroupRemoval || r.AssignedByGroup == ""):
		review(plan.ReviewBlocked, fmt.Sprintf("licence inherited from group %s; rule %q does not set allow_group_removal", r.AssignedByGroup, r.Rule))
		return
	case op == plan.OpRemoveLicense && !r.AssignedDirectly:
		// Group licences are never removed user by user.
		review(plan.ReviewBlocked, "licence inherited from group "+strings.Join(r.AssignedByGroups, ", ")+"; it cannot be removed from the user directly")
		return
	}
	a := plan.Action{
		ID:      plan.ActionID(profile, r.UserID, r.SkuID, op, src.SnapshotID),
		Profile: profile, UserID: r.UserID, UserPrincipalName: r.UserPrincipalName,
		SkuID: r.SkuID, SkuPartNumber: r.SkuPartNumber, Operation: op, Rule: r.Rule, Reason: r.Reason,
		Evidence: evidenceOf(r), DisabledPlans: append([]string{}, r.DisabledPlans...),
		MonthlySaving: saving, Currency: currency, DataAtRisk: r.DataAtRisk,
	}
	if op == plan.OpRemoveLicense && len(r.OneWayReasons) > 0 {
		a.OneWayReasons = append([]string{}, r.OneWayReasons...)
	}
	slices.Sort(a.DisabledPlans)
	if op == plan.OpRemoveFromGroup {
		a.GroupID = r.AssignedByGroup
	}
	p.Actions = append(p.Actions, a)
}

func evidenceOf(r schemas.Recommendation) plan.Evidence {
	e := plan.Evidence{
		LastActivity: r.LastActivityDate, LastActivitySource: r.LastActivitySource,
		DaysInactive: r.DaysInactive, Threshold: r.InactiveDays, LastSignIn: newest(r.LastSignInDateTime, r.LastNonInteractiveSignInDateTime),
	}
	if !r.AsOf.IsZero() {
		e.AsOf = r.AsOf.Format(time.DateOnly)
	}
	// Signals in catalogue order: those the rule counts and any other with
	// activity on record. Only a counted signal is unknown to the plan (the
	// others do not decide it). sign_in shows the directory's timestamps
	// that the live re-check compares with (the entry the transform writes
	// holds the same newest one).
	for _, c := range schemas.Signals {
		s := r.Signal(c.Name)
		if c.Name == schemas.SignalSignIn {
			s.LastActivity = e.LastSignIn
		}
		counted := slices.Contains(r.SignalsCounted, c.Name)
		if !counted && s.LastActivity == nil {
			continue
		}
		e.Signals = append(e.Signals, plan.SignalEvidence{Signal: c.Name, LastActivity: s.LastActivity, RefreshDate: s.RefreshDate,
			Unknown: slices.Contains(r.SignalsUnknown, c.Name)})
	}
	return e
}

func newest(ts ...*time.Time) *time.Time {
	var n *time.Time
	for _, t := range ts {
		if t != nil && (n == nil || t.After(*n)) {
			n = t
		}
	}
	return n
}

// ReadRecommendations reads a recommendations Parquet file.
func ReadRecommendations(path string) ([]schemas.Recommendation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading recommendations: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading recommendations: %w", err)
	}
	return readRecommendations(f, st.Size(), path)
}

// readRecommendations decodes recommendations Parquet content; path only
// names it in errors.
func readRecommendations(f io.ReaderAt, size int64, path string) ([]schemas.Recommendation, error) {
	pf, err := parquet.OpenFile(f, size)
	if err != nil {
		return nil, fmt.Errorf("reading recommendations %s: %w", path, err)
	}
	r := parquet.NewGenericReader[schemas.Recommendation](pf)
	defer r.Close()
	out := make([]schemas.Recommendation, 0, pf.NumRows())
	buf := make([]schemas.Recommendation, 256)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading recommendations %s: %w", path, err)
		}
	}
}

// recommendationsTable is the curated table a plan is built from
// (schemas.Recommendation).
const (
	recommendationsTable = "recommendations"
	licencePositionTable = "licence_position"
)

// LatestSource finds a profile's newest recommendations snapshot and the run
// manifest that produced it, and digests both (paths from pipeline/store).
// The run is the one whose manifest records writing this very file (by
// sha256), else the newest (by run id, which sorts by time) naming the
// snapshot date, else the newest.
//
// A manifest of any Status may be chosen, store.StatusFailed and
// store.StatusInterrupted included: the snapshot is what the plan is built
// from, and a failed run may have written it. The date and newest fallbacks
// can therefore name a run that did not write the file (a later run that
// day which stopped before the transform); latestRunWarning says so to the
// reviewer. This is known, and kept as it was.
func LatestSource(outDir, profile string) (plan.Source, error) {
	prof := store.ProfileAt(outDir, profile)
	parts := prof.Partitions(store.Curated, recommendationsTable)
	if len(parts) == 0 {
		return plan.Source{}, fmt.Errorf("profile %q has no recommendations snapshot under %s; run \"reclaim run CONFIG\" first",
			profile, filepath.Join(prof.Layer(store.Curated), recommendationsTable))
	}
	latest := parts[len(parts)-1]
	src := plan.Source{Profile: profile, SnapshotDate: latest.Date}
	var err error
	if src.RecommendationsDigest, err = plan.FileDigest(latest.Path); err != nil {
		return plan.Source{}, fmt.Errorf("profile %q: %w", profile, err)
	}
	src.RecommendationsPath, _ = filepath.Rel(outDir, latest.Path)

	manifests := prof.ManifestPaths()
	slices.Reverse(manifests)
	chosen, byDate := "", ""
	for _, m := range manifests {
		wrote, named := manifestMatches(m, latest.Date, strings.TrimPrefix(src.RecommendationsDigest, "sha256:"))
		if wrote {
			chosen = m
			break
		}
		if named && byDate == "" {
			byDate = m
		}
	}
	if chosen == "" {
		chosen = byDate
	}
	if chosen == "" && len(manifests) > 0 {
		chosen = manifests[0]
	}
	if chosen == "" {
		// No manifest (a snapshot written by hand or by an older run): the
		// recommendations digest alone identifies the snapshot.
		sum := sha256.Sum256([]byte(src.RecommendationsDigest))
		src.SnapshotID = latest.Date + "-" + hex.EncodeToString(sum[:4])
		return src, nil
	}
	src.SnapshotID = store.RunIDOf(chosen)
	if src.ManifestDigest, err = plan.FileDigest(chosen); err != nil {
		return plan.Source{}, fmt.Errorf("profile %q: %w", profile, err)
	}
	src.ManifestPath, _ = filepath.Rel(outDir, chosen)
	return src, nil
}

// latestRunWarning says when the profile's newest run did not end
// store.StatusOK (failed, interrupted): its recommendations may be from an
// earlier run, or built on tables that failed this time, and the person
// reviewing the plan should know before applying it.
func latestRunWarning(outDir, profile string, src plan.Source) string {
	manifests := store.ProfileAt(outDir, profile).ManifestPaths()
	if len(manifests) == 0 {
		return ""
	}
	newest := manifests[len(manifests)-1]
	m, err := store.ReadManifest(newest)
	if err != nil || m.Status == "" || m.Status == store.StatusOK {
		return ""
	}
	var bad []string
	for _, st := range m.Stages {
		if st.Status != store.StatusOK {
			bad = append(bad, st.Table)
		}
	}
	run := store.RunIDOf(newest)
	w := fmt.Sprintf("profile %q: the latest run %s ended %s", profile, run, m.Status)
	if len(bad) > 0 {
		w += fmt.Sprintf(" (%d tables not refreshed: %s)", len(bad), strings.Join(bad[:min(len(bad), 5)], ", "))
		if len(bad) > 5 {
			w += ", …"
		}
	}
	if src.SnapshotID != run {
		w += fmt.Sprintf("; this plan uses the recommendations of run %s", src.SnapshotID)
	} else {
		w += "; this plan uses its recommendations"
	}
	rel, _ := filepath.Rel(outDir, newest)
	return w + ": check " + filepath.ToSlash(rel) + " and run again before applying"
}

// manifestMatches reports whether a run manifest records writing the
// recommendations file with this sha256, and whether it names the snapshot
// date. An unreadable manifest matches neither.
func manifestMatches(path, date, sha string) (wrote, named bool) {
	m, err := store.ReadManifest(path)
	if err != nil {
		return false, false
	}
	for _, st := range m.Stages {
		if st.Table == recommendationsTable && st.SHA256 != "" && strings.EqualFold(strings.TrimPrefix(st.SHA256, "sha256:"), sha) {
			return true, true
		}
	}
	return false, strings.HasPrefix(m.SnapshotDate, date)
}
