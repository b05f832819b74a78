package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/pflag"

	"github.com/reclaimhq/reclaim/simtenant"
)

var update = flag.Bool("update", false, "rewrite what testdata/script/*.txtar compare against (cmp's second file) from the current output")

// TestScripts runs testdata/script/*.txtar: what a person reads from the
// command line (validate's summaries and diagnostics, --help, run, plan,
// apply and undo output, error messages), each script a sequence of reclaim
// command lines and the output they must print (refresh: go test -update,
// which rewrites the files the scripts cmp against). Scripts run in
// parallel, each in its own $WORK with a bare environment; reclaim is this
// test binary re-executed (testscript.Main in TestMain), so nothing is built.
//
// Besides testscript's own commands, a script has:
//
//	exits CODE PROG [ARGS...]
//	    run PROG like exec and fail unless it exits with exactly CODE
//	    (exec's ! accepts any failure; reclaim's 1 and 2 mean different things)
//	sim start [FLAGS]
//	    start a simulated tenant (the flags of `reclaim sim serve`) over
//	    loopback HTTPS for the rest of the script, and set SIM_URL, SIM_CA,
//	    SIM_TENANT_ID, SIM_CLIENT_ID, SIM_SECRET, and SIM_IDENTITY_ENDPOINT
//	    and SIM_IDENTITY_HEADER (its managed identity endpoint)
//	scrub
//	    replace what differs from one run to the next in the last command's
//	    stdout and stderr (run ids, and the plan and action ids and the
//	    actions digest made from them, a plan's creation time) with RUN-ID,
//	    PLAN-ID, ACTION-ID, DIGEST and DATE, and the script's directory with $WORK, so
//	    that cmp (which -update rewrites, unlike cmpenv) can compare the rest
//	grab NAME REGEXP
//	    set $NAME to the first group REGEXP matches in the last command's
//	    stdout (a path or id the next command needs)
//	sim az-token FILE
//	    write to FILE what `az account get-access-token -o json` prints,
//	    with a token of the script's tenant (for a fake az on PATH)
//	issuer start
//	    start a local OpenID Connect issuer (before sim start, whose
//	    --federated-issuer names it) and set ISSUER_URL, GH_REQUEST_URL,
//	    GH_REQUEST_TOKEN, GH_SUBJECT (its GitHub Actions endpoint) and
//	    ADO_OIDC_URI, ADO_ACCESS_TOKEN, ADO_SUBJECT (its Azure Pipelines one)
//	issuer token FILE SUBJECT [TTL]
//	    write a token of the issuer for SUBJECT (audience
//	    api://AzureADTokenExchange, valid TTL, default 10m, negative: expired)
//	    to FILE, as Kubernetes projects a service account token
//	sim requests CLASS
//	    print how many requests of that endpoint class (token, users, …:
//	    the classes of simtenant.Stats) the script's tenant has answered
//
// $REPO is the repository root, for the examples (examples/demo).
func TestScripts(t *testing.T) {
	t.Parallel()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", repo)
			return nil
		},
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":  scriptExits,
			"sim":    scriptSim,
			"scrub":  scriptScrub,
			"grab":   scriptGrab,
			"issuer": scriptIssuer,
		},
	})
}

// scriptExits is the exits command.
func scriptExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits (name the code it should exit with)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: CODE %q is not a number", args[0])
	}
	got := 0
	var ee *exec.ExitError
	switch err := ts.Exec(args[1], args[2:]...); {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d; want %d", args[1], got, want)
	}
}

