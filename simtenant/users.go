package simtenant

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// userView is a user as a response sees it: the user (overlay applied) and
// the server, whose options and tenant decide some values.
type userView struct {
	s *Server
	u *user
}

// userEntity is microsoft.graph.user as the simulator serves it, in Graph's
// property order: the default set first ("List users"), then the properties
// reclaim selects. A property $select, $filter or the JSON needs is one row
// here.
var userEntity = newEntity("user",
	custom("businessPhones", func(o *jsonObj, k string, x userView) { o.strs(k, []string{}) }).byDefault(),
	text("displayName", func(x userView) string { return x.u.display }).byDefault().filterable(),
	optText("givenName", func(x userView) string { return x.u.given }).byDefault().filterable(),
	optText("jobTitle", func(x userView) string { return x.u.jobTitle }).byDefault().filterable(),
	optText("mail", func(x userView) string { return x.u.mail }).byDefault().filterable(),
	custom("mobilePhone", func(o *jsonObj, k string, x userView) { o.null(k) }).byDefault(),
	optText("officeLocation", func(x userView) string { return x.u.city }).byDefault(),
	optText("preferredLanguage", func(x userView) string { return unlessGuest(x.u, "en-US") }).byDefault(),
	optText("surname", func(x userView) string { return x.u.surname }).byDefault().filterable(),
	text("userPrincipalName", func(x userView) string { return x.u.upn }).byDefault().filterable(),
	text("id", func(x userView) string { return x.u.id }).byDefault().filterable(),
	boolean("accountEnabled", func(x userView) bool { return x.u.enabled }).filterable(),
	text("userType", func(x userView) string { return x.u.userType() }).filterable(),
	optText("department", func(x userView) string { return x.u.department }).filterable(),
	optText("companyName", func(x userView) string { return unlessGuest(x.u, "Contoso") }),
	optText("city", func(x userView) string { return x.u.city }).filterable(),
	optText("country", func(x userView) string { return x.u.country }).filterable(),
	optText("usageLocation", func(x userView) string { return x.u.usageLocation }).filterable(),
	dateTime("createdDateTime", func(x userView) time.Time { return x.s.t.created(x.u) }).filterable(),
	optText("creationType", func(x userView) string {
		if x.u.kind == KindGuest {
			return "Invitation"
		}
		return ""
	}),
	trueOrNull("onPremisesSyncEnabled", func(x userView) bool { return x.u.onPrem }).filterable(),
	custom("assignedLicenses", writeAssignedLicenses).walkable(heldSkuRecords, filterSchema{"skuId": 's'}),
	custom("licenseAssignmentStates", writeLicenseAssignmentStates),
	custom("signInActivity", writeSignInActivity),
	signInParts[0].path(), signInParts[1].path(), signInParts[2].path(),
)

// memberDefault is the default set on group member listings, which Graph
// orders with id first.
var memberDefault = func() selection[userView] {
	out := selection[userView]{userEntity.byName["id"]}
	for _, p := range userEntity.def {
		if p.name != "id" {
			out = append(out, p)
		}
	}
	return out
}()

// unlessGuest is v for members and "" (null) for guests, whose home tenant
// holds these properties.
func unlessGuest(u *user, v string) string {
	if u.kind == KindGuest {
		return ""
	}
	return v
}

// ---- signInActivity ----

// signIn is one last sign-in: when, and which event of its day it is (the
// request id, see signInRequestID).
type signIn struct {
	at      time.Time
	days, k int
}

// signInPart is one of signInActivity's three last-sign-in pairs
// (…DateTime and …RequestId); $filter compares its DateTime path.
type signInPart struct {
	dateKey, idKey string
	// quirkNone is how MicrosoftQuirks spells "no value" in dateKey ("List
	// users" Example 11); the request id is then "". Without quirks both are
	// null.
	quirkNone string
	// last is the sign-in; false when there was none.
	last func(t *Tenant, u *user) (signIn, bool)
}

