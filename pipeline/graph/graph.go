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
	Stages  []Node
	Skipped []Skip
}

// Node is one stage of a graph and the tables of it this run writes.
type Node struct {
	Stage stages.Stage
	Info  stages.Info
	// Tables are the stage's tables the profile needs and the selection
	// kept, in the stage's order; never empty.
	Tables []stages.Table
}

// TableNames lists the names of n.Tables.
func (n Node) TableNames() []string {
	out := make([]string, len(n.Tables))
	for i, t := range n.Tables {
		out[i] = t.Name
	}
	return out
}

// Waits lists the tables the node waits for: its stage's Needs and After
// and the Needs of its tables, without its own tables.
func (n Node) Waits() []string {
	var out []string
	add := func(ts []string) {
		for _, t := range ts {
			if _, own := n.Info.Table(t); !own && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	add(n.Info.Needs)
	add(n.Info.After)
	for _, t := range n.Tables {
		add(t.Needs)
	}
	return out
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
		if ex.AppliesTo(p.Name) && len(ex.Groups) > 0 {
			need[schemas.TableGroupMembers] = fmt.Sprintf("exclusion %q names groups", ex.Name)
			break
		}
	}
	signals := map[config.Signal]string{}
	dataAtRisk := ""
	for _, r := range cfg.ReclaimRules {
		if !r.AppliesTo(p.Name) {
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
	var chosen []Node
	for _, s := range reg.Stages() {
		info := s.Info()
		if len(sel.Kinds) > 0 && !slices.Contains(sel.Kinds, info.Kind) {
			continue
		}
		n := Node{Stage: s, Info: info}
		for _, t := range info.Tables {
			if len(sel.Only) > 0 && !slices.Contains(sel.Only, t.Name) {
				continue
			}
			if t.Layer == stages.LayerRaw {
				if _, ok := need[t.Name]; !ok {
					continue
				}
			}
			if u := cfg.SQLStage(t.Name); u != nil && t.Layer == stages.LayerCurated && !u.AppliesTo(p.Name) {
				g.Skipped = append(g.Skipped, Skip{t.Name, fmt.Sprintf("sql_stage %q is for profiles %s", t.Name, strings.Join(u.Profiles, ", "))})
				continue
			}
			n.Tables = append(n.Tables, t)
		}
		if len(n.Tables) > 0 {
			chosen = append(chosen, n)
		}
	}
	ordered, err := order(chosen)
	if err != nil {
		return nil, err
	}
	g.Stages = ordered
	return g, nil
}

// order sorts nodes so that each comes after the nodes producing what it
// waits for (Kahn's algorithm, ties by kind, incremental stages first, then
// stage name for a stable order). Tables no chosen stage produces are read
// from earlier snapshots.
func order(ns []Node) ([]Node, error) {
	producer := map[string]int{} // table → index in ns
	for i, n := range ns {
		for _, t := range n.Tables {
			producer[t.Name] = i
		}
	}
	indeg := make([]int, len(ns))
	users := make([][]int, len(ns))
	for i, n := range ns {
		seen := map[int]bool{}
		for _, t := range n.Waits() {
			if j, ok := producer[t]; ok && j != i && !seen[j] {
				seen[j] = true
				indeg[i]++
				users[j] = append(users[j], i)
			}
		}
	}
	less := func(a, b int) bool {
		ia, ib := ns[a].Info, ns[b].Info
		if ka, kb := kindOrder(ia.Kind), kindOrder(ib.Kind); ka != kb {
			return ka < kb
		}
		// Incremental stages read the most heavily throttled endpoint (the
		// sign-in log: 5 requests per 10 s), so they are the critical path
		// of a run: the runner starts stages in this order, and starting
		// them first keeps the other stages from delaying them.
		if ia.Incremental != ib.Incremental {
			return ia.Incremental
		}
		return ia.Name < ib.Name
	}
	var ready []int
	for i := range ns {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	var out []Node
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool { return less(ready[i], ready[j]) })
		i := ready[0]
		ready = ready[1:]
		out = append(out, ns[i])
		for _, u := range users[i] {
			indeg[u]--
			if indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) != len(ns) {
		return nil, fmt.Errorf("stage dependencies form a cycle: %s", strings.Join(cycle(ns, producer, indeg), " → "))
	}
	return out, nil
}

// cycle names the stages of one dependency cycle, first stage repeated at
// the end, among the nodes order could not place (indeg > 0): each of them
// waits for another unplaced one, so following those waits must loop.
func cycle(ns []Node, producer map[string]int, indeg []int) []string {
	waitsOn := func(i int) int {
		for _, t := range ns[i].Waits() {
			if j, ok := producer[t]; ok && j != i && indeg[j] > 0 {
				return j
			}
		}
		return -1
	}
	at := slices.IndexFunc(indeg, func(d int) bool { return d > 0 })
	seen := map[int]int{} // node → position in path
	var path []int
	for at >= 0 {
		if k, ok := seen[at]; ok {
			var names []string
			for _, i := range path[k:] {
				names = append(names, ns[i].Info.Name)
			}
			return append(names, ns[at].Info.Name)
		}
		seen[at] = len(path)
		path = append(path, at)
		at = waitsOn(at)
	}
	return nil // not reached: an unplaced node always waits on another
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
