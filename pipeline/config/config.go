// Package config turns a directory of HCL files (or one file) into a typed,
// validated Config. It owns the configuration language: block and attribute
// schemas, decoding with hcl.Diagnostics, merging files and cross-reference
// checks. It does no I/O beyond reading the configuration files themselves
// (file() may read the files a config names, through pipeline/lang).
//
// The types in this file are the contract the rest of reclaim reads; every
// struct keeps the source range it was declared at so later stages can point
// a person back at the line that caused a decision.
package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/pipeline/secret"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/schemas/skucatalog"
)

// Config is a whole, merged, validated configuration.
type Config struct {
	// Dir is the directory (or the single file) the config was loaded from.
	Dir string
	// Files lists the HCL files read, in the order read, for digests.
	Files []string

	Variables map[string]*Variable
	// Profiles holds every profile by name: each declared on its own, and
	// each instance of a profile set (SET.KEY).
	Profiles map[string]*Profile
	// ProfileSets are the profile blocks with for_each, by label.
	ProfileSets        map[string]*ProfileSet
	Exclusions         []*Exclusion
	ReclaimRules       []*ReclaimRule
	ConsolidationRules []*ConsolidationRule
	// Apps are the app blocks, by name: applications the app_sign_in signal
	// may count besides the built-in ones (schemas.Apps).
	Apps map[string]*App
	// Prices is keyed by the SKU reference as written (part number or GUID).
	Prices map[string]*Price
	// Output is never nil after a successful load: defaults fill it.
	Output *Output
	// Transform is never nil after a successful load: defaults fill it.
	Transform *Transform
	// SQLStages are user tables, in the order declared (files in name
	// order): a stage may read the ones before it.
	SQLStages []*SQLStage
	// Catalog is the catalog block; nil when the config has none (the
	// embedded SKU catalogue is used).
	Catalog *Catalog

	digest string              // see Digest
	skus   *skucatalog.Catalog // loaded from Catalog.SKUFile; see SKUCatalog
}

// Variable is an input variable, set by -var NAME=VALUE or RECLAIM_VAR_NAME.
type Variable struct {
	Name        string
	Description string
	// Sensitive variables are masked wherever their value would be printed.
	Sensitive bool
	// Source says where the value came from: "-var", "env RECLAIM_VAR_NAME"
	// or "default"; empty when the variable has no value.
	Source string
	// Display is the value as a person may see it: "(sensitive)" for a
	// sensitive variable, otherwise the value in HCL-like syntax. The value
	// itself is not kept: blocks have already used it.
	Display   string
	DeclRange hcl.Range
}

// Secret holds a credential and never prints it (see package secret, where
// the type lives so that msgraph shares it without importing the config).
type Secret = secret.Secret

// NewSecret wraps a value that must never be printed.
func NewSecret(v string) Secret { return secret.New(v) }

// Default Microsoft public-cloud endpoints.
const (
	DefaultGraphEndpoint = "https://graph.microsoft.com"
	DefaultLoginEndpoint = "https://login.microsoftonline.com"
)

// Credentials are how an app proves who it is. With Auth AuthClientSecret
// or AuthCertificate exactly one of ClientSecret or CertificateFile is set
// after validation; the secretless kinds set neither.
type Credentials struct {
	// Auth is one of AuthKinds; a dynamics block's own credentials are
	// always AuthClientSecret or AuthCertificate.
	Auth string
	// ClientID may be empty with AuthWorkloadIdentity (AZURE_CLIENT_ID is
	// read when the credential is built), AuthManagedIdentity (the
	// system-assigned identity) and AuthAzureCLI (the person's sign-in).
	ClientID string
	// TokenFile is workload_identity's federated token file; empty means
	// AZURE_FEDERATED_TOKEN_FILE. ServiceConnectionID is azure_pipelines'
	// service connection; empty means AZURESUBSCRIPTION_SERVICE_CONNECTION_ID.
	TokenFile, ServiceConnectionID string
	ClientSecret                   Secret
	CertificateFile                string // PEM with certificate and private key
	// CertificatePassword protects a PKCS#12 or encrypted PEM file, if any.
	CertificatePassword Secret
	DeclRange           hcl.Range
}

// Profile is one Microsoft 365 tenant and what reclaim does with it.
type Profile struct {
	// Name is the block's label, or SET.KEY for an instance of a profile
	// set (a profile block with for_each).
	Name string
	// Set and Key are the profile set's label and this instance's
	// for_each key; both empty for a profile declared on its own.
	Set, Key string
	TenantID string
	Credentials

	GraphEndpoint string // default DefaultGraphEndpoint
	LoginEndpoint string // default DefaultLoginEndpoint
	// CAFile adds a PEM bundle of trusted roots (e.g. the simulated tenant's
	// certificate); empty means the system roots (and SSL_CERT_FILE).
	CAFile string

	Tasks Tasks
	// ActivitySince is the earliest date activity is analysed from; zero
	// means LookbackDays before the run date.
	ActivitySince time.Time
	LookbackDays  int // default 90
	// CopilotReportVersion is the version of the Copilot usage report read
	// ("v1", "v2"); "" is Microsoft's default, v1.
	CopilotReportVersion string

	Dynamics []*DynamicsEnvironment

	DeclRange hcl.Range
}

