package schemas

import "time"

// Timestamps in raw tables are Parquet TIMESTAMP(MILLIS, isAdjustedToUTC=false)
// holding UTC wall-clock time: DuckDB reads them as plain TIMESTAMP, so casts to
// DATE never depend on the session time zone (TIMESTAMPTZ casts do). Dates are
// Parquet DATE. A pointer field is a nullable column; nil means Microsoft sent
// null, an empty value or nothing.

// User is one row of raw table "users": GET /v1.0/users with the select list
// in stages/extract. Sign-in fields are nil when the user never signed in, and
// SignInActivityAvailable is false when the tenant or app could not read
// signInActivity at all (no Entra ID P1, or no AuditLog.Read.All): then the
// sign-in columns mean "unknown", never "inactive". String columns hold "" for
// a null.
type User struct {
	ID                               string     `parquet:"id"`
	UserPrincipalName                string     `parquet:"user_principal_name"`
	DisplayName                      string     `parquet:"display_name"`
	Mail                             string     `parquet:"mail"`
	UserType                         string     `parquet:"user_type"`
	AccountEnabled                   bool       `parquet:"account_enabled"`
	Department                       string     `parquet:"department"`
	JobTitle                         string     `parquet:"job_title"`
	Country                          string     `parquet:"country"`
	UsageLocation                    string     `parquet:"usage_location"`
	CreatedDateTime                  *time.Time `parquet:"created_date_time,optional,timestamp(millisecond:local)"`
	OnPremisesSyncEnabled            bool       `parquet:"on_premises_sync_enabled"`
	SignInActivityAvailable          bool       `parquet:"sign_in_activity_available"`
	LastSignInDateTime               *time.Time `parquet:"last_sign_in_date_time,optional,timestamp(millisecond:local)"`
	LastNonInteractiveSignInDateTime *time.Time `parquet:"last_non_interactive_sign_in_date_time,optional,timestamp(millisecond:local)"`
	LastSuccessfulSignInDateTime     *time.Time `parquet:"last_successful_sign_in_date_time,optional,timestamp(millisecond:local)"`
}

// UserLicenseAssignment is one row of raw table "user_license_assignments":
// one entry of a user's licenseAssignmentStates (one per assignment path — a
// user can hold the same SKU directly and through a group). AssignedByGroup is
// empty for a direct assignment. DisabledPlans are service plan GUIDs.
type UserLicenseAssignment struct {
	UserID              string     `parquet:"user_id"`
	SkuID               string     `parquet:"sku_id"`
	AssignedByGroup     string     `parquet:"assigned_by_group"`
	State               string     `parquet:"state"`
	Error               string     `parquet:"error"`
	DisabledPlans       []string   `parquet:"disabled_plans,list"`
	LastUpdatedDateTime *time.Time `parquet:"last_updated_date_time,optional,timestamp(millisecond:local)"`
}

// SubscribedSku is one row of raw table "subscribed_skus". ServicePlanIDs and
// ServicePlanNames are parallel lists (same index, same plan).
type SubscribedSku struct {
	ID               string   `parquet:"id"`
	SkuID            string   `parquet:"sku_id"`
	SkuPartNumber    string   `parquet:"sku_part_number"`
	AppliesTo        string   `parquet:"applies_to"`
	CapabilityStatus string   `parquet:"capability_status"`
	ConsumedUnits    int64    `parquet:"consumed_units"`
	PrepaidEnabled   int64    `parquet:"prepaid_enabled"`
	PrepaidSuspended int64    `parquet:"prepaid_suspended"`
	PrepaidWarning   int64    `parquet:"prepaid_warning"`
	PrepaidLockedOut int64    `parquet:"prepaid_locked_out"`
	ServicePlanIDs   []string `parquet:"service_plan_ids,list"`
	ServicePlanNames []string `parquet:"service_plan_names,list"`
}

