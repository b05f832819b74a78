package simtenant

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/reclaimhq/reclaim/schemas"
)

// Microsoft 365 Copilot in the simulated tenant: who holds a seat (the
// add-on, or a suite bundling it), how they use it, and the usage report
// GET /v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail, which
// Microsoft answers 200 with the CSV as the body (no download URL).

// Copilot apps, in the report's column order: v1's eight, then v2's five.
const (
	cpChat = iota
	cpTeams
	cpWord
	cpExcel
	cpPowerPoint
	cpOutlook
	cpOneNote
	cpLoop
	cpChatWork // v2 from here
	cpChatWeb
	cpM365App
	cpEdge
	cpAgent
	nCopilotApps
)

// copilotUse is one user's last Copilot activity per app, days ago (-1
// never); meaningful only while they hold a Copilot plan.
type copilotUse [nCopilotApps]int

// copilotSuites are the base licences a Copilot add-on is bought for.
var copilotSuites = []int{skuM365E3, skuM365E5, skuO365E3, skuO365E5, skuBusPremium, skuBusStandard}

// copilotLicences gives some members a Copilot seat, from their own PRNG
// stream so the rest of the tenant is unchanged: one in five holders of a
// suite gets the add-on directly; one in four members without a suite
// holds Microsoft 365 E7, which bundles it.
func (t *Tenant) copilotLicences(u *user, r *rng) {
	if u.kind != KindMember {
		return
	}
	suite := -1
	for _, a := range u.lic {
		for _, k := range copilotSuites {
			if a.sku == k {
				suite = k
			}
		}
	}
	switch {
	case suite >= 0 && r.chance(0.2):
		u.addLic(skuCopilot, -1, nil)
	case suite < 0 && licWork(u.lic)&wExchange == 0 && r.chance(0.25):
		u.addLic(skuE7, -1, nil)
	}
}

// copilotActivity draws how a seat holder uses Copilot: a realistic share
// of seats is idle (about half of the active staff's, most of the inactive
// staff's), as peers report weekly use 30-50 % below seats bought.
func (t *Tenant) copilotActivity(u *user, r *rng) {
	for a := range u.copilot {
		u.copilot[a] = -1
	}
	if licWork(u.lic)&wCopilot == 0 {
		return
	}
	base := -1
	switch u.arch {
	case ArchActive, ArchDynamicsMultiBase, ArchNewHire:
		switch x := r.intn(100); {
		case x < 55:
			base = r.between(3, 12) // regular use
		case x < 70:
			base = r.between(35, 150) // tried it, stopped
		}
	case ArchInactive30, ArchInactive60, ArchInactive95, ArchInactive200, ArchDisabled:
		// Some used it before they stopped working here at all.
		if u.interactive >= 0 && r.chance(0.3) {
			base = u.interactive + r.between(0, 10)
		}
	}
	// The only_* archetypes use one workload and nothing else; the others
	// never used anything.
	if base < 0 {
		return
	}
	odds := [nCopilotApps]float64{1, 0.7, 0.5, 0.35, 0.3, 0.6, 0.1, 0.05, 1, 0.2, 0.4, 0.15, 0.1}
	for a := range u.copilot {
		if r.chance(odds[a]) {
			u.copilot[a] = base + r.between(0, 9)
		}
	}
	u.copilot[cpChat] = base // every user starts in Copilot Chat
	u.copilot[cpChatWork] = base
	for a := range u.copilot {
		if u.copilot[a] > u.createdDays {
			u.copilot[a] = -1
		}
	}
}

// lastCopilot is the most recent Copilot activity, -1 when none.
func (u *user) lastCopilot() int {
	best := -1
	for _, d := range u.copilot {
		if d >= 0 && (best < 0 || d < best) {
			best = d
		}
	}
	return best
}

// copilotFunction is the report's function name, the one hung off
// /copilot/reports.
var copilotFunction = schemas.CopilotReport.Function

// copilotPeriods are the periods each report version takes, in days
// (MicrosoftDocs/m365copilot-docs: v1 D7/D30/D90/D180/ALL, v2
// D7/D28/D90/D180/ALL; the simulator does not serve ALL).
var copilotPeriods = map[string]map[string]int{
	"v1": {"D7": 7, "D30": 30, "D90": 90, "D180": 180},
	"v2": {"D7": 7, "D28": 28, "D90": 90, "D180": 180},
}

// handleCopilotReport serves GET /v1.0/copilot/reports/{fn}: 200 with the
// CSV body straight away.
func (s *Server) handleCopilotReport(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("fn")
	name, args, _ := strings.Cut(seg, "(")
	rep := reports[strings.ToLower(name)]
	if rep == nil || rep.root != schemas.CopilotReport.Root {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", name))
		return
	}
	if f := r.URL.Query().Get("$format"); f != "" && f != "text/csv" {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "The simulated tenant serves v1.0 usage reports as CSV only ($format=text/csv).")
		return
	}
	if !strings.HasSuffix(args, ")") {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Bad Request - Error in query syntax.")
		return
	}
	params := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(args, ")"), ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Bad Request - Error in query syntax.")
			return
		}
		params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), "'")
	}
	version := strings.ToLower(params["version"])
	if version == "" {
		version = "v1" // the documented default
	}
	periods, ok := copilotPeriods[version]
	if !ok {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid value '%s' for parameter 'version'. Supported values are v1 and v2.", params["version"]))
		return
	}
	days, ok := periods[strings.ToUpper(params["period"])]
	if !ok {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid value '%s' for parameter 'period' of version %s.", params["period"], version))
		return
	}
	s.state.mu.RLock()
	concealed := s.state.concealed
	s.state.mu.RUnlock()
	s.writeReport(w, r, reportTicket{Report: rep.name, Period: days, Version: version, Concealed: concealed})
}

func rowsCopilot(s *Server, rc *reportCtx, u *user, emit func([]string) error) error {
	if licWork(u.lic)&wCopilot == 0 {
		return nil
	}
	row := []string{rc.refresh, rc.name(s, u.nameInReports(), "upn"), rc.name(s, u.display, "name"), s.dateOf(u.lastCopilot())}
	for a := cpChat; a <= cpLoop; a++ {
		row = append(row, s.dateOf(u.copilot[a]))
	}
	row = append(row, rc.periodCol)
	act := rc.active(u.lastCopilot())
	activeDays := "0"
	if act {
		n := newRNG(uint64(s.opts.Seed), saltReport, uint64(u.idx), 131).between(1, 5)
		activeDays = strconv.Itoa(min(rc.hi-rc.lo+1, n*(rc.hi-rc.lo+1)/7+1))
	}
	row = append(row, s.count(u, rc, "cp_all", act, 3, 60), s.count(u, rc, "cp_work", act && rc.active(u.copilot[cpChatWork]), 1, 30),
		s.count(u, rc, "cp_web", act && rc.active(u.copilot[cpChatWeb]), 0, 10), activeDays)
	for a := cpChatWork; a < nCopilotApps; a++ {
		row = append(row, s.dateOf(u.copilot[a]))
	}
	return emit(row)
}

// copilotReportColumns is how many columns version v's CSV has (0: all).
func copilotReportColumns(v string) int {
	if rv, ok := schemas.CopilotReport.Version(v); ok {
		return rv.Columns
	}
	return 0
}
