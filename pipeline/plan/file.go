package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// Marshal encodes a plan as the indented JSON of the plan file.
func Marshal(p *Plan) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encoding plan: %w", err)
	}
	return buf.Bytes(), nil
}

// Write commits a plan to path through s (nil: no store hook), so a reader
// never sees half a plan. Plans name users, so only the owner may read them.
func Write(s *store.Store, path string, p *Plan) error {
	b, err := Marshal(p)
	if err != nil {
		return err
	}
	return s.WriteFile(path, store.KindPlan, 0o600, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Read loads and validates a plan file. A plan of another format version is
// refused with the command that makes a fresh one.
func Read(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	p, err := Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", path, err)
	}
	return p, nil
}

// Unmarshal decodes and validates plan JSON.
func Unmarshal(b []byte) (*Plan, error) {
	var probe struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("not a reclaim plan file: %w", err)
	}
	if probe.FormatVersion == nil {
		return nil, fmt.Errorf("not a reclaim plan file: no format_version")
	}
	if *probe.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan format version %d is not supported by this reclaim (wants %d); run \"reclaim plan\" again with this version", *probe.FormatVersion, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding plan: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	// What a file says about its own rows is never trusted: totals are
	// recomputed, and a recorded id or actions digest that no longer
	// matches the actions means the file was edited after plan wrote it.
	p.Totals = p.ComputeTotals()
	if p.Actions == nil {
		p.Actions = []Action{}
	}
	digest := ActionsDigest(p.Actions)
	if p.ActionsDigest != "" && p.ActionsDigest != digest {
		return nil, fmt.Errorf("the actions were edited after the plan was made: the file records actions digest %s but its actions digest to %s; run \"reclaim plan\" again", p.ActionsDigest, digest)
	}
	p.ActionsDigest = digest
	if id := p.computeID(); p.ID != id {
		return nil, fmt.Errorf("the plan id %s does not match its contents (%s): the file was edited after the plan was made; run \"reclaim plan\" again", p.ID, id)
	}
	return &p, nil
}

// Validate checks what apply relies on: known operations, unique ids, a
// source for every profile acted on.
func (p *Plan) Validate() error {
	seen := map[string]bool{}
	for i, a := range p.Actions {
		switch {
		case a.ID == "":
			return fmt.Errorf("actions[%d]: empty id", i)
		case seen[a.ID]:
			return fmt.Errorf("actions[%d]: duplicate id %s", i, a.ID)
		case !a.Operation.Valid():
			return fmt.Errorf("actions[%d] (%s): unknown operation %q", i, a.ID, a.Operation)
		case a.UserID == "" || a.SkuID == "":
			return fmt.Errorf("actions[%d] (%s): user_id and sku_id are required", i, a.ID)
		case a.Operation == OpRemoveFromGroup && a.GroupID == "":
			return fmt.Errorf("actions[%d] (%s): remove_from_group needs group_id", i, a.ID)
		case p.Source(a.Profile) == nil:
			return fmt.Errorf("actions[%d] (%s): profile %q has no source snapshot", i, a.ID, a.Profile)
		}
		seen[a.ID] = true
	}
	return nil
}

// Digest returns "sha256:<hex>" of b, as FileDigest does of a file.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// FileDigest returns "sha256:<hex>" of a file's content.
func FileDigest(path string) (string, error) {
	sum, err := store.FileSHA256(path)
	if err != nil {
		return "", fmt.Errorf("digest of %s: %w", path, err)
	}
	return "sha256:" + sum, nil
}
