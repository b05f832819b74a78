package simtenant

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ---- paging tokens ----

// encodeSkip makes an opaque $skiptoken for a position in a listing; the
// check word rejects tokens that were not issued by this tenant.
func (s *Server) encodeSkip(kind string, pos int64) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(pos)^hashOf(uint64(s.opts.Seed), hashString(kind)))
	binary.BigEndian.PutUint32(b[8:], uint32(hashOf(uint64(s.opts.Seed), hashString(kind), uint64(pos))))
	return "RFNwdAIA" + base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) decodeSkip(kind, tok string) (int64, bool) {
	raw, ok := strings.CutPrefix(tok, "RFNwdAIA")
	if !ok {
		return 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) != 12 {
		return 0, false
	}
	pos := int64(binary.BigEndian.Uint64(b[:8]) ^ hashOf(uint64(s.opts.Seed), hashString(kind)))
	if binary.BigEndian.Uint32(b[8:]) != uint32(hashOf(uint64(s.opts.Seed), hashString(kind), uint64(pos))) || pos < 0 {
		return 0, false
	}
	return pos, true
}

// nextLink repeats the request's query with a new $skiptoken, as Graph does.
func (s *Server) nextLink(r *http.Request, param, tok string) string {
	var keep []string
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		k, _, _ := strings.Cut(p, "=")
		if k == "" || strings.EqualFold(k, param) || strings.EqualFold(k, strings.Replace(param, "$", "%24", 1)) {
			continue
		}
		keep = append(keep, p)
	}
	keep = append(keep, param+"="+tok)
	return s.url + r.URL.EscapedPath() + "?" + strings.Join(keep, "&")
}

// ---- users ----

var defaultUserProps = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

var allUserProps = append(append([]string{}, defaultUserProps...), "accountEnabled", "userType", "department", "companyName", "city", "country", "usageLocation", "createdDateTime", "creationType", "onPremisesSyncEnabled", "assignedLicenses", "licenseAssignmentStates", "signInActivity")

var userFilterSchema = filterSchema{
	"id": 's', "userPrincipalName": 's', "displayName": 's', "mail": 's', "userType": 's', "accountEnabled": 'b',
	"department": 's', "jobTitle": 's', "country": 's', "usageLocation": 's', "onPremisesSyncEnabled": 'b',
	"createdDateTime": 't', "givenName": 's', "surname": 's', "city": 's',
	"signInActivity/lastSignInDateTime": 't', "signInActivity/lastNonInteractiveSignInDateTime": 't',
	"signInActivity/lastSuccessfulSignInDateTime": 't',
}
var userLambda = map[string]filterSchema{"assignedLicenses": {"skuId": 's'}}

// parseSelect validates $select against the entity's properties.
func parseSelect(raw string, all, def []string, entity string) ([]string, error) {
	if raw == "" {
		return def, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		found := ""
		for _, a := range all {
			if strings.EqualFold(a, p) {
				found = a
			}
		}
		if found == "" {
			return nil, fmt.Errorf("Could not find a property named '%s' on type 'microsoft.graph.%s'.", p, entity)
		}
		if !seen[found] {
			seen[found] = true
			out = append(out, found)
		}
	}
	return out, nil
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type userRecord struct {
	u *user
	t *Tenant
}

func (r userRecord) get(p string) (any, bool) {
	u := r.u
	str := func(s string) (any, bool) {
		if s == "" {
			return nil, true
		}
		return s, true
	}
	switch strings.ToLower(p) {
	case "id":
		return u.id, true
	case "userprincipalname":
		return u.upn, true
	case "displayname":
		return u.display, true
	case "mail":
		return str(u.mail)
	case "usertype":
		return u.userType(), true
	case "accountenabled":
		return u.enabled, true
	case "department":
		return str(u.department)
	case "jobtitle":
		return str(u.jobTitle)
	case "country":
		return str(u.country)
	case "city":
		return str(u.city)
	case "usagelocation":
		return str(u.usageLocation)
	case "givenname":
		return str(u.given)
	case "surname":
		return str(u.surname)
	case "onpremisessyncenabled":
		if !u.onPrem {
			return nil, true
		}
		return true, true
	case "createddatetime":
		return r.t.created(u), true
	case "signinactivity/lastsignindatetime", "signinactivity/lastsuccessfulsignindatetime":
		if !u.signedIn.IsZero() {
			return u.signedIn, true
		}
		if strings.EqualFold(p, "signInActivity/lastSignInDateTime") {
			return r.t.timeOrNil(u.interactive, u.interactiveSec), true
		}
		d, sec := u.lastSuccessful()
		return r.t.timeOrNil(d, sec), true
	case "signinactivity/lastnoninteractivesignindatetime":
		return r.t.timeOrNil(u.nonInter, u.nonInterSec), true
	}
	return nil, false
}

func (r userRecord) each(p string) []filterRecord {
	if !strings.EqualFold(p, "assignedLicenses") {
		return nil
	}
	var out []filterRecord
	for _, sk := range effectiveSkus(r.u.lic) {
		out = append(out, skuRecord(skus[sk].ID))
	}
	return out
}

type skuRecord string

func (s skuRecord) get(p string) (any, bool) {
	if strings.EqualFold(p, "skuId") {
		return string(s), true
	}
	return nil, false
}
func (s skuRecord) each(string) []filterRecord { return nil }

func (t *Tenant) created(u *user) time.Time {
	return t.at(u.createdDays, u.createdSecs)
}

func (t *Tenant) timeOrNil(days, secs int) any {
	if days < 0 {
		return nil
	}
	return t.at(days, secs)
}

func (u *user) lastSuccessful() (int, int) {
	d, s := u.interactive, u.interactiveSec
	if u.nonInter >= 0 && (d < 0 || u.nonInter < d || (u.nonInter == d && u.nonInterSec > s)) {
		d, s = u.nonInter, u.nonInterSec
	}
	return d, s
}

// effectiveSkus are the SKUs the user holds (once each, errors excluded).
func effectiveSkus(lic []assignment) []int {
	var out []int
	for _, a := range lic {
		if a.state == "Error" || has(intsToStrs(out), strconv.Itoa(a.sku)) {
			continue
		}
		out = append(out, a.sku)
	}
	return out
}

func intsToStrs(v []int) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.Itoa(x)
	}
	return out
}

