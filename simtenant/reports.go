package simtenant

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/schemas"
)

// report is one usage report as the simulator serves it: the function and
// the parameter forms it accepts come from the signal catalogue
// (schemas.UsageReports); the CSV header, the refresh lag and the rows are
// the simulator's (reportSims).
type report struct {
	name string
	root string // "" for /reports, else the catalogue's Root
	form schemas.ReportForm
	reportSim
}

// reportSim is what only the simulator knows of a usage report: its CSV
// header (exactly as Microsoft documents it, graph-api-detail.md §4.2), its
// refresh lag and how a user becomes a row.
type reportSim struct {
	header []string
	lag    int // days between Today and Report Refresh Date
	rows   func(s *Server, rc *reportCtx, u *user, emit func([]string) error) error
}

// reportSims holds the simulator's half of every catalogue report, by
// function name: a new usage-report signal adds one entry and its row
// function here.
var reportSims = map[string]reportSim{
	"getOffice365ActiveUserDetail": {lag: 2, rows: rowsActiveUser,
		header: strings.Split("Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products", ",")},
	"getEmailActivityUserDetail": {lag: 2, rows: rowsEmail,
		header: strings.Split("Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Last Activity Date,Send Count,Receive Count,Read Count,Meeting Created Count,Meeting Interacted Count,Assigned Products,Report Period", ",")},
	"getM365AppUserDetail": {lag: 3, rows: rowsM365Apps,
		header: strings.Split("Report Refresh Date,User Principal Name,Last Activation Date,Last Activity Date,Report Period,Windows,Mac,Mobile,Web,Outlook,Word,Excel,PowerPoint,OneNote,Teams,Outlook (Windows),Word (Windows),Excel (Windows),PowerPoint (Windows),OneNote (Windows),Teams (Windows),Outlook (Mac),Word (Mac),Excel (Mac),PowerPoint (Mac),OneNote (Mac),Teams (Mac),Outlook (Mobile),Word (Mobile),Excel (Mobile),PowerPoint (Mobile),OneNote (Mobile),Teams (Mobile),Outlook (Web),Word (Web),Excel (Web),PowerPoint (Web),OneNote (Web),Teams (Web)", ",")},
	"getMailboxUsageDetail": {lag: 2, rows: rowsMailbox,
		header: strings.Split("Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),Prohibit Send/Receive Quota (Byte),Deleted Item Count,Deleted Item Size (Byte),Deleted Item Quota (Byte),Has Archive,Report Period", ",")},
	"getOneDriveUsageAccountDetail": {lag: 2, rows: rowsOneDrive,
		header: strings.Split("Report Refresh Date,Site URL,Owner Display Name,Is Deleted,Last Activity Date,File Count,Active File Count,Storage Used (Byte),Storage Allocated (Byte),Owner Principal Name,Report Period", ",")},
	"getOffice365ActivationsUserDetail": {lag: 2, rows: rowsActivations,
		header: strings.Split("Report Refresh Date,User Principal Name,Display Name,Product Type,Last Activated Date,Windows,Mac,Windows 10 Mobile,iOS,Android,Activated On Shared Computer", ",")},
	"getTeamsUserActivityUserDetail": {lag: 3, rows: rowsTeams,
		header: strings.Split("Report Refresh Date,Tenant Display Name,Shared Channel Tenant Display Names,User Id,User Principal Name,Last Activity Date,Is Deleted,Deleted Date,Assigned Products,Team Chat Message Count,Private Chat Message Count,Call Count,Meeting Count,Post Messages,Reply Messages,Urgent Messages,Meetings Organized Count,Meetings Attended Count,Ad Hoc Meetings Organized Count,Ad Hoc Meetings Attended Count,Scheduled One-time Meetings Organized Count,Scheduled One-time Meetings Attended Count,Scheduled Recurring Meetings Organized Count,Scheduled Recurring Meetings Attended Count,Audio Duration,Video Duration,Screen Share Duration,Audio Duration In Seconds,Video Duration In Seconds,Screen Share Duration In Seconds,Has Other Action,Is Licensed,Report Period", ",")},
	// Copilot's report lags up to 72 hours; its header is v2's, of which a
	// v1 report has the first 13 columns (the v1 ones verbatim from
	// Microsoft's example response).
	"getMicrosoft365CopilotUsageUserDetail": {lag: 3, rows: rowsCopilot,
		header: strings.Split("Report Refresh Date,User Principal Name,Display Name,Last Activity Date,Copilot Chat Last Activity Date,Microsoft Teams Copilot Last Activity Date,Word Copilot Last Activity Date,Excel Copilot Last Activity Date,PowerPoint Copilot Last Activity Date,Outlook Copilot Last Activity Date,OneNote Copilot Last Activity Date,Loop Copilot Last Activity Date,Report Period,"+
			"Prompts submitted for all apps,Prompts submitted for Copilot Chat (work),Prompts submitted for Copilot Chat (web),Active Usage Days for all apps,Copilot Chat (work) Last Activity Date,Copilot Chat (web) Last Activity Date,Microsoft 365 Copilot Last Activity Date,Edge Last Activity Date,Copilot Agent Last Activity Date", ",")},
	"getSharePointActivityUserDetail": {lag: 2, rows: rowsSharePoint,
		header: strings.Split("Report Refresh Date,User Principal Name,Is Deleted,Deleted Date,Last Activity Date,Viewed Or Edited File Count,Synced File Count,Shared Internally File Count,Shared Externally File Count,Visited Page Count,Assigned Products,Report Period", ",")},
}

