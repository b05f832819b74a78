package lake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/store/lake"
	"github.com/reclaimhq/reclaim/pipeline/store/lake/azurite"
)

func TestMain(m *testing.M) {
	code := m.Run()
	azurite.Stop()
	os.Exit(code)
}

// remote is a fresh container of the shared Azurite as output.url.
func remote(t *testing.T) *config.Remote {
	t.Helper()
	az := azurite.Start(t)
	c := az.Container(t)
	return &config.Remote{URL: "az://" + azurite.Account + "/" + c + "/lake", Scheme: config.RemoteAzure,
		Account: azurite.Account, Container: c, Prefix: "lake", Endpoint: az.Endpoint, SharedKey: config.NewSecret(azurite.Key)}
}

func open(t *testing.T, r *config.Remote) (store.Objects, store.Leases) {
	t.Helper()
	objs, leases, err := lake.Open(r, lake.Credential{})
	if err != nil {
		t.Fatal(err)
	}
	return objs, leases
}

func TestAzureObjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	objs, _ := open(t, remote(t))
	dir := t.TempDir()
	f := filepath.Join(dir, "part-0.parquet")
	os.WriteFile(f, []byte("first"), 0o600)
	if err := objs.Put(ctx, "p/raw/users/snapshot_date=2026-01-01/part-0.parquet", f, "abc"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f, []byte("second, longer"), 0o600)
	if err := objs.Put(ctx, "p/raw/users/snapshot_date=2026-01-01/part-0.parquet", f, "def"); err != nil {
		t.Fatal(err)
	}
	if err := objs.Put(ctx, "p/state.json", f, "def"); err != nil {
		t.Fatal(err)
	}
	if err := objs.Put(ctx, "p2/state.json", f, "x"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := objs.Get(ctx, "p/raw/users/snapshot_date=2026-01-01/part-0.parquet", &buf); err != nil || buf.String() != "second, longer" {
		t.Fatalf("get: %q, %v", buf.String(), err)
	}
	if err := objs.Get(ctx, "p/none", io.Discard); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a missing key: %v, want fs.ErrNotExist", err)
	}
	list, err := objs.List(ctx, "p/")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Object{{Key: "p/raw/users/snapshot_date=2026-01-01/part-0.parquet", Size: 14, SHA256: "def"}, {Key: "p/state.json", Size: 14, SHA256: "def"}}
	if len(list) != len(want) || list[0] != want[0] || list[1] != want[1] {
		t.Errorf("list p/: %+v, want %+v", list, want)
	}
}

func TestAzureLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, leases := open(t, remote(t))
	me := store.Holder{Command: "run", PID: 41, Host: "host-a", Since: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	release, _, err := leases.Lease(ctx, "p/.lock", me)
	if err != nil {
		t.Fatal(err)
	}
	_, holder, err := leases.Lease(ctx, "p/.lock", store.Holder{Command: "apply", PID: 42, Host: "host-b"})
	if !errors.Is(err, store.ErrLeaseHeld) || holder != me {
		t.Fatalf("second lease: holder %+v, err %v; want ErrLeaseHeld naming %+v", holder, err, me)
	}
	release()
	release() // twice is harmless
	release2, _, err := leases.Lease(ctx, "p/.lock", store.Holder{Command: "apply", PID: 42, Host: "host-b"})
	if err != nil {
		t.Fatalf("lease after release: %v", err)
	}
	release2()
}

// TestAzureLeaseRenewed: a lock held longer than its lease is still held,
// because the driver renews it. It runs with the shortest lease Azure
// grants (15 s) and waits past it; not parallel, as it sets the package's
// durations (parallel tests start only after it ends).
func TestAzureLeaseRenewed(t *testing.T) {
	ctx := context.Background()
	_, leases := open(t, remote(t))
	defer func(d int32, r time.Duration) { lake.LeaseDuration, store.LeaseRenewal = d, r }(lake.LeaseDuration, store.LeaseRenewal)
	lake.LeaseDuration, store.LeaseRenewal = 15, 3*time.Second
	release, _, err := leases.Lease(ctx, "p/.lock", store.Holder{Command: "run", PID: 1, Host: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	time.Sleep(17 * time.Second)
	if _, _, err := leases.Lease(ctx, "p/.lock", store.Holder{Command: "run", PID: 2, Host: "b"}); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("after the lease's duration, another holder got: %v; want ErrLeaseHeld (renewed)", err)
	}
}

// TestStoreRoundTrip: a Store with the Azure remote publishes what it
// commits, and a fresh working directory reads state, manifests, journals
// and the newest partition of each table back.
func TestStoreRoundTrip(t *testing.T) {
	t.Parallel()
	backends := map[string]func(*testing.T) (*config.Remote, lake.Credential){
		"azurite": func(t *testing.T) (*config.Remote, lake.Credential) { return remote(t), lake.Credential{} },
		"s3":      s3Remote,
	}
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testStoreRoundTrip(t, backend)
		})
	}
}

