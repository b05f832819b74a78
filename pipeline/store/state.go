package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"sync"
)

// State is OUT/<profile>/state.json: one small map per stage (the sign-in
// watermark lives here). It is committed after each stage that succeeded and
// returned new state; a failed stage never touches it. A State is safe for
// concurrent use; load one with LoadState.
type State struct {
	mu     sync.Mutex
	store  *Store
	path   string
	Stages map[string]map[string]string `json:"stages"`
}

// LoadState reads the profile's state; a missing file is an empty state.
func (s *Store) LoadState(p Profile) (*State, error) {
	st := &State{store: s, path: p.StatePath(), Stages: map[string]map[string]string{}}
	b, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("%s: %v (delete it to start the incremental extracts afresh)", st.path, err)
	}
	if st.Stages == nil {
		st.Stages = map[string]map[string]string{}
	}
	return st, nil
}

// Get is a copy of a stage's entry (nil: none).
func (st *State) Get(table string) map[string]string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return maps.Clone(st.Stages[table])
}

// Put replaces a stage's entry and commits the file.
func (st *State) Put(table string, v map[string]string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.Stages[table] = maps.Clone(v)
	return st.store.WriteJSON(st.path, KindState, 0o600, st)
}
