package extract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// dataverseHeader asks for the largest page Dataverse serves and is sent on
// every page (nextLinks do not carry it).
var dataverseHeader = http.Header{
	"Prefer":           {"odata.maxpagesize=5000"},
	"OData-MaxVersion": {"4.0"},
	"OData-Version":    {"4.0"},
}

type systemUsersStage struct{}

func (systemUsersStage) Info() stages.Info {
	return rawInfo(schemas.TableDataverseSystemUsers, "GET {env}/api/data/v9.2/systemusers")
}

func (systemUsersStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	type su struct {
		SystemUserID                 string  `json:"systemuserid"`
		AzureActiveDirectoryObjectID *string `json:"azureactivedirectoryobjectid"`
		DomainName                   *string `json:"domainname"`
		FullName                     *string `json:"fullname"`
		IsDisabled                   *bool   `json:"isdisabled"`
		AccessMode                   *int64  `json:"accessmode"`
		IsIntegrationUser            *bool   `json:"isintegrationuser"`
		ApplicationID                *string `json:"applicationid"`
	}
	w := stages.NewWriter[schemas.DataverseSystemUser](req)
	q := url.Values{"$select": {"systemuserid,azureactivedirectoryobjectid,domainname,fullname,isdisabled,accessmode,isintegrationuser,applicationid"}}
	for _, env := range req.Profile.Dynamics {
		api, err := req.Client.Dataverse(env.URL)
		if err != nil {
			return nil, err
		}
		err = api.Pages(ctx, msgraph.ClassDataverse, "/systemusers?"+q.Encode(), dataverseHeader, func(items []json.RawMessage) error {
			return decodeItems(items, "systemuser", func(u *su) error {
				return w.Write(schemas.DataverseSystemUser{Environment: env.Name, SystemUserID: guid(u.SystemUserID),
					AzureActiveDirectoryObjectID: guid(str(u.AzureActiveDirectoryObjectID)), DomainName: str(u.DomainName),
					FullName: str(u.FullName), IsDisabled: u.IsDisabled != nil && *u.IsDisabled, AccessMode: u.AccessMode,
					IsIntegrationUser: u.IsIntegrationUser != nil && *u.IsIntegrationUser, ApplicationID: guid(str(u.ApplicationID))})
			})
		})
		if err != nil {
			return nil, stageErr(fmt.Sprintf("reading Dataverse users of environment %q", env.Name), err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &stages.Result{Rows: w.Rows()}, nil
}

type auditsStage struct{}

func (auditsStage) Info() stages.Info {
	return rawInfo(schemas.TableDataverseAudits, "GET {env}/api/data/v9.2/audits")
}

// activityStart is the first day activity is read from.
func activityStart(req *stages.Request) time.Time {
	if !req.Profile.ActivitySince.IsZero() {
		return req.Profile.ActivitySince.UTC()
	}
	days := req.Profile.LookbackDays
	if days <= 0 {
		days = 90
	}
	return req.AsOf.AddDate(0, 0, -days)
}

func (auditsStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	type audit struct {
		AuditID        string        `json:"auditid"`
		CreatedOn      *msgraph.Time `json:"createdon"`
		Operation      int64         `json:"operation"`
		Action         int64         `json:"action"`
		ObjectTypeCode *string       `json:"objecttypecode"`
		UserID         *string       `json:"_userid_value"`
		CallingUserID  *string       `json:"_callinguserid_value"`
	}
	since := activityStart(req)
	q := url.Values{
		"$select": {"auditid,createdon,action,operation,objecttypecode,_userid_value,_callinguserid_value"},
		"$filter": {fmt.Sprintf("operation eq 4 and (action eq 64 or action eq 65) and createdon ge %s", since.Format(time.RFC3339))},
	}
	w := stages.NewWriter[schemas.DataverseAudit](req)
	for _, env := range req.Profile.Dynamics {
		api, err := req.Client.Dataverse(env.URL)
		if err != nil {
			return nil, err
		}
		err = api.Pages(ctx, msgraph.ClassDataverse, "/audits?"+q.Encode(), dataverseHeader, func(items []json.RawMessage) error {
			return decodeItems(items, "audit", func(a *audit) error {
				return w.Write(schemas.DataverseAudit{Environment: env.Name, AuditID: a.AuditID, CreatedOn: msgraph.PtrOf(a.CreatedOn),
					Operation: a.Operation, Action: a.Action, ObjectTypeCode: str(a.ObjectTypeCode),
					UserID: guid(str(a.UserID)), CallingUserID: guid(str(a.CallingUserID))})
			})
		})
		if err != nil {
			return nil, stageErr(fmt.Sprintf("reading Dataverse user-access audit of environment %q", env.Name), err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &stages.Result{Rows: w.Rows()}, nil
}
