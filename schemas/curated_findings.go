package schemas

import "time"

// Consolidation is one row of curated table "consolidation": a Dynamics 365
// user holding several base licences of a consolidation rule keeps the
// highest-priced one as base; each other base (SkuID) should become its
// attach SKU, saving the price difference.
type Consolidation struct {
	SnapshotDate      time.Time `parquet:"snapshot_date,date"`
	UserID            string    `parquet:"user_id"`
	UserPrincipalName string    `parquet:"user_principal_name"`
	Rule              string    `parquet:"rule"`
	// BaseSkus are the part numbers of all qualifying bases the user holds.
	BaseSkus                  []string `parquet:"base_skus,list"`
	RecommendedBaseSkuID      string   `parquet:"recommended_base_sku_id"`
	RecommendedBasePartNumber string   `parquet:"recommended_base_part_number"`
	// SkuID/SkuPartNumber is the base licence to replace.
	SkuID         string `parquet:"sku_id"`
	SkuPartNumber string `parquet:"sku_part_number"`
	// AttachSku is the attach SKU as written in the rule (part number or GUID);
	// AttachSkuID is its GUID when the tenant subscribes to it, else empty.
	AttachSku      string   `parquet:"attach_sku"`
	AttachSkuID    string   `parquet:"attach_sku_id"`
	CurrentMonthly *float64 `parquet:"current_monthly,optional"`
	AttachMonthly  *float64 `parquet:"attach_monthly,optional"`
	MonthlySaving  *float64 `parquet:"monthly_saving,optional"`
	YearlySaving   *float64 `parquet:"yearly_saving,optional"`
	Currency       string   `parquet:"currency"`
	Suppressed     bool     `parquet:"suppressed"`
	SuppressedBy   string   `parquet:"suppressed_by"`
}

// OverlappingSuite is one row of curated table "overlapping_suites": a
// licence (SkuID) whose content is covered by a larger suite the same user
// holds (CoveredBySkuID), e.g. Office 365 E3 next to Microsoft 365 E5.
type OverlappingSuite struct {
	SnapshotDate        time.Time `parquet:"snapshot_date,date"`
	UserID              string    `parquet:"user_id"`
	UserPrincipalName   string    `parquet:"user_principal_name"`
	SkuID               string    `parquet:"sku_id"`
	SkuPartNumber       string    `parquet:"sku_part_number"`
	CoveredBySkuID      string    `parquet:"covered_by_sku_id"`
	CoveredByPartNumber string    `parquet:"covered_by_part_number"`
	// Basis is "known_suite" (built-in suite ladder) or "service_plans"
	// (every service plan of the smaller SKU is in the larger one).
	Basis            string   `parquet:"basis"`
	AssignedDirectly bool     `parquet:"assigned_directly"`
	MonthlySaving    *float64 `parquet:"monthly_saving,optional"`
	Currency         string   `parquet:"currency"`
	Suppressed       bool     `parquet:"suppressed"`
	SuppressedBy     string   `parquet:"suppressed_by"`
}

// LicenceAssignmentError is one row of curated table
// "licence_assignment_errors": a user × SKU whose every assignment path is in
// licenseAssignmentState "Error". Microsoft did not give the user the
// licence (e.g. CountViolation: no free seat), so it is neither a seat in use
// nor something to reclaim: it is an assignment to fix or drop in Entra.
type LicenceAssignmentError struct {
	SnapshotDate      time.Time `parquet:"snapshot_date,date"`
	UserID            string    `parquet:"user_id"`
	UserPrincipalName string    `parquet:"user_principal_name"`
	AccountEnabled    bool      `parquet:"account_enabled"`
	SkuID             string    `parquet:"sku_id"`
	SkuPartNumber     string    `parquet:"sku_part_number"`
	AssignedDirectly  bool      `parquet:"assigned_directly"`
	AssignedByGroups  []string  `parquet:"assigned_by_groups,list"`
	// Error is Microsoft's error code: CountViolation,
	// MutuallyExclusiveViolation, DependencyViolation,
	// ProhibitedInUsageLocationViolation, UniquenessViolation or Other.
	Error string `parquet:"error"`
	// LastUpdatedDateTime is the newest lastUpdatedDateTime of the paths.
	LastUpdatedDateTime *time.Time `parquet:"last_updated_date_time,optional,timestamp(microsecond:local)"`
}

// DisabledLicensedAccount is one row of curated table
// "disabled_licensed_accounts": a disabled account still holding a licence
// (priced or not; PriceMonthly nil when unknown).
type DisabledLicensedAccount struct {
	SnapshotDate      time.Time  `parquet:"snapshot_date,date"`
	UserID            string     `parquet:"user_id"`
	UserPrincipalName string     `parquet:"user_principal_name"`
	SkuID             string     `parquet:"sku_id"`
	SkuPartNumber     string     `parquet:"sku_part_number"`
	AssignedDirectly  bool       `parquet:"assigned_directly"`
	AssignedByGroups  []string   `parquet:"assigned_by_groups,list"`
	LastActivityDate  *time.Time `parquet:"last_activity_date,optional,date"`
	PriceMonthly      *float64   `parquet:"price_monthly,optional"`
	Currency          string     `parquet:"currency"`
	Suppressed        bool       `parquet:"suppressed"`
	SuppressedBy      string     `parquet:"suppressed_by"`
}
