package simtenant_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/reclaimhq/reclaim/simtenant"
)

// TestAzidentityGetsToken proves Microsoft's own Go identity library works
// against the simulator: ClientSecretCredential with the simulator as
// authority host and instance discovery disabled.
func TestAzidentityGetsToken(t *testing.T) {
	srv, err := simtenant.Start(simtenant.Options{Users: 10, Today: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pemBytes, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	cred, err := azidentity.NewClientSecretCredential(srv.TenantID(), srv.ClientID(), srv.ClientSecret(), &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"},
			Transport: hc,
		},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	readUsers(t, srv, hc, cred)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// A wrong secret surfaces as an authentication failure.
	bad, _ := azidentity.NewClientSecretCredential(srv.TenantID(), srv.ClientID(), "wrong", &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"}, Transport: hc},
		DisableInstanceDiscovery: true,
	})
	if _, err := bad.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{srv.GraphEndpoint() + "/.default"}}); err == nil {
		t.Fatal("wrong secret accepted")
	}
}
