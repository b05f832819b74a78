package schemas

import "fmt"

// The signal catalogue: what an activity signal is, written once. The config
// language's signal names and their validation, the stage graph's choice of
// raw tables, the usage-report extract stages, validate --connect's probes
// and permission table, and the plan's evidence are all derived from
// Signals and GuardReports. The transform's per-signal SQL lives beside it as
// one fragment per signal (stages/transform/sql/signals/<name>.sql; a test
// checks each entry here has one and each fragment an entry).

// ReportForm says how a usage-report function takes its period.
type ReportForm string

const (
	// ReportPeriod: only (period='D30').
	ReportPeriod ReportForm = "period"
	// ReportPeriodOrDate: (period='D30'); (date=YYYY-MM-DD) is also valid.
	ReportPeriodOrDate ReportForm = "period_or_date"
	// ReportNoParam: the function takes no parameter.
	ReportNoParam ReportForm = "none"
	// ReportPeriodVersion: (period='D30',version='v1'); the version's period
	// set may differ (ReportVersion.Periods).
	ReportPeriodVersion ReportForm = "period_version"
)

// ReportFormat is what a usage report's download holds.
type ReportFormat string

// ReportCSV: a CSV with one header line (Microsoft's user-detail reports).
const ReportCSV ReportFormat = "csv"

// Permission names the Microsoft Graph application permissions reclaim asks
// for, as validate --connect prints them in its permission table.
const (
	PermissionReports   = "Reports.Read.All"
	PermissionSignInLog = "AuditLog.Read.All + Entra ID P1"
	PermissionDataverse = "application user with read on systemuser and prvReadAuditSummary"
)

// Report is one Microsoft 365 usage report and the raw table it is written
// to: GET /v1.0/<Root>/<Function>(period='D30').
type Report struct {
	Table    string
	Function string
	// Root is the path the function hangs off: "/reports" (reportRoot)
	// unless set ("/copilot/reports" for copilotReportRoot).
	Root   string
	Form   ReportForm
	Format ReportFormat
	// Redirect: Microsoft answers 302 with a pre-authenticated download URL
	// (the client follows it without the bearer token); false: 200 with the
	// CSV as the body. msgraph's Download accepts both.
	Redirect bool
	// Versions are the versions of a ReportPeriodVersion function, the
	// default (version omitted) first.
	Versions []ReportVersion
	// UPNColumn is the column naming the user (matched to users by UPN).
	UPNColumn string
	// UserIDColumn, when set, holds the user's Entra object id; rows are
	// then matched by it, by UPN only without it.
	UserIDColumn string
	// Row is a zero value of the table's row struct.
	Row any
}

// ReportVersion is one version of a versioned report function.
type ReportVersion struct {
	Name string // as the function's version parameter takes it: "v1"
	// Periods maps reclaim's report periods (D7, D30, D90, D180) to the
	// nearest this version accepts (v2 has D28, not D30).
	Periods map[string]string
	// Columns is how many leading columns of the row struct this version's
	// CSV has; 0: all of them. The others stay NULL without a warning.
	Columns int
}

// ReportParams are a report request's parameters: the period (D7, D30,
// D90, D180) and, for a versioned report, the version ("" is the default).
type ReportParams struct {
	Period, Version string
}

// Version returns the report version called name ("" the default).
func (r Report) Version(name string) (ReportVersion, bool) {
	for i, v := range r.Versions {
		if v.Name == name || name == "" && i == 0 {
			return v, true
		}
	}
	return ReportVersion{}, false
}

// Path is the report's Graph path for p. A versioned report's period is
// mapped to the version's period set (an unknown version or period is
// passed as given: Graph's 400 then says so).
func (r Report) Path(p ReportParams) string {
	root := r.Root
	if root == "" {
		root = "/reports"
	}
	switch r.Form {
	case ReportNoParam:
		return root + "/" + r.Function
	case ReportPeriodVersion:
		v, ok := r.Version(p.Version)
		if !ok {
			return fmt.Sprintf("%s/%s(period='%s',version='%s')", root, r.Function, p.Period, p.Version)
		}
		period := p.Period
		if m, ok := v.Periods[period]; ok {
			period = m
		}
		return fmt.Sprintf("%s/%s(period='%s',version='%s')", root, r.Function, period, v.Name)
	}
	return fmt.Sprintf("%s/%s(period='%s')", root, r.Function, p.Period)
}

// Workload is one source of activity within a signal: a signal counts the
// latest of its workloads (office365: exchange, teams, …).
type Workload struct {
	Name string
	// Source names where the date is read (a raw table or users column), as
	// curated user_activity.source shows it.
	Source string
}