func testStoreRoundTrip(t *testing.T, backend func(*testing.T) (*config.Remote, lake.Credential)) {
	ctx := context.Background()
	r, cred := backend(t)
	host1 := newStoreCred(t, r, cred, t.TempDir())
	p1 := host1.Profile("p")
	day1, day2 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	l, err := host1.Lock(ctx, p1, store.LockOptions{Command: "run"})
	if err != nil {
		t.Fatal(err)
	}
	write(t, host1, p1.Partition(store.Raw, "users", day1), store.KindSnapshot, "users day 1")
	write(t, host1, p1.Partition(store.Raw, "users", day2), store.KindSnapshot, "users day 2")
	write(t, host1, p1.Partition(store.Curated, "recommendations", day2), store.KindSnapshot, "recs day 2")
	st, _ := host1.LoadState(p1)
	if err := st.Put("sign_ins", map[string]string{"watermark": "2026-01-02T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	if err := host1.WriteManifest(p1, &store.Manifest{RunID: "20260102T000000Z-aaaa", Profile: "p", Status: store.StatusOK}); err != nil {
		t.Fatal(err)
	}
	j, _ := store.OpenAppend(p1.JournalPath("abc"), 0o600)
	j.WriteString("{\"entry\":1}\n{\"torn")
	j.Close()
	l.Unlock()
	if err := host1.PublishErr(); err != nil {
		t.Fatal(err)
	}

	host2 := newStoreCred(t, r, cred, t.TempDir())
	p2 := host2.Profile("p")
	l2, err := host2.Lock(ctx, p2, store.LockOptions{Command: "run"})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Unlock()
	st2, err := host2.LoadState(p2)
	if err != nil || st2.Get("sign_ins")["watermark"] != "2026-01-02T00:00:00Z" {
		t.Fatalf("state on a fresh host: %v, %v", st2.Get("sign_ins"), err)
	}
	if got := p2.LatestPartition(store.Raw, "users", day2); got != p2.Partition(store.Raw, "users", day2) || read(t, got) != "users day 2" {
		t.Errorf("newest users partition: %s", got)
	}
	if _, err := os.Stat(p2.Partition(store.Raw, "users", day1)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("older partitions are not read back: %v", err)
	}
	if got := read(t, p2.Partition(store.Curated, "recommendations", day2)); got != "recs day 2" {
		t.Errorf("recommendations: %q", got)
	}
	if len(p2.ManifestPaths()) != 1 {
		t.Errorf("manifests: %v", p2.ManifestPaths())
	}
	if got := read(t, p2.JournalPath("abc")); got != "{\"entry\":1}\n" {
		t.Errorf("journal read back %q, want its complete lines", got)
	}
}

// TestFailedPublishKeepsPreviousSnapshot: a run whose publishing fails
// halfway (the second upload of the run fails, later ones would succeed)
// publishes nothing more of that profile — no manifest, no state — so a
// reader going through manifests still finds the previous run's, whose
// files are all there; other profiles publish on.
func TestFailedPublishKeepsPreviousSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := remote(t)
	day1, day2 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	good := newStore(t, r, t.TempDir())
	run(t, good, day1, "run1")
	if err := good.PublishErr(); err != nil {
		t.Fatal(err)
	}

	objs, leases := open(t, r)
	failing := &failAfter{Objects: objs, n: 1}
	bad := &store.Store{Dir: t.TempDir(), Remote: &store.Remote{URL: r.URL,
		Open: func(string) (store.Objects, store.Leases, error) { return failing, leases, nil }}}
	run(t, bad, day2, "run2")
	if err := bad.PublishErr(); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("PublishErr = %v, want the injected failure", err)
	}

	list, err := objs.List(ctx, "p/runs/")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !strings.Contains(list[0].Key, "run1") {
		t.Fatalf("published manifests %+v, want run1's only", list)
	}
	var m bytes.Buffer
	if err := objs.Get(ctx, list[0].Key, &m); err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{"p/raw/users/snapshot_date=2026-01-01/part-0.parquet", "p/raw/groups/snapshot_date=2026-01-01/part-0.parquet"} {
		var b bytes.Buffer
		if err := objs.Get(ctx, rec, &b); err != nil || b.String() != "run1" {
			t.Errorf("run1's %s: %q, %v", rec, b.String(), err)
		}
	}
	var st bytes.Buffer
	objs.Get(ctx, "p/state.json", &st)
	if !strings.Contains(st.String(), "run1") {
		t.Errorf("state was replaced by the failed run's: %s", st.String())
	}
	// Another profile of the same store publishes on.
	q := bad.Profile("q")
	if err := bad.WriteManifest(q, &store.Manifest{RunID: "runq", Profile: "q", Status: store.StatusOK}); err != nil {
		t.Fatal(err)
	}
	if err := objs.Get(ctx, "q/runs/runq/manifest.json", io.Discard); err != nil {
		t.Errorf("profile q's manifest after profile p's failure: %v", err)
	}
}

// run commits what a run commits, in the runner's order: partitions, state,
// the manifest last.
func run(t *testing.T, s *store.Store, day time.Time, id string) {
	t.Helper()
	p := s.Profile("p")
	write(t, s, p.Partition(store.Raw, "users", day), store.KindSnapshot, id)
	write(t, s, p.Partition(store.Raw, "groups", day), store.KindSnapshot, id)
	st, _ := s.LoadState(p)
	st.Put("sign_ins", map[string]string{"watermark": id})
	s.WriteManifest(p, &store.Manifest{RunID: id, Profile: "p", Status: store.StatusOK})
}

type failAfter struct {
	store.Objects
	n    int64
	puts atomic.Int64
}

func (f *failAfter) Put(ctx context.Context, key, local, sum string) error {
	if f.puts.Add(1) == f.n+1 { // one upload fails; the next would succeed
		return errors.New("injected failure")
	}
	return f.Objects.Put(ctx, key, local, sum)
}

func newStore(t *testing.T, r *config.Remote, dir string) *store.Store {
	return newStoreCred(t, r, lake.Credential{}, dir)
}

func newStoreCred(t *testing.T, r *config.Remote, cred lake.Credential, dir string) *store.Store {
	return &store.Store{Dir: dir, Remote: &store.Remote{URL: r.URL, Open: func(string) (store.Objects, store.Leases, error) {
		return lake.Open(r, cred)
	}}}
}

func write(t *testing.T, s *store.Store, path string, kind store.Kind, text string) {
	t.Helper()
	if err := s.WriteFile(path, kind, 0o600, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
