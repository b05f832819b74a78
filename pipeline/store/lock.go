package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Holder says who holds a profile's lock. The lock file holds it as JSON so
// a refused process, or a person, can name the holder.
type Holder struct {
	Command string    `json:"command"` // run, apply or undo
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Since   time.Time `json:"since"`
}

func (h Holder) String() string {
	return fmt.Sprintf("reclaim %s (pid %d on host %s, since %s)", h.Command, h.PID, h.Host, h.Since.UTC().Format(time.RFC3339))
}

// LockedError is returned by Profile.Lock when another process holds the lock
// (after waiting LockOptions.Timeout, if set).
type LockedError struct {
	Path string
	// Holder is who the lock file names; zero when it could not be read.
	Holder Holder
	// Raw is the lock file's text when it is not a Holder (older versions
	// wrote just a pid).
	Raw    string
	Waited time.Duration
	// remote: the lock is a remote store's lease (Store.Lock).
	remote bool
}

func (e *LockedError) Error() string {
	who := "another reclaim process"
	switch {
	case e.Holder.PID != 0:
		who = e.Holder.String()
	case e.Raw != "":
		who = "another reclaim process (pid " + e.Raw + ")"
	}
	waited := ""
	if e.Waited > 0 {
		waited = fmt.Sprintf(" after waiting %s", e.Waited)
	}
	hint := staleHint
	if e.remote {
		hint = "; a holder that died without releasing it loses the lock within a minute, when its lease is not renewed"
	}
	return fmt.Sprintf("%s holds the profile lock %s%s; wait for it to finish, or pass --lock-timeout to wait for it%s", who, e.Path, waited, hint)
}

// errHeld is what tryLock returns when the lock is taken.
var errHeld = errors.New("lock held")

// LockOptions tune Profile.Lock; the zero value fails at once when the lock
// is held.
type LockOptions struct {
	// Command is recorded in the lock file: run, apply or undo.
	Command string
	// Timeout is how long to wait for a held lock; 0 means do not wait.
	Timeout time.Duration
}

// lockPoll is how often a waiting Profile.Lock tries again.
const lockPoll = 100 * time.Millisecond

// Lock is a held profile lock. The zero value is not usable; take one with
// Profile.Lock and release it with Unlock.
type Lock struct {
	path    string
	release func()
}

// Lock takes the one lock of the profile (OUT/<profile>/.lock) that run,
// apply and undo share, so no two of them write the same snapshots or
// journals or change the same tenant at once. When the lock is held it waits
// up to o.Timeout and then returns a *LockedError naming the holder.
func (p Profile) Lock(ctx context.Context, o LockOptions) (*Lock, error) {
	if err := os.MkdirAll(p.Root, 0o755); err != nil {
		return nil, fmt.Errorf("profile directory: %w", err)
	}
	path := p.LockPath()
	host, _ := os.Hostname()
	me, err := json.Marshal(Holder{Command: o.Command, PID: os.Getpid(), Host: host, Since: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(o.Timeout)
	for {
		release, err := tryLock(path, append(me, '\n'))
		if err == nil {
			return &Lock{path: path, release: release}, nil
		}
		if !errors.Is(err, errHeld) {
			return nil, fmt.Errorf("taking the profile lock %s: %w", path, err)
		}
		if !time.Now().Before(deadline) {
			return nil, lockedError(path, o.Timeout)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the profile lock %s: %w", path, context.Cause(ctx))
		case <-time.After(min(lockPoll, time.Until(deadline))):
		}
	}
}

// holderWait bounds how long lockedError waits for a holder to write its
// name: the holder takes the flock and then writes the file, so a refused
// process can read it empty in between.
const holderWait = 500 * time.Millisecond

func lockedError(path string, waited time.Duration) *LockedError {
	e := &LockedError{Path: path, Waited: waited}
	b, _ := os.ReadFile(path)
	for deadline := time.Now().Add(holderWait); len(strings.TrimSpace(string(b))) == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		b, _ = os.ReadFile(path)
	}
	if err := json.Unmarshal(b, &e.Holder); err != nil || e.Holder.PID == 0 {
		e.Holder = Holder{}
		e.Raw = strings.TrimSpace(string(b))
	}
	return e
}

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// Unlock releases the lock; calling it again does nothing.
func (l *Lock) Unlock() {
	if l != nil && l.release != nil {
		l.release()
		l.release = nil
	}
}