// reports are the catalogue's usage reports by lower-cased function name
// (Graph matches function names case-insensitively).
var reports = func() map[string]*report {
	m := map[string]*report{}
	for _, r := range schemas.UsageReports() {
		// A catalogue report without an entry is not served (Graph's 400 for
		// an unknown function); TestReportsAreTheCatalogues fails on it.
		sim, ok := reportSims[r.Function]
		if !ok {
			continue
		}
		m[strings.ToLower(r.Function)] = &report{name: r.Function, root: r.Root, form: r.Form, reportSim: sim}
	}
	return m
}()

// ReportHeaders returns the CSV header of a usage report, for tests.
func ReportHeaders(name string) []string {
	if r := reports[strings.ToLower(name)]; r != nil {
		return append([]string(nil), r.header...)
	}
	return nil
}

// reportTicket is what the pre-authenticated download URL carries.
type reportTicket struct {
	Report    string `json:"r"`
	Period    int    `json:"p,omitempty"` // days of a period form
	Date      string `json:"d,omitempty"` // date form
	Concealed bool   `json:"c,omitempty"`
	Version   string `json:"v,omitempty"` // a versioned report's version
	Expires   int64  `json:"e"`
}

// downloadTTL is how long a download URL stays valid ("a few minutes").
const downloadTTL = 5 * time.Minute

func (s *Server) signTicket(t reportTicket) string {
	b, _ := json.Marshal(t)
	msg := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte("report:" + msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (s *Server) parseTicket(tok string) (reportTicket, bool) {
	var t reportTicket
	msg, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return t, false
	}
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte("report:" + msg))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return t, false
	}
	b, err := base64.RawURLEncoding.DecodeString(msg)
	if err != nil || json.Unmarshal(b, &t) != nil {
		return t, false
	}
	return t, true
}

