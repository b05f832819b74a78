package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
	"github.com/reclaimhq/reclaim/stages/act"
)

// TestFailedSignInIsNotActivityAnywhere pins that the transform and the
// live re-check before a removal count the same sign-ins: a user whose
// newest sign-in attempt failed (lastSignInDateTime only) is not active in
// curated user_activity, nor in the live read apply makes; a user who
// signed in successfully at the same moment is, in both. The failed attempt
// does reach the raw users snapshot, so ignoring it is a decision, not a
// missing read.
func TestFailedSignInIsNotActivityAnywhere(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	const users, seed = 120, 7
	// Two members last seen (if ever) more than a week ago.
	base := simtenant.NewTenant(seed, users, today)
	var picked []simtenant.UserTruth
	for i := 0; i < users && len(picked) < 2; i++ {
		tr := base.Truth(i)
		if tr.Kind != simtenant.KindMember || !tr.AccountEnabled {
			continue
		}
		recent := false
		for _, w := range []string{simtenant.WorkSignIn, simtenant.WorkNonInteractive} {
			if d := tr.LastActivity[w]; d != "" && d >= today.AddDate(0, 0, -7).Format(time.DateOnly) {
				recent = true
			}
		}
		if !recent {
			picked = append(picked, tr)
		}
	}
	if len(picked) < 2 {
		t.Fatal("no two members without a recent sign-in in this tenant: the test proves nothing")
	}
	failed, succeeded := picked[0], picked[1]
	srv, err := simtenant.Start(simtenant.Options{Users: users, Seed: seed, Today: today, CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	at := today.Add(-12 * time.Hour) // yesterday noon: after every generated sign-in of both
	if err := srv.RecordFailedSignIn(failed.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := srv.RecordSignIn(succeeded.ID, at); err != nil {
		t.Fatal(err)
	}

	work := t.TempDir()
	cfgDir, out := filepath.Join(work, "config"), filepath.Join(work, "data")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "main.hcl"), []byte(fmt.Sprintf(transformConfig, srv.TenantID(), srv.ClientID())), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := execute([]string{"run", cfgDir, "--as-of", today.Format(time.DateOnly), "--progress", "log", "--sign-in-log=false",
		"-var", "secret=" + srv.ClientSecret(), "-var", "url=" + srv.URL(), "-var", "ca=" + srv.CAFile(), "-var", "out=" + out},
		strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	part := filepath.Join(out, "sim", "%s", "%s", "snapshot_date="+today.Format(time.DateOnly), "part-0.parquet")

	raw, err := parquet.ReadFile[schemas.User](fmt.Sprintf(part, "raw", schemas.TableUsers))
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, u := range raw {
		if u.ID == failed.ID {
			seen = u.LastSignInDateTime != nil && u.LastSignInDateTime.Equal(at)
		}
	}
	if !seen {
		t.Fatalf("raw users: %s's lastSignInDateTime is not the failed attempt at %s", failed.UserPrincipalName, at)
	}

	activity, err := parquet.ReadFile[schemas.UserActivity](fmt.Sprintf(part, "curated", "user_activity"))
	if err != nil {
		t.Fatal(err)
	}
	signedInAt := func(id string) (bool, int) {
		active, rows := false, 0
		for _, a := range activity {
			if a.UserID == id && a.Signal == "sign_in" {
				rows++
				active = active || (a.LastActivityDate != nil && !a.LastActivityDate.Before(at.Truncate(24*time.Hour)))
			}
		}
		return active, rows
	}
	if active, rows := signedInAt(failed.ID); active || rows == 0 {
		t.Errorf("transform: %s (newest attempt failed) active=%v over %d sign_in rows, want inactive", failed.UserPrincipalName, active, rows)
	}
	if active, _ := signedInAt(succeeded.ID); !active {
		t.Errorf("transform: %s (signed in successfully) is not active", succeeded.UserPrincipalName)
	}

	// The live read apply makes before a removal, through the same client.
	client, err := newClient(&config.Profile{Name: "sim", TenantID: srv.TenantID(),
		Credentials:   config.Credentials{ClientID: srv.ClientID(), ClientSecret: config.NewSecret(srv.ClientSecret())},
		GraphEndpoint: srv.URL(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile()}, nil, msgraph.RetryPolicy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := act.NewGraphDirectory(client.Graph())
	live, err := dir.GetUser(t.Context(), act.UserRequest{UserID: failed.ID})
	if err != nil {
		t.Fatal(err)
	}
	if live.LastSignIn != nil && !live.LastSignIn.Before(at) {
		t.Errorf("live: %s's last sign-in is %s: the failed attempt counted", failed.UserPrincipalName, live.LastSignIn)
	}
	live, err = dir.GetUser(t.Context(), act.UserRequest{UserID: succeeded.ID})
	if err != nil {
		t.Fatal(err)
	}
	if live.LastSignIn == nil || !live.LastSignIn.Equal(at) {
		t.Errorf("live: %s's last sign-in is %v, want the successful one at %s", succeeded.UserPrincipalName, live.LastSignIn, at)
	}
}
