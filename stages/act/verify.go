package act

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
)

// PlannedSource is a plan source as found now: the files at the source's
// recorded paths under outDir, digested again. A digest left empty means
// the file is gone. It feeds plan.Current.Planned.
func PlannedSource(outDir string, s plan.Source) plan.Source {
	now := s
	now.RecommendationsDigest, now.ManifestDigest = "", ""
	if d, err := plan.FileDigest(filepath.Join(outDir, s.RecommendationsPath)); err == nil {
		now.RecommendationsDigest = d
	}
	if s.ManifestPath != "" {
		if d, err := plan.FileDigest(filepath.Join(outDir, s.ManifestPath)); err == nil {
			now.ManifestDigest = d
		}
	}
	return now
}

// Verify treats a plan as a request, never as evidence. For every action it
// re-derives, from the recommendations snapshot the plan records (whose
// digest must still match), the action the configuration makes of that
// row — through addRecommendation, the same function plan uses — and
// compares every field: user, SKU, operation, group, rule, reason,
// evidence, disabled plans, saving and the data-at-risk verdict. An action
// the snapshot does not make (a row excluded, blocked, report-only, or no
// row at all) is refused. Every mismatch is listed at once; nil means each
// requested action is exactly what plan would write now from that snapshot.
//
// Exclusions, `when` included, are part of the snapshot's verdict: the
// transform evaluated them over the same snapshot under the same
// configuration (CheckFresh refuses another configuration digest), and a
// row they matched is never an action. Live, apply re-checks exclusions by
// user, group and SKU before each change (see Excluded).
func Verify(p *plan.Plan, cfg *config.Config, outDir string) error {
	rules := rulesByName(cfg)
	var reasons []string
	for _, s := range p.Sources {
		var requested []plan.Action
		for _, a := range p.Actions {
			if a.Profile == s.Profile {
				requested = append(requested, a)
			}
		}
		if len(requested) == 0 {
			continue
		}
		derived, err := derive(outDir, s, rules)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("profile %q: %v", s.Profile, err))
			continue
		}
		for _, a := range requested {
			reasons = append(reasons, derived.check(a)...)
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return &RefusedError{Reasons: reasons, Fix: "Nothing was changed. The plan file does not describe what its snapshot and configuration make; it was edited or made from other data. Run \"reclaim plan CONFIG -out PLAN\" again and review the new plan."}
}

// derivation is what the configuration makes of one planned-from snapshot.
type derivation struct {
	actions map[string]plan.Action
	reviews map[string][]plan.Review // by user id + "\x00" + lower-case SKU id
}

func derive(outDir string, s plan.Source, rules map[string]*config.ReclaimRule) (*derivation, error) {
	// One read: the rows derived from are the very bytes whose digest is
	// checked, not a second read that could see another file.
	path := filepath.Join(outDir, s.RecommendationsPath)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("the recommendations file %s the plan was made from cannot be read: %w", s.RecommendationsPath, err)
	}
	if digest := plan.Digest(b); digest != s.RecommendationsDigest {
		return nil, fmt.Errorf("the recommendations file %s was altered since the plan was made (digest %s, plan records %s)", s.RecommendationsPath, digest, s.RecommendationsDigest)
	}
	recs, err := readRecommendations(bytes.NewReader(b), int64(len(b)), path)
	if err != nil {
		return nil, err
	}
	scratch := &plan.Plan{}
	for _, r := range recs {
		addRecommendation(scratch, s.Profile, s, r, rules)
	}
	d := &derivation{actions: map[string]plan.Action{}, reviews: map[string][]plan.Review{}}
	for _, a := range scratch.Actions {
		d.actions[a.ID] = roundTrip(a)
	}
	for _, r := range scratch.Reviews {
		k := r.UserID + "\x00" + strings.ToLower(r.SkuID)
		d.reviews[k] = append(d.reviews[k], r)
	}
	return d, nil
}

// roundTrip passes a derived action through the plan file's encoding, so
// it compares with a requested action read from a file on equal terms.
func roundTrip(a plan.Action) plan.Action {
	b, err := json.Marshal(a)
	if err != nil {
		return a
	}
	var out plan.Action
	if json.Unmarshal(b, &out) != nil {
		return a
	}
	return out
}

func (d *derivation) check(a plan.Action) []string {
	what := fmt.Sprintf("action %s (%s %s for %s)", a.ID, a.Operation, a.SkuPartNumber, a.UserPrincipalName)
	want, ok := d.actions[a.ID]
	if !ok {
		if rs := d.reviews[a.UserID+"\x00"+strings.ToLower(a.SkuID)]; len(rs) > 0 {
			// Several rules may list the same licence; name the row of the
			// rule the action claims, else every row.
			var rows []string
			for _, r := range rs {
				if r.Rule == a.Rule {
					rows = []string{fmt.Sprintf("a %q row of rule %q (%s)", r.Kind, r.Rule, oneLineReason(r.Reason))}
					break
				}
				rows = append(rows, fmt.Sprintf("a %q row of rule %q (%s)", r.Kind, r.Rule, oneLineReason(r.Reason)))
			}
			return []string{fmt.Sprintf("%s: the snapshot does not make this an action: it is %s", what, strings.Join(rows, "; "))}
		}
		return []string{fmt.Sprintf("%s: the snapshot has no recommendation for this user, licence and operation under any rule", what)}
	}
	var diffs []string
	diffValues("", reflect.ValueOf(a), reflect.ValueOf(want), &diffs)
	out := make([]string, 0, len(diffs))
	for _, df := range diffs {
		out = append(out, what+": "+df)
	}
	return out
}

func oneLineReason(s string) string { return strings.Join(strings.Fields(s), " ") }

var timeType = reflect.TypeOf(time.Time{})

// diffValues appends "field: plan says X, the snapshot says Y" for every
// leaf of got that differs from want. Fields are named by their JSON names
// (as in the plan file); a new field of plan.Action is compared without
// any change here.
func diffValues(path string, got, want reflect.Value, out *[]string) {
	switch {
	case got.Type() == timeType:
		if !got.Interface().(time.Time).Equal(want.Interface().(time.Time)) {
			*out = append(*out, mismatch(path, got, want))
		}
	case got.Kind() == reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				*out = append(*out, mismatch(path, got, want))
			}
			return
		}
		diffValues(path, got.Elem(), want.Elem(), out)
	case got.Kind() == reflect.Struct:
		for i := 0; i < got.NumField(); i++ {
			f := got.Type().Field(i)
			if !f.IsExported() || f.Tag.Get("verify") == "-" {
				// verify:"-" marks a field for people only (SkuName), which
				// may differ once the SKU catalogue is refreshed.
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if path != "" {
				name = path + "." + name
			}
			diffValues(name, got.Field(i), want.Field(i), out)
		}
	case got.Kind() == reflect.Slice && got.Type().Elem().Kind() == reflect.Struct:
		if got.Len() != want.Len() {
			*out = append(*out, mismatch(path, got, want))
			return
		}
		for i := 0; i < got.Len(); i++ {
			diffValues(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i), out)
		}
	case got.Kind() == reflect.Slice && got.Len() == 0 && want.Len() == 0:
		// nil and empty are the same list in the plan file
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			*out = append(*out, mismatch(path, got, want))
		}
	}
}

func mismatch(path string, got, want reflect.Value) string {
	return fmt.Sprintf("%s: the plan says %s, the snapshot says %s", path, show(got), show(want))
}

func show(v reflect.Value) string {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return "none"
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	if len(b) > 120 {
		b = append(b[:117], "..."...)
	}
	return string(b)
}