// parseReportCall splits "getX(period='D30')" into the report and argument.
func parseReportCall(seg string) (r *report, arg, val string, err error) {
	name, args, hasParen := strings.Cut(seg, "(")
	r = reports[strings.ToLower(name)]
	if r == nil || r.root != "" { // not a reportRoot function (Copilot's is under /copilot/reports)
		return nil, "", "", fmt.Errorf("Resource not found for the segment '%s'.", name)
	}
	if hasParen {
		if !strings.HasSuffix(args, ")") {
			return nil, "", "", fmt.Errorf("Bad Request - Error in query syntax.")
		}
		args = strings.TrimSuffix(args, ")")
	}
	if args != "" {
		k, v, ok := strings.Cut(args, "=")
		if !ok {
			return nil, "", "", fmt.Errorf("Bad Request - Error in query syntax.")
		}
		arg, val = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), "'")
	}
	return r, arg, val, nil
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	rep, arg, val, err := parseReportCall(r.PathValue("fn"))
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	if f := r.URL.Query().Get("$format"); f != "" && f != "text/csv" {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "The simulated tenant serves v1.0 usage reports as CSV only ($format=text/csv).")
		return
	}
	t := reportTicket{Report: rep.name, Expires: time.Now().Add(downloadTTL).Unix()}
	refresh := s.t.day(rep.lag)
	switch {
	case rep.form == schemas.ReportNoParam:
		if arg != "" {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The parameter '%s' is not supported by %s.", arg, rep.name))
			return
		}
	case arg == "period" && rep.form != schemas.ReportNoParam:
		n := 0
		switch strings.ToUpper(val) {
		case "D7":
			n = 7
		case "D30":
			n = 30
		case "D90":
			n = 90
		case "D180":
			n = 180
		default:
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid value '%s' for parameter 'period'. Supported values are D7, D30, D90 and D180.", val))
			return
		}
		t.Period = n
	case arg == "date" && rep.form == schemas.ReportPeriodOrDate:
		d, err := time.Parse(time.DateOnly, val)
		if err != nil {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid value '%s' for parameter 'date': expected YYYY-MM-DD.", val))
			return
		}
		if d.Before(s.t.day(30)) || d.After(refresh) {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid value '%s' for parameter 'date': data is available for the last 30 days up to %s.", val, refresh.Format(time.DateOnly)))
			return
		}
		t.Date = val
	default:
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("%s requires exactly one of its parameters (%s).", rep.name, map[bool]string{true: "period or date", false: "period"}[rep.form == schemas.ReportPeriodOrDate]))
		return
	}
	s.state.mu.RLock()
	t.Concealed = s.state.concealed
	version := s.state.version
	s.state.mu.RUnlock()
	etag := fmt.Sprintf(`"%x"`, hashOf(uint64(s.opts.Seed), hashString(rep.name+t.Date), uint64(t.Period), uint64(version), map[bool]uint64{true: 1}[t.Concealed], uint64(refresh.Unix())))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Location", s.url+"/data/download/"+s.signTicket(t))
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusFound)
}

// reportCtx is one report rendering: the activity window in days-ago.
type reportCtx struct {
	rep       *report
	refresh   string
	lo, hi    int // days ago, inclusive: activity in [lo, hi] counts
	periodCol string
	concealed bool
}

func (rc *reportCtx) active(days int) bool { return days >= rc.lo && days <= rc.hi }

func (s *Server) handleReportDownload(w http.ResponseWriter, r *http.Request) {
	t, ok := s.parseTicket(r.PathValue("token"))
	if !ok || time.Now().Unix() > t.Expires {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("The download link is invalid or has expired. Request the report again.\n"))
		return
	}
	s.writeReport(w, r, t)
}

