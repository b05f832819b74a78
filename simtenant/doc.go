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
// group licences) so other packages can check what they derive.
//
// The simulator is a product feature as much as a test aid, so one
// production package imports it: the CLI, cmd/reclaim, for `reclaim sim
// serve` and `reclaim sim truth` (a tenant to try a configuration against,
// docs/simulator.md) and `reclaim demo` (the whole job against a built-in
// tenant); the scale benchmark (bench/scale, its own module) runs against it
// too. The pipeline and the stages never import it: they reach it only
// over HTTPS, as they reach Microsoft, so nothing they do depends on talking
// to a simulator.
//
// Files by concern: server.go (listener, routing, middleware), auth.go
// (tokens), users.go, licenses.go and groups.go (the directory), entity.go
// (the property tables that drive $select, $filter and the JSON), paging.go
// and odata.go (OData plumbing: paging tokens, $top, the JSON writer, the
// $filter parser), reports.go, signins.go, dataverse.go, batch.go; the
// generator is tenant.go and catalog.go, the overlay of changes state.go.
package simtenant
