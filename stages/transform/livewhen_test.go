package transform

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/sqlcheck"
	"github.com/reclaimhq/reclaim/schemas"
)

// TestLiveWhen evaluates `when` exclusions over single live users: matches,
// non-matches, NULL columns (nil dates) and hostile strings, which are bound
// parameters and so only ever compared, never run.
func TestLiveWhen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := &config.Config{Exclusions: []*config.Exclusion{
		{Name: "plain", Users: []string{"someone@contoso.com"}},
		{Name: "legal", When: "department = 'Legal'"},
		{Name: "guests", When: "user_type = 'Guest'"},
		{Name: "never-signed-in", When: "last_successful_sign_in_date_time IS NULL AND sign_in_activity_available"},
		{Name: "old", When: "created_date_time < TIMESTAMP '2020-01-01'"},
	}}
	w, err := NewLiveWhen(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	created := time.Date(2019, 5, 1, 23, 30, 0, 0, time.FixedZone("x", -3*3600)) // 2019-05-02 02:30 UTC
	signedIn := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hostile := "x'); DROP TABLE raw.users; --"
	for _, c := range []struct {
		name string
		u    schemas.User
		want []string
	}{
		{"legal member", schemas.User{ID: "u1", Department: "Legal", UserType: "Member", SignInActivityAvailable: true, LastSuccessfulSignInDateTime: &signedIn}, []string{"legal"}},
		{"no match", schemas.User{ID: "u2", Department: "Sales", UserType: "Member", SignInActivityAvailable: true, LastSuccessfulSignInDateTime: &signedIn}, nil},
		{"null dates", schemas.User{ID: "u3", UserType: "Guest", SignInActivityAvailable: true}, []string{"guests", "never-signed-in"}},
		{"old account", schemas.User{ID: "u4", CreatedDateTime: &created}, []string{"old"}},
		{"hostile department", schemas.User{ID: "u5", Department: hostile, UserType: "Member' OR '1'='1"}, nil},
		{"after hostile", schemas.User{ID: "u6", Department: "Legal"}, []string{"legal"}},
	} {
		got, err := w.Match(ctx, c.u)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: matched %q, want %q", c.name, got, c.want)
		}
	}

	var nilW *WhenEvaluator
	if got, err := nilW.Match(ctx, schemas.User{Department: "Legal"}); err != nil || got != nil {
		t.Errorf("nil evaluator: %q, %v", got, err)
	}
	if none, err := NewLiveWhen(ctx, &config.Config{Exclusions: cfg.Exclusions[:1]}); none != nil || err != nil {
		t.Errorf("no when exclusions: %v, %v", none, err)
	}
}

// TestLiveWhenRefused: an expression sqlcheck refuses never runs, and one
// DuckDB rejects at evaluation fails the match naming the exclusion; the
// evaluator is sandboxed, so even a file read in a when cannot run.
func TestLiveWhenRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := NewLiveWhen(ctx, &config.Config{Exclusions: []*config.Exclusion{{Name: "sneaky", When: "department IN (SELECT content FROM read_text('/etc/passwd'))"}}})
	if err == nil || !strings.Contains(err.Error(), `exclusion "sneaky": refused`) {
		t.Fatalf("sub-query: %v", err)
	}
	w, err := NewLiveWhen(ctx, &config.Config{Exclusions: []*config.Exclusion{{Name: "typo", When: "departmnt = 'Legal'"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Match(ctx, schemas.User{ID: "u1"}); err == nil || !strings.Contains(err.Error(), `exclusion "typo": when:`) {
		t.Fatalf("unknown column: %v", err)
	}
	// A file that surely exists (no /etc/hostname on macOS): without the
	// sandbox the read would succeed.
	secret, _ := secretFile(t)
	if err := w.e.exec(ctx, "SELECT * FROM read_text("+quoteString(secret)+")"); err == nil {
		t.Fatal("the live evaluator can read files")
	}
}

// TestEveryWhenPathRefusesForbidden: the transform's evaluation (evalWhen)
// and the live re-check (NewLiveWhen) both refuse each function
// pipeline/sqlcheck forbids, and a file read, before DuckDB runs the text.
func TestEveryWhenPathRefusesForbidden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forbidden := sqlcheck.ForbiddenFunctions()
	if len(forbidden) == 0 {
		t.Fatal("sqlcheck forbids no function")
	}
	var whens []string
	for _, f := range forbidden {
		whens = append(whens, "department = 'x' OR "+f+"('x') IS NOT NULL")
	}
	whens = append(whens, "id IN (SELECT content FROM read_text('/etc/passwd'))")
	e, err := openEngine(ctx, Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	for _, w := range whens {
		x := &config.Exclusion{Name: "bad", When: w}
		if err := evalWhen(ctx, e, x); err == nil || !strings.Contains(err.Error(), `exclusion "bad": refused`) {
			t.Errorf("transform: when %q: %v; want it refused", w, err)
		}
		live, err := NewLiveWhen(ctx, &config.Config{Exclusions: []*config.Exclusion{x}})
		if err == nil || !strings.Contains(err.Error(), `exclusion "bad": refused`) {
			t.Errorf("live re-check: when %q: %v; want it refused", w, err)
		}
		live.Close()
	}
}
