package schemas

import (
	"strings"
	"unicode"
)

// Table describes one dataset: its name (the directory under raw/ or
// curated/) and a zero value of its row struct, from which the Parquet schema
// is derived with parquet.SchemaOf.
type Table struct {
	Name string
	Row  any
}

// Raw table names. Stages declare the table they produce by one of these.
const (
	TableUsers                        = "users"
	TableUserLicenseAssignments       = "user_license_assignments"
	TableSubscribedSkus               = "subscribed_skus"
	TableSubscriptions                = "subscriptions"
	TableGroupMembers                 = "group_members"
	TableReportSettings               = "report_settings"
	TableSignIns                      = "sign_ins"
	TableDataverseSystemUsers         = "dataverse_system_users"
	TableDataverseAudits              = "dataverse_audits"
	TableReportOffice365ActiveUser    = "report_office365_active_user_detail"
	TableReportEmailActivityUser      = "report_email_activity_user_detail"
	TableReportM365AppUser            = "report_m365_app_user_detail"
	TableReportMailboxUsage           = "report_mailbox_usage_detail"
	TableReportOneDriveUsageAccount   = "report_onedrive_usage_account_detail"
	TableReportOffice365Activations   = "report_office365_activations_user_detail"
	TableReportTeamsUserActivity      = "report_teams_user_activity_user_detail"
	TableReportSharePointActivityUser = "report_sharepoint_activity_user_detail"
	TableReportM365CopilotUsage       = "report_m365_copilot_usage_user_detail"
)

// RawTables lists every raw table, in documentation order: the directory
// and Dataverse tables, then the usage reports of the signal catalogue.
var RawTables = append([]Table{
	{TableUsers, User{}},
	{TableUserLicenseAssignments, UserLicenseAssignment{}},
	{TableSubscribedSkus, SubscribedSku{}},
	{TableSubscriptions, Subscription{}},
	{TableGroupMembers, GroupMember{}},
	{TableReportSettings, ReportSettings{}},
	{TableSignIns, SignIn{}},
	{TableDataverseSystemUsers, DataverseSystemUser{}},
	{TableDataverseAudits, DataverseAudit{}},
}, reportTables()...)

func reportTables() []Table {
	var out []Table
	for _, r := range UsageReports() {
		out = append(out, Table{r.Table, r.Row})
	}
	return out
}

// RawTable returns the raw table called name.
func RawTable(name string) (Table, bool) {
	for _, t := range RawTables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// ColumnName is the rule that turns a usage-report CSV header into its column
// name: lowercase, and every run of characters other than letters and digits
// becomes one "_" ("Storage Used (Byte)" → "storage_used_byte", a leading
// byte-order mark is dropped).
func ColumnName(header string) string {
	var b strings.Builder
	pendingSep := false
	for _, r := range header {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if pendingSep && b.Len() > 0 {
				b.WriteByte('_')
			}
			pendingSep = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		pendingSep = true
	}
	return b.String()
}
