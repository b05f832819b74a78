package schemas

import "time"

// SignalStatus is one row of curated table "signal_status": can this signal
// be trusted in this run? A rule counting an unavailable signal turns its
// would-be removals into reviews.
type SignalStatus struct {
	SnapshotDate time.Time `parquet:"snapshot_date,date"`
	// Signal is a config signal name (sign_in, office365, email, …).
	Signal string `parquet:"signal"`
	// Source is the raw table the signal is read from.
	Source    string `parquet:"source"`
	Available bool   `parquet:"available"`
	// Reason says why the signal is unavailable (empty when available):
	// missing raw table, concealed report names, no Entra ID P1 sign-in
	// data, refresh date older than the staleness limit.
	Reason string `parquet:"reason"`
	// ReportRefreshDate is the newest refresh date in the report (nil for
	// sign-ins and Dataverse, which are as of the run).
	ReportRefreshDate *time.Time `parquet:"report_refresh_date,optional,date"`
	// LagDays is as_of − report_refresh_date.
	LagDays *int64 `parquet:"lag_days,optional"`
	Rows    int64  `parquet:"rows"`
	// MissingUsers counts users the report should list (licensed for its
	// workload) but does not; each is unknown for the signal. More than 5 %
	// (and more than 2) of them make the whole report incomplete (Available
	// false).
	MissingUsers int64 `parquet:"missing_users"`
}

// UserActivity is one row of curated table "user_activity": a user × workload
// with its last activity. Days are measured against ReferenceDate: the
// report's refresh date for report signals (a report three days behind must
// not make people look three days less active), as_of for sign-ins and
// Dataverse audit.
type UserActivity struct {
	SnapshotDate      time.Time `parquet:"snapshot_date,date"`
	UserID            string    `parquet:"user_id"`
	UserPrincipalName string    `parquet:"user_principal_name"`
	// Signal is the config signal the workload counts toward.
	Signal string `parquet:"signal"`
	// Workload is finer: sign_in_interactive, sign_in_non_interactive,
	// exchange, onedrive, sharepoint, teams, email, m365_apps_windows,
	// m365_apps_mac, m365_apps_mobile, m365_apps_web, activations, dynamics.
	Workload string `parquet:"workload"`
	// Source is the raw table (and column) read.
	Source           string     `parquet:"source"`
	LastActivityDate *time.Time `parquet:"last_activity_date,optional,date"`
	// Known is false when the signal is unavailable (see signal_status):
	// then the user is "unknown" for it, never "inactive".
	Known             bool       `parquet:"known"`
	ReportRefreshDate *time.Time `parquet:"report_refresh_date,optional,date"`
	ReferenceDate     time.Time  `parquet:"reference_date,date"`
	// DaysInactive = reference_date − last_activity_date; nil when never.
	DaysInactive *int64 `parquet:"days_inactive,optional"`
	// ReportMatch says how a usage report's row was matched to the user:
	// "user_id" (the report carries the Entra object id), "user_principal_name",
	// "missing" (the report should list the user — licensed for the
	// workload — but does not: Known is false), "not_listed" (not licensed
	// for it, not listed: no activity), "never_signed_in" (OneDrive only: not
	// listed, and the user never signed in, so none was provisioned); "" for
	// sign-in and Dataverse signals.
	ReportMatch string `parquet:"report_match"`
}