// Tasks are the three switches of a profile. Downloading subscriptions is
// always on.
type Tasks struct {
	DownloadActivity     bool // default true
	ReclaimSubscriptions bool // default false: reclaiming must be switched on
	DeclRange            hcl.Range
}

// DynamicsEnvironment is one Dataverse environment read for user-access audit.
type DynamicsEnvironment struct {
	Name string
	URL  string // e.g. https://contoso.crm.dynamics.com
	// Credentials is nil when the profile's credentials are used.
	Credentials *Credentials
	DeclRange   hcl.Range
}

// Exclusion suppresses recommendations for whoever it matches. A user matched
// by any exclusion is never touched by apply. Like ReclaimRule, every exported
// field not tagged `digest:"-"` is part of the decision digest, in order.
type Exclusion struct {
	Name     string
	Profiles []string // empty: every profile
	Users    []string // UPN or object id
	Groups   []string // group object ids; transitive members are excluded
	SKUs     []string // part number or GUID
	// When is a DuckDB SQL boolean expression over the users table columns.
	When      string
	WhenRange hcl.Range `digest:"-"`
	DeclRange hcl.Range `digest:"-"`

	profileRanges []hcl.Range // where each of Profiles is written, for diagnostics
	skuRanges     []hcl.Range // where each of SKUs is written
}

// Signal names an activity source a rule may count: one of the signal
// catalogue's names (schemas.Signals).
type Signal string

// Typed names for the code and tests that name one signal. The list of
// signals is the catalogue; a signal needs no constant here.
const (
	SignalSignIn     Signal = "sign_in"
	SignalAppSignIn  Signal = "app_sign_in"
	SignalOffice365  Signal = "office365"
	SignalEmail      Signal = "email"
	SignalTeams      Signal = "teams"
	SignalOneDrive   Signal = "onedrive"
	SignalSharePoint Signal = "sharepoint"
	SignalM365Apps   Signal = "m365_apps"
	SignalDynamics   Signal = "dynamics"
)

// AllSignals lists every valid signal in documentation order, from the
// signal catalogue.
var AllSignals = func() []Signal {
	out := make([]Signal, len(schemas.Signals))
	for i, s := range schemas.Signals {
		out[i] = Signal(s.Name)
	}
	return out
}()

// Action is what a reclamation rule does with what it finds.
type Action string

const (
	ActionRemoveLicense Action = "remove_license"
	ActionReport        Action = "report"
)

// ReclaimRule finds inactive licences.
//
// Every exported field is part of the decision digest (DecisionDigest) unless
// tagged `digest:"-"`; the digest follows the declaration order, so reordering
// fields changes every digest and makes every saved plan stale.
type ReclaimRule struct {
	Name string
	// Action is what the rule does with what it finds; only remove_license
	// makes actions.
	Action   Action
	Profiles []string // empty: every profile
	SKUs     []string // part number or GUID
	// ServicePlans are service plan name patterns (* any run of
	// characters, upper case): every SKU carrying a matching plan is covered
	// too. One covered only through them (not in SKUs) is a suite holding
	// the plan: the rule recommends review as a suite decision, never a
	// removal.
	ServicePlans []string
	Signals      []Signal
	// Apps are the applications the rule's app_sign_in counts, resolved
	// from apps = [...] (built-in or app blocks) with their ids, so a
	// changed app block makes saved plans stale. Empty unless the rule
	// counts app_sign_in.
	Apps []App
	// InactiveDays: a user with no counted activity for this many days is inactive. > 0.
	InactiveDays int
	// GraceDays: accounts created fewer days ago are never recommended.
	GraceDays  int
	MaxActions int // 0: no limit
	// DisabledAccounts: "include" (default), "only" or "exclude".
	DisabledAccounts  string
	IncludeGuests     bool      // default true
	AllowGroupRemoval bool      // may recommend removing the user from a licensing group
	AllowDataAtRisk   bool      // may remove licences whose mailbox/OneDrive holds data
	AllowOneWay       bool      // may apply removals whose undo cannot succeed as things stand
	DeclRange         hcl.Range `digest:"-"`

	profileRanges []hcl.Range  // where each of Profiles is written, for diagnostics
	appNames      []stringItem // apps = [...] as written, resolved by checkReferences
	appsRange     hcl.Range    // the apps attribute, when written
	skuRanges     []hcl.Range  // where each of SKUs is written
}

