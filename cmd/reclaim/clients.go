package main

import (
	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/pipeline/config"
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
	return msgraph.Credentials{ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		CertificateFile: c.CertificateFile, CertificatePassword: c.CertificatePassword}
}