// Signal is one activity signal a reclaim rule may count.
type Signal struct {
	// Name is the name rules write in signals = [...].
	Name string
	// Doc says what counts as activity, for people.
	Doc string
	// Reports are the usage reports the signal is read from; the first one
	// gives the signal's status (rows, refresh date, concealed names).
	Reports []Report
	// Tables are the raw tables other than usage reports it is read from.
	Tables []string
	// Permission is what reading it needs.
	Permission string
	// Workloads in output order.
	Workloads []Workload
	// LicensedBy are service plan name patterns (SQL LIKE, upper case): a
	// report lists the users holding a working plan matching one of them.
	// Empty for a signal whose report lists every licensed user or that is
	// not a usage report.
	LicensedBy []string
}

// RawTables are every raw table the signal is read from.
func (s Signal) RawTables() []string {
	var out []string
	for _, r := range s.Reports {
		out = append(out, r.Table)
	}
	return append(out, s.Tables...)
}

func report(table, function string, form ReportForm, upn string, row any) Report {
	return Report{Table: table, Function: function, Form: form, Format: ReportCSV, Redirect: true, UPNColumn: upn, Row: row}
}

// Signal names, for the few places that treat one signal apart (the
// sign-in log switch, Dynamics environments, OneDrive's data-at-risk check).
const (
	SignalSignIn    = "sign_in"
	SignalAppSignIn = "app_sign_in"
	SignalOneDrive  = "onedrive"
	SignalDynamics  = "dynamics"
	SignalCopilot   = "copilot"
	GuardMailbox    = "mailbox" // not a signal: the status name of the mailbox guard report
)

// Signals lists every signal in documentation order (the order of
// signal_status and of the plan's evidence).
var Signals = []Signal{
	{Name: SignalSignIn, Doc: "interactive or non-interactive successful sign-in",
		Tables: []string{TableSignIns}, Permission: PermissionSignInLog,
		Workloads: []Workload{
			{"sign_in_interactive", "users.last_successful_sign_in_date_time"},
			{"sign_in_non_interactive", "users.last_non_interactive_sign_in_date_time"},
			{"sign_in_log", TableSignIns},
		}},
	// app_sign_in's workloads are apps: the built-in ones (Apps) and those a
	// config declares; a run reads only those its rules name
	// (ReclaimRule.Apps). The sign-in log is the only source, so a tenant
	// without it (no Entra ID P1, or --sign-in-log=false) leaves it unknown.
	{Name: SignalAppSignIn, Doc: "successful sign-in, in the sign-in log, to one of the rule's apps",
		// The activations report is read beside it for installation
		// evidence (Installations), never as activity.
		Tables: []string{TableSignIns, TableReportOffice365Activations}, Permission: PermissionSignInLog, Workloads: appWorkloads()},
	{Name: "office365", Doc: "any workload in the Office 365 active users report",
		Reports: []Report{report(TableReportOffice365ActiveUser, "getOffice365ActiveUserDetail", ReportPeriodOrDate,
			"user_principal_name", ReportOffice365ActiveUserDetail{})},
		Permission: PermissionReports,
		Workloads: workloads(TableReportOffice365ActiveUser,
			"exchange", "onedrive", "sharepoint", "skype_for_business", "yammer", "teams")},
	reportSignal("email", "email activity report",
		report(TableReportEmailActivityUser, "getEmailActivityUserDetail", ReportPeriodOrDate, "user_principal_name", ReportEmailActivityUserDetail{}),
		"EXCHANGE_S_%"),
	reportSignal("teams", "Teams user activity report",
		withUserID(report(TableReportTeamsUserActivity, "getTeamsUserActivityUserDetail", ReportPeriodOrDate, "user_principal_name", ReportTeamsUserActivityUserDetail{}), "user_id"),
		"TEAMS%"),
	reportSignal(SignalOneDrive, "OneDrive usage report",
		report(TableReportOneDriveUsageAccount, "getOneDriveUsageAccountDetail", ReportPeriodOrDate, "owner_principal_name", ReportOneDriveUsageAccountDetail{}),
		"SHAREPOINT%", "ONEDRIVE%"),
	reportSignal("sharepoint", "SharePoint activity report",
		report(TableReportSharePointActivityUser, "getSharePointActivityUserDetail", ReportPeriodOrDate, "user_principal_name", ReportSharePointActivityUserDetail{}),
		"SHAREPOINT%"),
	{Name: "m365_apps", Doc: "Microsoft 365 Apps usage report",
		Reports: []Report{
			report(TableReportM365AppUser, "getM365AppUserDetail", ReportPeriodOrDate, "user_principal_name", ReportM365AppUserDetail{}),
			report(TableReportOffice365Activations, "getOffice365ActivationsUserDetail", ReportNoParam, "user_principal_name", ReportOffice365ActivationsUserDetail{}),
		},
		Permission: PermissionReports,
		Workloads: append(workloads(TableReportM365AppUser, "m365_apps_windows", "m365_apps_mac", "m365_apps_mobile", "m365_apps_web", "m365_apps"),
			Workload{"activations", TableReportOffice365Activations}),
		LicensedBy: []string{"OFFICESUBSCRIPTION%", "OFFICE_BUSINESS%"}},
	reportSignal(SignalCopilot, "Microsoft 365 Copilot usage report: the latest Copilot activity in any app",
		CopilotReport, "M365_COPILOT_%"),
	{Name: SignalDynamics, Doc: "Dataverse user-access audit",
		Tables: []string{TableDataverseSystemUsers, TableDataverseAudits}, Permission: PermissionDataverse,
		Workloads: []Workload{{"dynamics", TableDataverseAudits}}},
}

