package act

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
)

// applyWithWhen runs Apply with a `when` exclusion and the given live
// evaluator (the real one, transform.NewLiveWhen, is driven end to end by
// cmd/reclaim's TestApplySkipsUserNowMatchingWhen).
func applyWithWhen(t *testing.T, ft *fakeTenant, users []string, when string, eval func(context.Context, schemas.User) ([]string, error)) (*Result, error) {
	t.Helper()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	cfg := testConfig()
	cfg.Exclusions = []*config.Exclusion{{Name: "retail", When: when}}
	var acts []plan.Action
	for _, u := range users {
		acts = append(acts, remove(u, skuE3))
	}
	p := planFor(acts...)
	dir := ft.directory()
	return ApplyActions(context.Background(), ApplyOptions{Plan: p, Config: cfg, Journal: j, LiveExclusions: eval,
		RunOptions:  RunOptions{WritesPerSecond: 1000},
		Directories: func(string) (Directory, error) { return dir, nil }})
}

// TestApplyLiveWhen: with a `when` exclusion, the live read returns the
// users row (here from Microsoft's Get user Example 1, verbatim, plus a
// licence) and the evaluator's verdict skips the action naming the
// exclusion and its expression; an evaluation error fails the action with
// nothing sent; no evaluator at all refuses the apply.
func TestApplyLiveWhen(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "microsoft", "user-get-example1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var adele map[string]any
	if err := json.Unmarshal(b, &adele); err != nil {
		t.Fatal(err)
	}
	adele["id"] = strings.ToUpper(adele["id"].(string)) // extract and live read lower-case it
	adele["usageLocation"] = "US"
	adele["licenseAssignmentStates"] = []any{map[string]any{"skuId": skuE3, "assignedByGroup": nil, "disabledPlans": []string{}, "state": "Active"}}
	raw, _ := json.Marshal(adele)
	const id = "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
	newTenant := func() *fakeTenant {
		ft := newFakeTenant(t)
		ft.addUser(id, map[string][]string{skuE3: nil}, &oldSignIn).Raw = raw
		ft.addUser("other", map[string][]string{skuE3: nil}, &oldSignIn)
		return ft
	}

	ft := newTenant()
	// LiveExclusions is called from apply's workers at once (one per user).
	var mu sync.Mutex
	var seen []schemas.User
	res, err := applyWithWhen(t, ft, []string{id, "other"}, "job_title = 'Retail Manager'", func(_ context.Context, u schemas.User) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, u)
		if u.JobTitle == "Retail Manager" {
			return []string{"retail"}, nil
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 1 || res.Skipped != 1 {
		t.Fatalf("result %+v", res)
	}
	for _, o := range res.Outcomes {
		want := ""
		if o.Entry.UserID == id {
			want = `the user is now excluded by exclusion "retail" (when job_title = 'Retail Manager', live)`
		}
		if o.Detail != want {
			t.Errorf("%s: detail %q, want %q", o.Entry.UserID, o.Detail, want)
		}
	}
	var row *schemas.User
	for i := range seen {
		if seen[i].UserPrincipalName == "AdeleV@contoso.com" {
			row = &seen[i]
		}
	}
	if row == nil || row.ID != id || row.DisplayName != "Adele Vance" || row.Mail != "AdeleV@contoso.com" ||
		row.UsageLocation != "US" || row.Department != "" || row.UserType != "" || row.CreatedDateTime != nil {
		t.Errorf("live users row from Microsoft's example: %+v", row)
	}
	if n := ft.count("POST users/assignLicense"); n != 1 {
		t.Errorf("%d assignLicense calls, want 1 (the user not excluded)", n)
	}

	ft = newTenant()
	res, err = applyWithWhen(t, ft, []string{id}, "job_title = 'Retail Manager'", func(context.Context, schemas.User) ([]string, error) {
		return nil, errors.New(`exclusion "retail": when: Binder Error`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || !strings.HasPrefix(res.Outcomes[0].Detail, "live exclusion check failed, nothing changed: ") {
		t.Fatalf("evaluation error: %+v", res)
	}
	if n := ft.count("POST users/assignLicense"); n != 0 {
		t.Errorf("%d assignLicense calls after a failed live check, want 0", n)
	}

	if _, err := applyWithWhen(t, newTenant(), []string{id}, "department = 'Legal'", nil); err == nil || !strings.Contains(err.Error(), "no live evaluator") {
		t.Fatalf("no evaluator: %v", err)
	}
}
