package msgraph_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/msgraph/msgraphtest"
	"github.com/reclaimhq/reclaim/pipeline/secret"
	"github.com/reclaimhq/reclaim/simtenant"
)

// simClient is a client of the simulated tenant with millisecond backoff.
func simClient(t *testing.T, srv *simtenant.Server, mod func(*msgraph.Options)) *msgraph.Client {
	t.Helper()
	o := msgraph.Options{Profile: "sim", TenantID: srv.TenantID(),
		Credentials: msgraph.Credentials{ClientID: srv.ClientID(), ClientSecret: secret.New(srv.ClientSecret())}, Authenticator: azcred.Authenticate,
		GraphEndpoint: srv.URL(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile(),
		Retry: msgraph.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}}
	if mod != nil {
		mod(&o)
	}
	c, err := msgraph.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startSim(t *testing.T, o simtenant.Options) *simtenant.Server {
	t.Helper()
	srv, err := simtenant.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// TestMalformedPagesAreRetriedThenFail: a 200 with an empty body, with {} (a
// page without value) or with JSON cut in half is never the end of the
// collection. Once, it is retried and every user arrives; always, the call
// fails with a *MalformedError after its attempts instead of returning the
// users so far.
func TestMalformedPagesAreRetriedThenFail(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{simtenant.BodyEmpty, simtenant.BodyObject, simtenant.BodyTruncated} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simtenant.Options{Users: 300})
			c := simClient(t, srv, nil)
			// The second page, once: retried, nothing lost.
			srv.SetBodyFault(mode, "/v1.0/users", 1, 1)
			st := &msgraph.Stats{}
			ctx := msgraph.WithStats(context.Background(), st)
			ids, err := collectIDs(t, c, ctx, "/users?$select=id&$top=100")
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 300 {
				t.Fatalf("got %d users, want 300", len(ids))
			}
			if st.Retries.Load() == 0 {
				t.Fatal("the malformed page was not retried")
			}
			// Every page after the first: the call fails, never a short list.
			srv.SetBodyFault(mode, "/v1.0/users", 1, 0)
			ids, err = collectIDs(t, c, ctx, "/users?$select=id&$top=100")
			var me *msgraph.MalformedError
			if !errors.As(err, &me) {
				t.Fatalf("got %d users and error %v, want a MalformedError", len(ids), err)
			}
			t.Log(err)
		})
	}
}

// TestOutageEndsWithinMaxRetryTime: when every request fails, calls stop
// retrying once nothing has succeeded for MaxRetryTime, however many
// attempts they had left.
func TestOutageEndsWithinMaxRetryTime(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"error", "drop"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simtenant.Options{Users: 50, FailAfter: 1, FailMode: mode})
			c := simClient(t, srv, func(o *msgraph.Options) {
				o.Retry = msgraph.RetryPolicy{MaxAttempts: 1000, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond,
					MaxRetryTime: 150 * time.Millisecond}
			})
			start := time.Now()
			_, err := collectIDs(t, c, context.Background(), "/users?$select=id")
			var oe *msgraph.OutageError
			if !errors.As(err, &oe) {
				t.Fatalf("want an OutageError, got %v", err)
			}
			// A second call in the same outage gives up at once.
			if _, err := collectIDs(t, c, context.Background(), "/subscribedSkus"); !errors.As(err, &oe) {
				t.Fatalf("second call: want an OutageError, got %v", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %s, want about 150ms", d)
			}
			t.Log(err)
		})
	}
}

