package msgraph_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/msgraph/msgraphtest"
	"github.com/reclaimhq/reclaim/pipeline/secret"
)

func users(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"id": fmt.Sprintf("u%05d", i), "userPrincipalName": fmt.Sprintf("u%d@contoso.com", i)}
	}
	return out
}

func client(t *testing.T, ten *msgraphtest.Tenant, clientSecret string) *msgraph.Client {
	t.Helper()
	c, err := msgraph.New(msgraph.Options{
		Profile: "demo", TenantID: ten.TenantID,
		Credentials: msgraph.Credentials{ClientID: ten.ClientID, ClientSecret: secret.New(clientSecret)}, Authenticator: azcred.Authenticate,
		GraphEndpoint: ten.URL(), LoginEndpoint: ten.URL(), CAFile: ten.CAFile(),
		Retry: msgraph.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func collectIDs(t *testing.T, c *msgraph.Client, ctx context.Context, path string) ([]string, error) {
	var ids []string
	err := c.Graph().Pages(ctx, msgraph.ClassDirectory, path, nil, func(items []json.RawMessage) error {
		for _, it := range items {
			var u struct{ ID string }
			if err := json.Unmarshal(it, &u); err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		return nil
	})
	return ids, err
}

// TestPagesSurviveFaults pages 1234 users through 429 storms, 503s,
// connections dropped mid-page and a token rejected mid-run, and checks
// every user arrives exactly once, in order.
func TestPagesSurviveFaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    msgraphtest.Faults
	}{
		{"clean", msgraphtest.Faults{}},
		{"429 storm", msgraphtest.Faults{Throttle429Every: 2}},
		{"503", msgraphtest.Faults{Fail503Every: 3}},
		{"dropped mid-page", msgraphtest.Faults{DropEvery: 3}},
		{"token expires mid-run", msgraphtest.Faults{ExpireTokenAt: 4}},
		{"everything", msgraphtest.Faults{Throttle429Every: 5, Fail503Every: 7, DropEvery: 4, ExpireTokenAt: 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ten := msgraphtest.Start(t, &msgraphtest.Tenant{Users: users(1234), Faults: tc.f})
			c := client(t, ten, ten.ClientSecret)
			st := &msgraph.Stats{}
			ids, err := collectIDs(t, c, msgraph.WithStats(context.Background(), st), "/users?$select=id&$top=100")
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 1234 {
				t.Fatalf("got %d users, want 1234", len(ids))
			}
			for i, id := range ids {
				if id != fmt.Sprintf("u%05d", i) {
					t.Fatalf("user %d is %s: lost or duplicated rows", i, id)
				}
			}
			if st.Pages.Load() != 13 {
				t.Errorf("pages = %d, want 13", st.Pages.Load())
			}
			if tc.f.Throttle429Every > 0 && st.ThrottledWaits.Load() == 0 {
				t.Error("no throttled wait counted")
			}
			if tc.f != (msgraphtest.Faults{}) && st.Retries.Load() == 0 && tc.f.ExpireTokenAt == 0 {
				t.Error("no retry counted")
			}
			if tc.f.ExpireTokenAt > 0 && ten.Tokens.Load() < 2 {
				t.Errorf("token requests = %d: the rejected token was not replaced", ten.Tokens.Load())
			}
		})
	}
}

func TestWrongSecretFailsOnceWithAADSTS(t *testing.T) {
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Users: users(3)})
	c := client(t, ten, "not-the-secret")
	_, err := collectIDs(t, c, context.Background(), "/users")
	var ae *msgraph.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T), want *AuthError", err, err)
	}
	msg := err.Error()
	for _, want := range []string{`profile "demo"`, "AADSTS7000215", "client_secret"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "not-the-secret") {
		t.Errorf("error leaks the secret: %q", msg)
	}
	if n := ten.Tokens.Load(); n != 1 {
		t.Errorf("%d token requests, want 1 (no retry storm)", n)
	}
	if n := ten.Total(); n != 0 {
		t.Errorf("%d API requests without a token", n)
	}
}

func TestForbiddenNamesPermissionAndIsNotRetried(t *testing.T) {
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Users: users(3), Faults: msgraphtest.Faults{ForbiddenPath: "/v1.0/reports"}})
	c := client(t, ten, ten.ClientSecret)
	f, _ := os.CreateTemp(t.TempDir(), "r")
	_, err := c.Graph().Download(context.Background(), msgraph.ClassReports, "/reports/getEmailActivityUserDetail(period='D30')", f)
	var ge *msgraph.Error
	if !errors.As(err, &ge) || ge.Status != 403 {
		t.Fatalf("error %v, want 403 *Error", err)
	}
	if !strings.Contains(err.Error(), "Reports.Read.All") {
		t.Errorf("error %q does not name Reports.Read.All", err)
	}
	if n := ten.Total(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestMalformedJSONIsAnError(t *testing.T) {
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Users: users(3), Faults: msgraphtest.Faults{MalformedPath: "/v1.0/users"}})
	c := client(t, ten, ten.ClientSecret)
	_, err := collectIDs(t, c, context.Background(), "/users")
	var me *msgraph.MalformedError
	if !errors.As(err, &me) {
		t.Fatalf("error %v, want *MalformedError", err)
	}
}

