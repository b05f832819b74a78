package azcred

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/reclaimhq/reclaim/msgraph"
)

// The auth kinds the config names (config.AuthKinds); the wiring passes
// them through as msgraph.Credentials.Auth.
const (
	authClientSecret     = "client_secret"
	authCertificate      = "certificate"
	authWorkloadIdentity = "workload_identity"
	authManagedIdentity  = "managed_identity"
	authGitHubOIDC       = "github_oidc"
	authAzurePipelines   = "azure_pipelines"
	authAzureCLI         = "azure_cli"
)

// federationAudience is the audience Entra expects of a federated token
// (the default of a federated identity credential).
const federationAudience = "api://AzureADTokenExchange"

// source is a secretless credential resolved against the environment:
// what to build it from, and why, in words for `validate --connect`. The
// request tokens of CI systems stay in the fields and never in why.
type source struct {
	clientID, tokenFile, serviceConnectionID string
	ghURL, ghToken, systemAccessToken        string
	why                                      string
}

// resolve reads what a secretless kind takes from where reclaim runs,
// naming the environment variable that is missing.
func resolve(r msgraph.CredentialRequest) (source, error) {
	cr := r.Credentials
	var s source
	need := func(name, hint string) (string, error) {
		v := os.Getenv(name)
		if v == "" {
			return "", fmt.Errorf("profile %q: auth = %q needs the environment variable %s (%s)", r.Profile, cr.Auth, name, hint)
		}
		return v, nil
	}
	from := func(configured, env string) (string, string) {
		if configured != "" {
			return configured, "from the configuration"
		}
		return os.Getenv(env), "from " + env
	}
	var err error
	switch cr.Auth {
	case authWorkloadIdentity:
		var cidFrom, fileFrom string
		s.clientID, cidFrom = from(cr.ClientID, "AZURE_CLIENT_ID")
		s.tokenFile, fileFrom = from(cr.TokenFile, "AZURE_FEDERATED_TOKEN_FILE")
		if s.clientID == "" {
			return s, fmt.Errorf("profile %q: auth = %q needs client_id or the environment variable AZURE_CLIENT_ID (the workload identity webhook sets it from the service account's azure.workload.identity/client-id annotation)", r.Profile, cr.Auth)
		}
		if s.tokenFile == "" {
			return s, fmt.Errorf("profile %q: auth = %q needs federated_token_file or the environment variable AZURE_FEDERATED_TOKEN_FILE (the workload identity webhook sets it in pods labelled azure.workload.identity/use: \"true\")", r.Profile, cr.Auth)
		}
		if _, err := os.Stat(s.tokenFile); err != nil {
			return s, fmt.Errorf("profile %q: federated token file (%s): %w", r.Profile, fileFrom, err)
		}
		s.why = fmt.Sprintf("workload identity: token file %s (%s), client id %s (%s)", s.tokenFile, fileFrom, s.clientID, cidFrom)
	case authManagedIdentity:
		s.clientID = cr.ClientID
		who := "system-assigned identity"
		if s.clientID != "" {
			who = "user-assigned identity " + s.clientID
		}
		s.why = "managed identity: " + who + " via " + managedIdentitySource()
	case authGitHubOIDC:
		hint := "GitHub Actions sets it for a job with permissions: id-token: write"
		if s.ghURL, err = need("ACTIONS_ID_TOKEN_REQUEST_URL", hint); err != nil {
			return s, err
		}
		if s.ghToken, err = need("ACTIONS_ID_TOKEN_REQUEST_TOKEN", hint); err != nil {
			return s, err
		}
		s.clientID = cr.ClientID
		s.why = fmt.Sprintf("GitHub Actions OIDC: an ID token for %s from ACTIONS_ID_TOKEN_REQUEST_URL, exchanged for app %s", federationAudience, s.clientID)
	case authAzurePipelines:
		if _, err = need("SYSTEM_OIDCREQUESTURI", "Azure Pipelines sets it in every job"); err != nil {
			return s, err
		}
		if s.systemAccessToken, err = need("SYSTEM_ACCESSTOKEN", "map it in the step: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)"); err != nil {
			return s, err
		}
		var scFrom string
		s.serviceConnectionID, scFrom = from(cr.ServiceConnectionID, "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID")
		if s.serviceConnectionID == "" {
			return s, fmt.Errorf("profile %q: auth = %q needs service_connection_id or the environment variable AZURESUBSCRIPTION_SERVICE_CONNECTION_ID (the AzureCLI@2 task sets it)", r.Profile, cr.Auth)
		}
		s.clientID = cr.ClientID
		s.why = fmt.Sprintf("Azure Pipelines: service connection %s (%s), OIDC token from SYSTEM_OIDCREQUESTURI, exchanged for app %s", s.serviceConnectionID, scFrom, s.clientID)
	case authAzureCLI:
		az, err := exec.LookPath("az")
		if err != nil {
			return s, fmt.Errorf("profile %q: auth = %q needs the Azure CLI (az) on PATH, signed in with az login", r.Profile, cr.Auth)
		}
		s.why = fmt.Sprintf("Azure CLI: the account signed in with az login (%s), tenant %s", az, r.TenantID)
	default:
		return s, fmt.Errorf("profile %q: unknown auth %q", r.Profile, cr.Auth)
	}
	return s, nil
}