var signInParts = [3]signInPart{
	{"lastSignInDateTime", "lastSignInRequestId", "", func(t *Tenant, u *user) (signIn, bool) {
		last, ok := signIn{}, false
		switch {
		case !u.signedIn.IsZero():
			last, ok = recordedSignIn(u), true
		case u.interactive >= 0:
			last, ok = signIn{t.at(u.interactive, u.interactiveSec), u.interactive, 0}, true
		}
		// An attempt counts here whether or not it succeeded.
		if !u.failedSignIn.IsZero() && (!ok || u.failedSignIn.After(last.at)) {
			return signIn{u.failedSignIn, 0, 3000}, true
		}
		return last, ok
	}},
	{"lastNonInteractiveSignInDateTime", "lastNonInteractiveSignInRequestId", zeroTime, func(t *Tenant, u *user) (signIn, bool) {
		if u.nonInter < 0 {
			return signIn{}, false
		}
		return signIn{t.at(u.nonInter, u.nonInterSec), u.nonInter, 1000}, true
	}},
	// A user with any sign-in has a successful one, so the quirk spelling
	// here is never written.
	{"lastSuccessfulSignInDateTime", "lastSuccessfulSignInRequestId", zeroTime, func(t *Tenant, u *user) (signIn, bool) {
		if !u.signedIn.IsZero() {
			return recordedSignIn(u), true
		}
		d, sec := u.lastSuccessful()
		if d < 0 {
			return signIn{}, false
		}
		if d == u.interactive && sec == u.interactiveSec {
			return signIn{t.at(d, sec), d, 0}, true
		}
		return signIn{t.at(d, sec), d, 1000}, true
	}},
}

// recordedSignIn is the sign-in recorded through the /_sim control.
func recordedSignIn(u *user) signIn { return signIn{u.signedIn, 0, 2000} }

// path is the part's DateTime as a $filter path.
func (p signInPart) path() property[userView] {
	return property[userView]{name: "signInActivity/" + p.dateKey, kind: 't', filter: true,
		value: func(x userView) any {
			if si, ok := p.last(x.s.t, x.u); ok {
				return si.at
			}
			return nil
		}}
}

func writeSignInActivity(o *jsonObj, k string, x userView) {
	s, u := x.s, x.u
	_, attempted := signInParts[0].last(s.t, u)
	if _, ok := signInParts[2].last(s.t, u); !ok && !attempted {
		return // never tried to sign in: Graph returns no signInActivity
	}
	o.key(k)
	e := newObj(o.b) // in place: o.b is the row being built
	for _, p := range signInParts {
		si, ok := p.last(s.t, u)
		switch {
		case ok:
			e.str(p.dateKey, graphTime(si.at))
			e.str(p.idKey, s.signInRequestID(u.idx, si.days, si.k))
		case s.opts.MicrosoftQuirks:
			e.str(p.dateKey, p.quirkNone)
			e.str(p.idKey, "")
		default:
			e.null(p.dateKey)
			e.null(p.idKey)
		}
	}
	o.b = e.close()
}

// zeroTime is the .NET minimum Graph sends for "no value".
const zeroTime = "0001-01-01T00:00:00Z"

func (t *Tenant) created(u *user) time.Time {
	return t.at(u.createdDays, u.createdSecs)
}

// lastSuccessful is the later of the last interactive and non-interactive
// sign-in (days ago, second of day); days < 0 when there was neither.
func (u *user) lastSuccessful() (int, int) {
	d, s := u.interactive, u.interactiveSec
	if u.nonInter >= 0 && (d < 0 || u.nonInter < d || (u.nonInter == d && u.nonInterSec > s)) {
		d, s = u.nonInter, u.nonInterSec
	}
	return d, s
}

// signInRequestID is the id of the sign-in event k of user i on a day; the
// last interactive sign-in is event 0 of its day, so lastSignInRequestId
// matches an id in auditLogs/signIns.
func (s *Server) signInRequestID(i, days, k int) string {
	d := uint64(s.t.day(days).Unix() / 86400)
	return guidFrom(hashOf(uint64(s.opts.Seed), saltSignIn, uint64(i), d, uint64(k)), hashOf(uint64(i), d, uint64(k)))
}

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

// ---- handlers ----

// appendUser renders one user with the selected properties.
func (s *Server) appendUser(b []byte, u *user, sel selection[userView], odataType bool) []byte {
	return s.appendUserTo(new(jsonObj), b, u, sel, odataType)
}