// Subscription is one row of raw table "subscriptions": one commercial
// subscription (GET /directory/subscriptions, companySubscription). A SKU of
// subscribed_skus can be several subscriptions; isTrial and the lifecycle
// date are only here.
type Subscription struct {
	ID                     string     `parquet:"id"`
	CommerceSubscriptionID string     `parquet:"commerce_subscription_id"`
	SkuID                  string     `parquet:"sku_id"`
	SkuPartNumber          string     `parquet:"sku_part_number"`
	Status                 string     `parquet:"status"`
	IsTrial                bool       `parquet:"is_trial"`
	TotalLicenses          int64      `parquet:"total_licenses"`
	CreatedDateTime        *time.Time `parquet:"created_date_time,optional,timestamp(millisecond:local)"`
	NextLifecycleDateTime  *time.Time `parquet:"next_lifecycle_date_time,optional,timestamp(millisecond:local)"`
}

// GroupMember is one row of raw table "group_members": a transitive member
// of a group named by an exclusion (GET /groups/{id}/transitiveMembers).
// MemberType is the OData type without its prefix: "user", "group", "device",
// "servicePrincipal", …
type GroupMember struct {
	GroupID    string `parquet:"group_id"`
	MemberID   string `parquet:"member_id"`
	MemberType string `parquet:"member_type"`
}

// ReportSettings is the single row of raw table "report_settings"
// (GET /admin/reportSettings). DisplayConcealedNames is nil when the setting
// could not be read (no ReportSettings.Read.All); ConcealedNamesDetected is
// true when a downloaded report carried hashed user names, whatever the
// setting said.
type ReportSettings struct {
	DisplayConcealedNames  *bool `parquet:"display_concealed_names,optional"`
	ConcealedNamesDetected bool  `parquet:"concealed_names_detected"`
}

// SignIn is one row of raw table "sign_ins": an interactive sign-in event
// from GET /auditLogs/signIns. ID is unique; incremental runs deduplicate on it.
type SignIn struct {
	ID                  string     `parquet:"id"`
	CreatedDateTime     *time.Time `parquet:"created_date_time,optional,timestamp(millisecond:local)"`
	UserID              string     `parquet:"user_id"`
	UserPrincipalName   string     `parquet:"user_principal_name"`
	UserDisplayName     string     `parquet:"user_display_name"`
	AppID               string     `parquet:"app_id"`
	AppDisplayName      string     `parquet:"app_display_name"`
	ClientAppUsed       string     `parquet:"client_app_used"`
	ResourceDisplayName string     `parquet:"resource_display_name"`
	// ResourceID is the API the token was issued for (signIn.resourceId),
	// lower case; empty in snapshots written before it was read.
	ResourceID              string `parquet:"resource_id"`
	IsInteractive           bool   `parquet:"is_interactive"`
	ConditionalAccessStatus string `parquet:"conditional_access_status"`
	StatusErrorCode         int64  `parquet:"status_error_code"`
	StatusFailureReason     string `parquet:"status_failure_reason"`
}

// DataverseSystemUser is one row of raw table "dataverse_system_users": a
// systemuser of one Dynamics 365 environment. Column names keep Dataverse's
// logical names. Environment is the name of the dynamics block in the config.
type DataverseSystemUser struct {
	Environment                  string `parquet:"environment"`
	SystemUserID                 string `parquet:"systemuserid"`
	AzureActiveDirectoryObjectID string `parquet:"azureactivedirectoryobjectid"`
	DomainName                   string `parquet:"domainname"`
	FullName                     string `parquet:"fullname"`
	IsDisabled                   bool   `parquet:"isdisabled"`
	AccessMode                   *int64 `parquet:"accessmode,optional"`
	IsIntegrationUser            bool   `parquet:"isintegrationuser"`
	ApplicationID                string `parquet:"applicationid"`
}

// DataverseAudit is one row of raw table "dataverse_audits": a user-access
// audit record (operation 4, action 64 or 65) of one environment. UserID is
// Dataverse's _userid_value, a systemuserid (not an Entra object id).
type DataverseAudit struct {
	Environment    string     `parquet:"environment"`
	AuditID        string     `parquet:"auditid"`
	CreatedOn      *time.Time `parquet:"createdon,optional,timestamp(millisecond:local)"`
	Operation      int64      `parquet:"operation"`
	Action         int64      `parquet:"action"`
	ObjectTypeCode string     `parquet:"objecttypecode"`
	UserID         string     `parquet:"userid"`
	CallingUserID  string     `parquet:"callinguserid"`
}
