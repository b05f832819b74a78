package extract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

const userSelect = msgraph.UserSelect

// graphUser is a user of GET /users: the raw users columns (msgraph.User,
// shared with apply's live read) and the licence assignment states.
type graphUser struct {
	msgraph.User
	LicenseAssignmentStates []struct {
		SkuID               string        `json:"skuId"`
		AssignedByGroup     *string       `json:"assignedByGroup"`
		State               *string       `json:"state"`
		Error               *string       `json:"error"`
		DisabledPlans       []string      `json:"disabledPlans"`
		LastUpdatedDateTime *msgraph.Time `json:"lastUpdatedDateTime"`
	} `json:"licenseAssignmentStates"`
}

// usersStage walks GET /users once for two tables: users (the user
// properties and signInActivity) and user_license_assignments (one row per
// licenseAssignmentStates entry), so the $select is the union of both. On a
// 403 for signInActivity (no Entra ID P1/P2 or no AuditLog.Read.All) it walks
// again without it, marking the users rows so.
type usersStage struct{}

// usersStageName names the walk; its tables are users and
// user_license_assignments.
const usersStageName = "users"

func (usersStage) Info() stages.Info {
	info := rawInfo(schemas.TableUsers, "GET /v1.0/users")
	info.Name = usersStageName
	info.Tables = append(info.Tables, stages.Table{Name: schemas.TableUserLicenseAssignments, Layer: stages.LayerRaw})
	return info
}

// tableWriter is the writer of table when the run writes it, else nil.
func tableWriter[T any](req *stages.Request, table string) (*stages.Writer[T], error) {
	if !slices.Contains(req.Tables, table) {
		return nil, nil // left out by --only: the walk still runs for the other table
	}
	return stages.NewTableWriter[T](req, table)
}

func (usersStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	g := req.Client.Graph()
	users, err := tableWriter[schemas.User](req, schemas.TableUsers)
	if err != nil {
		return nil, err
	}
	licences, err := tableWriter[schemas.UserLicenseAssignment](req, schemas.TableUserLicenseAssignments)
	if err != nil {
		return nil, err
	}
	var usersRes stages.TableResult
	withSignIn := true
	write := func(items []json.RawMessage) error {
		return decodeItems(items, "user", func(u *graphUser) error {
			if users != nil {
				if err := users.Write(u.User.Row(withSignIn)); err != nil {
					return err
				}
			}
			if licences != nil {
				return writeLicenceStates(licences, u)
			}
			return nil
		})
	}
	written := func() int64 {
		var n int64
		if users != nil {
			n += users.Rows()
		}
		if licences != nil {
			n += licences.Rows()
		}
		return n
	}
	const selectBoth = userSelect + ",licenseAssignmentStates"
	q := url.Values{"$select": {selectBoth + ",signInActivity"}, "$top": {"500"}}
	err = g.Pages(ctx, msgraph.ClassDirectory, "/users?"+q.Encode(), nil, write)
	if err != nil && written() == 0 && msgraph.IsStatus(err, http.StatusForbidden) {
		// Reading signInActivity needs Entra ID P1/P2 and AuditLog.Read.All;
		// everything else about users does not.
		usersRes.Warnings = append(usersRes.Warnings, fmt.Sprintf("signInActivity is not readable (%v): users.sign_in_activity_available=false, sign-in dates are unknown, not absent", err))
		withSignIn = false
		q = url.Values{"$select": {selectBoth}, "$top": {"999"}}
		err = g.Pages(ctx, msgraph.ClassDirectory, "/users?"+q.Encode(), nil, write)
	}
	if err != nil {
		return nil, stageErr("reading users", err)
	}
	res := &stages.Result{Tables: map[string]stages.TableResult{}}
	if users != nil {
		if err := users.Close(); err != nil {
			return nil, err
		}
		usersRes.Rows = users.Rows()
		res.Tables[schemas.TableUsers] = usersRes
	}
	if licences != nil {
		if err := licences.Close(); err != nil {
			return nil, err
		}
		res.Tables[schemas.TableUserLicenseAssignments] = stages.TableResult{Rows: licences.Rows()}
	}
	return res, nil
}