func planIDs(idx []int) []string {
	out := make([]string, 0, len(idx))
	for _, p := range idx {
		out = append(out, servicePlans[p].ID)
	}
	return out
}

// signInRequestID is the id of the sign-in event k of user i on a day; the
// last interactive sign-in is event 0 of its day, so lastSignInRequestId
// matches an id in auditLogs/signIns.
func (s *Server) signInRequestID(i, days, k int) string {
	d := uint64(s.t.day(days).Unix() / 86400)
	return guidFrom(hashOf(uint64(s.opts.Seed), saltSignIn, uint64(i), d, uint64(k)), hashOf(uint64(i), d, uint64(k)))
}

// appendUser renders one user with the selected properties.
func (s *Server) appendUser(b []byte, u *user, props []string, odataType bool) []byte {
	o := newObj(b)
	if odataType {
		o.str("@odata.type", "#microsoft.graph.user")
	}
	for _, p := range props {
		switch p {
		case "businessPhones":
			o.strs(p, []string{})
		case "displayName":
			o.str(p, u.display)
		case "givenName":
			o.strOrNull(p, u.given)
		case "jobTitle":
			o.strOrNull(p, u.jobTitle)
		case "mail":
			o.strOrNull(p, u.mail)
		case "mobilePhone":
			o.null(p)
		case "officeLocation":
			o.strOrNull(p, u.city)
		case "preferredLanguage":
			if u.kind == KindGuest {
				o.null(p)
			} else {
				o.str(p, "en-US")
			}
		case "surname":
			o.strOrNull(p, u.surname)
		case "userPrincipalName":
			o.str(p, u.upn)
		case "id":
			o.str(p, u.id)
		case "accountEnabled":
			o.boolean(p, u.enabled)
		case "userType":
			o.str(p, u.userType())
		case "department":
			o.strOrNull(p, u.department)
		case "companyName":
			if u.kind == KindGuest {
				o.null(p)
			} else {
				o.str(p, "Contoso")
			}
		case "city":
			o.strOrNull(p, u.city)
		case "country":
			o.strOrNull(p, u.country)
		case "usageLocation":
			o.strOrNull(p, u.usageLocation)
		case "createdDateTime":
			o.str(p, graphTime(s.t.created(u)))
		case "creationType":
			if u.kind == KindGuest {
				o.str(p, "Invitation")
			} else {
				o.null(p)
			}
		case "onPremisesSyncEnabled":
			if u.onPrem {
				o.boolean(p, true)
			} else {
				o.null(p)
			}
		case "assignedLicenses":
			var arr []byte
			arr = append(arr, '[')
			for n, k := range effectiveSkus(u.lic) {
				if n > 0 {
					arr = append(arr, ',')
				}
				var dis []int
				found := false
				for _, a := range u.lic {
					if a.sku == k && (!found || a.group < 0) {
						dis, found = a.disabled, true
					}
				}
				e := newObj(arr)
				e.strs("disabledPlans", planIDs(dis))
				e.str("skuId", skus[k].ID)
				arr = e.close()
			}
			o.raw(p, append(arr, ']'))
		case "licenseAssignmentStates":
			var arr []byte
			arr = append(arr, '[')
			for n, a := range u.lic {
				if n > 0 {
					arr = append(arr, ',')
				}
				e := newObj(arr)
				if a.group >= 0 {
					e.str("assignedByGroup", groups[a.group].ID)
				} else {
					e.null("assignedByGroup")
				}
				e.strs("disabledPlans", planIDs(a.disabled))
				e.str("error", firstNonEmpty(a.err, "None"))
				if s.opts.MicrosoftQuirks && n == 0 {
					e.str("lastUpdatedDateTime", zeroTime)
				} else {
					e.str("lastUpdatedDateTime", graphTime(s.t.created(u).Add(time.Duration(hashOf(uint64(u.idx), uint64(a.sku))%(48*3600))*time.Second)))
				}
				if s.opts.MicrosoftQuirks {
					e.str("skuId", strings.ToUpper(skus[a.sku].ID)) // as in the assignLicense reference example
				} else {
					e.str("skuId", skus[a.sku].ID)
				}
				e.str("state", a.state)
				arr = e.close()
			}
			o.raw(p, append(arr, ']'))
		case "signInActivity":
			if u.interactive < 0 && u.nonInter < 0 && u.signedIn.IsZero() {
				continue // never signed in: Graph returns no signInActivity
			}
			e := newObj(nil)
			if !u.signedIn.IsZero() {
				e.str("lastSignInDateTime", graphTime(u.signedIn))
				e.str("lastSignInRequestId", s.signInRequestID(u.idx, 0, 2000))
			} else if u.interactive >= 0 {
				e.str("lastSignInDateTime", graphTime(s.t.at(u.interactive, u.interactiveSec)))
				e.str("lastSignInRequestId", s.signInRequestID(u.idx, u.interactive, 0))
			} else if s.opts.MicrosoftQuirks {
				e.str("lastSignInDateTime", "")
				e.str("lastSignInRequestId", "")
			} else {
				e.null("lastSignInDateTime")
				e.null("lastSignInRequestId")
			}
			if u.nonInter >= 0 {
				e.str("lastNonInteractiveSignInDateTime", graphTime(s.t.at(u.nonInter, u.nonInterSec)))
				e.str("lastNonInteractiveSignInRequestId", s.signInRequestID(u.idx, u.nonInter, 1000))
			} else if s.opts.MicrosoftQuirks {
				// "List users" Example 11 spells no value this way.
				e.str("lastNonInteractiveSignInDateTime", zeroTime)
				e.str("lastNonInteractiveSignInRequestId", "")
			} else {
				e.null("lastNonInteractiveSignInDateTime")
				e.null("lastNonInteractiveSignInRequestId")
			}
			d, sec := u.lastSuccessful()
			switch {
			case !u.signedIn.IsZero():
				e.str("lastSuccessfulSignInDateTime", graphTime(u.signedIn))
				e.str("lastSuccessfulSignInRequestId", s.signInRequestID(u.idx, 0, 2000))
			case d == u.interactive && sec == u.interactiveSec:
				e.str("lastSuccessfulSignInDateTime", graphTime(s.t.at(d, sec)))
				e.str("lastSuccessfulSignInRequestId", s.signInRequestID(u.idx, d, 0))
			default:
				e.str("lastSuccessfulSignInDateTime", graphTime(s.t.at(d, sec)))
				e.str("lastSuccessfulSignInRequestId", s.signInRequestID(u.idx, d, 1000))
			}
			o.raw(p, e.close())
		}
	}
	return o.close()
}

