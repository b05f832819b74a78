package simtenant

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dataverse Web API (v9.2) for each environment {base}/dataverse/{org}:
// systemusers (one per Dynamics-licensed user plus built-in and application
// users) and audits (user-access records, action 64/65, operation 4), with
// Prefer: odata.maxpagesize paging and an XML paging cookie in $skiptoken.

// auditRetentionDays is how far back the simulated audit log goes.
const auditRetentionDays = 180

// dataverseError writes Dataverse's OData error body.
func dataverseError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg}})
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	w.Write(b)
}

var systemUserProps = []string{"systemuserid", "azureactivedirectoryobjectid", "domainname", "fullname", "internalemailaddress", "isdisabled", "accessmode", "isintegrationuser", "applicationid", "createdon", "_businessunitid_value"}
var auditProps = []string{"auditid", "createdon", "action", "operation", "objecttypecode", "_userid_value", "_callinguserid_value", "_objectid_value", "_regardingobjectid_value", "transactionid", "attributemask", "useradditionalinfo"}

var systemUserFilter = filterSchema{"systemuserid": 's', "azureactivedirectoryobjectid": 's', "domainname": 's', "fullname": 's', "isdisabled": 'b', "accessmode": 'i', "isintegrationuser": 'b'}
var auditFilter = filterSchema{"createdon": 't', "action": 'i', "operation": 'i', "objecttypecode": 's', "_userid_value": 's', "_objectid_value": 's'}

// builtinSystemUsers come before the tenant's users: SYSTEM, INTEGRATION and
// this app's application user (non-interactive, accessmode 4).
const builtinSystemUsers = 3

func (s *Server) systemUserID(i int) string {
	return guidFrom(hashOf(uint64(s.opts.Seed), saltSystemUser, uint64(i)), hashOf(uint64(i), saltSystemUser))
}

func (s *Server) businessUnitID() string { return guidFrom(hashOf(uint64(s.opts.Seed), 4242), 4242) }

// dvRow is one Dataverse row (systemusers, audits) as lower-case property
// → JSON value; $filter reads it as it is written.
type dvRow map[string]any

func (r dvRow) get(p string) (any, bool)   { v, ok := r[strings.ToLower(p)]; return v, ok }
func (r dvRow) each(string) []filterRecord { return nil }

func (s *Server) systemUserRow(pos int) (dvRow, bool) {
	if pos < builtinSystemUsers {
		names := []string{"SYSTEM", "INTEGRATION", "# reclaim"}
		row := dvRow{"systemuserid": s.systemUserID(-1 - pos), "azureactivedirectoryobjectid": nil,
			"domainname": "", "fullname": names[pos], "internalemailaddress": nil, "isdisabled": false,
			"accessmode": int64(4), "isintegrationuser": pos == 1, "applicationid": nil,
			"createdon": s.t.day(2400), "_businessunitid_value": s.businessUnitID()}
		if pos == 2 {
			row["applicationid"] = s.opts.ClientID
			row["domainname"] = strings.ToLower(s.opts.ClientID) + "@" + s.t.initial
		}
		return row, true
	}
	i := pos - builtinSystemUsers
	if !s.t.core(i).dynamics {
		return nil, false
	}
	u := s.current(i)
	return dvRow{"systemuserid": s.systemUserID(i), "azureactivedirectoryobjectid": u.id, "domainname": u.upn,
		"fullname": u.display, "internalemailaddress": u.mail, "isdisabled": !u.enabled, "accessmode": int64(0),
		"isintegrationuser": false, "applicationid": nil,
		"createdon":             s.t.created(u).Add(time.Duration(1+hashOf(uint64(i), 9)%30) * 24 * time.Hour),
		"_businessunitid_value": s.businessUnitID()}, true
}

func (s *Server) auditRowOf(ev event, day int) dvRow {
	at := s.t.at(day, int(ev.sec))
	sid := s.systemUserID(int(ev.user))
	h := hashOf(uint64(s.opts.Seed), saltAudit, uint64(ev.user), uint64(day), uint64(ev.k))
	return dvRow{"auditid": guidFrom(h, hashOf(h)), "createdon": at, "action": int64(ev.action), "operation": int64(4),
		"objecttypecode": "systemuser", "_userid_value": sid, "_callinguserid_value": nil, "_objectid_value": sid,
		"_regardingobjectid_value": nil, "transactionid": guidFrom(hashOf(h, 1), hashOf(h, 2)), "attributemask": nil, "useradditionalinfo": nil}
}

var cookieRE = regexp.MustCompile(`pagingcookie="([^"]*)"`)