// App is an application whose successful sign-ins count for app_sign_in:
// a sign-in counts when its appId is one of AppIDs or its resourceId one of
// ResourceIDs (lower-case GUIDs). It is built in (schemas.Apps, DeclRange
// zero) or declared by an app block.
type App struct {
	Name        string
	AppIDs      []string
	ResourceIDs []string
	DeclRange   hcl.Range `json:"-"` // not part of the decision digest: it moves with comments
}

// ConsolidationRule describes Dynamics 365 base + attach pairs.
type ConsolidationRule struct {
	Name     string
	Profiles []string
	// Products are the qualifying base SKUs and the attach SKU that replaces
	// each when another base is kept.
	Products  []*ConsolidationProduct
	DeclRange hcl.Range

	profileRanges []hcl.Range // where each of Profiles is written, for diagnostics
}

// ConsolidationProduct pairs a base SKU with its attach SKU.
type ConsolidationProduct struct {
	Base string
	// Attach is the SKU that replaces Base when the user keeps another, dearer
	// base licence. Empty means the product is covered by any full base
	// licence (Dynamics 365 Team Members): it is removed, not converted.
	Attach    string
	DeclRange hcl.Range

	baseRange, attachRange hcl.Range // where Base and Attach are written
}

// Price is the cost of one seat of a SKU.
type Price struct {
	SKU       string
	Amount    float64
	Currency  string // ISO 4217, default USD
	Period    string // "month" (default) or "year"
	DeclRange hcl.Range

	skuRange hcl.Range // the label
}

// MonthlyAmount is the price per seat per month.
func (p *Price) MonthlyAmount() float64 {
	if p.Period == "year" {
		return p.Amount / 12
	}
	return p.Amount
}

// Output says where snapshots go.
type Output struct {
	// Dir is the local working directory: DuckDB, the journals' fsync and
	// every file are written here first (default "./reclaim-data").
	Dir         string
	Compression string // zstd (default), snappy, gzip, none
	// Remote, when set (output.url), is the object store every committed
	// file is published to after its local commit, and where a fresh host
	// reads state, snapshots and journals back from. nil: local only.
	Remote    *Remote
	DeclRange hcl.Range
}

// Remote is output.url and what goes with it: an Azure Blob Storage or
// ADLS Gen2 container (az://account/container/prefix, which also names a
// Fabric OneLake item through endpoint) or an S3 bucket
// (s3://bucket/prefix).
type Remote struct {
	URL    string // as written
	Scheme string // RemoteAzure or RemoteS3
	// Account is the storage account (az) or the bucket (s3).
	Account string
	// Container is the blob container (az); "" for s3.
	Container string
	// Prefix is the folder under the container or bucket, without slashes
	// at either end; "" is its root.
	Prefix string
	// Endpoint overrides the service URL: Azurite's
	// http://127.0.0.1:10000/devstoreaccount1, OneLake's
	// https://onelake.blob.fabric.microsoft.com, an S3-compatible server.
	// "": https://ACCOUNT.blob.core.windows.net, or AWS's for the region.
	Endpoint string
	// Region is the S3 region ("" : the AWS chain's, else us-east-1).
	Region string
	// SharedKey is an Azure storage account key (Azurite's well-known key
	// in tests). Unset, the store signs in with the profile's credential,
	// the same azidentity credential Graph uses.
	SharedKey Secret
	DeclRange hcl.Range
}

// The schemes output.url accepts.
const (
	RemoteAzure = "az"
	RemoteS3    = "s3"
)

// Transform tunes the DuckDB transform. The zero value of each engine field
// means DuckDB's own default.
type Transform struct {
	Threads     int    // 0: DuckDB's default (all cores)
	MemoryLimit string // a DuckDB size such as "4GB"; "": DuckDB's default (80% of RAM)
	// TempDirectory is where DuckDB spills, relative to the working
	// directory like output.dir; "": a scratch directory in the curated
	// output, removed after the run.
	TempDirectory string
	// StaleReportDays: a usage report refreshed more than this many days
	// before the run makes the signals it carries unknown, so the
	// recommendations that count them become "review". Default 10.
	StaleReportDays int
	// DeclRange is empty when the configuration has no transform block.
	DeclRange hcl.Range
}

// SQLStage is a user-defined curated table: a DuckDB query over the curated
// tables (and earlier SQL stages) written to
// OUT/<profile>/curated/<Name>/snapshot_date=…/part-0.parquet for each
// profile it applies to.
type SQLStage struct {
	Name     string
	Profiles []string // empty: every profile
	Query    string
	// QueryRange starts where the query's text starts (for a heredoc, the
	// line after <<-SQL), so DuckDB's line numbers map onto the file.
	QueryRange hcl.Range
	DeclRange  hcl.Range

	profileRanges []hcl.Range // where each of Profiles is written, for diagnostics
}