// CopilotReport is Microsoft 365 Copilot's usage report (the profile's
// copilot_report_version picks one of its Versions): under
// /copilot/reports, answered 200 with the CSV as the body (no download
// URL), in two versions: v1's 13 columns, and v2's, which add prompt
// counts, active-usage days and more per-app dates and take D28, not D30
// (MicrosoftDocs/m365copilot-docs,
// docs/api/admin-settings/reports/copilotreportroot-getmicrosoft365copilotusageuserdetail.md).
var CopilotReport = Report{Table: TableReportM365CopilotUsage, Function: "getMicrosoft365CopilotUsageUserDetail",
	Root: "/copilot/reports", Form: ReportPeriodVersion, Format: ReportCSV, UPNColumn: "user_principal_name",
	Row: ReportM365CopilotUsageUserDetail{},
	Versions: []ReportVersion{
		{Name: "v1", Columns: 13, Periods: map[string]string{"D7": "D7", "D30": "D30", "D90": "D90", "D180": "D180"}},
		{Name: "v2", Periods: map[string]string{"D7": "D7", "D30": "D28", "D90": "D90", "D180": "D180"}},
	}}

// reportSignal is a signal read from one usage report, whose one workload
// is named after the signal.
func reportSignal(name, doc string, r Report, licensedBy ...string) Signal {
	return Signal{Name: name, Doc: doc, Reports: []Report{r}, Permission: PermissionReports,
		Workloads: workloads(r.Table, name), LicensedBy: licensedBy}
}

func withUserID(r Report, column string) Report {
	r.UserIDColumn = column
	return r
}

func appWorkloads() []Workload {
	out := make([]Workload, len(Apps))
	for i, a := range Apps {
		out[i] = Workload{a.Name, TableSignIns}
	}
	return out
}

func workloads(source string, names ...string) []Workload {
	out := make([]Workload, len(names))
	for i, n := range names {
		out[i] = Workload{n, source}
	}
	return out
}

// GuardReport is a usage report read for the data-at-risk check (does the
// mailbox hold data a removal would orphan?), not counted as activity.
type GuardReport struct {
	// Name is its row's name in signal_status.
	Name string
	Report
	Permission string
	LicensedBy []string
}

// GuardReports are read whenever a rule may remove a licence without
// allow_data_at_risk.
var GuardReports = []GuardReport{
	{Name: GuardMailbox, Report: report(TableReportMailboxUsage, "getMailboxUsageDetail", ReportPeriod,
		"user_principal_name", ReportMailboxUsageDetail{}), Permission: PermissionReports, LicensedBy: []string{"EXCHANGE_S_%"}},
}

// DataAtRiskTables are the raw tables the data-at-risk check reads: the
// guard reports and the OneDrive usage report.
func DataAtRiskTables() []string {
	var out []string
	for _, g := range GuardReports {
		out = append(out, g.Table)
	}
	return append(out, TableReportOneDriveUsageAccount)
}

// SignalNamed returns the catalogue entry called name.
func SignalNamed(name string) (Signal, bool) {
	for _, s := range Signals {
		if s.Name == name {
			return s, true
		}
	}
	return Signal{}, false
}

// UsageReport is a usage report with the permission reading it needs.
type UsageReport struct {
	Report
	Permission string
}

// UsageReports lists every usage report reclaim reads, signals' first (in
// catalogue order), then the guard reports.
func UsageReports() []UsageReport {
	var out []UsageReport
	for _, s := range Signals {
		for _, r := range s.Reports {
			out = append(out, UsageReport{r, s.Permission})
		}
	}
	for _, g := range GuardReports {
		out = append(out, UsageReport{g.Report, g.Permission})
	}
	return out
}
