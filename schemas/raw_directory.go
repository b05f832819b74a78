package schemas

import "time"

// User is one row of raw table "users": GET /v1.0/users with the select list
// in stages/extract. Sign-in fields are nil when the user never signed in, and
// SignInActivityAvailable is false when the tenant or app could not read
// signInActivity at all (no Entra ID P1, or no AuditLog.Read.All): then the
// sign-in columns mean "unknown", never "inactive".
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
	CreatedDateTime                  *time.Time `parquet:"created_date_time,optional,timestamp(millisecond)"`
	OnPremisesSyncEnabled            bool       `parquet:"on_premises_sync_enabled"`
	SignInActivityAvailable          bool       `parquet:"sign_in_activity_available"`
	LastSignInDateTime               *time.Time `parquet:"last_sign_in_date_time,optional,timestamp(millisecond)"`
	LastNonInteractiveSignInDateTime *time.Time `parquet:"last_non_interactive_sign_in_date_time,optional,timestamp(millisecond)"`
	LastSuccessfulSignInDateTime     *time.Time `parquet:"last_successful_sign_in_date_time,optional,timestamp(millisecond)"`
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
	LastUpdatedDateTime *time.Time `parquet:"last_updated_date_time,optional,timestamp(millisecond)"`
}

// SubscribedSku is one row of raw table "subscribed_skus".
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