// zeroTime is the .NET minimum Graph sends for "no value".
const zeroTime = "0001-01-01T00:00:00Z"

// checkSignInActivity enforces what selecting signInActivity needs: Entra ID
// P1 and AuditLog.Read.All.
func (s *Server) checkSignInActivity(w http.ResponseWriter, r *http.Request) bool {
	tok := r.Context().Value(ctxToken).(*accessToken)
	if !tok.hasAny([]string{"AuditLog.Read.All"}) {
		s.graphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return false
	}
	if s.opts.NoP1 {
		s.graphError(w, r, http.StatusForbidden, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license")
		return false
	}
	return true
}

// unsupportedOptions rejects query options the simulator does not model.
func (s *Server) unsupportedOptions(w http.ResponseWriter, r *http.Request, opts ...string) bool {
	q := r.URL.Query()
	for _, o := range opts {
		if q.Has(o) {
			s.graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf("The query option '%s' is not supported by the simulated tenant.", o))
			return true
		}
	}
	return false
}

// maxScan bounds how many users one page may examine: a selective filter
// then yields a short (even empty) page with a nextLink, which Graph allows.
const maxScan = 50000

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	if s.unsupportedOptions(w, r, "$search", "$orderby", "$expand", "$skip") {
		return
	}
	q := r.URL.Query()
	wantCount := false
	switch strings.ToLower(q.Get("$count")) {
	case "":
	case "true":
		// $count is an advanced query: it needs ConsistencyLevel: eventual.
		if !strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual") {
			s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
			return
		}
		wantCount = true
	case "false":
	default:
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Invalid value for $count: '"+q.Get("$count")+"'.")
		return
	}
	props, err := parseSelect(q.Get("$select"), allUserProps, defaultUserProps, "user")
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", err.Error())
		return
	}
	top := 100
	if q.Has("$top") {
		top, err = strconv.Atoi(q.Get("$top"))
		if err != nil || top < 1 || top > 999 {
			s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", q.Get("$top")))
			return
		}
	}
	var f filterExpr
	rawFilter := q.Get("$filter")
	if rawFilter != "" {
		if f, err = parseFilter(rawFilter, userFilterSchema, userLambda); err != nil {
			s.graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", err.Error())
			return
		}
	}
	if has(props, "signInActivity") || strings.Contains(strings.ToLower(rawFilter), "signinactivity") {
		if !s.checkSignInActivity(w, r) {
			return
		}
		top = min(top, 500) // Graph's page-size cap when signInActivity is selected
	}
	start := int64(0)
	if tok := q.Get("$skiptoken"); tok != "" {
		var ok bool
		if start, ok = s.decodeSkip("users", tok); !ok {
			s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "The specified page token value has expired or is invalid.")
			return
		}
	}
	ctx := s.url + "/v1.0/$metadata#users"
	if q.Has("$select") {
		ctx += "(" + strings.Join(props, ",") + ")"
	}
	b := make([]byte, 0, 64+top*400)
	b = append(b, `{"@odata.context":`...)
	b = appendJSONString(b, ctx)
	if wantCount && start == 0 { // @odata.count is on the first page only
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(s.countUsers(f)), 10)
	}
	items := make([]byte, 0, top*400)
	count := 0
	i := int(start)
	// An exact id/UPN filter is a lookup, as in the directory.
	if c, ok := f.(filterCmp); ok && c.op == "eq" && (c.path == "id" || strings.EqualFold(c.path, "userPrincipalName")) {
		key, _ := c.val.(string)
		i = s.t.n
		if idx := s.t.lookup(key); idx >= 0 && start == 0 {
			items = s.appendUser(items, s.current(idx), props, false)
			count++
		}
	}
	for scanned := 0; i < s.t.n && count < top && scanned < maxScan; scanned++ {
		u := s.current(i)
		i++
		if f != nil && !f.eval(userRecord{u, s.t}) {
			continue
		}
		if count > 0 {
			items = append(items, ',')
		}
		items = s.appendUser(items, u, props, false)
		count++
	}
	if i < s.t.n {
		b = append(b, `,"@odata.nextLink":`...)
		b = appendJSONString(b, s.nextLink(r, "$skiptoken", s.encodeSkip("users", int64(i))))
	}
	b = append(b, `,"value":[`...)
	b = append(b, items...)
	b = append(b, "]}"...)
	writeJSON(w, 200, b)
}