// appendUserTo is appendUser writing through o (see jsonObj.open).
func (s *Server) appendUserTo(o *jsonObj, b []byte, u *user, sel selection[userView], odataType bool) []byte {
	o.open(b)
	if odataType {
		o.str("@odata.type", "#microsoft.graph.user")
	}
	sel.write(o, userView{s, u})
	return o.close()
}

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
		if !s.eventual(w, r) {
			return
		}
		wantCount = true
	case "false":
	default:
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Invalid value for $count: '"+q.Get("$count")+"'.")
		return
	}
	sel, ok := selected(s, w, r, userEntity, userEntity.def)
	if !ok {
		return
	}
	top, ok := s.pageSize(w, r)
	if !ok {
		return
	}
	rawFilter := q.Get("$filter")
	f, ok := s.userFilter(w, r)
	if !ok {
		return
	}
	if sel.has("signInActivity") || strings.Contains(strings.ToLower(rawFilter), "signinactivity") {
		if !s.checkSignInActivity(w, r) {
			return
		}
		top = min(top, 500) // Graph's page-size cap when signInActivity is selected
	}
	start, ok := s.skipToken(w, r, "users")
	if !ok {
		return
	}
	ctx := s.url + "/v1.0/$metadata#users"
	if q.Has("$select") {
		ctx += "(" + strings.Join(sel.names(), ",") + ")"
	}
	b := make([]byte, 0, 64+top*400)
	b = append(b, `{"@odata.context":`...)
	b = appendJSONString(b, ctx)
	if wantCount && start == 0 { // @odata.count is on the first page only
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(s.countUsers(f)), 10)
	}
	page := userPage{items: make([]byte, 0, top*400)}
	i := int(start)
	// An exact id/UPN filter is a lookup, as in the directory.
	if c, ok := f.(filterCmp); ok && c.op == "eq" && (c.path == "id" || strings.EqualFold(c.path, "userPrincipalName")) {
		key, _ := c.val.(string)
		i = s.t.n
		if idx := s.t.lookup(key); idx >= 0 && start == 0 {
			page.add(s, s.current(idx), sel, false)
		}
	}
	var keep func(*user) bool
	if f != nil {
		keep = func(u *user) bool { return f.eval(userEntity.record(userView{s, u})) }
	}
	next := s.scanUsers(&page, i, top, sel, false, keep)
	writeJSON(w, 200, s.closeUserPage(b, r, "users", next, &page))
}

// userPage is the value of a user listing being built.
type userPage struct {
	items []byte
	count int
	obj   jsonObj // each row's writer
}

func (p *userPage) add(s *Server, u *user, sel selection[userView], odataType bool) {
	if p.count > 0 {
		p.items = append(p.items, ',')
	}
	p.items = s.appendUserTo(&p.obj, p.items, u, sel, odataType)
	p.count++
}

// scanUsers lists, from user i on, the users keep accepts (nil: every one)
// until the page holds top or maxScan were examined, and returns where the
// next page starts.
func (s *Server) scanUsers(p *userPage, i, top int, sel selection[userView], odataType bool, keep func(*user) bool) int {
	for scanned := 0; i < s.t.n && p.count < top && scanned < maxScan; scanned++ {
		u := s.current(i)
		i++
		if keep != nil && !keep(u) {
			continue
		}
		p.add(s, u, sel, odataType)
	}
	return i
}

// closeUserPage ends a listing whose head (@odata.context and @odata.count)
// is in b: a nextLink when users from next on remain (its $skiptoken of the
// listing kind), then the value.
func (s *Server) closeUserPage(b []byte, r *http.Request, kind string, next int, p *userPage) []byte {
	if next < s.t.n {
		b = append(b, `,"@odata.nextLink":`...)
		b = appendJSONString(b, s.nextLink(r, "$skiptoken", s.encodeSkip(kind, int64(next))))
	}
	b = append(b, `,"value":[`...)
	b = append(b, p.items...)
	return append(b, "]}"...)
}

// userFilter parses the request's $filter on users (nil when there is none);
// false when it answered 400.
func (s *Server) userFilter(w http.ResponseWriter, r *http.Request) (filterExpr, bool) {
	raw := r.URL.Query().Get("$filter")
	if raw == "" {
		return nil, true
	}
	f, err := userEntity.parseFilter(raw)
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", err.Error())
		return nil, false
	}
	return f, true
}

// countUsers counts the users matching f (all users when f is nil).
func (s *Server) countUsers(f filterExpr) int {
	if f == nil {
		return s.t.n
	}
	n := 0
	for i := 0; i < s.t.n; i++ {
		if f.eval(userEntity.record(userView{s, s.current(i)})) {
			n++
		}
	}
	return n
}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	if key == "$count" {
		if !s.eventual(w, r) {
			return
		}
		f, ok := s.userFilter(w, r)
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(strconv.Itoa(s.countUsers(f))))
		return
	}
	i := s.userOf(w, r, key)
	if i < 0 {
		return
	}
	q := r.URL.Query()
	sel, ok := selected(s, w, r, userEntity, userEntity.def)
	if !ok {
		return
	}
	if sel.has("signInActivity") && !s.checkSignInActivity(w, r) {
		return
	}
	ctx := s.url + "/v1.0/$metadata#users"
	if q.Has("$select") {
		ctx += "(" + strings.Join(sel.names(), ",") + ")"
	}
	writeJSON(w, 200, entityResponse(ctx+"/$entity", s.appendUser(nil, s.current(i), sel, false)))
}
