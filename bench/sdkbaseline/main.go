// Command sdkbaseline is the extractor a user would otherwise write: Microsoft's
// official Graph SDK for Go (msgraph-sdk-go) with an azidentity
// ClientSecretCredential, paging GET /users with the same $select and $top
// as reclaim's users stage and reading GET /subscribedSkus, writing one CSV
// line per user and per SKU. make bench runs it against the same simulated
// tenant as reclaim to compare wall time, requests and memory.
//
// It lives in the bench module so reclaim's own binary never links the SDK.
// The simulator's certificate is trusted through SSL_CERT_FILE (Go on Linux).
//
// On success it prints one JSON object to stdout: {"users":N,"skus":M}.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// userSelect is reclaim's users $select (stages/extract/directory.go), with
// signInActivity, which caps $top at 500.
var userSelect = []string{"id", "userPrincipalName", "displayName", "mail", "userType", "accountEnabled",
	"department", "jobTitle", "country", "usageLocation", "createdDateTime", "onPremisesSyncEnabled", "signInActivity"}

func main() {
	base := flag.String("url", "", "base URL of the tenant (login authority host = Graph endpoint), e.g. https://127.0.0.1:PORT")
	tenant := flag.String("tenant", "", "tenant id")
	client := flag.String("client", "", "client (application) id")
	out := flag.String("out", "", "CSV file to write (users then SKUs)")
	top := flag.Int("top", 500, "$top for /users (500 is the most Graph serves with signInActivity)")
	flag.Parse()
	secret := os.Getenv("SDKBASELINE_CLIENT_SECRET")
	if *base == "" || *tenant == "" || *client == "" || *out == "" || secret == "" {
		fmt.Fprintln(os.Stderr, "usage: SDKBASELINE_CLIENT_SECRET=… sdkbaseline -url URL -tenant ID -client ID -out FILE")
		os.Exit(2)
	}
	n, skus, err := extract(context.Background(), *base, *tenant, *client, secret, *out, int32(*top))
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdkbaseline:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]int{"users": n, "skus": skus})
}

func extract(ctx context.Context, base, tenant, clientID, secret, out string, top int32) (int, int, error) {
	u, err := url.Parse(base)
	if err != nil {
		return 0, 0, err
	}
	cred, err := azidentity.NewClientSecretCredential(tenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: base + "/"}},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		return 0, 0, fmt.Errorf("credential: %w", err)
	}
	// The SDK attaches the token only to hosts it is told to trust.
	gc, err := msgraph.NewGraphServiceClientWithCredentialsAndHosts(cred, []string{base + "/.default"}, []string{u.Hostname()})
	if err != nil {
		return 0, 0, fmt.Errorf("graph client: %w", err)
	}
	gc.GetAdapter().SetBaseUrl(base + "/v1.0")

	f, err := os.Create(out)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)

	resp, err := gc.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Select: userSelect, Top: &top},
	})
	if err != nil {
		return 0, 0, fmt.Errorf("GET /users: %w", describe(err))
	}
	it, err := msgraphcore.NewPageIterator[models.Userable](resp, gc.GetAdapter(), models.CreateUserCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return 0, 0, err
	}
	n := 0
	var werr error
	err = it.Iterate(ctx, func(u models.Userable) bool {
		n++
		rec := []string{"user", s(u.GetId()), s(u.GetUserPrincipalName()), s(u.GetDisplayName()), s(u.GetMail()),
			s(u.GetUserType()), b(u.GetAccountEnabled()), s(u.GetDepartment()), s(u.GetJobTitle()), s(u.GetCountry()),
			s(u.GetUsageLocation()), t(u.GetCreatedDateTime()), b(u.GetOnPremisesSyncEnabled()), "", "", ""}
		if a := u.GetSignInActivity(); a != nil {
			rec[13], rec[14], rec[15] = t(a.GetLastSignInDateTime()), t(a.GetLastNonInteractiveSignInDateTime()), t(a.GetLastSuccessfulSignInDateTime())
		}
		werr = w.Write(rec)
		return werr == nil
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return n, 0, fmt.Errorf("paging /users after %d users: %w", n, describe(err))
	}

	sk, err := gc.SubscribedSkus().Get(ctx, nil)
	if err != nil {
		return n, 0, fmt.Errorf("GET /subscribedSkus: %w", describe(err))
	}
	skus := 0
	for _, k := range sk.GetValue() {
		skus++
		var enabled int32
		if p := k.GetPrepaidUnits(); p != nil && p.GetEnabled() != nil {
			enabled = *p.GetEnabled()
		}
		var consumed int32
		if c := k.GetConsumedUnits(); c != nil {
			consumed = *c
		}
		skuID := ""
		if id := k.GetSkuId(); id != nil {
			skuID = id.String()
		}
		if err := w.Write([]string{"sku", s(k.GetId()), skuID, s(k.GetSkuPartNumber()),
			strconv.Itoa(int(consumed)), strconv.Itoa(int(enabled))}); err != nil {
			return n, skus, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return n, skus, err
	}
	if err := bw.Flush(); err != nil {
		return n, skus, err
	}
	return n, skus, f.Close()
}

// describe adds the OData error's code and message, which the SDK's error
// value does not print.
func describe(err error) error {
	var odata *odataerrors.ODataError
	if errors.As(err, &odata) && odata.GetErrorEscaped() != nil {
		e := odata.GetErrorEscaped()
		return fmt.Errorf("%w (%s: %s)", err, s(e.GetCode()), s(e.GetMessage()))
	}
	return err
}

func s(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func b(p *bool) string {
	if p == nil {
		return ""
	}
	return strconv.FormatBool(*p)
}

func t(p *time.Time) string {
	if p == nil {
		return ""
	}
	return p.UTC().Format(time.RFC3339)
}
