package simtenant

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// overlay holds every change made through the API, keyed by user index; the
// base tenant stays a pure function of the seed. An overlay entry replaces
// the user's licence assignments and group memberships wholesale.
type overlay struct {
	mu    sync.RWMutex
	users map[int]*userState
	// signedIn holds sign-ins recorded through the /_sim control, in
	// memory only (the state file keeps licence and group changes).
	signedIn map[int]time.Time
	// failedSignIn holds failed sign-in attempts recorded likewise.
	failedSignIn map[int]time.Time
	// patched holds attribute changes made through the /_sim control, in
	// memory only too.
	patched   map[int]UserAttributes
	concealed bool
	version   int64 // bumped on every change (report ETags)

	baseOnce     sync.Once
	baseConsumed []int // per SKU, base tenant (computed lazily in one pass)
	path         string
}

type userState struct {
	lic    []assignment
	groups uint8
}

func newOverlay(concealed bool) *overlay {
	return &overlay{users: map[int]*userState{}, signedIn: map[int]time.Time{}, failedSignIn: map[int]time.Time{}, patched: map[int]UserAttributes{}, concealed: concealed}
}

// licensedLocked is user i with the overlay's licences and group
// memberships (what a licence or membership change starts from); the caller
// holds s.state.mu.
func (s *Server) licensedLocked(i int) *user {
	u := s.t.user(i)
	if st := s.state.users[i]; st != nil {
		u.lic, u.groups = append([]assignment(nil), st.lic...), st.groups
	}
	return u
}