// writeReport writes the CSV of report t.Report: the body of a download
// URL, or of the report call itself (Copilot's).
func (s *Server) writeReport(w http.ResponseWriter, r *http.Request, t reportTicket) {
	rep := reports[strings.ToLower(t.Report)]
	rc := &reportCtx{rep: rep, refresh: s.t.day(rep.lag).Format(time.DateOnly), concealed: t.Concealed}
	switch {
	case t.Period > 0:
		rc.lo, rc.hi, rc.periodCol = rep.lag, rep.lag+t.Period-1, strconv.Itoa(t.Period)
	case t.Date != "":
		d, _ := time.Parse(time.DateOnly, t.Date)
		days := int(s.t.today.Sub(d).Hours() / 24)
		rc.lo, rc.hi, rc.periodCol = days, days, "1"
	default:
		rc.lo, rc.hi, rc.periodCol = rep.lag, rep.lag+29, "30"
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s.csv"`, rep.name, s.t.today.Format("2006_01_02")))
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\ufeff") // Microsoft's CSVs start with a UTF-8 byte-order mark
	cw := csv.NewWriter(bw)
	header := rep.header
	if n := copilotReportColumns(t.Version); t.Version != "" && n > 0 {
		header = header[:n] // an older version's CSV has fewer columns
	}
	if err := cw.Write(header); err != nil {
		return
	}
	emit := func(row []string) error { return cw.Write(row[:min(len(row), len(header))]) }
	// Rows are produced user by user and flushed as the buffer fills, so a
	// million-user report is never held in memory.
	n := s.t.n
	if slices.Contains(s.opts.TruncatedReports, rep.name) {
		n /= 2 // cut at a row boundary: nothing in the CSV shows it
	}
	for i := 0; i < n; i++ {
		if err := rep.rows(s, rc, s.current(i), emit); err != nil {
			return
		}
		if err := r.Context().Err(); err != nil {
			return
		}
	}
	cw.Flush()
	bw.Flush()
}

// ---- row builders ----

// nameInReports is the UPN usage reports carry: the old one for a user
// renamed after the reports were cut.
func (u *user) nameInReports() string {
	if u.reportUPN != "" {
		return u.reportUPN
	}
	return u.upn
}

func (rc *reportCtx) name(s *Server, v string, salt string) string {
	if !rc.concealed || v == "" {
		return v
	}
	h := md5.Sum([]byte(fmt.Sprintf("%d|%s|%s", s.opts.Seed, salt, strings.ToLower(v))))
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

func (s *Server) dateOf(days int) string {
	if days < 0 {
		return ""
	}
	return s.t.day(days).Format(time.DateOnly)
}

func products(lic []assignment) string {
	var names []string
	for _, k := range effectiveSkus(lic) {
		names = append(names, skus[k].ProductName)
	}
	return strings.Join(names, "+")
}

func tf(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func yn(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// count is a deterministic per-user, per-report, per-column number in
// [lo, hi], scaled to the window length, or 0 when the user was not active.
func (s *Server) count(u *user, rc *reportCtx, col string, active bool, lo, hi int) string {
	if !active {
		return "0"
	}
	r := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), hashString(rc.rep.name+col))
	n := r.between(lo, hi)
	days := rc.hi - rc.lo + 1
	if days > 7 {
		n = n * days / 7
	}
	return strconv.Itoa(n)
}

// licenceDate is when a user got their licences: a few days after creation.
func (s *Server) licenceDate(u *user) string {
	return s.dateOf(max(u.createdDays-1-int(hashOf(uint64(u.idx), 5)%5), 0))
}

func rowsActiveUser(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if len(effectiveSkus(u.lic)) == 0 {
		return nil
	}
	w := licWork(u.lic)
	has := func(x workload) bool { return w&x != 0 }
	assign := func(x workload) string {
		if has(x) {
			return s.licenceDate(u)
		}
		return ""
	}
	return emit([]string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), rc.name(s, u.display, "name"), "False", "",
		tf(has(wExchange)), tf(has(wSharePoint)), tf(has(wSharePoint)), tf(has(wSkype)), tf(has(wYammer)), tf(has(wTeams)),
		s.dateOf(u.act[actEmail]), s.dateOf(u.act[actOneDrive]), s.dateOf(u.act[actSharePoint]), "", "", s.dateOf(u.act[actTeams]),
		assign(wExchange), assign(wSharePoint), assign(wSharePoint), assign(wSkype), assign(wYammer), assign(wTeams),
		products(u.lic)})
}

func hasMailbox(u *user) bool {
	return licWork(u.lic)&wExchange != 0 || u.kind == KindSharedMailbox || u.kind == KindResourceMailbox
}

func rowsEmail(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if licWork(u.lic)&wExchange == 0 {
		return nil
	}
	act := rc.active(u.act[actEmail])
	return emit([]string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), rc.name(s, u.display, "name"), "False", "", s.dateOf(u.act[actEmail]),
		s.count(u, rc, "send", act, 1, 40), s.count(u, rc, "recv", true, 5, 150), s.count(u, rc, "read", act, 5, 120),
		s.count(u, rc, "mc", act, 0, 3), s.count(u, rc, "mi", act, 0, 8), products(u.lic), rc.periodCol})
}

func rowsM365Apps(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if licWork(u.lic)&wOffice == 0 {
		return nil
	}
	act := rc.active(u.act[actApps])
	r := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), 365)
	lastActivation := ""
	if u.act[actApps] >= 0 {
		lastActivation = s.dateOf(max(u.createdDays-2, u.act[actApps]))
	}
	// platform × app flags: 4 platforms × 6 apps
	var grid [4][6]bool
	if act {
		if u.mobileOnly {
			grid[2][0], grid[2][5], grid[2][1] = true, true, r.chance(0.4)
		} else {
			for a := 0; a < 6; a++ {
				grid[0][a] = a == 0 || a == 5 || r.chance(0.6)
			}
			grid[1][1] = r.chance(0.1)
			grid[2][0], grid[2][5] = r.chance(0.5), r.chance(0.5)
			for a := 0; a < 6; a++ {
				grid[3][a] = r.chance(0.3)
			}
		}
	}
	row := []string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), lastActivation, s.dateOf(u.act[actApps]), rc.periodCol}
	for p := 0; p < 4; p++ {
		any := false
		for a := 0; a < 6; a++ {
			any = any || grid[p][a]
		}
		row = append(row, yn(any))
	}
	for a := 0; a < 6; a++ {
		any := false
		for p := 0; p < 4; p++ {
			any = any || grid[p][a]
		}
		row = append(row, yn(any))
	}
	for p := 0; p < 4; p++ {
		for a := 0; a < 6; a++ {
			row = append(row, yn(grid[p][a]))
		}
	}
	return emit(row)
}

