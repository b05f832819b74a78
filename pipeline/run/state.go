package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sync"
)

// state is OUT/<profile>/state.json: one small map per stage (the sign-in
// watermark lives here). It is rewritten atomically after each stage that
// succeeded and returned new state; a failed stage never touches it.
type state struct {
	mu     sync.Mutex
	Stages map[string]map[string]string `json:"stages"`
}

func loadState(root string) (*state, error) {
	st := &state{Stages: map[string]map[string]string{}}
	b, err := os.ReadFile(filepath.Join(root, "state.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("%s: %v (delete it to start the incremental extracts afresh)", filepath.Join(root, "state.json"), err)
	}
	if st.Stages == nil {
		st.Stages = map[string]map[string]string{}
	}
	return st, nil
}

func (s *state) get(table string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.Stages[table])
}

func (s *state) put(root, table string, v map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Stages[table] = maps.Clone(v)
	return writeJSONAtomic(filepath.Join(root, "state.json"), s)
}
