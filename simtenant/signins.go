package simtenant

import (
	"net/http"
	"strconv"
	"time"
)

// signInRetentionDays is Entra ID P1/P2's sign-in log retention.
const signInRetentionDays = 30

var signInFilterSchema = filterSchema{
	"createdDateTime": 't', "userId": 's', "userPrincipalName": 's', "appId": 's', "appDisplayName": 's',
	"status/errorCode": 'i', "isInteractive": 'b',
}

type signInApp struct{ id, name, resource, resourceID, client string }

var signInApps = []signInApp{
	{"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000", "Browser"},
	{"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams", "Microsoft Teams Services", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Mobile Apps and Desktop clients"},
	{"00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Browser"},
	{"d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office", "Microsoft Graph", "00000003-0000-0000-c000-000000000000", "Mobile Apps and Desktop clients"},
	{"4345a7b9-9a63-4910-a426-35363201d503", "O365 Suite UX", "Windows Azure Active Directory", "00000002-0000-0000-c000-000000000000", "Browser"},
	{"00000007-0000-0000-c000-000000000000", "Dynamics CRM Online", "Dynamics CRM Online", "00000007-0000-0000-c000-000000000000", "Browser"},
}

// The simulated tenant's own application ids for Visio and Project:
// Microsoft documents none (schemas/apps.go says where it was looked for),
// so the simulator invents them and examples/demo declares them in app
// blocks, as an administrator declares the ids their sign-in log shows.
// Both are served through SharePoint Online, as Visio for the web and
// Project Online are.
const (
	SimVisioAppID   = "51e00000-0000-4000-8000-000000000001"
	SimProjectAppID = "51e00000-0000-4000-8000-000000000002"
)

// Product apps: a holder of the product who uses it (productUse) signs in
// to it on some of their sign-in events; Power BI's ids are Microsoft's
// (MicrosoftDocs/SupportArticles-docs verify-first-party-apps-sign-in.md).
var productApps = []struct {
	work workload
	app  signInApp
}{
	{wPowerBI, signInApp{"871c010f-5e61-4fb1-83ac-98610a7e9110", "Microsoft Power BI", "Power BI Service", "00000009-0000-0000-c000-000000000000", "Browser"}},
	{wVisio, signInApp{SimVisioAppID, "Visio", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Browser"}},
	{wProject, signInApp{SimProjectAppID, "Project Online", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Browser"}},
}

// productUse: the share of a product's holders who use it at all (licences
// bought for a pilot or a project that ended are the rest), and the share
// of a user's sign-ins that go to it.
const (
	productUseShare  = 0.6
	productSignInOdd = 0.3
)

type signInRecord struct {
	s   *Server
	u   *user
	ev  event
	day int
	app signInApp
	ok  bool
}

func (r signInRecord) at() time.Time {
	return r.s.t.at(r.day, int(r.ev.sec))
}

func (r signInRecord) get(p string) (any, bool) {
	switch p {
	case "createdDateTime":
		return r.at(), true
	case "userId":
		return r.u.id, true
	case "userPrincipalName":
		return r.u.upn, true
	case "appId":
		return r.app.id, true
	case "appDisplayName":
		return r.app.name, true
	case "status/errorCode":
		if r.ok {
			return int64(0), true
		}
		return int64(50126), true
	case "isInteractive":
		return true, true
	}
	return nil, false
}
func (r signInRecord) each(string) []filterRecord { return nil }

func (s *Server) signInRecord(ev event, day int) signInRecord {
	u := s.current(int(ev.user))
	rr := newRNG(uint64(s.opts.Seed), saltSignIn, uint64(ev.user), uint64(day), uint64(ev.k), 1)
	var app signInApp
	switch u.arch {
	case ArchOnlyTeams:
		app = signInApps[1]
	case ArchOnlyMail:
		app = signInApps[0]
	case ArchOnlyMobileApps:
		app = signInApps[3]
	default:
		app = signInApps[rr.intn(5)]
		if u.dynamics && rr.chance(0.4) {
			app = signInApps[5]
		}
		if a, ok := s.productApp(u, rr); ok {
			app = a
		}
	}
	ok := ev.k == 0 || !rr.chance(0.05)
	return signInRecord{s: s, u: u, ev: ev, day: day, app: app, ok: ok}
}

// productApp picks, for a user who holds and uses Power BI, Visio or
// Project, the product's app on some of their sign-ins. Whether the user
// uses a product at all is drawn once per user and product (stable across
// days); which sign-ins go to it, per event.
func (s *Server) productApp(u *user, rr *rng) (signInApp, bool) {
	held := licWork(u.lic)
	for k, p := range productApps {
		if held&p.work == 0 {
			continue
		}
		if !newRNG(uint64(s.opts.Seed), saltSignIn, uint64(u.idx), 7, uint64(k)).chance(productUseShare) {
			continue
		}
		if rr.chance(productSignInOdd) {
			return p.app, true
		}
	}
	return signInApp{}, false
}

// dayWindow is the days before Today (first to last, newest first) a
// listing retained for retention days must scan for f: all of them, narrowed
// by f's ANDed bounds on the time field.
func (s *Server) dayWindow(f filterExpr, field string, retention int) (first, last int) {
	first, last = 0, retention-1
	if f == nil {
		return first, last
	}
	lo, hi := timeBounds(f, field)
	if !hi.IsZero() {
		first = max(first, int(s.t.today.Sub(hi.Truncate(24*time.Hour)).Hours()/24))
	}
	if !lo.IsZero() {
		last = min(last, int(s.t.today.Sub(lo.Truncate(24*time.Hour)).Hours()/24))
	}
	return first, last
}

// timeBounds narrows the days to scan from createdDateTime comparisons that
// are ANDed at the top of the filter.
func timeBounds(e filterExpr, field string) (lo, hi time.Time) {
	switch f := e.(type) {
	case filterAnd:
		l1, h1 := timeBounds(f.l, field)
		l2, h2 := timeBounds(f.r, field)
		if l2.After(l1) {
			l1 = l2
		}
		if h1.IsZero() || (!h2.IsZero() && h2.Before(h1)) {
			h1 = h2
		}
		return l1, h1
	case filterCmp:
		t, ok := f.val.(time.Time)
		if !ok || f.path != field {
			return
		}
		switch f.op {
		case "ge", "gt":
			return t, time.Time{}
		case "le", "lt":
			return time.Time{}, t
		case "eq":
			return t, t
		}
	}
	return
}

func (s *Server) handleSignIns(w http.ResponseWriter, r *http.Request) {
	if s.opts.NoP1 {
		s.graphError(w, r, http.StatusForbidden, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license")
		return
	}
	if s.unsupportedOptions(w, r, "$orderby", "$search", "$count", "$expand", "$skip") {
		return
	}
	q := r.URL.Query()
	top := 1000
	if q.Has("$top") {
		n, err := strconv.Atoi(q.Get("$top"))
		if err != nil || n < 1 {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Invalid $top value: '"+q.Get("$top")+"'.")
			return
		}
		top = min(n, 1000) // default and maximum page size: 1,000
	}
	var f filterExpr
	if raw := q.Get("$filter"); raw != "" {
		var err error
		if f, err = parseFilter(raw, signInFilterSchema, nil); err != nil {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
	}
	firstDay, lastDay := s.dayWindow(f, "createdDateTime", signInRetentionDays)
	day, off := firstDay, 0
	if tok := q.Get("$skiptoken"); tok != "" {
		pos, ok := s.decodeSkip("signins", tok)
		if !ok {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", "The specified page token value has expired or is invalid.")
			return
		}
		day, off = int(pos>>32), int(pos&0xffffffff)
	}
	b := []byte(`{"@odata.context":`)
	b = appendJSONString(b, s.url+"/v1.0/$metadata#auditLogs/signIns")
	items := []byte{}
	count, scanned := 0, 0
	for day >= 0 && day <= lastDay && count < top && scanned < maxScan {
		evs := s.signInDay(day)
		for off < len(evs) && count < top && scanned < maxScan {
			rec := s.signInRecord(evs[off], day)
			off++
			scanned++
			if f != nil && !f.eval(rec) {
				continue
			}
			if count > 0 {
				items = append(items, ',')
			}
			items = s.appendSignIn(items, rec)
			count++
		}
		if off >= len(evs) {
			day, off = day+1, 0
		}
	}
	if day <= lastDay {
		b = append(b, `,"@odata.nextLink":`...)
		b = appendJSONString(b, s.nextLink(r, "$skiptoken", s.encodeSkip("signins", int64(day)<<32|int64(off))))
	}
	b = append(b, `,"value":[`...)
	b = append(b, items...)
	writeJSON(w, 200, append(b, "]}"...))
}

func (s *Server) appendSignIn(b []byte, rec signInRecord) []byte {
	u := rec.u
	rr := newRNG(uint64(s.opts.Seed), saltSignIn, uint64(u.idx), uint64(rec.day), uint64(rec.ev.k), 2)
	o := newObj(b)
	o.str("id", s.signInRequestID(u.idx, rec.day, int(rec.ev.k)))
	o.str("createdDateTime", graphTime(rec.at()))
	o.str("userDisplayName", u.display)
	o.str("userPrincipalName", u.upn)
	o.str("userId", u.id)
	o.str("appId", rec.app.id)
	o.str("appDisplayName", rec.app.name)
	o.str("ipAddress", "203.0.113."+strconv.Itoa(1+rr.intn(254)))
	o.str("clientAppUsed", rec.app.client)
	o.str("correlationId", guidFrom(rr.next(), rr.next()))
	o.str("conditionalAccessStatus", "success")
	o.boolean("isInteractive", true)
	o.str("riskDetail", "none")
	o.str("riskLevelAggregated", "none")
	o.str("riskLevelDuringSignIn", "none")
	o.str("riskState", "none")
	o.strs("riskEventTypes", []string{})
	o.strs("riskEventTypes_v2", []string{})
	o.str("resourceDisplayName", rec.app.resource)
	o.str("resourceId", rec.app.resourceID)
	st := newObj(nil)
	if rec.ok {
		st.integer("errorCode", 0)
		st.null("failureReason")
		st.null("additionalDetails")
	} else {
		st.integer("errorCode", 50126)
		st.str("failureReason", "Error validating credentials due to invalid username or password.")
		st.str("additionalDetails", "The user didn't enter the right credentials.  It's expected to see some number of these errors in your logs due to users making mistakes.")
	}
	o.raw("status", st.close())
	dd := newObj(nil)
	dd.str("deviceId", "")
	dd.str("displayName", "")
	os := []string{"Windows10", "MacOs", "Ios", "Android"}[rr.intn(4)]
	if u.arch == ArchOnlyMobileApps {
		os = "Ios"
	}
	dd.str("operatingSystem", os)
	dd.str("browser", []string{"Edge 131.0.0", "Chrome 131.0.0", "Rich Client 16.0.18129.20158"}[rr.intn(3)])
	dd.boolean("isCompliant", false)
	dd.boolean("isManaged", false)
	dd.str("trustType", "")
	o.raw("deviceDetail", dd.close())
	loc := newObj(nil)
	loc.str("city", u.city)
	loc.str("state", "")
	loc.str("countryOrRegion", u.usageLocation)
	geo := newObj(nil)
	geo.null("altitude")
	geo.null("latitude")
	geo.null("longitude")
	loc.raw("geoCoordinates", geo.close())
	o.raw("location", loc.close())
	o.raw("appliedConditionalAccessPolicies", []byte("[]"))
	return o.close()
}
