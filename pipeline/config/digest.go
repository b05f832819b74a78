package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
)

// DecisionDigest is what a plan records about its configuration, so apply can
// refuse a plan made under other decisions: "sha256:<hex>" over the files'
// digest (Digest) and the evaluated settings apply acts on — each profile's
// reclaim_subscriptions switch, and every field of every reclaim rule and
// exclusion. The evaluated values count because Digest leaves variable values
// out: a -var that changes a rule must make the plan stale too. No credential
// is part of it.
//
// Rules and exclusions are walked by reflection (decisionFields), so a field
// added to ReclaimRule or Exclusion is covered without editing this function;
// only a field tagged `digest:"-"` (source ranges, which move when a comment is
// added) is left out.
func (c *Config) DecisionDigest() string {
	v := struct {
		Files      string
		Reclaim    map[string]bool
		Rules      []any
		Exclusions []any
	}{Files: c.Digest(), Reclaim: map[string]bool{}}
	for n, p := range c.Profiles {
		v.Reclaim[n] = p.Tasks.ReclaimSubscriptions
	}
	for _, r := range c.ReclaimRules {
		v.Rules = append(v.Rules, decisionFields(r))
	}
	for _, x := range c.Exclusions {
		v.Exclusions = append(v.Exclusions, decisionFields(x))
	}
	b, err := json.Marshal(v) // maps marshal in key order, fields in declaration order: stable
	if err != nil {
		// Only strings, numbers, bools and slices of them reach here.
		panic("config: decision digest: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// decisionFields copies the exported fields of *ptr not tagged `digest:"-"`
// into a struct of just those fields, in declaration order and without tags,
// so it marshals as {"Name":…,"Action":…} — the form the digest has always
// had, which keeps saved plans valid across this refactor.
func decisionFields(ptr any) any {
	src := reflect.ValueOf(ptr).Elem()
	var fields []reflect.StructField
	var index []int
	for i := range src.NumField() {
		f := src.Type().Field(i)
		if !f.IsExported() || f.Tag.Get("digest") == "-" {
			continue
		}
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type})
		index = append(index, i)
	}
	out := reflect.New(reflect.StructOf(fields)).Elem()
	for j, i := range index {
		out.Field(j).Set(src.Field(i))
	}
	return out.Interface()
}
