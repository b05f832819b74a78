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
		info := stages.Info{Table: tab.Name, Kind: stages.KindExtract, Layer: stages.LayerRaw}
		if tab.Name == schemas.TableReportSettings {
			info.After = []string{schemas.TableReportOffice365ActiveUser}
		}
		if tab.Name == schemas.TableSignIns {
			info.Incremental = true
		}
		ss = append(ss, fakeStage{info})
	}
	ss = append(ss, fakeStage{stages.Info{Table: "license_activity", Kind: stages.KindTransform, Layer: stages.LayerCurated,
		Needs: []string{schemas.TableUsers, schemas.TableSignIns}}})
	r, err := stages.NewRegistry(ss...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tables(g *graph.Graph) []string {
	var out []string
	for _, s := range g.Stages {
		out = append(out, s.Info().Table)
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
		ss = append(ss, fakeStage{stages.Info{Table: name, Kind: stages.KindTransform, Layer: stages.LayerCurated}})
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