func (s *Server) handleDataverse(w http.ResponseWriter, r *http.Request) {
	org := strings.ToLower(r.PathValue("org"))
	env := s.DataverseURL(org)
	entity := r.PathValue("entity")
	w.Header().Set("OData-Version", "4.0")
	if strings.EqualFold(entity, "WhoAmI") {
		b, _ := json.Marshal(map[string]any{"@odata.context": env + "/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
			"BusinessUnitId": s.businessUnitID(), "UserId": s.systemUserID(-3), "OrganizationId": guidFrom(hashOf(uint64(s.opts.Seed), hashString(org)), 1)})
		writeJSON(w, 200, b)
		return
	}
	var props []string
	var schema filterSchema
	switch entity {
	case "systemusers":
		props, schema = systemUserProps, systemUserFilter
	case "audits":
		props, schema = auditProps, auditFilter
	default:
		dataverseError(w, http.StatusNotFound, "0x8006088a", fmt.Sprintf("Resource not found for the segment '%s'.", entity))
		return
	}
	q := r.URL.Query()
	if q.Has("$skip") {
		dataverseError(w, http.StatusBadRequest, "0x80060888", "The query parameter $skip is not supported")
		return
	}
	sel := props
	if raw := q.Get("$select"); raw != "" {
		sel = nil
		for _, p := range strings.Split(raw, ",") {
			p = strings.TrimSpace(strings.ToLower(p))
			if !slices.Contains(props, p) {
				dataverseError(w, http.StatusBadRequest, "0x80060888", fmt.Sprintf("Could not find a property named '%s' on type 'Microsoft.Dynamics.CRM.%s'.", p, strings.TrimSuffix(entity, "s")))
				return
			}
			sel = append(sel, p)
		}
	}
	var f filterExpr
	if raw := q.Get("$filter"); raw != "" {
		var err error
		if f, err = parseFilter(raw, schema, nil); err != nil {
			dataverseError(w, http.StatusBadRequest, "0x80060888", err.Error())
			return
		}
	}
	if ob := strings.ToLower(strings.Join(strings.Fields(q.Get("$orderby")), " ")); ob != "" && !(entity == "audits" && ob == "createdon desc") && !(entity == "systemusers" && ob == "systemuserid asc") {
		dataverseError(w, http.StatusBadRequest, "0x80060888", "The simulated Dataverse supports $orderby=createdon desc on audits only.")
		return
	}
	pageSize, topLimit := 5000, 0
	prefer := r.Header.Get("Prefer")
	for _, p := range strings.Split(prefer, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "odata.maxpagesize") {
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				pageSize = min(n, 5000)
				w.Header().Set("Preference-Applied", "odata.maxpagesize="+strconv.Itoa(pageSize))
			}
		}
	}
	annotations := strings.Contains(prefer, "odata.include-annotations")
	if t := q.Get("$top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			dataverseError(w, http.StatusBadRequest, "0x80060888", "Invalid $top value.")
			return
		}
		topLimit = n
		pageSize = min(pageSize, n)
	}
	var pos int64
	pageNo := 1
	if tok := q.Get("$skiptoken"); tok != "" {
		m := cookieRE.FindStringSubmatch(tok)
		var ok bool
		if m != nil {
			cookie, _ := url.QueryUnescape(m[1])
			pos, ok = s.decodeSkip("dv:"+entity, cookie)
		}
		if !ok {
			dataverseError(w, http.StatusBadRequest, "0x80040203", "Invalid paging cookie in $skiptoken.")
			return
		}
		if pm := regexp.MustCompile(`pagenumber="(\d+)"`).FindStringSubmatch(tok); pm != nil {
			pageNo, _ = strconv.Atoi(pm[1])
		}
	}
	var rows []dvRow
	more := false
	scanned := 0
	switch entity {
	case "systemusers":
		p := int(pos)
		total := builtinSystemUsers + s.t.n
		for p < total && len(rows) < pageSize && scanned < maxScan {
			row, ok := s.systemUserRow(p)
			p++
			scanned++
			if !ok || (f != nil && !f.eval(row)) {
				continue
			}
			rows = append(rows, row)
		}
		more, pos = p < total, int64(p)
	case "audits":
		day, off := int(pos>>32), int(pos&0xffffffff)
		firstDay, lastDay := s.dayWindow(f, "createdon", auditRetentionDays)
		day = max(day, firstDay)
		for day <= lastDay && len(rows) < pageSize && scanned < maxScan {
			evs := s.auditDay(day)
			for off < len(evs) && len(rows) < pageSize && scanned < maxScan {
				row := s.auditRowOf(evs[off], day)
				off++
				scanned++
				if f != nil && !f.eval(row) {
					continue
				}
				rows = append(rows, row)
			}
			if off >= len(evs) {
				day, off = day+1, 0
			}
		}
		more, pos = day <= lastDay, int64(day)<<32|int64(off)
	}
	if topLimit > 0 {
		more = false // $top limits the total and is not combined with paging
	}
	o := newObj(nil)
	o.str("@odata.context", env+"/api/data/v9.2/$metadata#"+entity+"("+strings.Join(sel, ",")+")")
	arr := []byte{'['}
	for n, row := range rows {
		if n > 0 {
			arr = append(arr, ',')
		}
		e := newObj(arr)
		e.str("@odata.etag", fmt.Sprintf(`W/"%d"`, hashOf(uint64(n), uint64(pos))%9000000+1000000))
		for _, p := range sel {
			if annotations && entity == "audits" && p == "action" {
				e.str("action@OData.Community.Display.V1.FormattedValue", map[int64]string{64: "User Access via Web", 65: "User Access via Web Services"}[row[p].(int64)])
			}
			switch v := row[p].(type) {
			case nil:
				e.null(p)
			case string:
				e.str(p, v)
			case bool:
				e.boolean(p, v)
			case int64:
				e.integer(p, v)
			case time.Time:
				e.str(p, graphTime(v))
			}
		}
		arr = e.close()
	}
	o.raw("value", append(arr, ']'))
	if more {
		cookie := fmt.Sprintf(`<cookie pagenumber="%d" pagingcookie="%s" istracking="False" />`, pageNo+1, url.QueryEscape(s.encodeSkip("dv:"+entity, pos)))
		o.str("@odata.nextLink", s.nextLink(r, "$skiptoken", url.QueryEscape(cookie)))
	}
	writeJSON(w, 200, o.close())
}
