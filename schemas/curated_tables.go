package schemas

// CuratedTable names one curated table and the Go struct that defines its
// columns. The transform writes each with DuckDB under
// OUT/<profile>/curated/<Name>/snapshot_date=YYYY-MM-DD/part-0.parquet, and a
// test checks that the SQL producing it yields exactly the struct's columns,
// in order and with matching types.
//
// Curated DATE columns are time.Time (midnight UTC) for readers' convenience:
// parquet-go reads DuckDB's DATE into them correctly, but it writes time.Time
// tagged "date" wrongly (see Date), so tests that need curated fixtures
// should produce them with DuckDB (or the transform), not parquet-go.
// Timestamps are TIMESTAMP (microseconds, not UTC-adjusted) holding UTC.
type CuratedTable struct {
	Name string
	// Row is a zero value of the row struct, e.g. Recommendation{}.
	Row any
	// Doc is the one-line description used in docs/schemas.md.
	Doc string
}

// CuratedTables lists every curated table in dependency order (a table only
// reads raw tables and the curated tables listed before it).
var CuratedTables = []CuratedTable{
	{"signal_status", SignalStatus{}, "one row per activity signal: whether it can be trusted this run, and why not"},
	{"user_licenses", UserLicense{}, "one row per user × SKU: how the licence is held and what it costs"},
	{"user_activity", UserActivity{}, "one row per user × workload: last activity and how many days ago, measured against the source's refresh date"},
	{"recommendations", Recommendation{}, "one row per user × SKU × reclamation rule that matched, with evidence; the plan is built from it"},
	{"licence_position", LicencePosition{}, "one row per subscribed SKU: purchased, assigned, active, inactive, unassigned, cost and waste"},
	{"consolidation", Consolidation{}, "one row per Dynamics 365 base licence that should become an attach licence"},
	{"overlapping_suites", OverlappingSuite{}, "one row per licence made redundant by a larger suite the same user holds"},
	{"disabled_licensed_accounts", DisabledLicensedAccount{}, "one row per disabled account × paid licence it still holds"},
	{"licence_assignment_errors", LicenceAssignmentError{}, "one row per user × SKU whose assignment Microsoft failed (state Error): to fix, not to reclaim"},
	{"unassigned_licences", UnassignedLicence{}, "one row per SKU with purchased units nobody holds"},
}
