package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// A remote store (output.url) holds a copy of OUT in an object store, in
// the same layout: OUT stays the local working directory (DuckDB writes
// there, the journals are fsync'd there), and every file the store commits
// is published after its local commit, on the writer's goroutine, so files
// reach the remote in commit order. The runner commits a run's partitions
// and state as its stages finish and the manifest last, so the manifest is
// the run's commit record on the remote too: a reader that goes through
// manifests never sees a half-published run. Once a publish has failed,
// the Store publishes nothing more (no manifest naming a file that is not
// there, no watermark ahead of its snapshot) for that profile, and
// PublishErr says why; other profiles publish on.
//
// A fresh host (an empty OUT) continues where the last run left off:
// Store.Lock and Store.Pull read the profile's state, manifests, journals
// and the newest partition of every table back from the remote.

// Object is one object of a remote store.
type Object struct {
	// Key is relative to the remote's prefix, with forward slashes
	// ("p/runs/<id>/manifest.json").
	Key  string
	Size int64
	// SHA256 is the hex digest recorded when reclaim published it; "" when
	// the object was written by something else.
	SHA256 string
}

// Objects is an object store under one prefix. Implementations are safe for
// concurrent use.
type Objects interface {
	// Put uploads the local file at local to key, replacing any object
	// there in one step: a reader sees the old object or the new one,
	// never part of it. sha256 is recorded with it.
	Put(ctx context.Context, key, local, sha256 string) error
	// Get writes key's content to w; an error wrapping fs.ErrNotExist
	// when there is no such object.
	Get(ctx context.Context, key string, w io.Writer) error
	// List lists the objects whose key starts with prefix, in key order.
	List(ctx context.Context, prefix string) ([]Object, error)
}

// Leases takes the cross-host profile lock of a remote store: an Azure blob
// lease, an S3 conditional create.
type Leases interface {
	// Lease takes the lock at key for me, renewing it until release is
	// called. When another holder has it, it returns an error wrapping
	// ErrLeaseHeld and that holder (zero when unreadable). It never breaks
	// or takes over a lock that is not its own while the lock is live.
	Lease(ctx context.Context, key string, me Holder) (release func(), holder Holder, err error)
}

// ErrLeaseHeld is wrapped by Leases.Lease's error when another process
// holds the lock.
var ErrLeaseHeld = errors.New("lease held by another process")

// Remote is the object store of a Store.
type Remote struct {
	// URL is output.url as written, for messages.
	URL string
	// Open returns the objects and leases of a profile's files. Each
	// profile may authenticate differently (its own credential); the Store
	// opens each profile once.
	Open func(profile string) (Objects, Leases, error)

	mu     sync.Mutex
	opened map[string]opened
	failed []error
	// stopped: profiles a publish failed for, which publish nothing more.
	stopped map[string]bool
}

type opened struct {
	objects Objects
	leases  Leases
	err     error
}

// publishTimeout bounds one upload; the SDKs retry within it.
const publishTimeout = 10 * time.Minute

func (r *Remote) open(profile string) (Objects, Leases, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if o, ok := r.opened[profile]; ok {
		return o.objects, o.leases, o.err
	}
	var o opened
	o.objects, o.leases, o.err = r.Open(profile)
	if o.err != nil {
		o.err = fmt.Errorf("opening %s for profile %q: %w", r.URL, profile, o.err)
	}
	if r.opened == nil {
		r.opened = map[string]opened{}
	}
	r.opened[profile] = o
	return o.objects, o.leases, o.err
}

// PublishErr is every failed publish of the store so far, joined; nil when
// there is no remote or all went well.
func (s *Store) PublishErr() error {
	if s == nil || s.Remote == nil {
		return nil
	}
	r := s.Remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.failed) == 0 {
		return nil
	}
	return fmt.Errorf("publishing to %s: %w (the local copy under %s is complete; the next run publishes again)", r.URL, errors.Join(r.failed...), s.Dir)
}

