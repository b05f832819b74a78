package schemas

import "time"

// UserLicense is one row of curated table "user_licenses": a user × SKU,
// whichever paths it is held through.
type UserLicense struct {
	SnapshotDate      time.Time `parquet:"snapshot_date,date"`
	UserID            string    `parquet:"user_id"`
	UserPrincipalName string    `parquet:"user_principal_name"`
	DisplayName       string    `parquet:"display_name"`
	UserType          string    `parquet:"user_type"`
	AccountEnabled    bool      `parquet:"account_enabled"`
	SkuID             string    `parquet:"sku_id"`
	SkuPartNumber     string    `parquet:"sku_part_number"`
	// AssignedDirectly: one of the paths is a direct assignment.
	AssignedDirectly bool `parquet:"assigned_directly"`
	// AssignedByGroups lists the groups the SKU is inherited through (sorted).
	AssignedByGroups []string `parquet:"assigned_by_groups,list"`
	// DisabledPlans of the direct assignment, else of the first group path.
	DisabledPlans []string `parquet:"disabled_plans,list"`
	// State is the worst assignment state over the paths (Error >
	// ActiveWithError > Disabled > Active).
	State string `parquet:"state"`
	// PriceMonthly is nil when the price table has no entry for the SKU.
	PriceMonthly *float64 `parquet:"price_monthly,optional"`
	Currency     string   `parquet:"currency"`
	// AssignmentError is Microsoft's error ("CountViolation",
	// "MutuallyExclusiveViolation", "DependencyViolation", …) when every path
	// of the licence is in state Error: the assignment failed, so the licence
	// is no seat in use and no removal candidate, but a finding of its own
	// (licence_assignment_errors). "" when any path works.
	AssignmentError string `parquet:"assignment_error"`
}

// LicencePosition is one row of curated table "licence_position": where the
// money goes for one subscribed SKU.
type LicencePosition struct {
	SnapshotDate       time.Time `parquet:"snapshot_date,date"`
	SkuID              string    `parquet:"sku_id"`
	SkuPartNumber      string    `parquet:"sku_part_number"`
	CapabilityStatus   string    `parquet:"capability_status"`
	PurchasedEnabled   int64     `parquet:"purchased_enabled"`
	PurchasedWarning   int64     `parquet:"purchased_warning"`
	PurchasedSuspended int64     `parquet:"purchased_suspended"`
	PurchasedLockedOut int64     `parquet:"purchased_locked_out"`
	// ConsumedUnits is Microsoft's count; Assigned counts distinct users in
	// user_licenses.
	ConsumedUnits int64 `parquet:"consumed_units"`
	Assigned      int64 `parquet:"assigned"`
	// Active/Inactive/Unknown split Assigned by the activity window:
	// Inactive users have a non-suppressed inactivity recommendation (any
	// action), Unknown users have only review rows caused by unknown signals.
	Active   int64 `parquet:"active"`
	Inactive int64 `parquet:"inactive"`
	Unknown  int64 `parquet:"unknown"`
	// Unassigned is purchased_enabled + purchased_warning − consumed_units, at least 0.
	Unassigned   int64    `parquet:"unassigned"`
	PriceMonthly *float64 `parquet:"price_monthly,optional"`
	Currency     string   `parquet:"currency"`
	// MonthlyCost = (purchased_enabled + purchased_warning) × price.
	MonthlyCost *float64 `parquet:"monthly_cost,optional"`
	// MonthlyWaste = (inactive + unassigned) × price.
	MonthlyWaste *float64 `parquet:"monthly_waste,optional"`
}

// UnassignedLicence is one row of curated table "unassigned_licences": a SKU
// with purchased units nobody holds.
type UnassignedLicence struct {
	SnapshotDate     time.Time `parquet:"snapshot_date,date"`
	SkuID            string    `parquet:"sku_id"`
	SkuPartNumber    string    `parquet:"sku_part_number"`
	PurchasedEnabled int64     `parquet:"purchased_enabled"`
	ConsumedUnits    int64     `parquet:"consumed_units"`
	Unassigned       int64     `parquet:"unassigned"`
	PriceMonthly     *float64  `parquet:"price_monthly,optional"`
	MonthlyWaste     *float64  `parquet:"monthly_waste,optional"`
	Currency         string    `parquet:"currency"`
}