// countUsers counts the users matching f (all users when f is nil).
func (s *Server) countUsers(f filterExpr) int {
	if f == nil {
		return s.t.n
	}
	n := 0
	for i := 0; i < s.t.n; i++ {
		if f.eval(userRecord{s.current(i), s.t}) {
			n++
		}
	}
	return n
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, key string) {
	s.graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", key))
}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	if key == "$count" {
		if !strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual") {
			s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
			return
		}
		var f filterExpr
		if raw := r.URL.Query().Get("$filter"); raw != "" {
			var err error
			if f, err = parseFilter(raw, userFilterSchema, userLambda); err != nil {
				s.graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", err.Error())
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(strconv.Itoa(s.countUsers(f))))
		return
	}
	i := s.t.lookup(key)
	if i < 0 {
		s.notFound(w, r, key)
		return
	}
	q := r.URL.Query()
	props, err := parseSelect(q.Get("$select"), allUserProps, defaultUserProps, "user")
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", err.Error())
		return
	}
	if has(props, "signInActivity") && !s.checkSignInActivity(w, r) {
		return
	}
	ctx := s.url + "/v1.0/$metadata#users"
	if q.Has("$select") {
		ctx += "(" + strings.Join(props, ",") + ")"
	}
	b := []byte(`{"@odata.context":`)
	b = appendJSONString(b, ctx+"/$entity")
	b = append(b, ',')
	u := s.appendUser(nil, s.current(i), props, false)
	b = append(b, u[1:]...)
	writeJSON(w, 200, b)
}