// writeLicenceStates writes one user_license_assignments row per
// licenseAssignmentStates entry of u.
func writeLicenceStates(w *stages.Writer[schemas.UserLicenseAssignment], u *graphUser) error {
	for _, s := range u.LicenseAssignmentStates {
		e := strings.TrimSpace(str(s.Error))
		if strings.EqualFold(e, "None") {
			e = ""
		}
		if err := w.Write(schemas.UserLicenseAssignment{UserID: guid(u.ID), SkuID: guid(s.SkuID),
			AssignedByGroup: guid(str(s.AssignedByGroup)), State: strings.TrimSpace(str(s.State)), Error: e,
			DisabledPlans: guids(s.DisabledPlans), LastUpdatedDateTime: msgraph.PtrOf(s.LastUpdatedDateTime)}); err != nil {
			return err
		}
	}
	return nil
}

type subscribedSkusStage struct{}

func (subscribedSkusStage) Info() stages.Info {
	return rawInfo(schemas.TableSubscribedSkus, "GET /v1.0/subscribedSkus")
}

func (subscribedSkusStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	type sku struct {
		ID               string `json:"id"`
		SkuID            string `json:"skuId"`
		SkuPartNumber    string `json:"skuPartNumber"`
		AppliesTo        string `json:"appliesTo"`
		CapabilityStatus string `json:"capabilityStatus"`
		ConsumedUnits    int64  `json:"consumedUnits"`
		PrepaidUnits     struct {
			Enabled, Suspended, Warning, LockedOut int64
		} `json:"prepaidUnits"`
		ServicePlans []struct {
			ServicePlanID   string `json:"servicePlanId"`
			ServicePlanName string `json:"servicePlanName"`
		} `json:"servicePlans"`
	}
	w := stages.NewWriter[schemas.SubscribedSku](req)
	err := req.Client.Graph().Pages(ctx, msgraph.ClassDirectory, "/subscribedSkus", nil, func(items []json.RawMessage) error {
		return decodeItems(items, "subscribedSku", func(s *sku) error {
			r := schemas.SubscribedSku{ID: guid(s.ID), SkuID: guid(s.SkuID), SkuPartNumber: s.SkuPartNumber, AppliesTo: s.AppliesTo,
				CapabilityStatus: s.CapabilityStatus, ConsumedUnits: s.ConsumedUnits,
				PrepaidEnabled: s.PrepaidUnits.Enabled, PrepaidSuspended: s.PrepaidUnits.Suspended,
				PrepaidWarning: s.PrepaidUnits.Warning, PrepaidLockedOut: s.PrepaidUnits.LockedOut}
			for _, p := range s.ServicePlans {
				r.ServicePlanIDs = append(r.ServicePlanIDs, guid(p.ServicePlanID))
				r.ServicePlanNames = append(r.ServicePlanNames, p.ServicePlanName)
			}
			return w.Write(r)
		})
	})
	if err != nil {
		return nil, stageErr("reading subscriptions", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &stages.Result{Rows: w.Rows()}, nil
}

// subscriptionsStage: GET /directory/subscriptions, read for the one-way
// marks of trial and ending subscriptions (subscribedSkus has no trial flag).
// Without permission (403) it warns and writes no rows: whether a SKU is a
// trial is then unknown, and the run goes on.
type subscriptionsStage struct{}

func (subscriptionsStage) Info() stages.Info {
	return rawInfo(schemas.TableSubscriptions, "GET /v1.0/directory/subscriptions")
}

func (subscriptionsStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	type subscription struct {
		ID                     string        `json:"id"`
		CommerceSubscriptionID string        `json:"commerceSubscriptionId"`
		SkuID                  string        `json:"skuId"`
		SkuPartNumber          string        `json:"skuPartNumber"`
		Status                 string        `json:"status"`
		IsTrial                bool          `json:"isTrial"`
		TotalLicenses          int64         `json:"totalLicenses"`
		CreatedDateTime        *msgraph.Time `json:"createdDateTime"`
		NextLifecycleDateTime  *msgraph.Time `json:"nextLifecycleDateTime"`
	}
	w := stages.NewWriter[schemas.Subscription](req)
	res := &stages.Result{}
	err := req.Client.Graph().Pages(ctx, msgraph.ClassDirectory, "/directory/subscriptions", nil, func(items []json.RawMessage) error {
		return decodeItems(items, "companySubscription", func(s *subscription) error {
			return w.Write(schemas.Subscription{ID: guid(s.ID), CommerceSubscriptionID: guid(s.CommerceSubscriptionID),
				SkuID: guid(s.SkuID), SkuPartNumber: s.SkuPartNumber, Status: strings.TrimSpace(s.Status), IsTrial: s.IsTrial,
				TotalLicenses: s.TotalLicenses, CreatedDateTime: msgraph.PtrOf(s.CreatedDateTime),
				NextLifecycleDateTime: msgraph.PtrOf(s.NextLifecycleDateTime)})
		})
	})
	if err != nil && w.Rows() == 0 && msgraph.IsStatus(err, http.StatusForbidden) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("subscriptions are not readable (%v): whether a SKU is a trial is unknown, no trial one-way mark is made", err))
		err = nil
	}
	if err != nil {
		return nil, stageErr("reading company subscriptions", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	res.Rows = w.Rows()
	return res, nil
}

// groupMembersStage: transitive members of every group an exclusion of the
// profile names.
type groupMembersStage struct{}

func (groupMembersStage) Info() stages.Info {
	return rawInfo(schemas.TableGroupMembers, "GET /v1.0/groups/{id}/transitiveMembers")
}

func (groupMembersStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	var groups []string
	for _, ex := range req.Config.Exclusions {
		if !ex.AppliesTo(req.Profile.Name) {
			continue
		}
		for _, g := range ex.Groups {
			if !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
	}
	w := stages.NewWriter[schemas.GroupMember](req)
	type member struct {
		ID   string `json:"id"`
		Type string `json:"@odata.type"`
	}
	for _, gid := range groups {
		path := "/groups/" + url.PathEscape(gid) + "/transitiveMembers?$select=id&$top=999"
		err := req.Client.Graph().Pages(ctx, msgraph.ClassDirectory, path, nil, func(items []json.RawMessage) error {
			return decodeItems(items, "group member", func(m *member) error {
				return w.Write(schemas.GroupMember{GroupID: guid(gid), MemberID: guid(m.ID), MemberType: odataType(m.Type)})
			})
		})
		if err != nil {
			return nil, stageErr(fmt.Sprintf("reading members of exclusion group %s", gid), err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &stages.Result{Rows: w.Rows()}, nil
}

// reportSettingsStage reads the concealed-names setting, after the reports
// of this run so it can also say whether one carried hashed names.
type reportSettingsStage struct{ set *Set }

func (s *reportSettingsStage) Info() stages.Info {
	var after []string
	for _, r := range schemas.UsageReports() {
		after = append(after, r.Table)
	}
	info := rawInfo(schemas.TableReportSettings, "GET /v1.0/admin/reportSettings")
	info.After = after
	return info
}

func (s *reportSettingsStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	res := &stages.Result{}
	var raw struct {
		DisplayConcealedNames *bool `json:"displayConcealedNames"`
		// The documented example wraps the object in "value".
		Value *struct {
			DisplayConcealedNames *bool `json:"displayConcealedNames"`
		} `json:"value"`
	}
	row := schemas.ReportSettings{ConcealedNamesDetected: s.set.concealed.Load()}
	err := req.Client.Graph().GetJSON(ctx, msgraph.ClassDirectory, "/admin/reportSettings", nil, &raw)
	switch {
	case err == nil:
		row.DisplayConcealedNames = raw.DisplayConcealedNames
		if row.DisplayConcealedNames == nil && raw.Value != nil {
			row.DisplayConcealedNames = raw.Value.DisplayConcealedNames
		}
	case msgraph.IsStatus(err, http.StatusForbidden):
		res.Warnings = append(res.Warnings, fmt.Sprintf("report settings not readable (%v); concealed names are detected from the reports instead", err))
	default:
		return nil, stageErr("reading report settings", err)
	}
	if row.DisplayConcealedNames != nil && *row.DisplayConcealedNames {
		res.Warnings = append(res.Warnings, concealedWarning)
	}
	w := stages.NewWriter[schemas.ReportSettings](req)
	if err := w.Write(row); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	res.Rows = 1
	return res, nil
}

const concealedWarning = `usage reports conceal user names, so user-level activity cannot be joined to users: ` +
	`in the Microsoft 365 admin center → Settings → Org settings → Reports, clear "Display concealed user, group, and site names in all reports" ` +
	`(takes effect from the next report refresh)`