const gb = 1 << 30

func rowsMailbox(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if !hasMailbox(u) {
		return nil
	}
	r := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), 77)
	used := int64(r.between(1, 30))*gb + int64(r.intn(gb))
	if u.kind == KindSharedMailbox && r.chance(0.12) {
		used = int64(r.between(51, 80)) * gb // over 50 GB: needs a licence
	}
	items := used / int64(r.between(60, 120)<<10)
	if u.act[actEmail] < 0 && u.kind != KindSharedMailbox {
		// A mailbox nobody ever opened holds next to nothing: its licence can
		// go without putting data at risk.
		used, items = int64(r.between(20, 200))<<10, 0
	}
	return emit([]string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), rc.name(s, u.display, "name"), "False", "",
		s.dateOf(u.createdDays), s.dateOf(u.act[actEmail]), strconv.FormatInt(items, 10), strconv.FormatInt(used, 10),
		strconv.FormatInt(98*gb+gb*3/4, 10), strconv.FormatInt(99*gb, 10), strconv.FormatInt(100*gb, 10),
		strconv.Itoa(r.between(0, 900)), strconv.FormatInt(int64(r.between(0, 500))<<20, 10), strconv.FormatInt(30*gb, 10),
		tf(r.chance(0.2)), rc.periodCol})
}

func rowsOneDrive(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if licWork(u.lic)&wSharePoint == 0 {
		return nil
	}
	site := "https://contoso-my.sharepoint.com/personal/" + strings.NewReplacer(".", "_", "@", "_", "#", "_").Replace(strings.ToLower(u.nameInReports()))
	if rc.concealed {
		site = "https://contoso-my.sharepoint.com/personal/" + strings.ToLower(rc.name(s, u.nameInReports(), "site"))
	}
	r := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), 88)
	files := 0
	if u.act[actOneDrive] >= 0 {
		files = r.between(5, 5000)
	}
	act := rc.active(u.act[actOneDrive])
	return emit([]string{rc.refresh, site, rc.name(s, u.display, "name"), "False", s.dateOf(u.act[actOneDrive]),
		strconv.Itoa(files), s.count(u, rc, "afc", act && files > 0, 1, 30), strconv.FormatInt(int64(files)*int64(r.between(100, 4000))<<10, 10),
		strconv.FormatInt(1024*gb, 10), rc.name(s, u.nameInReports(), "upn"), rc.periodCol})
}

func rowsActivations(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if licWork(u.lic)&wOffice == 0 || u.act[actApps] < 0 {
		return desktopActivations(s, rc, u, emit)
	}
	product := "MICROSOFT 365 APPS FOR ENTERPRISE"
	for _, k := range effectiveSkus(u.lic) {
		if k == skuBusPremium || k == skuBusStandard {
			product = "MICROSOFT 365 APPS FOR BUSINESS"
		}
	}
	r := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), 99)
	win, mac := r.between(1, 3), r.between(0, 1)
	if u.mobileOnly {
		win, mac = 0, 0
	}
	if err := emit([]string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), rc.name(s, u.display, "name"), product,
		s.dateOf(max(u.createdDays-2, u.act[actApps])), strconv.Itoa(win), strconv.Itoa(mac), "0",
		strconv.Itoa(r.between(0, 2)), strconv.Itoa(r.between(0, 1)), tf(r.chance(0.05))}); err != nil {
		return err
	}
	return desktopActivations(s, rc, u, emit)
}

