package main

import (
	"errors"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/stages/act"
)

// newClient is the one place a profile becomes a Microsoft client: run's
// extract stages, apply, undo and `validate --connect` all call it, so they
// authenticate (azidentity, msgraph/azcred), trust roots and reach the
// endpoints alike. limits and retry are what each command tunes.
func newClient(p *config.Profile, limits map[msgraph.Class]msgraph.Limit, retry msgraph.RetryPolicy, log hclog.Logger) (*msgraph.Client, error) {
	o := msgraph.Options{
		Profile: p.Name, TenantID: p.TenantID, Credentials: credentials(p.Credentials),
		Authenticator: azcred.Authenticate,
		GraphEndpoint: p.GraphEndpoint, LoginEndpoint: p.LoginEndpoint, CAFile: p.CAFile,
		Limits: limits, Retry: retry, Logger: log,
	}
	for _, env := range p.Dynamics {
		if env.Credentials != nil {
			if o.DataverseCredentials == nil {
				o.DataverseCredentials = map[string]msgraph.Credentials{}
			}
			o.DataverseCredentials[env.URL] = credentials(*env.Credentials)
		}
	}
	return msgraph.New(o)
}

// credentials is the config's app identity as the client takes it.
func credentials(c config.Credentials) msgraph.Credentials {
	return msgraph.Credentials{Auth: c.Auth, TokenFile: c.TokenFile, ServiceConnectionID: c.ServiceConnectionID,
		ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		CertificateFile: c.CertificateFile, CertificatePassword: c.CertificatePassword}
}

// credentialRequest is the profile's own identity (not a Dynamics
// environment's) as azcred takes it.
func credentialRequest(p *config.Profile) msgraph.CredentialRequest {
	return msgraph.CredentialRequest{Profile: p.Name, TenantID: p.TenantID, LoginEndpoint: p.LoginEndpoint,
		Credentials: credentials(p.Credentials)}
}

// profileCredential is the profile's one token credential for services
// other than Microsoft Graph and Dataverse (object storage): the identity
// newClient's APIs use, asked for each service's own scope. It uses the
// system's trust roots, not the profile's ca_file (which is for the
// Microsoft endpoints).
func profileCredential(p *config.Profile) (azcore.TokenCredential, error) {
	return azcred.Credential(credentialRequest(p))
}

// credentialSource says which credential a profile signs in with and why
// ("workload identity: token file …, client id … (from AZURE_CLIENT_ID)"),
// never a token: what validate --connect prints.
func credentialSource(p *config.Profile) (string, error) {
	return azcred.Explain(credentialRequest(p))
}

// newDirectory is the live tenant of a profile for apply and undo: the
// profile's client, whose write class gets the pace and concurrency the
// person asked for (its default, 10 writes/s and 4 at once, would otherwise
// cap the flags).
func newDirectory(p *config.Profile, concurrency int, writesPerSecond float64, log hclog.Logger) (act.Directory, error) {
	if p == nil {
		return nil, errors.New("profile not in the configuration")
	}
	client, err := newClient(p, act.ClientLimits(concurrency, writesPerSecond), msgraph.RetryPolicy{}, log.Named(p.Name))
	if err != nil {
		return nil, err
	}
	return act.NewGraphDirectory(client.Graph()), nil
}
