package lake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/store/lake"
)

// s3Remote is an in-process gofakes3 server over loopback HTTP: a fake of
// the S3 protocol (PutObject with If-None-Match / If-Match, GetObject,
// ListObjectsV2), not a real S3 — it checks our requests and the SDK's,
// not S3's semantics. Its bucket is "lake".
func s3Remote(t *testing.T) (*config.Remote, lake.Credential) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("lake"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return &config.Remote{URL: "s3://lake/reclaim", Scheme: config.RemoteS3, Account: "lake", Prefix: "reclaim",
			Endpoint: srv.URL, Region: "eu-west-1"},
		lake.Credential{AWS: credentials.NewStaticCredentialsProvider("test", "test", "")}
}

func TestS3ObjectsAndLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, cred := s3Remote(t)
	objs, leases, err := lake.Open(r, cred)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "f")
	os.WriteFile(f, []byte("snapshot"), 0o600)
	if err := objs.Put(ctx, "p/raw/users/snapshot_date=2026-01-01/part-0.parquet", f, "abc"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := objs.Get(ctx, "p/raw/users/snapshot_date=2026-01-01/part-0.parquet", &b); err != nil || b.String() != "snapshot" {
		t.Fatalf("get: %q %v", b.String(), err)
	}
	if err := objs.Get(ctx, "p/none", io.Discard); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing key: %v", err)
	}
	list, err := objs.List(ctx, "p/")
	if err != nil || len(list) != 1 || list[0].Key != "p/raw/users/snapshot_date=2026-01-01/part-0.parquet" || list[0].Size != 8 {
		t.Fatalf("list: %+v %v", list, err)
	}

	me := store.Holder{Command: "run", PID: 7, Host: "pod-a", Since: time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC)}
	release, _, err := leases.Lease(ctx, "p/.lock", me)
	if err != nil {
		t.Fatal(err)
	}
	_, holder, err := leases.Lease(ctx, "p/.lock", store.Holder{Command: "apply", PID: 8, Host: "pod-b"})
	if !errors.Is(err, store.ErrLeaseHeld) || holder != me {
		t.Fatalf("second lease: %+v, %v", holder, err)
	}
	release()
	release2, _, err := leases.Lease(ctx, "p/.lock", store.Holder{Command: "apply", PID: 8, Host: "pod-b"})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	release2()
}

// TestS3ExpiredLockTakenOver: a lock object whose holder stopped renewing
// (its expiry passed) is taken over; a live one is not.
func TestS3ExpiredLockTakenOver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, cred := s3Remote(t)
	objs, leases, err := lake.Open(r, cred)
	if err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(t.TempDir(), "lock")
	os.WriteFile(dead, []byte(`{"command":"run","pid":9,"host":"gone","since":"2026-01-01T00:00:00Z","expires":"2026-01-01T00:01:00Z"}`), 0o600)
	if err := objs.Put(ctx, "p/.lock", dead, ""); err != nil {
		t.Fatal(err)
	}
	release, _, err := leases.Lease(ctx, "p/.lock", store.Holder{Command: "run", PID: 10, Host: "pod-c"})
	if err != nil {
		t.Fatalf("expired lock not taken over: %v", err)
	}
	defer release()
	var b bytes.Buffer
	objs.Get(ctx, "p/.lock", &b)
	if !bytes.Contains(b.Bytes(), []byte(`"host":"pod-c"`)) {
		t.Fatalf("lock object after take-over: %s", b.String())
	}
}