func (s *Server) handleLicenseDetails(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	i := s.t.lookup(key)
	if i < 0 {
		s.notFound(w, r, key)
		return
	}
	u := s.current(i)
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#users('"+u.id+"')/licenseDetails")
	arr := []byte{'['}
	for n, k := range effectiveSkus(u.lic) {
		if n > 0 {
			arr = append(arr, ',')
		}
		var dis []int
		for _, a := range u.lic {
			if a.sku == k && a.group < 0 {
				dis = a.disabled
			}
		}
		e := newObj(arr)
		var idb [16]byte
		binary.BigEndian.PutUint64(idb[:8], hashOf(uint64(s.opts.Seed), uint64(i)))
		binary.BigEndian.PutUint64(idb[8:], hashOf(uint64(k)))
		e.str("id", base64.RawURLEncoding.EncodeToString(idb[:]))
		e.str("skuId", skus[k].ID)
		e.str("skuPartNumber", skus[k].PartNumber)
		plans := []byte{'['}
		for pn, p := range skus[k].plans {
			if pn > 0 {
				plans = append(plans, ',')
			}
			po := newObj(plans)
			po.str("servicePlanId", servicePlans[p].ID)
			po.str("servicePlanName", servicePlans[p].Name)
			status := "Success"
			for _, d := range dis {
				if d == p {
					status = "Disabled"
				}
			}
			po.str("provisioningStatus", status)
			po.str("appliesTo", "User")
			plans = po.close()
		}
		e.raw("servicePlans", append(plans, ']'))
		arr = e.close()
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

// ---- directory/subscriptions ----

// servedSkus is the catalog SKUs the tenant owns (indices into skus): all of
// them but Entra ID P1 when NoP1.
func (s *Server) servedSkus() []int {
	var out []int
	for k := range skus {
		if k != skuEntraP1 || !s.opts.NoP1 {
			out = append(out, k)
		}
	}
	return out
}

// trialSku is the catalog SKU whose one subscription is a free trial: small
// (Exchange Online Plan 1, which no example rule removes, so the demo and CLI
// tests keep their one-way counts) and the same in every tenant.
const trialSku = skuExchangeP1

// handleSubscriptions serves companySubscription objects consistent with
// subscribedSkus: one subscription per SKU, its id the SKU's subscriptionIds
// entry and totalLicenses its prepaid seats. The trial ends 20 days after
// Today; paid subscriptions renew in 200 days.
func (s *Server) handleSubscriptions(w http.ResponseWriter, r *http.Request) {
	if s.unsupportedOptions(w, r, "$filter", "$top", "$orderby", "$search", "$select") {
		return
	}
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#directory/subscriptions")
	arr := []byte{'['}
	day := s.opts.Today.UTC().Truncate(24 * time.Hour)
	for i, k := range s.servedSkus() {
		sk := skus[k]
		if i > 0 {
			arr = append(arr, ',')
		}
		next := day.AddDate(0, 0, 200)
		if k == trialSku {
			next = day.AddDate(0, 0, 20)
		}
		e := newObj(arr)
		e.str("createdDateTime", day.AddDate(-1, 0, 0).Format(time.RFC3339))
		e.str("commerceSubscriptionId", guidFrom(hashOf(uint64(s.opts.Seed), 79, uint64(k)), hashOf(uint64(k), 80)))
		e.str("id", guidFrom(hashOf(uint64(s.opts.Seed), 77, uint64(k)), hashOf(uint64(k), 78)))
		e.boolean("isTrial", k == trialSku)
		e.str("nextLifecycleDateTime", next.Format(time.RFC3339))
		e.str("skuId", sk.ID)
		e.str("skuPartNumber", sk.PartNumber)
		e.str("status", "Enabled")
		e.integer("totalLicenses", int64(s.prepaid(k)))
		e.str("ownerType", "User")
		arr = e.close()
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

// ---- subscribedSkus ----

func (s *Server) handleSubscribedSkus(w http.ResponseWriter, r *http.Request) {
	if s.unsupportedOptions(w, r, "$filter", "$top", "$orderby", "$search") {
		return
	}
	all := []string{"accountName", "accountId", "appliesTo", "capabilityStatus", "consumedUnits", "id", "skuId", "skuPartNumber", "subscriptionIds", "prepaidUnits", "servicePlans"}
	props, err := parseSelect(r.URL.Query().Get("$select"), all, all, "subscribedSku")
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", err.Error())
		return
	}
	s.state.mu.RLock()
	consumed := s.consumedLocked()
	s.state.mu.RUnlock()
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#subscribedSkus")
	arr := []byte{'['}
	for i, k := range s.servedSkus() {
		sk := skus[k]
		if i > 0 {
			arr = append(arr, ',')
		}
		e := newObj(arr)
		for _, p := range props {
			switch p {
			case "accountName":
				e.str(p, "contoso")
			case "accountId":
				e.str(p, s.opts.TenantID)
			case "appliesTo":
				e.str(p, "User")
			case "capabilityStatus":
				e.str(p, "Enabled")
			case "consumedUnits":
				e.integer(p, int64(consumed[k]))
			case "id":
				e.str(p, s.opts.TenantID+"_"+sk.ID)
			case "skuId":
				e.str(p, sk.ID)
			case "skuPartNumber":
				e.str(p, sk.PartNumber)
			case "subscriptionIds":
				e.strs(p, []string{guidFrom(hashOf(uint64(s.opts.Seed), 77, uint64(k)), hashOf(uint64(k), 78))})
			case "prepaidUnits":
				pu := newObj(nil)
				pu.integer("enabled", int64(s.prepaid(k)))
				pu.integer("suspended", 0)
				pu.integer("warning", 0)
				pu.integer("lockedOut", 0)
				e.raw(p, pu.close())
			case "servicePlans":
				plans := []byte{'['}
				for pn, pi := range sk.plans {
					if pn > 0 {
						plans = append(plans, ',')
					}
					po := newObj(plans)
					po.str("servicePlanId", servicePlans[pi].ID)
					po.str("servicePlanName", servicePlans[pi].Name)
					po.str("provisioningStatus", "Success")
					po.str("appliesTo", "User")
					plans = po.close()
				}
				e.raw(p, append(plans, ']'))
			}
		}
		arr = e.close()
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

// ---- assignLicense ----

type licenseInput struct {
	SkuID         string   `json:"skuId"`
	DisabledPlans []string `json:"disabledPlans"`
}

// Messages Microsoft returns (graph-api-detail.md §6.1); the ones marked
// there as unverified are documented in docs/simulator.md.
const (
	msgInherited      = "User license is inherited from a group membership and it cannot be removed directly from the user."
	msgNoSuchLicense  = "User does not have a corresponding license."
	msgUsageLocation  = "License assignment cannot be done for user with invalid usage location."
	fmtInvalidLicense = "License %s does not correspond to a valid company License."
	fmtNoSeats        = "Subscription with SKU %s does not have any available licenses."
)

func (s *Server) handleAssignLicense(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	i := s.t.lookup(key)
	if i < 0 {
		s.notFound(w, r, key)
		return
	}
	var body struct {
		AddLicenses    *[]licenseInput `json:"addLicenses"`
		RemoveLicenses *[]string       `json:"removeLicenses"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	var missing []string
	if body.AddLicenses == nil {
		missing = append(missing, "addLicenses")
	}
	if body.RemoveLicenses == nil {
		missing = append(missing, "removeLicenses")
	}
	if len(missing) > 0 {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: "+strings.Join(missing, ", ")+".")
		return
	}
	if len(*body.AddLicenses) == 0 && len(*body.RemoveLicenses) == 0 {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "No license changes provided. At least one license to add or remove must be specified.")
		return
	}
	s.state.mu.Lock()
	u := s.t.user(i)
	if st := s.state.users[i]; st != nil {
		u.lic, u.groups = append([]assignment(nil), st.lic...), st.groups
	}
	lic := append([]assignment(nil), u.lic...)
	fail := func(msg string, details []map[string]string) {
		s.state.mu.Unlock()
		s.graphErrorDetails(w, r, http.StatusBadRequest, "Request_BadRequest", msg, details)
	}
	for _, id := range *body.RemoveLicenses {
		k := skuIndexByID(id)
		if k < 0 {
			fail(fmt.Sprintf(fmtInvalidLicense, id), nil)
			return
		}
		direct, inherited := -1, false
		for n, a := range lic {
			if a.sku == k {
				if a.group < 0 {
					direct = n
				} else {
					inherited = true
				}
			}
		}
		switch {
		case direct >= 0:
			lic = append(lic[:direct], lic[direct+1:]...)
		case inherited:
			fail(msgInherited, nil)
			return
		default:
			fail(msgNoSuchLicense, nil)
			return
		}
	}
	consumed := s.consumedLocked()
	for _, add := range *body.AddLicenses {
		k := skuIndexByID(add.SkuID)
		if k < 0 {
			fail(fmt.Sprintf(fmtInvalidLicense, add.SkuID), nil)
			return
		}
		if u.usageLocation == "" {
			fail(msgUsageLocation, nil)
			return
		}
		var dis []int
		for _, p := range add.DisabledPlans {
			pi := planIndexByID(p)
			if pi < 0 || !has(intsToStrs(skus[k].plans), strconv.Itoa(pi)) {
				fail(fmt.Sprintf("Invalid disabled plan %s: it is not a service plan of license %s.", p, add.SkuID), nil)
				return
			}
			dis = append(dis, pi)
		}
		replaced := false
		for n := range lic {
			if lic[n].sku == k && lic[n].group < 0 {
				lic[n].disabled, replaced = dis, true
			}
		}
		if replaced {
			continue
		}
		if !holds(lic, k) && !holds(u.lic, k) && consumed[k] >= s.prepaid(k) {
			fail(fmt.Sprintf(fmtNoSeats, skus[k].ID), []map[string]string{{"code": "CountViolation", "message": fmt.Sprintf(fmtNoSeats, skus[k].ID), "target": skus[k].ID}})
			return
		}
		if !holds(lic, k) {
			consumed[k]++
		}
		lic = append(lic, assignment{sku: k, group: -1, disabled: dis, state: "Active"})
	}
	s.state.users[i] = &userState{lic: lic, groups: u.groups}
	s.state.version++
	err := s.saveLocked()
	s.state.mu.Unlock()
	if err != nil {
		s.graphError(w, r, http.StatusInternalServerError, "generalException", "simulated tenant could not persist its state: "+err.Error())
		return
	}
	b := []byte(`{"@odata.context":`)
	b = appendJSONString(b, s.url+"/v1.0/$metadata#users/$entity")
	b = append(b, ',')
	ub := s.appendUser(nil, s.current(i), append(append([]string{}, defaultUserProps...), "accountEnabled", "assignedLicenses"), false)
	writeJSON(w, 200, append(b, ub[1:]...))
}

// ---- groups ----

func (s *Server) appendGroup(b []byte, g int) []byte {
	o := newObj(b)
	o.str("id", groups[g].ID)
	o.str("displayName", groups[g].DisplayName)
	o.str("description", "Group-based licensing: "+groups[g].DisplayName)
	o.strs("groupTypes", []string{})
	o.boolean("mailEnabled", false)
	o.boolean("securityEnabled", true)
	o.null("onPremisesSyncEnabled")
	arr := []byte{'['}
	for n, k := range groups[g].skus {
		if n > 0 {
			arr = append(arr, ',')
		}
		e := newObj(arr)
		e.strs("disabledPlans", []string{})
		e.str("skuId", skus[k].ID)
		arr = e.close()
	}
	o.raw("assignedLicenses", append(arr, ']'))
	return o.close()
}

type groupRecord int

func (g groupRecord) get(p string) (any, bool) {
	switch strings.ToLower(p) {
	case "id":
		return groups[g].ID, true
	case "displayname":
		return groups[g].DisplayName, true
	}
	return nil, false
}
func (g groupRecord) each(string) []filterRecord { return nil }

func (s *Server) handleGroups(w http.ResponseWriter, r *http.Request) {
	var f filterExpr
	if raw := r.URL.Query().Get("$filter"); raw != "" {
		var err error
		if f, err = parseFilter(raw, filterSchema{"id": 's', "displayName": 's'}, nil); err != nil {
			s.graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", err.Error())
			return
		}
	}
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#groups")
	arr := []byte{'['}
	n := 0
	for g := range groups {
		if f != nil && !f.eval(groupRecord(g)) {
			continue
		}
		if n > 0 {
			arr = append(arr, ',')
		}
		n++
		arr = s.appendGroup(arr, g)
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

func (s *Server) groupOf(w http.ResponseWriter, r *http.Request) int {
	g := groupIndexByID(r.PathValue("gid"))
	if g < 0 {
		s.notFound(w, r, r.PathValue("gid"))
	}
	return g
}

func (s *Server) handleGroup(w http.ResponseWriter, r *http.Request) {
	g := s.groupOf(w, r)
	if g < 0 {
		return
	}
	b := []byte(`{"@odata.context":`)
	b = appendJSONString(b, s.url+"/v1.0/$metadata#groups/$entity")
	b = append(b, ',')
	gb := s.appendGroup(nil, g)
	writeJSON(w, 200, append(b, gb[1:]...))
}

// handleGroupMembers serves members and transitiveMembers (licensing groups
// have no nested groups, so both list the same users).
func (s *Server) handleGroupMembers(w http.ResponseWriter, r *http.Request) {
	g := s.groupOf(w, r)
	if g < 0 {
		return
	}
	if s.unsupportedOptions(w, r, "$search", "$orderby", "$count", "$filter", "$expand") {
		return
	}
	q := r.URL.Query()
	props, err := parseSelect(q.Get("$select"), allUserProps, []string{"id", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName"}, "user")
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", err.Error())
		return
	}
	if has(props, "signInActivity") {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Property 'signInActivity' is not supported on this navigation.")
		return
	}
	top := 100
	if q.Has("$top") {
		top, err = strconv.Atoi(q.Get("$top"))
		if err != nil || top < 1 || top > 999 {
			s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", q.Get("$top")))
			return
		}
	}
	start := int64(0)
	if tok := q.Get("$skiptoken"); tok != "" {
		var ok bool
		if start, ok = s.decodeSkip("members"+groups[g].ID, tok); !ok {
			s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "The specified page token value has expired or is invalid.")
			return
		}
	}
	seg := "transitiveMembers"
	if strings.HasSuffix(r.URL.Path, "/members") {
		seg = "members"
	}
	b := []byte(`{"@odata.context":`)
	b = appendJSONString(b, s.url+"/v1.0/$metadata#directoryObjects")
	_ = seg
	items := []byte{}
	count := 0
	i := int(start)
	for scanned := 0; i < s.t.n && count < top && scanned < maxScan; scanned++ {
		u := s.current(i)
		i++
		if u.groups&(1<<g) == 0 {
			continue
		}
		if count > 0 {
			items = append(items, ',')
		}
		items = s.appendUser(items, u, props, true)
		count++
	}
	if i < s.t.n {
		b = append(b, `,"@odata.nextLink":`...)
		b = appendJSONString(b, s.nextLink(r, "$skiptoken", s.encodeSkip("members"+groups[g].ID, int64(i))))
	}
	b = append(b, `,"value":[`...)
	b = append(b, items...)
	writeJSON(w, 200, append(b, "]}"...))
}

// setMembership adds or removes user i from group g, adding or dropping the
// group's licence assignments (synchronously; Microsoft processes group
// licensing asynchronously, see docs/simulator.md).
func (s *Server) setMembership(i, g int, member bool) (changed bool, err error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	u := s.t.user(i)
	if st := s.state.users[i]; st != nil {
		u.lic, u.groups = append([]assignment(nil), st.lic...), st.groups
	}
	isMember := u.groups&(1<<g) != 0
	if isMember == member {
		return false, nil
	}
	var lic []assignment
	if member {
		consumed := s.consumedLocked()
		lic = u.lic
		for _, k := range groups[g].skus {
			a := assignment{sku: k, group: g, state: "Active"}
			if !holds(lic, k) && consumed[k] >= s.prepaid(k) {
				a.state, a.err = "Error", "CountViolation"
			}
			lic = append(lic, a)
		}
		u.groups |= 1 << g
	} else {
		for _, a := range u.lic {
			if a.group != g {
				lic = append(lic, a)
			}
		}
		u.groups &^= 1 << g
	}
	s.state.users[i] = &userState{lic: lic, groups: u.groups}
	s.state.version++
	return true, s.saveLocked()
}

func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request) {
	g := s.groupOf(w, r)
	if g < 0 {
		return
	}
	key := r.PathValue("uid")
	i := s.t.lookup(key)
	if i < 0 {
		s.notFound(w, r, key)
		return
	}
	changed, err := s.setMembership(i, g, false)
	if err != nil {
		s.graphError(w, r, http.StatusInternalServerError, "generalException", err.Error())
		return
	}
	if !changed {
		s.notFound(w, r, key)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAddMember(w http.ResponseWriter, r *http.Request) {
	g := s.groupOf(w, r)
	if g < 0 {
		return
	}
	var body struct {
		ID string `json:"@odata.id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil || body.ID == "" {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "The request payload must contain '@odata.id'.")
		return
	}
	key := body.ID[strings.LastIndexByte(body.ID, '/')+1:]
	i := s.t.lookup(key)
	if i < 0 {
		s.notFound(w, r, key)
		return
	}
	changed, err := s.setMembership(i, g, true)
	if err != nil {
		s.graphError(w, r, http.StatusInternalServerError, "generalException", err.Error())
		return
	}
	if !changed {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