// managedIdentitySource says which endpoint azidentity's
// ManagedIdentityCredential will ask, by the environment variables MSAL's
// managedidentity.GetSource reads, in its order.
func managedIdentitySource() string {
	switch {
	case os.Getenv("IDENTITY_ENDPOINT") != "" && os.Getenv("IDENTITY_HEADER") != "" && os.Getenv("IDENTITY_SERVER_THUMBPRINT") != "":
		return "Service Fabric (IDENTITY_ENDPOINT " + os.Getenv("IDENTITY_ENDPOINT") + ")"
	case os.Getenv("IDENTITY_ENDPOINT") != "" && os.Getenv("IDENTITY_HEADER") != "":
		return "App Service / Container Apps (IDENTITY_ENDPOINT " + os.Getenv("IDENTITY_ENDPOINT") + ")"
	case os.Getenv("MSI_ENDPOINT") != "":
		return "Cloud Shell / Azure ML (MSI_ENDPOINT " + os.Getenv("MSI_ENDPOINT") + ")"
	case os.Getenv("IDENTITY_ENDPOINT") != "" && os.Getenv("IMDS_ENDPOINT") != "":
		return "Azure Arc (IDENTITY_ENDPOINT " + os.Getenv("IDENTITY_ENDPOINT") + ")"
	}
	return "the Azure Instance Metadata Service (169.254.169.254)"
}

// Explain says which credential the request builds and why, without any
// token or secret: "client secret", "workload identity: token file …".
func Explain(r msgraph.CredentialRequest) (string, error) {
	switch r.Credentials.Auth {
	case "", authClientSecret, authCertificate:
		if r.Credentials.ClientSecret.IsSet() {
			return "client secret of app " + r.Credentials.ClientID, nil
		}
		return fmt.Sprintf("certificate %s of app %s", r.Credentials.CertificateFile, r.Credentials.ClientID), nil
	}
	s, err := resolve(r)
	return s.why, err
}

// secretless builds the credential of a secretless kind.
func secretless(r msgraph.CredentialRequest, opts azcore.ClientOptions, disableDiscovery bool) (func() (azcore.TokenCredential, error), error) {
	s, err := resolve(r)
	if err != nil {
		return nil, err
	}
	cr := r.Credentials
	build := func() (azcore.TokenCredential, error) {
		switch cr.Auth {
		case authWorkloadIdentity:
			return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: opts,
				ClientID: s.clientID, TenantID: r.TenantID, TokenFilePath: s.tokenFile, DisableInstanceDiscovery: disableDiscovery})
		case authManagedIdentity:
			o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
			if s.clientID != "" {
				o.ID = azidentity.ClientID(s.clientID)
			}
			return azidentity.NewManagedIdentityCredential(o)
		case authGitHubOIDC:
			hc := r.HTTP
			if hc == nil {
				hc = http.DefaultClient
			}
			get := func(ctx context.Context) (string, error) { return gitHubIDToken(ctx, hc, s.ghURL, s.ghToken) }
			return azidentity.NewClientAssertionCredential(r.TenantID, s.clientID, get,
				&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
		case authAzurePipelines:
			return azidentity.NewAzurePipelinesCredential(r.TenantID, s.clientID, s.serviceConnectionID, s.systemAccessToken,
				&azidentity.AzurePipelinesCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
		case authAzureCLI:
			return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: r.TenantID})
		}
		return nil, fmt.Errorf("profile %q: unknown auth %q", r.Profile, cr.Auth)
	}
	return func() (azcore.TokenCredential, error) {
		c, err := build()
		if err != nil {
			return nil, err
		}
		return answered{c}, nil
	}, nil
}

// gitHubIDToken asks GitHub Actions for an ID token with Entra's
// federation audience, as actions/core's getIDToken does: GET
// ACTIONS_ID_TOKEN_REQUEST_URL&audience=…, Authorization: Bearer
// ACTIONS_ID_TOKEN_REQUEST_TOKEN, answer {"value": JWT}. Neither token is
// ever part of an error.
func gitHubIDToken(ctx context.Context, hc *http.Client, requestURL, requestToken string) (string, error) {
	sep := "?"
	if strings.Contains(requestURL, "?") {
		sep = "&"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, requestURL+sep+"audience="+federationAudience, nil)
	if err != nil {
		return "", errors.New("github_oidc: ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("github_oidc: requesting the ID token: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("github_oidc: reading the ID token: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("github_oidc: the ID token request answered %s (does the job have permissions: id-token: write?)", res.Status)
	}
	var v struct {
		Value string `json:"value"`
	}
	if json.Unmarshal(body, &v) != nil || v.Value == "" {
		return "", errors.New("github_oidc: the ID token answer has no value")
	}
	return v.Value, nil
}
