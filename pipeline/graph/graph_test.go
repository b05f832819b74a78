package graph_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/graph"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// fakeStage is a stage that only describes itself.
type fakeStage struct{ info stages.Info }

func (f fakeStage) Info() stages.Info { return f.info }
func (f fakeStage) Run(context.Context, *stages.Request) (*stages.Result, error) {
	return &stages.Result{}, nil
}

func registry(t *testing.T) *stages.Registry {
	var ss []stages.Stage
	for _, tab := range schemas.RawTables {
		info := stages.Single(tab.Name, stages.KindExtract, stages.LayerRaw)
		if tab.Name == schemas.TableReportSettings {
			info.After = []string{schemas.TableReportOffice365ActiveUser}
		}
		if tab.Name == schemas.TableSignIns {
			info.Incremental = true
		}
		ss = append(ss, fakeStage{info})
	}
	activity := stages.Single("license_activity", stages.KindTransform, stages.LayerCurated)
	activity.Needs = []string{schemas.TableUsers, schemas.TableSignIns}
	ss = append(ss, fakeStage{activity})
	r, err := stages.NewRegistry(ss...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tables(g *graph.Graph) []string {
	var out []string
	for _, n := range g.Stages {
		out = append(out, n.TableNames()...)
	}
	return out
}

func TestBuildChoosesOnlyWhatRulesNeed(t *testing.T) {
	base := []string{schemas.TableSubscribedSkus, schemas.TableUserLicenseAssignments, schemas.TableUsers}
	for _, tc := range []struct {
		name      string
		signals   []config.Signal
		activity  bool
		dynamics  bool
		groups    bool
		signInLog bool
		reclaim   bool
		action    config.Action
		want      []string
	}{
		{name: "download_activity off", signals: config.AllSignals, activity: false, dynamics: true, signInLog: true,
			want: base},
		{name: "office365 only", signals: []config.Signal{config.SignalOffice365}, activity: true, action: config.ActionReport,
			want: append([]string{schemas.TableReportOffice365ActiveUser, schemas.TableReportSettings}, base...)},
		{name: "sign_in without the log", signals: []config.Signal{config.SignalSignIn}, activity: true, action: config.ActionReport,
			want: base},
		{name: "sign_in with the log", signals: []config.Signal{config.SignalSignIn}, activity: true, signInLog: true, action: config.ActionReport,
			want: []string{schemas.TableSignIns, schemas.TableSubscribedSkus, schemas.TableUserLicenseAssignments, schemas.TableUsers}},
		{name: "dynamics signal without environments", signals: []config.Signal{config.SignalDynamics}, activity: true, action: config.ActionReport,
			want: base},
		{name: "dynamics with an environment", signals: []config.Signal{config.SignalDynamics}, activity: true, dynamics: true, action: config.ActionReport,
			want: append([]string{schemas.TableDataverseAudits, schemas.TableDataverseSystemUsers}, base...)},
		{name: "environment but no dynamics rule", signals: []config.Signal{config.SignalSignIn}, activity: true, dynamics: true, action: config.ActionReport,
			want: base},
		{name: "removal checks data at risk", signals: []config.Signal{config.SignalTeams}, activity: true, action: config.ActionRemoveLicense,
			want: append([]string{schemas.TableReportMailboxUsage, schemas.TableReportOneDriveUsageAccount, schemas.TableReportSettings,
				schemas.TableReportTeamsUserActivity}, base...)},
		{name: "exclusion groups", signals: nil, groups: true, action: config.ActionReport,
			want: append([]string{schemas.TableGroupMembers}, base...)},
		{name: "reclaim on reads subscriptions", signals: nil, reclaim: true, action: config.ActionRemoveLicense,
			want: append([]string{schemas.TableSubscriptions}, base...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &config.Profile{Name: "p", Tasks: config.Tasks{DownloadActivity: tc.activity, ReclaimSubscriptions: tc.reclaim}}
			if tc.dynamics {
				p.Dynamics = []*config.DynamicsEnvironment{{Name: "e", URL: "https://e"}}
			}
			cfg := &config.Config{Profiles: map[string]*config.Profile{"p": p},
				ReclaimRules: []*config.ReclaimRule{{Name: "r", Signals: tc.signals, Action: tc.action}}}
			if tc.groups {
				cfg.Exclusions = []*config.Exclusion{{Name: "x", Groups: []string{"g"}}}
			}
			g, err := graph.Build(cfg, p, registry(t), graph.Selection{Kinds: []stages.Kind{stages.KindExtract}, SignInLog: tc.signInLog})
			if err != nil {
				t.Fatal(err)
			}
			got := tables(g)
			sort.Strings(got)
			sort.Strings(tc.want)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tables\n got %v\nwant %v", got, tc.want)
			}
			// Every raw table is either chosen or skipped with a reason.
			if n := len(got) + len(g.Skipped); n != len(schemas.RawTables) {
				t.Errorf("%d chosen + %d skipped != %d raw tables", len(got), len(g.Skipped), len(schemas.RawTables))
			}
		})
	}
}

func TestBuildOrdersByNeedsAndChecksOnly(t *testing.T) {
	p := &config.Profile{Name: "p", Tasks: config.Tasks{DownloadActivity: true}}
	cfg := &config.Config{Profiles: map[string]*config.Profile{"p": p},
		ReclaimRules: []*config.ReclaimRule{{Name: "r", Signals: config.AllSignals}}}
	g, err := graph.Build(cfg, p, registry(t), graph.Selection{SignInLog: true})
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, tab := range tables(g) {
		pos[tab] = i
	}
	if pos["license_activity"] < pos[schemas.TableUsers] || pos["license_activity"] < pos[schemas.TableSignIns] {
		t.Errorf("transform before its needs: %v", tables(g))
	}
	if pos[schemas.TableReportSettings] < pos[schemas.TableReportOffice365ActiveUser] {
		t.Errorf("report_settings before the report it runs after: %v", tables(g))
	}
	// The sign-in log is the throttle-bound critical path: it starts first.
	if pos[schemas.TableSignIns] != 0 {
		t.Errorf("sign_ins should be the first stage, got position %d: %v", pos[schemas.TableSignIns], tables(g))
	}
	_, err = graph.Build(cfg, p, registry(t), graph.Selection{Only: []string{"user"}})
	if err == nil || !strings.Contains(err.Error(), `did you mean "users"`) {
		t.Errorf("--only user: error %v, want a suggestion", err)
	}
}

// An sql_stage limited to some profiles is skipped, with the reason, for the
// others.
func TestBuildSkipsSQLStagesOfOtherProfiles(t *testing.T) {
	p := &config.Profile{Name: "p", Tasks: config.Tasks{DownloadActivity: true}}
	cfg := &config.Config{Profiles: map[string]*config.Profile{"p": p},
		SQLStages: []*config.SQLStage{{Name: "for_p", Profiles: []string{"p"}}, {Name: "for_q", Profiles: []string{"q"}}, {Name: "for_all"}}}
	var ss []stages.Stage
	for _, name := range []string{"for_p", "for_q", "for_all"} {
		ss = append(ss, fakeStage{stages.Single(name, stages.KindTransform, stages.LayerCurated)})
	}
	reg, err := stages.NewRegistry(ss...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.Build(cfg, p, reg, graph.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	got := tables(g)
	sort.Strings(got)
	if want := []string{"for_all", "for_p"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stages %v; want %v", got, want)
	}
	found := false
	for _, s := range g.Skipped {
		if s.Table == "for_q" {
			found = s.Reason == `sql_stage "for_q" is for profiles q`
			if !found {
				t.Errorf("reason %q", s.Reason)
			}
		}
	}
	if !found {
		t.Errorf("for_q not among the skipped: %v", g.Skipped)
	}
}

// A stage producing several tables is one node; the graph keeps the tables
// the selection and the profile's needs ask for, and a sql_stage table of
// another profile is dropped from it alone.
func TestBuildKeepsTheTablesOfAMultiTableStageItNeeds(t *testing.T) {
	p := &config.Profile{Name: "p"}
	cfg := &config.Config{Profiles: map[string]*config.Profile{"p": p},
		SQLStages: []*config.SQLStage{{Name: "for_q", Profiles: []string{"q"}}}}
	dir := stages.Info{Name: "directory", Kind: stages.KindExtract, Tables: []stages.Table{
		{Name: schemas.TableUsers, Layer: stages.LayerRaw}, {Name: schemas.TableSignIns, Layer: stages.LayerRaw}}}
	tr := stages.Info{Name: "transform", Kind: stages.KindTransform, Tables: []stages.Table{
		{Name: "a", Layer: stages.LayerCurated}, {Name: "b", Layer: stages.LayerCurated, Needs: []string{schemas.TableUsers}},
		{Name: "for_q", Layer: stages.LayerCurated}}}
	reg, err := stages.NewRegistry(fakeStage{dir}, fakeStage{tr})
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.Build(cfg, p, reg, graph.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	// sign_ins: download_activity is off, so the profile needs only users.
	if got := tables(g); !reflect.DeepEqual(got, []string{schemas.TableUsers, "a", "b"}) {
		t.Errorf("tables %v", got)
	}
	if len(g.Stages) != 2 || g.Stages[1].Info.Name != "transform" {
		t.Fatalf("stages %+v, want directory then transform (b needs users)", g.Stages)
	}
	g, err = graph.Build(cfg, p, reg, graph.Selection{Only: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tables(g); !reflect.DeepEqual(got, []string{"b"}) {
		t.Errorf("--only b: tables %v", got)
	}
}

// A cycle is refused naming the stages in it, in the order they wait for
// each other, and not a stage merely waiting on it.
func TestBuildNamesTheStagesOfACycle(t *testing.T) {
	p := &config.Profile{Name: "p"}
	cfg := &config.Config{Profiles: map[string]*config.Profile{"p": p}}
	mk := func(name string, needs ...string) stages.Stage {
		info := stages.Single(name, stages.KindTransform, stages.LayerCurated)
		info.Needs = needs
		return fakeStage{info}
	}
	reg, err := stages.NewRegistry(mk("a", "c"), mk("b", "a"), mk("c", "b"), mk("waiter", "a"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = graph.Build(cfg, p, reg, graph.Selection{})
	if err == nil || !strings.Contains(err.Error(), "stage dependencies form a cycle: a → c → b → a") {
		t.Errorf("error %v, want the cycle a → c → b → a named", err)
	}
	if err != nil && strings.Contains(err.Error(), "waiter") {
		t.Errorf("error %v names waiter, which only waits on the cycle", err)
	}
}