// publish uploads a committed file (rel to Dir) to the remote.
func (s *Store) publish(rel string, kind Kind) {
	r := s.Remote
	if kind == KindOther || filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
		return // not part of the output layout
	}
	profile, _, ok := strings.Cut(rel, "/")
	if !ok {
		return
	}
	r.mu.Lock()
	stopped := r.stopped[profile]
	r.mu.Unlock()
	if stopped {
		return
	}
	err := s.upload(profile, rel, kind)
	if err != nil {
		r.mu.Lock()
		r.failed = append(r.failed, err)
		if r.stopped == nil {
			r.stopped = map[string]bool{}
		}
		r.stopped[profile] = true
		r.mu.Unlock()
	}
}

func (s *Store) upload(profile, rel string, kind Kind) error {
	objs, _, err := s.Remote.open(profile)
	if err != nil {
		return err
	}
	local := filepath.Join(s.Dir, filepath.FromSlash(rel))
	sum, err := FileSHA256(local)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	if err := objs.Put(ctx, rel, local, sum); err != nil {
		return fmt.Errorf("%s %s: %w", kind, rel, err)
	}
	return nil
}

// PublishJournals uploads the profile's JSON Lines journals whose remote
// copy is shorter than the local one, up to their last complete line (an
// entry being appended is left for the next publish). Journals are appended
// and fsync'd locally, not committed, so no hook hears of them: the store's
// Lock publishes them while it is held (every LeaseRenewal) and on Unlock,
// when apply or undo ends.
func (s *Store) PublishJournals(ctx context.Context, p Profile) error {
	if s == nil || s.Remote == nil {
		return nil
	}
	objs, remote, err := s.list(ctx, p, "journal/")
	if err != nil {
		return err
	}
	sizes := map[string]int64{}
	for _, o := range remote {
		sizes[o.Key] = o.Size
	}
	var errs []error
	for _, j := range p.JournalPaths() {
		key := s.rel(j)
		b, err := os.ReadFile(j)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		b = b[:strings.LastIndexByte(string(b), '\n')+1]
		if int64(len(b)) <= sizes[key] {
			continue
		}
		if err := putBytes(ctx, objs, key, b); err != nil {
			errs = append(errs, fmt.Errorf("journal %s: %w", key, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("publishing journals to %s: %w", s.Remote.URL, err)
	}
	return nil
}

// putBytes uploads b through a temporary file (the Objects interface uploads
// files, which the SDKs stream in blocks).
func putBytes(ctx context.Context, objs Objects, key string, b []byte) error {
	f, err := os.CreateTemp("", "reclaim-publish-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	return objs.Put(ctx, key, f.Name(), hex.EncodeToString(sum[:]))
}

// Pull brings the profile's files from the remote into OUT where the local
// copy is missing or differs: state.json, every run manifest, every journal
// (only when the remote one is longer: the local journal is the fsync'd
// truth of this host) and the newest partition of every raw and curated
// table. It is what lets a fresh host continue the incremental extracts and
// plan, apply or undo what another host ran. Store.Lock pulls; plan, which
// takes no lock, calls it itself. Without a remote it does nothing.
func (s *Store) Pull(ctx context.Context, p Profile) error {
	if s == nil || s.Remote == nil {
		return nil
	}
	name := s.rel(p.Root)
	objs, all, err := s.list(ctx, p, "")
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range pullSet(name, all) {
		if err := s.pullOne(ctx, objs, o); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("reading profile %q back from %s: %w", name, s.Remote.URL, err)
	}
	return nil
}

// list lists the remote objects of profile p under sub ("journal/", "").
func (s *Store) list(ctx context.Context, p Profile, sub string) (Objects, []Object, error) {
	name := s.rel(p.Root)
	objs, _, err := s.Remote.open(name)
	if err != nil {
		return nil, nil, err
	}
	list, err := objs.List(ctx, name+"/"+sub)
	if err != nil {
		return nil, nil, fmt.Errorf("listing %s/%s/%s: %w", s.Remote.URL, name, sub, err)
	}
	return objs, list, nil
}

// pullSet chooses the objects a host needs from a profile's listing.
func pullSet(profile string, all []Object) []Object {
	var out []Object
	newest := map[string]Object{} // layer/table → newest partition
	for _, o := range all {
		rest := strings.TrimPrefix(o.Key, profile+"/")
		parts := strings.Split(rest, "/")
		switch {
		case rest == "state.json",
			len(parts) == 3 && parts[0] == "runs" && parts[2] == ManifestFile,
			len(parts) == 2 && parts[0] == "journal":
			out = append(out, o)
		case len(parts) == 4 && (parts[0] == string(Raw) || parts[0] == string(Curated)) &&
			strings.HasPrefix(parts[2], partitionPrefix) && parts[3] == PartFile:
			// Keys list in order, and snapshot_date=YYYY-MM-DD sorts by date.
			newest[parts[0]+"/"+parts[1]] = o
		}
	}
	for _, o := range newest {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (s *Store) pullOne(ctx context.Context, objs Objects, o Object) error {
	local := filepath.Join(s.Dir, filepath.FromSlash(o.Key))
	fi, err := os.Stat(local)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case path.Ext(o.Key) == ".jsonl":
		if fi.Size() >= o.Size {
			return nil
		}
	case fi.Size() == o.Size && o.SHA256 != "":
		if sum, err := FileSHA256(local); err == nil && sum == o.SHA256 {
			return nil
		}
	}
	// Written without the remote, so reading back publishes nothing.
	local0 := &Store{Dir: s.Dir}
	return local0.WriteFile(local, KindOther, 0o600, func(w io.Writer) error {
		if err := objs.Get(ctx, o.Key, w); err != nil {
			return fmt.Errorf("reading %s back: %w", o.Key, err)
		}
		return nil
	})
}

// FileSHA256 is the hex SHA-256 of a file's content: what a remote object
// records, and the digest of the manifest's files and plans.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// LeaseRenewal is how often a held remote lock is renewed (and the
// profile's journals published) by Store.Lock: well inside an Azure lease's
// 60 s, the longest finite one.
var LeaseRenewal = 15 * time.Second

// Lock takes the profile's lock: the local one (Profile.Lock, for processes
// of this host) and, with a remote, the remote one shared by every host,
// waiting up to o.Timeout in all for both; then it pulls the profile's
// files from the remote (Pull). A refusal is a *LockedError naming the
// holder, in the same words for both. Unlock publishes the journals and
// releases both.
func (s *Store) Lock(ctx context.Context, p Profile, o LockOptions) (*Lock, error) {
	start := time.Now()
	l, err := p.Lock(ctx, o)
	if err != nil || s == nil || s.Remote == nil {
		return l, err
	}
	name := s.rel(p.Root)
	_, leases, err := s.Remote.open(name)
	if err != nil {
		l.Unlock()
		return nil, err
	}
	key := name + "/.lock"
	host, _ := os.Hostname()
	me := Holder{Command: o.Command, PID: os.Getpid(), Host: host, Since: time.Now().UTC().Truncate(time.Second)}
	where := strings.TrimSuffix(s.Remote.URL, "/") + "/" + key
	var release func()
	for {
		var holder Holder
		release, holder, err = leases.Lease(ctx, key, me)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrLeaseHeld) {
			l.Unlock()
			return nil, fmt.Errorf("taking the profile lock %s: %w", where, err)
		}
		waited := time.Since(start)
		if waited >= o.Timeout {
			l.Unlock()
			if o.Timeout == 0 {
				waited = 0
			}
			return nil, &LockedError{Path: where, Holder: holder, Waited: waited.Round(time.Second), remote: true}
		}
		select {
		case <-ctx.Done():
			l.Unlock()
			return nil, fmt.Errorf("waiting for the profile lock %s: %w", where, context.Cause(ctx))
		case <-time.After(min(time.Second, o.Timeout-waited)):
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(LeaseRenewal)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				// Best effort: Unlock publishes again and reports.
				s.PublishJournals(context.Background(), p)
			}
		}
	}()
	localUnlock := l.release
	l.release = func() {
		close(stop)
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
		if err := s.PublishJournals(ctx, p); err != nil {
			s.Remote.mu.Lock()
			s.Remote.failed = append(s.Remote.failed, err)
			s.Remote.mu.Unlock()
		}
		cancel()
		release()
		localUnlock()
	}
	if err := s.Pull(ctx, p); err != nil {
		l.Unlock()
		return nil, err
	}
	return l, nil
}
