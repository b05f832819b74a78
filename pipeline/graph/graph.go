// Package graph decides which stages a configuration needs for a profile and
// in what order. An extract that no rule of the profile needs is not run: no
// Dynamics signal or environment → no Dataverse; sign-ins only when a rule
// counts sign_in and the sign-in log is switched on; a usage report only for
// the signals in use; download_activity = false → no activity extracts at all.
// Order comes from the tables each stage declares it needs, never from the
// order of anything in the config files.
package graph

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// Selection narrows a run.
type Selection struct {
	// Kinds to run; empty means every kind.
	Kinds []stages.Kind
	// Only limits the run to these tables; empty means all needed tables.
	Only []string
	// SignInLog switches the sign-ins extract on (see stages.Options).
	SignInLog bool
}

// Skip is a table the run will not produce, and why.
type Skip struct {
	Table  string `json:"table"`
	Reason string `json:"reason"`
}

// Graph is the ordered list of stages for one profile.
type Graph struct {
	// Stages in an order where every stage comes after what it needs.
	Stages  []stages.Stage
	Skipped []Skip
}

func appliesTo(profiles []string, name string) bool {
	return len(profiles) == 0 || slices.Contains(profiles, name)
}

// RawTables says, for every raw table, whether the profile needs it: the
// map holds needed tables with the reason, skipped ones are returned apart.
func RawTables(cfg *config.Config, p *config.Profile, signInLog bool) (need map[string]string, skipped []Skip) {
	need = map[string]string{
		schemas.TableUsers:                  "always: the directory",
		schemas.TableUserLicenseAssignments: "always: who holds which licence",
		schemas.TableSubscribedSkus:         "always: subscriptions",
	}
	if p.Tasks.ReclaimSubscriptions {
		// Only a plan needs them: trial and ending subscriptions make a removal one-way.
		need[schemas.TableSubscriptions] = "reclaim_subscriptions: trial and ending subscriptions mark removals one-way"
	} else {
		skipped = append(skipped, Skip{schemas.TableSubscriptions, "reclaim_subscriptions is off"})
	}
	for _, ex := range cfg.Exclusions {
		if appliesTo(ex.Profiles, p.Name) && len(ex.Groups) > 0 {
			need[schemas.TableGroupMembers] = fmt.Sprintf("exclusion %q names groups", ex.Name)
			break
		}
	}
	signals := map[config.Signal]string{}
	dataAtRisk := ""
	for _, r := range cfg.ReclaimRules {
		if !appliesTo(r.Profiles, p.Name) {
			continue
		}
		for _, s := range r.Signals {
			if _, ok := signals[s]; !ok {
				signals[s] = r.Name
			}
		}
		if r.Action == config.ActionRemoveLicense && !r.AllowDataAtRisk && dataAtRisk == "" {
			dataAtRisk = r.Name
		}
	}
	activity := p.Tasks.DownloadActivity
	want := func(table, reason string) {
		if activity {
			need[table] = reason
		}
	}
	for _, s := range schemas.Signals {
		if rule, ok := signals[config.Signal(s.Name)]; ok {
			for _, t := range s.RawTables() {
				want(t, fmt.Sprintf("rule %q counts %s", rule, s.Name))
			}
		}
	}
	if dataAtRisk != "" {
		// Removing a licence can orphan a mailbox or OneDrive that holds data.
		for _, t := range schemas.DataAtRiskTables() {
			want(t, fmt.Sprintf("rule %q checks data at risk", dataAtRisk))
		}
	}
	hasReport := false
	for t := range need {
		if strings.HasPrefix(t, "report_") {
			hasReport = true
		}
	}
	if hasReport {
		need[schemas.TableReportSettings] = "usage reports are read: are names concealed?"
	}
	if _, ok := need[schemas.TableSignIns]; ok && !signInLog {
		delete(need, schemas.TableSignIns)
		skipped = append(skipped, Skip{schemas.TableSignIns, "the sign-in log is off (--sign-in-log); users.last_*_sign_in_date_time carry sign-in activity"})
	}
	if _, ok := need[schemas.TableDataverseAudits]; ok && len(p.Dynamics) == 0 {
		delete(need, schemas.TableDataverseAudits)
		delete(need, schemas.TableDataverseSystemUsers)
		skipped = append(skipped, Skip{schemas.TableDataverseAudits, "no dynamics environment in the profile"},
			Skip{schemas.TableDataverseSystemUsers, "no dynamics environment in the profile"})
	}
	for _, t := range schemas.RawTables {
		if _, ok := need[t.Name]; ok || slices.ContainsFunc(skipped, func(s Skip) bool { return s.Table == t.Name }) {
			continue
		}
		reason := "no rule of this profile needs it"
		if !activity && t.Name != schemas.TableGroupMembers {
			reason = "download_activity is off"
		}
		skipped = append(skipped, Skip{t.Name, reason})
	}
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Table < skipped[j].Table })
	return need, skipped
}

