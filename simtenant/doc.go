// Package simtenant is a simulated Microsoft 365 tenant: one HTTPS server that
// speaks the Microsoft identity platform token protocol, the Microsoft Graph
// v1.0 endpoints reclaim uses (users, subscribedSkus, usage reports, sign-in
// logs, assignLicense, groups, $batch) and the Dataverse Web API (systemusers,
// audits), so client code that works against it works unchanged against
// Microsoft.
//
// The tenant is generated lazily and deterministically: user i is derived on
// demand from (Seed, i) with its own PRNG, so memory does not grow with the
// number of users and everything served is a pure function of (Seed, Users,
// Options, Today) plus the changes made through the API (the overlay, which can
// be persisted with Options.StateFile).
//
// Tests use Start and the Server accessors; Truth exposes the generator's
// intent per user (archetype, real last activity per workload, direct versus
// group licences) so other packages can check what they derive. Production
// code never imports this package.
package simtenant
