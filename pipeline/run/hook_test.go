package run_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// TestHookHearsEachCommittedFileOnce: through the real runner and store, a
// successful stage's run tells the after-commit hook of its snapshot, the
// state and the manifest, once each, by path relative to OUT; a failing
// re-run tells it of its manifest only — the discarded snapshot and the
// untouched state are never reported.
func TestHookHearsEachCommittedFileOnce(t *testing.T) {
	ok := &rowsStage{table: schemas.TableSubscribedSkus, n: 3, state: map[string]string{"w": "1"}}
	r, cfg, _ := setup(t, ok)
	var mu sync.Mutex
	var got []store.Commit
	r.Hook = func(c store.Commit) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, c)
	}
	ms, err := r.Run(context.Background(), run.Request{Config: cfg, AsOf: day})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Commit{
		{Path: "p/raw/subscribed_skus/snapshot_date=2026-11-25/part-0.parquet", Kind: store.KindSnapshot},
		{Path: "p/state.json", Kind: store.KindState},
		{Path: "p/runs/" + ms[0].RunID + "/manifest.json", Kind: store.KindManifest},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("hook heard %v,\nwant %v", got, want)
	}

	got = nil
	ok.fail = true
	ms, err = r.Run(context.Background(), run.Request{Config: cfg, AsOf: day})
	if err == nil {
		t.Fatal("a failing stage's run succeeded")
	}
	if want := []store.Commit{{Path: "p/runs/" + ms[0].RunID + "/manifest.json", Kind: store.KindManifest}}; !slices.Equal(got, want) {
		t.Fatalf("failed run: hook heard %v, want %v", got, want)
	}
}