// Build returns the stages of reg the profile needs, selected by sel and
// ordered by their Needs.
func Build(cfg *config.Config, p *config.Profile, reg *stages.Registry, sel Selection) (*Graph, error) {
	need, skipped := RawTables(cfg, p, sel.SignInLog)
	g := &Graph{Skipped: skipped}
	for _, name := range sel.Only {
		if _, ok := reg.Get(name); !ok {
			return nil, fmt.Errorf("--only: no stage produces table %q%s", name, suggest(name, reg.Tables()))
		}
	}
	var chosen []stages.Stage
	for _, t := range reg.Tables() {
		s, _ := reg.Get(t)
		info := s.Info()
		if len(sel.Kinds) > 0 && !slices.Contains(sel.Kinds, info.Kind) {
			continue
		}
		if len(sel.Only) > 0 && !slices.Contains(sel.Only, t) {
			continue
		}
		if info.Layer == stages.LayerRaw {
			if _, ok := need[t]; !ok {
				continue
			}
		}
		if u := cfg.SQLStage(t); u != nil && info.Layer == stages.LayerCurated && !u.AppliesTo(p.Name) {
			g.Skipped = append(g.Skipped, Skip{t, fmt.Sprintf("sql_stage %q is for profiles %s", t, strings.Join(u.Profiles, ", "))})
			continue
		}
		chosen = append(chosen, s)
	}
	ordered, err := order(chosen)
	if err != nil {
		return nil, err
	}
	g.Stages = ordered
	return g, nil
}

// order sorts stages so that each comes after the stages producing its
// Needs (Kahn's algorithm, ties by kind, incremental stages first, then table
// name for a stable order).
// Needs not produced by any chosen stage are read from earlier snapshots.
func order(ss []stages.Stage) ([]stages.Stage, error) {
	byTable := map[string]stages.Stage{}
	for _, s := range ss {
		byTable[s.Info().Table] = s
	}
	indeg := map[string]int{}
	users := map[string][]string{}
	for _, s := range ss {
		in := s.Info()
		indeg[in.Table] += 0
		for _, n := range append(slices.Clone(in.Needs), in.After...) {
			if _, ok := byTable[n]; ok {
				indeg[in.Table]++
				users[n] = append(users[n], in.Table)
			}
		}
	}
	rank := func(t string) string { return string(byTable[t].Info().Kind) + "/" + t }
	var ready, out []string
	for t, d := range indeg {
		if d == 0 {
			ready = append(ready, t)
		}
	}
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool {
			ii, ij := byTable[ready[i]].Info(), byTable[ready[j]].Info()
			if ki, kj := kindOrder(ii.Kind), kindOrder(ij.Kind); ki != kj {
				return ki < kj
			}
			// Incremental stages read the most heavily throttled endpoint (the
			// sign-in log: 5 requests per 10 s), so they are the critical path
			// of a run: the runner starts stages in this order, and starting
			// them first keeps the other stages from delaying them.
			if ii.Incremental != ij.Incremental {
				return ii.Incremental
			}
			return rank(ready[i]) < rank(ready[j])
		})
		t := ready[0]
		ready = ready[1:]
		out = append(out, t)
		for _, u := range users[t] {
			indeg[u]--
			if indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) != len(ss) {
		return nil, fmt.Errorf("stage dependencies form a cycle")
	}
	res := make([]stages.Stage, len(out))
	for i, t := range out {
		res[i] = byTable[t]
	}
	return res, nil
}

func kindOrder(k stages.Kind) int {
	if k == stages.KindExtract {
		return 0
	}
	return 1
}

func suggest(name string, valid []string) string {
	if best := config.NameSuggestion(name, valid); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; valid tables: " + strings.Join(valid, ", ")
}
