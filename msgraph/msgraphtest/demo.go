package msgraphtest

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/schemas"
)

// reportCSV builds a CSV for the report table: a BOM, the header (the
// documented one when given, else the column names, which map to
// themselves), n rows and, if bad, one row with a missing field.
func ReportCSV(table string, header []string, n int, bad bool) string {
	tab, _ := schemas.RawTable(table)
	typ := reflect.TypeOf(tab.Row)
	if header == nil {
		for i := 0; i < typ.NumField(); i++ {
			header = append(header, strings.Split(typ.Field(i).Tag.Get("parquet"), ",")[0])
		}
	}
	fieldType := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		fieldType[strings.Split(typ.Field(i).Tag.Get("parquet"), ",")[0]] = typ.Field(i).Type
	}
	var b strings.Builder
	b.WriteString("\ufeff" + strings.Join(header, ",") + "\r\n")
	for r := 0; r < n; r++ {
		var vals []string
		for i, h := range header {
			col := schemas.ColumnName(h)
			ft := fieldType[col]
			switch {
			case strings.HasSuffix(col, "principal_name"):
				vals = append(vals, fmt.Sprintf("user%d@contoso.com", r))
			case ft == reflect.TypeOf(&[]schemas.Date{0}[0]):
				if (r+i)%3 == 0 {
					vals = append(vals, "") // empty date → NULL
				} else {
					vals = append(vals, "2026-11-20")
				}
			case ft != nil && ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Int64:
				vals = append(vals, fmt.Sprint(r))
			case ft != nil && ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool:
				vals = append(vals, "False")
			case col == "assigned_products":
				vals = append(vals, `"OFFICE 365 E3+POWER BI (FREE), TRIAL"`)
			default:
				vals = append(vals, "x")
			}
		}
		b.WriteString(strings.Join(vals, ",") + "\r\n")
		if bad && r == 1 {
			b.WriteString(strings.Join(vals[:len(vals)-1], ",") + "\r\n")
		}
	}
	return b.String()
}

// ReportFunctions maps each report table to its Graph function, from the
// signal catalogue (schemas.UsageReports), so a new report is served too.
var ReportFunctions = func() map[string]string {
	m := map[string]string{}
	for _, r := range schemas.UsageReports() {
		m[r.Table] = r.Function
	}
	return m
}()

// Demo is a tenant with nUsers users and everything the rules read: two
// SKUs, licence assignments (direct, and through a group for every other
// user), signInActivity for two users in three, the eight usage reports
// (the Teams one with one malformed row), 250 hourly sign-ins, an
// exclusion group "g-excl" with 3 members and a Dataverse org "org1" with
// 120 system users and 120 access audits.
func Demo(nUsers int) *Tenant {
	t := &Tenant{Reports: map[string]string{}, Groups: map[string][]map[string]any{},
		Dataverse: map[string]map[string][]map[string]any{}}
	for i := 0; i < nUsers; i++ {
		u := map[string]any{"id": fmt.Sprintf("u%05d", i), "userPrincipalName": fmt.Sprintf("user%d@contoso.com", i),
			"displayName": fmt.Sprintf("User %d", i), "accountEnabled": i%10 != 0, "userType": "Member",
			"createdDateTime": "2024-01-02T03:04:05Z", "usageLocation": "US",
			"licenseAssignmentStates": []map[string]any{
				{"skuId": "sku-e3", "assignedByGroup": nil, "state": "Active", "error": "None", "disabledPlans": []string{}},
			}}
		if i%2 == 0 {
			u["licenseAssignmentStates"] = append(u["licenseAssignmentStates"].([]map[string]any),
				map[string]any{"skuId": "sku-e3", "assignedByGroup": "g1", "state": "Active", "error": nil, "disabledPlans": []string{"p1"}})
		}
		if i%3 != 0 {
			u["signInActivity"] = map[string]any{"lastSignInDateTime": "2026-11-01T10:00:00Z", "lastSuccessfulSignInDateTime": nil}
		}
		t.Users = append(t.Users, u)
	}
	t.SKUs = []map[string]any{
		{"id": "t_sku-e3", "skuId": "sku-e3", "skuPartNumber": "ENTERPRISEPACK", "appliesTo": "User", "capabilityStatus": "Enabled",
			"consumedUnits": nUsers, "prepaidUnits": map[string]any{"enabled": nUsers + 5, "suspended": 0, "warning": 0, "lockedOut": 0},
			"servicePlans": []map[string]any{{"servicePlanId": "p1", "servicePlanName": "EXCHANGE_S_ENTERPRISE"}}},
		{"id": "t_sku-d", "skuId": "sku-d", "skuPartNumber": "DYN365_ENTERPRISE_SALES", "appliesTo": "User", "capabilityStatus": "Enabled",
			"consumedUnits": 0, "prepaidUnits": map[string]any{"enabled": 10}},
	}
	t.Groups["g-excl"] = []map[string]any{{"@odata.type": "#microsoft.graph.user", "id": "u00001"}, {"@odata.type": "#microsoft.graph.group", "id": "g2"}, {"@odata.type": "#microsoft.graph.user", "id": "u00002"}}
	for table, fn := range ReportFunctions {
		var header []string
		if table == schemas.TableReportEmailActivityUser {
			header = strings.Split("Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Last Activity Date,Send Count,Receive Count,Read Count,Meeting Created Count,Meeting Interacted Count,Assigned Products,Report Period", ",")
		}
		if table == schemas.TableReportMailboxUsage {
			// Microsoft's own sample omits two documented columns.
			header = strings.Split("Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),Prohibit Send/Receive Quota (Byte),Deleted Item Count,Deleted Item Size (Byte),Report Period", ",")
		}
		t.Reports[fn] = ReportCSV(table, header, nUsers, table == schemas.TableReportTeamsUserActivity)
	}
	for i := 0; i < 250; i++ {
		t.SignIns = append(t.SignIns, SignIn(i, time.Now().UTC().Add(-time.Duration(i)*time.Hour)))
	}
	org := map[string][]map[string]any{}
	for i := 0; i < 120; i++ {
		org["systemusers"] = append(org["systemusers"], map[string]any{"systemuserid": fmt.Sprintf("s%d", i),
			"azureactivedirectoryobjectid": fmt.Sprintf("u%05d", i), "domainname": fmt.Sprintf("user%d@contoso.com", i),
			"isdisabled": false, "accessmode": 0})
		org["audits"] = append(org["audits"], map[string]any{"auditid": fmt.Sprintf("a%d", i), "createdon": "2026-11-10T08:00:00Z",
			"operation": 4, "action": 64, "objecttypecode": "systemuser", "_userid_value": fmt.Sprintf("s%d", i)})
	}
	t.Dataverse["org1"] = org
	return t
}

// SignIn is sign-in event number i at time at.
func SignIn(i int, at time.Time) map[string]any {
	return map[string]any{"id": fmt.Sprintf("si-%05d", i), "createdDateTime": at.Format(time.RFC3339),
		"userId": fmt.Sprintf("u%05d", i%50), "isInteractive": true, "status": map[string]any{"errorCode": 0}}
}