// TestTokenFailureIsFetchedOnceAndShared: a token request Microsoft refuses
// (invalid_scope, wrong secret) is made once per credential and scope; every
// caller gets the same error naming the AADSTS code, Microsoft's description
// and what to check.
func TestTokenFailureIsFetchedOnceAndShared(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode, code string
		want       []string
	}{
		{simtenant.TokenInvalidScope, "AADSTS70011", []string{"'scope' is not valid", "graph_endpoint", "same cloud"}},
		{simtenant.TokenInvalidClient, "AADSTS7000215", []string{"Invalid client secret provided", "check client_secret for app " +
			simtenant.DefaultClientID + " in tenant " + simtenant.DefaultTenantID, "not its Secret ID"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simtenant.Options{Users: 20, TokenFault: tc.mode})
			c := simClient(t, srv, nil)
			var wg sync.WaitGroup
			errs := make([]error, 16)
			for i := range errs {
				wg.Go(func() { _, errs[i] = collectIDs(t, c, context.Background(), "/users?$select=id") })
			}
			wg.Wait()
			for _, err := range errs {
				var ae *msgraph.AuthError
				if !errors.As(err, &ae) || ae.Code != tc.code {
					t.Fatalf("want an AuthError %s, got %v", tc.code, err)
				}
				if err.Error() != errs[0].Error() {
					t.Fatalf("errors differ:\n%v\n%v", err, errs[0])
				}
			}
			msg := errs[0].Error()
			if strings.Contains(msg, "Trace ID") || strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line without trace ids", msg)
			}
			for _, want := range append(tc.want, tc.code) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			if n := srv.Stats().Requests["token"]; sum(n) != 1 {
				t.Errorf("token requests: %v, want exactly one", n)
			}
		})
	}
}

func sum(m map[int]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// TestTokenRequestsAreRetried: a token response lost to a dropped
// connection, or a 503 from the login endpoint, is retried like any request.
func TestTokenRequestsAreRetried(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{simtenant.TokenDrop, simtenant.TokenUnavailable} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simtenant.Options{Users: 20, TokenFault: mode, TokenFaultCount: 2})
			c := simClient(t, srv, nil)
			ids, err := collectIDs(t, c, context.Background(), "/users?$select=id")
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 20 {
				t.Fatalf("got %d users, want 20", len(ids))
			}
			// The two faults were met (and retried), not skipped.
			if n := srv.Stats().Faults["token_"+mode]; n != 2 {
				t.Errorf("token faults injected: %d, want 2", n)
			}
		})
	}
}

// TestTokenTLSErrorKeepsItsCause: a ca_file that does not hold the login
// host's CA names the certificate error, not an empty "server response".
func TestTokenTLSErrorKeepsItsCause(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simtenant.Options{Users: 20})
	other := startSim(t, simtenant.Options{Users: 20})
	c := simClient(t, srv, func(o *msgraph.Options) { o.CAFile = other.CAFile() })
	_, err := collectIDs(t, c, context.Background(), "/users?$select=id")
	if err == nil || !strings.Contains(err.Error(), "x509") {
		t.Fatalf("want the x509 error, got %v", err)
	}
	t.Log(err)
}

// TestMicrosoftTokenErrorExample reads Microsoft's documented invalid_scope
// response (testdata/aadsts/invalid_scope.json, verbatim): one line with the
// code, the description without trace ids, and the cloud advice.
func TestMicrosoftTokenErrorExample(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/aadsts/invalid_scope.json")
	if err != nil {
		t.Fatal(err)
	}
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Users: users(3), Faults: msgraphtest.Faults{TokenError: string(body)}})
	c := client(t, ten, ten.ClientSecret)
	for range 3 {
		_, err = collectIDs(t, c, context.Background(), "/users")
	}
	var ae *msgraph.AuthError
	if !errors.As(err, &ae) || ae.Code != "AADSTS70011" {
		t.Fatalf("want AuthError AADSTS70011, got %v", err)
	}
	want := "The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/.default is not valid"
	if ae.Description != want {
		t.Errorf("description %q, want %q", ae.Description, want)
	}
	if msg := err.Error(); strings.Contains(msg, "Trace ID") || !strings.Contains(msg, "same cloud") {
		t.Errorf("message %q", msg)
	}
	if n := ten.Tokens.Load(); n != 1 {
		t.Errorf("%d token requests for three calls, want 1", n)
	}
}
