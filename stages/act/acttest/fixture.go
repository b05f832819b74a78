// Package acttest writes curated snapshots the way the transform lays them
// out, for tests of plan and apply that run before (or without) a real
// extract and transform. Production code never imports it.
package acttest

import (
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// recFixture mirrors schemas.Recommendation column for column, but writes
// DATE columns through schemas.Date: parquet-go writes time.Time "date"
// fields wrongly, and fixtures must look like what DuckDB writes.
// Generated from schemas/curated_recommendations.go; a test keeps it in step.
type recFixture struct {
	SnapshotDate                     schemas.Date  `parquet:"snapshot_date,date"`
	AsOf                             schemas.Date  `parquet:"as_of,date"`
	UserID                           string        `parquet:"user_id"`
	UserPrincipalName                string        `parquet:"user_principal_name"`
	DisplayName                      string        `parquet:"display_name"`
	UserType                         string        `parquet:"user_type"`
	SkuID                            string        `parquet:"sku_id"`
	SkuPartNumber                    string        `parquet:"sku_part_number"`
	Rule                             string        `parquet:"rule"`
	Action                           string        `parquet:"action"`
	Reason                           string        `parquet:"reason"`
	AssignedDirectly                 bool          `parquet:"assigned_directly"`
	AssignedByGroup                  string        `parquet:"assigned_by_group"`
	AssignedByGroups                 []string      `parquet:"assigned_by_groups,list"`
	DisabledPlans                    []string      `parquet:"disabled_plans,list"`
	AccountEnabled                   bool          `parquet:"account_enabled"`
	CreatedDateTime                  *time.Time    `parquet:"created_date_time,optional,timestamp(microsecond:local)"`
	InactiveDays                     int64         `parquet:"inactive_days"`
	LastActivityDate                 *schemas.Date `parquet:"last_activity_date,optional,date"`
	LastActivitySource               string        `parquet:"last_activity_source"`
	DaysInactive                     *int64        `parquet:"days_inactive,optional"`
	SignalsCounted                   []string      `parquet:"signals_counted,list"`
	SignalsUnknown                   []string      `parquet:"signals_unknown,list"`
	LastSignInDateTime               *time.Time    `parquet:"last_sign_in_date_time,optional,timestamp(microsecond:local)"`
	LastNonInteractiveSignInDateTime *time.Time    `parquet:"last_non_interactive_sign_in_date_time,optional,timestamp(microsecond:local)"`
	LastOffice365Date                *schemas.Date `parquet:"last_office365_date,optional,date"`
	LastEmailDate                    *schemas.Date `parquet:"last_email_date,optional,date"`
	LastTeamsDate                    *schemas.Date `parquet:"last_teams_date,optional,date"`
	LastOneDriveDate                 *schemas.Date `parquet:"last_onedrive_date,optional,date"`
	LastSharePointDate               *schemas.Date `parquet:"last_sharepoint_date,optional,date"`
	LastM365AppsDate                 *schemas.Date `parquet:"last_m365_apps_date,optional,date"`
	LastDynamicsDate                 *schemas.Date `parquet:"last_dynamics_date,optional,date"`
	Office365RefreshDate             *schemas.Date `parquet:"office365_refresh_date,optional,date"`
	EmailRefreshDate                 *schemas.Date `parquet:"email_refresh_date,optional,date"`
	TeamsRefreshDate                 *schemas.Date `parquet:"teams_refresh_date,optional,date"`
	OneDriveRefreshDate              *schemas.Date `parquet:"onedrive_refresh_date,optional,date"`
	SharePointRefreshDate            *schemas.Date `parquet:"sharepoint_refresh_date,optional,date"`
	M365AppsRefreshDate              *schemas.Date `parquet:"m365_apps_refresh_date,optional,date"`
	DataAtRisk                       bool          `parquet:"data_at_risk"`
	DataAtRiskReason                 string        `parquet:"data_at_risk_reason"`
	MonthlySaving                    *float64      `parquet:"monthly_saving,optional"`
	YearlySaving                     *float64      `parquet:"yearly_saving,optional"`
	Currency                         string        `parquet:"currency"`
	Suppressed                       bool          `parquet:"suppressed"`
	SuppressedBy                     string        `parquet:"suppressed_by"`
	OneWayReasons                    []string      `parquet:"one_way_reasons,list"`
}

func toFixture(r schemas.Recommendation) recFixture {
	return recFixture{
		SnapshotDate:                     schemas.DateOf(r.SnapshotDate),
		AsOf:                             schemas.DateOf(r.AsOf),
		UserID:                           r.UserID,
		UserPrincipalName:                r.UserPrincipalName,
		DisplayName:                      r.DisplayName,
		UserType:                         r.UserType,
		SkuID:                            r.SkuID,
		SkuPartNumber:                    r.SkuPartNumber,
		Rule:                             r.Rule,
		Action:                           r.Action,
		Reason:                           r.Reason,
		AssignedDirectly:                 r.AssignedDirectly,
		AssignedByGroup:                  r.AssignedByGroup,
		AssignedByGroups:                 r.AssignedByGroups,
		DisabledPlans:                    r.DisabledPlans,
		AccountEnabled:                   r.AccountEnabled,
		CreatedDateTime:                  r.CreatedDateTime,
		InactiveDays:                     r.InactiveDays,
		LastActivityDate:                 datePtr(r.LastActivityDate),
		LastActivitySource:               r.LastActivitySource,
		DaysInactive:                     r.DaysInactive,
		SignalsCounted:                   r.SignalsCounted,
		SignalsUnknown:                   r.SignalsUnknown,
		LastSignInDateTime:               r.LastSignInDateTime,
		LastNonInteractiveSignInDateTime: r.LastNonInteractiveSignInDateTime,
		LastOffice365Date:                datePtr(r.LastOffice365Date),
		LastEmailDate:                    datePtr(r.LastEmailDate),
		LastTeamsDate:                    datePtr(r.LastTeamsDate),
		LastOneDriveDate:                 datePtr(r.LastOneDriveDate),
		LastSharePointDate:               datePtr(r.LastSharePointDate),
		LastM365AppsDate:                 datePtr(r.LastM365AppsDate),
		LastDynamicsDate:                 datePtr(r.LastDynamicsDate),
		Office365RefreshDate:             datePtr(r.Office365RefreshDate),
		EmailRefreshDate:                 datePtr(r.EmailRefreshDate),
		TeamsRefreshDate:                 datePtr(r.TeamsRefreshDate),
		OneDriveRefreshDate:              datePtr(r.OneDriveRefreshDate),
		SharePointRefreshDate:            datePtr(r.SharePointRefreshDate),
		M365AppsRefreshDate:              datePtr(r.M365AppsRefreshDate),
		DataAtRisk:                       r.DataAtRisk,
		DataAtRiskReason:                 r.DataAtRiskReason,
		MonthlySaving:                    r.MonthlySaving,
		YearlySaving:                     r.YearlySaving,
		Currency:                         r.Currency,
		Suppressed:                       r.Suppressed,
		SuppressedBy:                     r.SuppressedBy,
		OneWayReasons:                    r.OneWayReasons,
	}
}

func datePtr(t *time.Time) *schemas.Date {
	if t == nil {
		return nil
	}
	d := schemas.DateOf(*t)
	return &d
}

// WriteRecommendations commits recs as the curated recommendations
// partition of date (store.Profile.Partition) with DATE columns as DuckDB
// writes them, and a minimal run manifest of runID naming the date.
func WriteRecommendations(out, profile, date, runID string, recs []schemas.Recommendation) error {
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return fmt.Errorf("acttest: snapshot date: %w", err)
	}
	s, prof := &store.Store{Dir: out}, store.ProfileAt(out, profile)
	rows := make([]recFixture, len(recs))
	for i, r := range recs {
		rows[i] = toFixture(r)
	}
	if err := s.WriteFile(prof.Partition(store.Curated, "recommendations", day), store.KindSnapshot, 0o644, func(f io.Writer) error {
		w := parquet.NewGenericWriter[recFixture](f)
		if _, err := w.Write(rows); err != nil {
			return err
		}
		return w.Close()
	}); err != nil {
		return err
	}
	return s.WriteFile(prof.ManifestPath(runID), store.KindManifest, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, `{"run_id":"`+runID+`","snapshot_date":"`+date+`"}`)
		return err
	})
}