// current returns user i with the overlay applied.
func (s *Server) current(i int) *user {
	u := s.t.user(i)
	s.state.mu.RLock()
	st := s.state.users[i]
	u.signedIn = s.state.signedIn[i]
	u.failedSignIn = s.state.failedSignIn[i]
	p := s.state.patched[i]
	s.state.mu.RUnlock()
	for _, f := range []struct {
		to   *string
		from *string
	}{{&u.department, p.Department}, {&u.jobTitle, p.JobTitle}, {&u.country, p.Country}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if st != nil {
		u.lic = append([]assignment(nil), st.lic...)
		u.groups = st.groups
	}
	if slices.Contains(s.opts.RenamedUsers, i) {
		// Renamed in the directory after the usage reports were cut (they
		// lag 2–3 days): reports still say the old name.
		u.reportUPN, u.upn = u.upn, "renamed."+u.upn
	}
	return u
}

// RecordSignIn records a successful interactive sign-in of the user (id or
// UPN) at the given time: from then on signInActivity shows it as the
// user's lastSignInDateTime and lastSuccessfulSignInDateTime. (The sign-in
// log does not list it.) It is what POST /_sim/users/{id}/sign-in does.
func (s *Server) RecordSignIn(key string, at time.Time) error {
	return s.recordSignIn(key, at, s.state.signedIn)
}

// recordSignIn keeps at, to the second, as the user's entry of to.
func (s *Server) recordSignIn(key string, at time.Time, to map[int]time.Time) error {
	i := s.t.lookup(key)
	if i < 0 {
		return fmt.Errorf("simtenant: no user %q", key)
	}
	s.state.mu.Lock()
	to[i] = at.UTC().Truncate(time.Second)
	s.state.version++
	s.state.mu.Unlock()
	return nil
}

// RecordFailedSignIn records a failed interactive sign-in attempt of the
// user (id or UPN) at the given time: signInActivity shows it as
// lastSignInDateTime, which counts attempts, while
// lastSuccessfulSignInDateTime stays as it was (tests: a failed sign-in is
// not activity). The sign-in log does not list it. It is what
// POST /_sim/users/{id}/sign-in?outcome=failure does.
func (s *Server) RecordFailedSignIn(key string, at time.Time) error {
	return s.recordSignIn(key, at, s.state.failedSignIn)
}

// UserAttributes are directory attributes of a user that PatchUser changes;
// a nil field is left as it is, "" clears it (Graph then shows null).
type UserAttributes struct {
	Department *string `json:"department"`
	JobTitle   *string `json:"jobTitle"`
	Country    *string `json:"country"`
}

// PatchUser changes attributes of the user (id or UPN), as an administrator
// editing them in Entra would: every read from then on (GET /users,
// $filter, reports of the user) shows the new values. Changes to the same
// user accumulate. It is what PATCH /_sim/users/{id} does; in memory only.
func (s *Server) PatchUser(key string, a UserAttributes) error {
	i := s.t.lookup(key)
	if i < 0 {
		return fmt.Errorf("simtenant: no user %q", key)
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p := s.state.patched[i]
	if a.Department != nil {
		p.Department = a.Department
	}
	if a.JobTitle != nil {
		p.JobTitle = a.JobTitle
	}
	if a.Country != nil {
		p.Country = a.Country
	}
	s.state.patched[i] = p
	s.state.version++
	return nil
}

// holds reports whether the assignments give the user the SKU (a seat).
func holds(lic []assignment, sku int) bool {
	for _, a := range lic {
		if a.sku == sku && a.state != "Error" {
			return true
		}
	}
	return false
}

// baseCounts counts seats per SKU over the base tenant, once.
func (s *Server) baseCounts() []int {
	s.state.baseOnce.Do(func() {
		// One pass over the tenant, split across the CPUs (a million users
		// take a few seconds on one core).
		workers := max(1, min(runtime.GOMAXPROCS(0), s.t.n/10000))
		parts := make([][]int, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := make([]int, len(skus))
				for i := w; i < s.t.n; i += workers {
					u := s.t.user(i)
					for k := range skus {
						if holds(u.lic, k) {
							c[k]++
						}
					}
				}
				parts[w] = c
			}()
		}
		wg.Wait()
		c := make([]int, len(skus))
		for _, p := range parts {
			for k, v := range p {
				c[k] += v
			}
		}
		s.state.baseConsumed = c
	})
	return s.state.baseConsumed
}

// consumed is consumedUnits per SKU with the overlay applied. Callers hold
// at least the read lock.
func (s *Server) consumedLocked() []int {
	base := s.baseCounts()
	c := append([]int(nil), base...)
	for i, st := range s.state.users {
		b := s.t.user(i)
		for k := range skus {
			if holds(b.lic, k) {
				c[k]--
			}
			if holds(st.lic, k) {
				c[k]++
			}
		}
	}
	return c
}

// prepaid is prepaidUnits.enabled per SKU: what was bought, derived from the
// base assignment counts so there are always some unassigned seats — except
// Project Plan 5, bought exactly to its use so adding it fails with no seats.
func (s *Server) prepaid(k int) int {
	base := s.baseCounts()[k]
	if skus[k].free {
		return 1000000
	}
	if k == skuProjectP5 {
		return base
	}
	if k == skuEntraP1 {
		if s.opts.NoP1 {
			return 0
		}
		return 25
	}
	slack := 5 + int(hashOf(uint64(s.opts.Seed), uint64(k))%20) // 5–24 %
	return base + max(3, base*slack/100)
}

// ---- persistence ----

type stateFile struct {
	Version   int             `json:"version"`
	Seed      int64           `json:"seed"`
	Users     int             `json:"users"`
	Concealed bool            `json:"displayConcealedNames"`
	Changes   []stateFileUser `json:"changes"`
}

type stateFileUser struct {
	Index    int                `json:"index"`
	ID       string             `json:"id"`
	Groups   []string           `json:"groups"`
	Licenses []stateFileLicense `json:"licenses"`
}

type stateFileLicense struct {
	SkuID         string   `json:"skuId"`
	GroupID       string   `json:"groupId,omitempty"`
	DisabledPlans []string `json:"disabledPlans,omitempty"`
	State         string   `json:"state"`
	Error         string   `json:"error,omitempty"`
}

func (o *overlay) load(path string, t *Tenant) error {
	o.path = path
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("simtenant: read state file: %w", err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("simtenant: state file %s: %w", path, err)
	}
	if f.Version != 1 || f.Seed != int64(t.seed) || f.Users != t.n {
		return fmt.Errorf("simtenant: state file %s is for version %d, seed %d, %d users; this server has seed %d, %d users",
			path, f.Version, f.Seed, f.Users, int64(t.seed), t.n)
	}
	o.concealed = f.Concealed
	for _, c := range f.Changes {
		if c.Index < 0 || c.Index >= t.n || t.userID(c.Index) != c.ID {
			return fmt.Errorf("simtenant: state file %s: user index %d does not match id %s", path, c.Index, c.ID)
		}
		st := &userState{}
		for _, g := range c.Groups {
			gi := groupIndexByID(g)
			if gi < 0 {
				return fmt.Errorf("simtenant: state file %s: unknown group %s", path, g)
			}
			st.groups |= 1 << gi
		}
		for _, l := range c.Licenses {
			a := assignment{sku: skuIndexByID(l.SkuID), group: -1, state: l.State, err: l.Error}
			if a.sku < 0 {
				return fmt.Errorf("simtenant: state file %s: unknown SKU %s", path, l.SkuID)
			}
			if l.GroupID != "" {
				if a.group = groupIndexByID(l.GroupID); a.group < 0 {
					return fmt.Errorf("simtenant: state file %s: unknown group %s", path, l.GroupID)
				}
			}
			for _, p := range l.DisabledPlans {
				pi := planIndexByID(p)
				if pi < 0 {
					return fmt.Errorf("simtenant: state file %s: unknown service plan %s", path, p)
				}
				a.disabled = append(a.disabled, pi)
			}
			st.lic = append(st.lic, a)
		}
		o.users[c.Index] = st
	}
	return nil
}

// saveLocked writes the overlay (temp file + rename). Callers hold the lock.
func (s *Server) saveLocked() error {
	o := s.state
	if o.path == "" {
		return nil
	}
	f := stateFile{Version: 1, Seed: s.opts.Seed, Users: s.t.n, Concealed: o.concealed, Changes: []stateFileUser{}}
	idx := make([]int, 0, len(o.users))
	for i := range o.users {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		st := o.users[i]
		c := stateFileUser{Index: i, ID: s.t.userID(i), Groups: []string{}, Licenses: []stateFileLicense{}}
		for g := range groups {
			if st.groups&(1<<g) != 0 {
				c.Groups = append(c.Groups, groups[g].ID)
			}
		}
		for _, a := range st.lic {
			l := stateFileLicense{SkuID: skus[a.sku].ID, State: a.state, Error: a.err}
			if a.group >= 0 {
				l.GroupID = groups[a.group].ID
			}
			for _, p := range a.disabled {
				l.DisabledPlans = append(l.DisabledPlans, servicePlans[p].ID)
			}
			c.Licenses = append(c.Licenses, l)
		}
		f.Changes = append(f.Changes, c)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := store.WriteFile(o.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("simtenant: %w", err)
	}
	return nil
}