func TestDownloadFollowsRedirectWithoutBearer(t *testing.T) {
	csv := "\ufeffReport Refresh Date,User Principal Name\n2026-11-23,a@contoso.com\n"
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Reports: map[string]string{"getEmailActivityUserDetail": csv},
		Faults: msgraphtest.Faults{DropEvery: 2}})
	c := client(t, ten, ten.ClientSecret)
	f, _ := os.CreateTemp(t.TempDir(), "r")
	if _, err := c.Graph().Download(context.Background(), msgraph.ClassReports, "/reports/getEmailActivityUserDetail(period='D30')", f); err != nil {
		t.Fatal(err)
	}
	f.Seek(0, 0)
	got, _ := io.ReadAll(f)
	if string(got) != csv {
		t.Errorf("downloaded %q, want %q", got, csv)
	}
}

// TestNonIdempotentRetriesOnlyOn429: assignLicense is repeated after a 429
// (not processed) but never after a 503 (outcome unknown).
func TestNonIdempotentRetriesOnlyOn429(t *testing.T) {
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Faults: msgraphtest.Faults{Throttle429Every: 1}})
	c := client(t, ten, ten.ClientSecret)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	body := map[string]any{"addLicenses": []any{}, "removeLicenses": []string{"sku"}}
	err := c.Graph().PostJSON(ctx, msgraph.ClassWrite, "/users/u1/assignLicense", body, nil, false)
	if err == nil || !strings.Contains(err.Error(), "giving up") {
		t.Fatalf("error %v, want giving up after 429s", err)
	}
	if n := ten.Total(); n != 8 {
		t.Errorf("%d attempts on 429, want 8", n)
	}

	ten = msgraphtest.Start(t, &msgraphtest.Tenant{Faults: msgraphtest.Faults{Fail503Every: 1}})
	c = client(t, ten, ten.ClientSecret)
	err = c.Graph().PostJSON(ctx, msgraph.ClassWrite, "/users/u1/assignLicense", body, nil, false)
	if !msgraph.IsStatus(err, 503) {
		t.Fatalf("error %v, want the 503", err)
	}
	if n := ten.Total(); n != 1 {
		t.Errorf("%d attempts on 503, want 1 (no blind retry of a write)", n)
	}
}

func TestContextCancelStopsRetrying(t *testing.T) {
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Users: users(3), Faults: msgraphtest.Faults{Throttle429Every: 1, RetryAfter: "30"}})
	c := client(t, ten, ten.ClientSecret)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := collectIDs(t, c, ctx, "/users")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want deadline exceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("cancellation did not interrupt the Retry-After wait")
	}
}

// TestDataverseCredentialsByEnvironment: an environment listed in
// Options.DataverseCredentials authenticates as that identity (here a wrong
// secret, refused with the environment's scope named), every other one and
// Graph as the profile.
func TestDataverseCredentialsByEnvironment(t *testing.T) {
	ten := msgraphtest.Start(t, &msgraphtest.Tenant{Users: users(3),
		Dataverse: map[string]map[string][]map[string]any{"org1": {"systemusers": {{"systemuserid": "s1"}}}, "org2": {"systemusers": {{"systemuserid": "s2"}}}}})
	c, err := msgraph.New(msgraph.Options{Profile: "demo", TenantID: ten.TenantID,
		Credentials:          msgraph.Credentials{ClientID: ten.ClientID, ClientSecret: secret.New(ten.ClientSecret)},
		DataverseCredentials: map[string]msgraph.Credentials{ten.DataverseURL("org2") + "/": {ClientID: ten.ClientID, ClientSecret: secret.New("not-the-secret")}},
		Authenticator:        azcred.Authenticate,
		GraphEndpoint:        ten.URL(), LoginEndpoint: ten.URL(), CAFile: ten.CAFile(),
		Retry: msgraph.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := collectIDs(t, c, context.Background(), "/users"); err != nil || len(ids) != 3 {
		t.Fatalf("graph: %v %v", ids, err)
	}
	read := func(org string) error {
		api, err := c.Dataverse(ten.DataverseURL(org))
		if err != nil {
			return err
		}
		return api.Pages(context.Background(), msgraph.ClassDataverse, "/systemusers", nil, func([]json.RawMessage) error { return nil })
	}
	if err := read("org1"); err != nil {
		t.Errorf("org1 (the profile's identity): %v", err)
	}
	err = read("org2")
	var ae *msgraph.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), ten.DataverseURL("org2")+"/.default") || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Errorf("org2 (its own identity, a wrong secret): %v, want the AADSTS7000215 refusal for its scope", err)
	}
}
