package act

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/schemas"
)

// example11Users returns the users of Microsoft's List users Example 11
// (kept verbatim in the top-level testdata/microsoft), each given a direct E3 licence: the signInActivity
// objects stay exactly as Microsoft documents them. (The example selects no
// usageLocation; one is added so the removals are not one-way.)
func example11Users(t *testing.T) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "microsoft", "user-list-example11.json"))
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, u := range page.Value {
		u["usageLocation"] = "US"
		u["assignedLicenses"] = []any{map[string]any{"skuId": skuE3, "disabledPlans": []string{}}}
		u["licenseAssignmentStates"] = []any{map[string]any{"skuId": skuE3, "assignedByGroup": nil, "disabledPlans": []string{}, "state": "Active"}}
		raw, _ := json.Marshal(u)
		out[u["id"].(string)] = raw
	}
	return out
}

// TestLiveReadMicrosoftExample11: Microsoft's documented signInActivity
// ("" and 0001-01-01T00:00:00Z for "no value") reads as no sign-in, not a
// failed re-read, and the removal goes ahead; the one real successful
// timestamp (Alex's non-interactive sign-in) is the user's last sign-in.
func TestLiveReadMicrosoftExample11(t *testing.T) {
	ft := newFakeTenant(t)
	users := example11Users(t)
	var acts []string
	for id, raw := range users {
		ft.addUser(id, map[string][]string{skuE3: nil}, nil).Raw = raw
		acts = append(acts, id)
	}
	dir := ft.directory()
	alex, err := dir.GetUser(t.Context(), UserRequest{UserID: "f0662ee5-84b1-43d6-8338-769cce1bc141"})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2021, 7, 29, 17, 53, 42, 0, time.UTC); alex.LastSignIn == nil || !alex.LastSignIn.Equal(want) {
		t.Errorf("Alex's last sign-in = %v, want %v", alex.LastSignIn, want)
	}
	adele, err := dir.GetUser(t.Context(), UserRequest{UserID: "1aecaf40-dc3a-461f-88a8-d06994e12898"})
	if err != nil {
		t.Fatal(err)
	}
	if adele.LastSignIn != nil {
		// lastSignInDateTime may be a failed attempt; the other two are "no value".
		t.Errorf("Adele's last successful sign-in = %v, want none", adele.LastSignIn)
	}

	p := planFor(remove(acts[0], skuE3), remove(acts[1], skuE3))
	for i := range p.Actions {
		ev := time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC)
		p.Actions[i].Evidence.LastSignIn, p.Actions[i].Evidence.LastActivity = &ev, &ev
	}
	r := runApply(t, ft, p, testConfig(), filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{})
	if r.err != nil || r.res.Done != 2 {
		t.Fatalf("apply: %+v %v", r.res, r.err)
	}
}

// TestLiveReadWithoutUserFails: a 200 whose body holds no user (empty, {},
// no id) or is not JSON is a failed re-read — retryable, nothing sent —
// never "the licence is already gone".
func TestLiveReadWithoutUserFails(t *testing.T) {
	for name, body := range map[string]string{"empty": "", "object": "{}", "no id": `{"userPrincipalName":"u@contoso.com","assignedLicenses":[]}`, "not json": "<html>"} {
		t.Run(name, func(t *testing.T) {
			ft := newFakeTenant(t)
			ft.addUser("u", map[string][]string{skuE3: nil}, &oldSignIn).Raw = []byte(body)
			r := runApply(t, ft, planFor(remove("u", skuE3)), testConfig(), filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{})
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.res.Failed != 1 || !strings.Contains(r.res.Outcomes[0].Detail, "live re-read failed") {
				t.Fatalf("outcome %+v, want a failed live re-read", r.res.Outcomes)
			}
			if n := ft.count("POST users/assignLicense"); n != 0 {
				t.Errorf("%d assignLicense requests, want none", n)
			}
		})
	}
}

// TestLiveReReadAfterFailedChangeWithoutUser: after an ambiguous failure,
// an empty re-read does not confirm the change: the outcome stays unknown.
func TestLiveReReadAfterFailedChangeWithoutUser(t *testing.T) {
	ft := newFakeTenant(t)
	ft.addUser("u", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.beforeWrite = func(ft *fakeTenant) {
		// The write answers 503, and the re-read that follows comes back
		// as {}: whether the change was made is unknown.
		ft.ambiguous, ft.users["u"].Raw = 1, []byte("{}")
	}
	r := runApply(t, ft, planFor(remove("u", skuE3)), testConfig(), filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if o := r.res.Outcomes[0]; o.Phase != schemas.PhaseFailed || !strings.Contains(o.Detail, outcomeUnknown) {
		t.Fatalf("outcome %s %q, want failed with the outcome unknown", o.Phase, o.Detail)
	}
}

// TestLiveSignInCountsOnlySuccess: a failed sign-in attempt after the plan
// (lastSignInDateTime only) is not activity; a successful one is.
func TestLiveSignInCountsOnlySuccess(t *testing.T) {
	ft := newFakeTenant(t)
	failed := planned.Add(day)
	ft.addUser("attempted", map[string][]string{skuE3: nil}, &oldSignIn).FailedSignIn = &failed
	ft.addUser("signed-in", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.signIn("signed-in", planned.Add(day))
	r := runApply(t, ft, planFor(remove("attempted", skuE3), remove("signed-in", skuE3)), testConfig(), filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, o := range r.res.Outcomes {
		switch o.Entry.UserID {
		case "attempted":
			if o.Phase != schemas.PhaseDone {
				t.Errorf("failed attempt only: %s %q, want done", o.Phase, o.Detail)
			}
		case "signed-in":
			if o.Phase != schemas.PhaseSkipped || !strings.Contains(o.Detail, "signed in on 2026-11-21") {
				t.Errorf("signed in: %s %q, want skipped", o.Phase, o.Detail)
			}
		}
	}
}