// desktopActivations: Microsoft's report breaks activations down by
// product — Microsoft 365 Apps, Project and Visio
// (microsoft-365-docs .../microsoft-office-activations.md). A share of the
// Project and Visio desktop holders activated it on a computer, drawn apart
// from whether they use the product (an install says nothing about use).
// Microsoft documents no exact Product Type spelling; these follow the
// Microsoft 365 Apps rows' upper case.
func desktopActivations(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	held := licWork(u.lic)
	for k, p := range []struct {
		work    workload
		product string
	}{{wProject, "PROJECT CLIENT"}, {wVisio, "VISIO CLIENT"}} {
		if held&p.work == 0 {
			continue
		}
		r := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), 98, uint64(k))
		if !r.chance(0.35) {
			continue
		}
		days := r.between(20, max(21, u.createdDays))
		if err := emit([]string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), rc.name(s, u.display, "name"), p.product,
			s.dateOf(days), "1", "0", "0", "0", "0", "False"}); err != nil {
			return err
		}
	}
	return nil
}

func isoDuration(secs int) string {
	if secs == 0 {
		return "PT0S"
	}
	return fmt.Sprintf("PT%dH%dM%dS", secs/3600, secs%3600/60, secs%60)
}

func rowsTeams(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if licWork(u.lic)&wTeams == 0 {
		return nil
	}
	act := rc.active(u.act[actTeams])
	c := func(col string, lo, hi int) string { return s.count(u, rc, col, act, lo, hi) }
	r := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), 111)
	audio, video, share := 0, 0, 0
	if act {
		audio, video, share = r.between(300, 20000), r.between(0, 9000), r.between(0, 3000)
	}
	userID := u.id
	if rc.concealed {
		userID = rc.name(s, u.id, "uid")
	}
	return emit([]string{rc.refresh, "Contoso", "", userID, rc.name(s, u.nameInReports(), "upn"), s.dateOf(u.act[actTeams]), "False", "",
		products(u.lic), c("tcm", 0, 30), c("pcm", 1, 120), c("call", 0, 10), c("meet", 0, 15), c("post", 0, 5), c("reply", 0, 10), c("urgent", 0, 1),
		c("mo", 0, 4), c("ma", 0, 12), c("ahmo", 0, 2), c("ahma", 0, 3), c("somo", 0, 2), c("soma", 0, 4), c("srmo", 0, 2), c("srma", 0, 6),
		isoDuration(audio), isoDuration(video), isoDuration(share), strconv.Itoa(audio), strconv.Itoa(video), strconv.Itoa(share),
		yn(act && r.chance(0.2)), "Yes", rc.periodCol})
}

func rowsSharePoint(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if licWork(u.lic)&wSharePoint == 0 {
		return nil
	}
	act := rc.active(u.act[actSharePoint])
	c := func(col string, lo, hi int) string { return s.count(u, rc, col, act, lo, hi) }
	return emit([]string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), "False", "", s.dateOf(u.act[actSharePoint]),
		c("voe", 1, 40), c("sync", 0, 20), c("shi", 0, 5), c("she", 0, 2), c("vpc", 1, 60), products(u.lic), rc.periodCol})
}

// ---- reportSettings ----

func (s *Server) handleReportSettings(w http.ResponseWriter, r *http.Request) {
	s.state.mu.RLock()
	concealed := s.state.concealed
	s.state.mu.RUnlock()
	o := newObj(nil)
	if s.opts.WrappedReportSettings {
		inner := newObj(nil)
		inner.str("@odata.type", "#microsoft.graph.adminReportSettings")
		inner.boolean("displayConcealedNames", concealed)
		o.raw("value", inner.close())
	} else {
		o.str("@odata.context", s.url+"/v1.0/$metadata#admin/reportSettings/$entity")
		o.str("@odata.type", "#microsoft.graph.adminReportSettings")
		o.boolean("displayConcealedNames", concealed)
	}
	writeJSON(w, 200, o.close())
}

func (s *Server) handlePatchReportSettings(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DisplayConcealedNames *bool `json:"displayConcealedNames"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil || body.DisplayConcealedNames == nil {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "The request body must set 'displayConcealedNames' to true or false.")
		return
	}
	s.state.mu.Lock()
	s.state.concealed = *body.DisplayConcealedNames
	s.state.version++
	err := s.saveLocked()
	s.state.mu.Unlock()
	if err != nil {
		s.graphError(w, r, http.StatusInternalServerError, "generalException", err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
