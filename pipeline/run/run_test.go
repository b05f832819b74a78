package run_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// rowsStage writes n subscribed_skus rows then fails if fail is set (after
// writing, to prove a half-written file never lands). Called counts runs.
type rowsStage struct {
	table   string
	n       int
	fail    bool
	state   map[string]string
	Called  int
	block   chan struct{}
	started chan struct{}
}

func (s *rowsStage) Info() stages.Info {
	return stages.Single(s.table, stages.KindExtract, stages.LayerRaw)
}

func (s *rowsStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	s.Called++
	if s.block != nil {
		close(s.started)
		select {
		case <-s.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	w := stages.NewWriter[schemas.SubscribedSku](req)
	for i := 0; i < s.n; i++ {
		if err := w.Write(schemas.SubscribedSku{SkuID: "s"}); err != nil {
			return nil, err
		}
	}
	if s.fail {
		return nil, errors.New("boom")
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &stages.Result{Rows: w.Rows(), State: s.state}, nil
}

func setup(t *testing.T, ss ...stages.Stage) (*run.Runner, *config.Config, string) {
	reg, err := stages.NewRegistry(ss...)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	p := &config.Profile{Name: "p"}
	cfg := &config.Config{Profiles: map[string]*config.Profile{"p": p}, Output: &config.Output{Dir: out}}
	return &run.Runner{Registry: reg}, cfg, out
}

var day = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func rows(t *testing.T, path string) int {
	r, err := parquet.ReadFile[schemas.SubscribedSku](path)
	if err != nil {
		t.Fatal(err)
	}
	return len(r)
}

func TestSameDayRerunReplacesPartitionAndFailureKeepsIt(t *testing.T) {
	ok := &rowsStage{table: schemas.TableSubscribedSkus, n: 5, state: map[string]string{"w": "1"}}
	r, cfg, out := setup(t, ok)
	if _, err := r.Run(context.Background(), run.Request{Config: cfg, AsOf: day}); err != nil {
		t.Fatal(err)
	}
	path := store.ProfileAt(out, "p").Partition(stages.LayerRaw, schemas.TableSubscribedSkus, day)
	if n := rows(t, path); n != 5 {
		t.Fatalf("%d rows, want 5", n)
	}
	ok.n, ok.state = 7, map[string]string{"w": "2"}
	if _, err := r.Run(context.Background(), run.Request{Config: cfg, AsOf: day}); err != nil {
		t.Fatal(err)
	}
	if n := rows(t, path); n != 7 {
		t.Fatalf("re-run: %d rows, want 7 (replaced)", n)
	}
	ok.n, ok.fail, ok.state = 9, true, map[string]string{"w": "3"}
	ms, err := r.Run(context.Background(), run.Request{Config: cfg, AsOf: day})
	if err == nil || !errors.Is(err, run.ErrStagesFailed) {
		t.Fatalf("failing run: error %v", err)
	}
	if n := rows(t, path); n != 7 {
		t.Errorf("after a failed re-run: %d rows, want the earlier 7", n)
	}
	st, _ := os.ReadFile(filepath.Join(out, "p", "state.json"))
	if !strings.Contains(string(st), `"w": "2"`) {
		t.Errorf("state after failure: %s, want w=2 kept", st)
	}
	if ms[0].Stages[0].Error != "boom" || ms[0].Status != "failed" {
		t.Errorf("manifest: %+v", ms[0])
	}
	runs, _ := os.ReadDir(filepath.Join(out, "p", "runs"))
	if len(runs) != 3 {
		t.Errorf("%d run manifests, want 3", len(runs))
	}
	noTemporaryFiles(t, filepath.Join(out, "p"))
}

// noTemporaryFiles fails when a temporary file (.…tmp-*) is left anywhere
// under root.
func noTemporaryFiles(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), "tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestSecondRunOfAProfileIsLockedOut(t *testing.T) {
	slow := &rowsStage{table: schemas.TableSubscribedSkus, n: 1, block: make(chan struct{}), started: make(chan struct{})}
	r, cfg, _ := setup(t, slow)
	done := make(chan error)
	go func() {
		_, err := r.Run(context.Background(), run.Request{Config: cfg, AsOf: day})
		done <- err
	}()
	<-slow.started
	_, err := r.Run(context.Background(), run.Request{Config: cfg, AsOf: day})
	var locked *store.LockedError
	if !errors.As(err, &locked) || locked.Holder.Command != "run" || !strings.Contains(err.Error(), "reclaim run (pid ") {
		t.Errorf("concurrent run: error %v, want lock refusal naming the holder", err)
	}
	close(slow.block)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestInterruptedRunWritesManifestAndUnlocks: cancelling the context (what
// SIGINT/SIGTERM do in the CLI) mid-stage ends the run with ErrInterrupted,
// a manifest with status "interrupted", no snapshot, and the lock free.
func TestInterruptedRunWritesManifestAndUnlocks(t *testing.T) {
	slow := &rowsStage{table: schemas.TableSubscribedSkus, n: 1, block: make(chan struct{}), started: make(chan struct{})}
	r, cfg, out := setup(t, slow)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	var ms []*run.Manifest
	go func() {
		var err error
		ms, err = r.Run(ctx, run.Request{Config: cfg, AsOf: day})
		done <- err
	}()
	<-slow.started
	cancel()
	err := <-done
	if !errors.Is(err, run.ErrInterrupted) {
		t.Fatalf("interrupted run: error %v, want ErrInterrupted", err)
	}
	if len(ms) != 1 || ms[0].Status != run.StatusInterrupted {
		t.Fatalf("manifests: %+v", ms)
	}
	b, err := os.ReadFile(filepath.Join(out, "p", "runs", ms[0].RunID, "manifest.json"))
	if err != nil || !strings.Contains(string(b), `"status": "interrupted"`) {
		t.Fatalf("manifest on disk: %v\n%s", err, b)
	}
	if _, err := os.Stat(store.ProfileAt(out, "p").Partition(stages.LayerRaw, schemas.TableSubscribedSkus, day)); !os.IsNotExist(err) {
		t.Errorf("an interrupted stage left its snapshot: %v", err)
	}
	l, err := store.ProfileAt(out, "p").Lock(context.Background(), store.LockOptions{Command: "run"})
	if err != nil {
		t.Fatalf("lock after an interrupted run: %v", err)
	}
	l.Unlock()
}

// multiStage produces tables "good", "bad" and "needy" (which needs
// subscribed_skus). It writes good through Output and bad through
// OutputPath (as DuckDB does, replacing the file), then reports bad failed.
type multiStage struct {
	req *stages.Request
}

func (s *multiStage) Info() stages.Info {
	return stages.Info{Name: "multi", Kind: stages.KindTransform, Tables: []stages.Table{
		{Name: "good", Layer: stages.LayerCurated}, {Name: "bad", Layer: stages.LayerCurated},
		{Name: "needy", Layer: stages.LayerCurated, Needs: []string{schemas.TableSubscribedSkus}}}}
}

func (s *multiStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	s.req = req
	res := &stages.Result{Tables: map[string]stages.TableResult{}}
	out, err := req.Output("good")
	if err != nil {
		return nil, err
	}
	w := parquet.NewGenericWriter[schemas.SubscribedSku](out)
	if _, err := w.Write([]schemas.SubscribedSku{{SkuID: "a"}, {SkuID: "b"}}); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	res.Tables["good"] = stages.TableResult{Rows: 2}
	path, err := req.OutputPath("bad")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte("half"), 0o644); err != nil {
		return nil, err
	}
	res.Tables["bad"] = stages.TableResult{Err: errors.New("bad broke")}
	if _, err := req.Output("needy"); err == nil {
		return nil, errors.New("needy's output was handed out although its need failed")
	}
	return res, nil
}

// TestStageWithSeveralTables: each table of a stage is committed on its own
// (one manifest record each, with file and checksum); a table the stage
// reports failed is discarded alone, and one whose need failed in this run
// is not run and cannot be written.
func TestStageWithSeveralTables(t *testing.T) {
	skus := &rowsStage{table: schemas.TableSubscribedSkus, n: 1, fail: true}
	multi := &multiStage{}
	r, cfg, out := setup(t, skus, multi)
	ms, err := r.Run(context.Background(), run.Request{Config: cfg, AsOf: day})
	if !errors.Is(err, run.ErrStagesFailed) {
		t.Fatalf("error %v, want ErrStagesFailed", err)
	}
	if multi.req == nil {
		t.Fatal("multi did not run although only one of its tables needs the failed stage")
	}
	if got := multi.req.Blocked["needy"]; got != "needs subscribed_skus, which failed" {
		t.Errorf("needy blocked %q", got)
	}
	recs := map[string]run.StageRecord{}
	for _, rec := range ms[0].Stages {
		recs[rec.Table] = rec
	}
	root := filepath.Join(out, "p")
	good := recs["good"]
	if good.Status != "ok" || good.Stage != "multi" || good.Rows != 2 || good.SHA256 == "" || good.Bytes == 0 ||
		good.File != "curated/good/snapshot_date=2026-11-25/part-0.parquet" {
		t.Errorf("good: %+v", good)
	}
	if n := rows(t, store.Profile{Root: root}.Partition(stages.LayerCurated, "good", day)); n != 2 {
		t.Errorf("good has %d rows, want 2", n)
	}
	if bad := recs["bad"]; bad.Status != "failed" || bad.Error != "bad broke" || bad.File != "" {
		t.Errorf("bad: %+v", bad)
	}
	if _, err := os.Stat(store.Profile{Root: root}.Partition(stages.LayerCurated, "bad", day)); !os.IsNotExist(err) {
		t.Errorf("the failed table was committed: %v", err)
	}
	if needy := recs["needy"]; needy.Status != "not_run" || needy.Error != "needs subscribed_skus, which failed" {
		t.Errorf("needy: %+v", needy)
	}
	noTemporaryFiles(t, root)
}