// scrubbed are the parts of reclaim's output that change on every run, and
// what scrub writes instead.
var scrubbed = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b\d{8}T\d{6}Z-[0-9a-f]{6}\b`), "RUN-ID"},
	{regexp.MustCompile(`\b(plan[ -])[0-9a-f]{16}\b`), "${1}PLAN-ID"},
	{regexp.MustCompile(`\b(action )[0-9a-f]{16}\b`), "${1}ACTION-ID"},
	{regexp.MustCompile(`\bsha256:[0-9a-f]{64}\b`), "sha256:DIGEST"},
	{regexp.MustCompile(`\bcreated \d{4}-\d\d-\d\d \d\d:\d\d UTC\b`), "created DATE"},
}

// scriptScrub is the scrub command.
func scriptScrub(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: scrub")
	}
	for _, std := range []struct {
		name string
		w    io.Writer
	}{{"stdout", ts.Stdout()}, {"stderr", ts.Stderr()}} {
		text := strings.ReplaceAll(ts.ReadFile(std.name), ts.Getenv("WORK"), "$WORK")
		if repo := ts.Getenv("REPO"); repo != "" {
			// Config paths under the repository (examples/...) in messages.
			text = strings.ReplaceAll(text, repo, "$REPO")
		}
		for _, s := range scrubbed {
			text = s.re.ReplaceAllString(text, s.with)
		}
		fmt.Fprint(std.w, text)
	}
}

// scriptGrab is the grab command.
func scriptGrab(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: grab NAME REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("grab: no group of %s in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// scriptSims holds each running script's simulated tenant.
var scriptSims sync.Map // *testscript.TestScript → *simtenant.Server

// scriptSim is the sim command.
func scriptSim(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: sim start [FLAGS] | sim requests CLASS | sim az-token FILE")
	}
	switch args[0] {
	case "start":
		scriptSimStart(ts, args[1:])
	case "requests":
		v, ok := scriptSims.Load(ts)
		if !ok || len(args) != 2 {
			ts.Fatalf("usage: sim requests CLASS, after sim start")
		}
		var n int64
		for _, c := range v.(*simtenant.Server).Stats().Requests[args[1]] {
			n += c
		}
		fmt.Fprintln(ts.Stdout(), n)
	case "az-token":
		v, ok := scriptSims.Load(ts)
		if !ok || len(args) != 2 {
			ts.Fatalf("usage: sim az-token FILE, after sim start")
		}
		scriptSimAzToken(ts, v.(*simtenant.Server), args[1])
	default:
		ts.Fatalf("unknown: sim %s (want start, requests or az-token)", args[0])
	}
}

func scriptSimStart(ts *testscript.TestScript, args []string) {
	if _, running := scriptSims.Load(ts); running {
		ts.Fatalf("sim start: this script's tenant is already running")
	}
	f := &simServeFlags{}
	fl := pflag.NewFlagSet("sim start", pflag.ContinueOnError)
	f.register(fl)
	ts.Check(fl.Parse(args))
	o, err := f.options()
	ts.Check(err)
	if o.CertDir == "" {
		o.CertDir = ts.MkAbs(".sim")
		ts.Check(os.MkdirAll(o.CertDir, 0o755))
	}
	srv, err := simtenant.Start(o)
	ts.Check(err)
	scriptSims.Store(ts, srv)
	ts.Defer(func() {
		scriptSims.Delete(ts)
		srv.Close()
	})
	ts.Setenv("SIM_URL", srv.URL())
	ts.Setenv("SIM_CA", srv.CAFile())
	ts.Setenv("SIM_TENANT_ID", srv.TenantID())
	ts.Setenv("SIM_CLIENT_ID", srv.ClientID())
	ts.Setenv("SIM_SECRET", srv.ClientSecret())
	ts.Setenv("SIM_IDENTITY_ENDPOINT", srv.IdentityEndpoint())
	ts.Setenv("SIM_IDENTITY_HEADER", srv.IdentityHeader())
}

// scriptSimAzToken is `sim az-token FILE`: what `az account get-access-token
// -o json` prints (accessToken, expiresOn in local time, expires_on in Unix
// seconds, subscription, tenant, tokenType — the shape of Azure CLI 2.54+,
// which azidentity's AzureCLICredential parses), with a Graph token of the
// script's tenant, for a fake az on PATH.
func scriptSimAzToken(ts *testscript.TestScript, srv *simtenant.Server, file string) {
	tok, exp, err := srv.AccessToken(srv.GraphEndpoint())
	ts.Check(err)
	body, err := json.MarshalIndent(map[string]any{
		"accessToken": tok, "expiresOn": exp.Local().Format("2006-01-02 15:04:05.000000"), "expires_on": exp.Unix(),
		"subscription": "00000000-0000-0000-0000-000000000000", "tenant": srv.TenantID(), "tokenType": "Bearer",
	}, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(file), body, 0o600))
}

// scriptIssuers holds each running script's OpenID Connect issuer.
var scriptIssuers sync.Map // *testscript.TestScript → *simtenant.Issuer

// scriptIssuer is the issuer command.
func scriptIssuer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: issuer start | issuer token FILE SUBJECT [TTL]")
	}
	switch args[0] {
	case "start":
		o := simtenant.IssuerOptions{GitHubRequestToken: "gh-request-Secret-7f3a-never-shown", PipelinesAccessToken: "ado-access-Secret-91c2-never-shown"}
		iss, err := simtenant.StartIssuer(o)
		ts.Check(err)
		scriptIssuers.Store(ts, iss)
		ts.Defer(func() {
			scriptIssuers.Delete(ts)
			iss.Close()
		})
		ts.Setenv("ISSUER_URL", iss.URL())
		ts.Setenv("GH_REQUEST_URL", iss.GitHubRequestURL())
		ts.Setenv("GH_REQUEST_TOKEN", o.GitHubRequestToken)
		ts.Setenv("GH_SUBJECT", iss.GitHubSubject())
		ts.Setenv("ADO_OIDC_URI", iss.PipelinesRequestURI())
		ts.Setenv("ADO_ACCESS_TOKEN", o.PipelinesAccessToken)
		ts.Setenv("ADO_SUBJECT", iss.PipelinesSubject())
	case "token":
		v, ok := scriptIssuers.Load(ts)
		if !ok || len(args) < 3 || len(args) > 4 {
			ts.Fatalf("usage: issuer token FILE SUBJECT [TTL], after issuer start")
		}
		ttl := 10 * time.Minute
		if len(args) == 4 {
			d, err := time.ParseDuration(args[3])
			ts.Check(err)
			ttl = d
		}
		ts.Check(v.(*simtenant.Issuer).WriteTokenFile(ts.MkAbs(args[1]), args[2], ttl))
	default:
		ts.Fatalf("unknown: issuer %s (want start or token)", args[0])
	}
}
