// Package azcred is msgraph's production Authenticator: it builds the
// Azure identity SDK's (azidentity) credentials for an app identity — a
// client secret or certificate, or a secretless one (workload identity,
// managed identity, GitHub Actions or Azure Pipelines OIDC, the Azure CLI)
// resolved against the environment reclaim runs in. Only the wiring (cmd/reclaim) and tests
// import it; everything else handles a msgraph.Client without linking
// azidentity.
package azcred

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/reclaimhq/reclaim/msgraph"
)

// microsoftLoginHost is the one authority for which azidentity's instance
// discovery is meaningful; any other host (national clouds behind private
// endpoints, the simulated tenant) gets DisableInstanceDiscovery.
const microsoftLoginHost = "login.microsoftonline.com"

var _ msgraph.Authenticator = Authenticate

// Authenticate is a msgraph.Authenticator over azidentity: a secretless
// kind when Credentials.Auth names one (its environment checked now, so a
// missing variable fails when the client is built), else a client secret
// when one is set, else the certificate file (read and parsed now).
func Authenticate(r msgraph.CredentialRequest) (func() (azcore.TokenCredential, error), error) {
	u, err := url.Parse(r.LoginEndpoint)
	if err != nil {
		return nil, fmt.Errorf("profile %q: login_endpoint %q is not a URL", r.Profile, r.LoginEndpoint)
	}
	opts := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: strings.TrimSuffix(r.LoginEndpoint, "/") + "/"},
		Transport: r.HTTP,
		// msgraph retries token requests (with the client's policy and
		// outage bound); azidentity must not retry underneath it.
		Retry: policy.RetryOptions{MaxRetries: -1},
	}
	disableDiscovery := !strings.EqualFold(u.Hostname(), microsoftLoginHost)
	cr := r.Credentials
	if cr.Auth != "" && cr.Auth != authClientSecret && cr.Auth != authCertificate {
		return secretless(r, opts, disableDiscovery)
	}
	switch {
	case cr.ClientSecret.IsSet():
		return func() (azcore.TokenCredential, error) {
			c, err := azidentity.NewClientSecretCredential(r.TenantID, cr.ClientID, cr.ClientSecret.Reveal(),
				&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
			if err != nil {
				return nil, err
			}
			return answered{c}, nil
		}, nil
	case cr.CertificateFile != "":
		data, err := os.ReadFile(cr.CertificateFile)
		if err != nil {
			return nil, fmt.Errorf("profile %q: reading certificate_file: %w", r.Profile, err)
		}
		var pw []byte
		if cr.CertificatePassword.IsSet() {
			pw = []byte(cr.CertificatePassword.Reveal())
		}
		certs, key, err := azidentity.ParseCertificates(data, pw)
		if err != nil {
			return nil, fmt.Errorf("profile %q: certificate_file %s: %v", r.Profile, cr.CertificateFile, err)
		}
		return func() (azcore.TokenCredential, error) {
			c, err := azidentity.NewClientCertificateCredential(r.TenantID, cr.ClientID, certs, key,
				&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
			if err != nil {
				return nil, err
			}
			return answered{c}, nil
		}, nil
	}
	return nil, fmt.Errorf("profile %q: no client_secret or certificate_file", r.Profile)
}

// Credential is the profile's one token credential, for clients other than
// msgraph's (object storage): the same identity Graph and Dataverse use,
// with its own scope per request.
func Credential(r msgraph.CredentialRequest) (azcore.TokenCredential, error) {
	newCred, err := Authenticate(r)
	if err != nil {
		return nil, err
	}
	return newCred()
}

// answered hands msgraph the login endpoint's answer of a failed token
// request as a *msgraph.LoginError; azidentity keeps it in
// AuthenticationFailedError.RawResponse.
type answered struct{ azcore.TokenCredential }

func (a answered) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t, err := a.TokenCredential.GetToken(ctx, o)
	var afe *azidentity.AuthenticationFailedError
	if err == nil || !errors.As(err, &afe) || afe.RawResponse == nil {
		return t, err
	}
	le := &msgraph.LoginError{Status: afe.RawResponse.StatusCode, Err: err}
	if afe.RawResponse.Body != nil {
		le.Body, _ = io.ReadAll(io.LimitReader(afe.RawResponse.Body, 64<<10))
	}
	return t, le
}
