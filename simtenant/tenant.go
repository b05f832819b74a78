package simtenant

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Archetype is the behaviour the generator gives a user. It drives
// signInActivity, the usage-report rows, the sign-in log and the Dataverse
// audits consistently.
type Archetype string

// The archetypes. Inactive ones have all activity N..N+4 days ago (N is in the
// name); "only_*" users are active in one workload and nowhere else.
const (
	ArchActive             Archetype = "active"
	ArchInactive30         Archetype = "inactive_30"
	ArchInactive60         Archetype = "inactive_60"
	ArchInactive95         Archetype = "inactive_95"
	ArchInactive200        Archetype = "inactive_200"
	ArchNeverUsed          Archetype = "never_used"
	ArchNonInteractiveOnly Archetype = "non_interactive_only"
	ArchOnlyTeams          Archetype = "only_teams"
	ArchOnlyMail           Archetype = "only_mail"
	ArchOnlyMobileApps     Archetype = "only_mobile_apps"
	ArchDynamicsMultiBase  Archetype = "dynamics_multi_base"
	ArchSharedMailbox      Archetype = "shared_mailbox"
	ArchResourceMailbox    Archetype = "resource_mailbox"
	ArchDisabled           Archetype = "disabled"
	ArchNewHire            Archetype = "new_hire"
	ArchNewHireNotStarted  Archetype = "new_hire_not_started"
)

// Kind is what sort of directory object a user is.
type Kind string

// The kinds of user.
const (
	KindMember          Kind = "member"
	KindGuest           Kind = "guest"
	KindSharedMailbox   Kind = "shared_mailbox"
	KindResourceMailbox Kind = "resource_mailbox"
)

// Workload keys used in UserTruth.LastActivity.
const (
	WorkSignIn         = "sign_in"                 // last interactive sign-in
	WorkNonInteractive = "non_interactive_sign_in" // last non-interactive sign-in
	WorkOffice365      = "office365"               // latest of email, teams, onedrive, sharepoint
	WorkEmail          = "email"
	WorkTeams          = "teams"
	WorkOneDrive       = "onedrive"
	WorkSharePoint     = "sharepoint"
	WorkM365Apps       = "m365_apps"
	WorkDynamics       = "dynamics"
	WorkCopilot        = "copilot" // latest Copilot use in any app
)

// activity slots in user.act
const (
	actEmail = iota
	actTeams
	actOneDrive
	actSharePoint
	actApps
	actDynamics
	nAct
)

// assignment is one licenseAssignmentStates entry: a SKU held directly
// (group == -1) or through a licensing group.
type assignment struct {
	sku      int
	group    int
	disabled []int // plan indices
	state    string
	err      string
}

// user is one generated user. Days are "days before Today"; -1 means never.
type user struct {
	idx            int
	id             string
	given, surname string
	display        string
	upn            string
	// reportUPN is the name usage reports still carry for a user renamed
	// after they were cut (Options.RenamedUsers); "" when not renamed.
	reportUPN      string
	mail           string
	kind           Kind
	arch           Archetype
	enabled        bool
	department     string
	jobTitle       string
	country        string
	usageLocation  string
	city           string
	onPrem         bool
	createdDays    int
	createdSecs    int
	dynamics       bool
	groups         uint8 // bit per licensing group
	lic            []assignment
	interactive    int // days ago, -1 never
	interactiveSec int // seconds into that day
	nonInter       int
	nonInterSec    int
	// signedIn is a successful interactive sign-in recorded through
	// POST /_sim/users/{id}/sign-in (zero: none); it is newer than the
	// generated ones.
	signedIn time.Time
	// failedSignIn is a failed interactive attempt recorded through
	// POST /_sim/users/{id}/sign-in?outcome=failure (zero: none): Graph
	// shows it in lastSignInDateTime only.
	failedSignIn time.Time
	act          [nAct]int
	mobileOnly   bool
	// copilot is the last Copilot use per app (copilot.go).
	copilot copilotUse
}

// Tenant is the deterministic generator: every user is a function of
// (seed, index). It holds no per-user data; the server's overlay holds changes.
type Tenant struct {
	seed    uint64
	n       int
	today   time.Time
	domain  string // verified domain, e.g. contoso.com
	initial string // the onmicrosoft.com domain
	// hostileNames gives every fourth user attacker-chosen names (hostile.go).
	hostileNames bool
}

// NewTenant returns the generator for n users. today is truncated to a UTC date.
func NewTenant(seed int64, n int, today time.Time) *Tenant {
	return &Tenant{seed: uint64(seed), n: n, today: today.UTC().Truncate(24 * time.Hour), domain: "contoso.com", initial: "contoso.onmicrosoft.com"}
}

// WithHostileNames makes every fourth user carry hostile text in its names
// (see HostileTexts) and returns t.
func (t *Tenant) WithHostileNames() *Tenant {
	t.hostileNames = true
	return t
}

// Users is the number of users in the base tenant.
func (t *Tenant) Users() int { return t.n }

// Today is the pinned date everything is computed against.
func (t *Tenant) Today() time.Time { return t.today }

var givenNames = []string{"Adele", "Alex", "Allan", "Amara", "Anna", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Christie", "Daniel", "Debra", "Diego", "Elena", "Emily", "Fatima", "Felix", "Grace", "Hana", "Henrik", "Irvin", "Isaiah", "Ivan", "Jana", "Johanna", "Jonas", "Joni", "Kenji", "Lara", "Lee", "Lidia", "Lucas", "Lynne", "Maria", "Megan", "Miriam", "Nestor", "Nina", "Noah", "Olga", "Omar", "Patti", "Pradeep", "Priya", "Rafael", "Sara", "Sofia", "Tom", "Yuki", "Zoe", "Liam", "Mateo", "Aisha", "Ingrid", "Pieter", "Sven", "Camille", "Luca", "Mei"}
var surnames = []string{"Vance", "Wilber", "Deyoung", "Okafor", "Schmidt", "Nguyen", "Rossi", "Garcia", "Wang", "Martin", "Cline", "Brown", "Berg", "Lopez", "Petrova", "Johnson", "Khan", "Meyer", "Kim", "Sato", "Larsen", "Muller", "Patel", "Ivanov", "Novak", "Lindqvist", "Dubois", "Richter", "Tanaka", "Silva", "Zrinsky", "Holt", "Wilson", "Bowen", "Gonzalez", "Adams", "Jensen", "Fischer", "Moreau", "Costa", "Shah", "Cohen", "OBrien", "Walsh", "Kowalski", "Horvat", "Yilmaz", "Suzuki", "Andersen", "Bakker", "Visser", "Smit", "Romano", "Ferrari", "Hughes", "Reid", "Campbell", "Murphy", "Clarke", "Evans"}

type country struct{ name, code, city string }

var countries = []country{
	{"United States", "US", "Seattle"}, {"United States", "US", "New York"}, {"United States", "US", "Austin"},
	{"United Kingdom", "GB", "London"}, {"Germany", "DE", "Berlin"}, {"France", "FR", "Paris"},
	{"Netherlands", "NL", "Amsterdam"}, {"India", "IN", "Bengaluru"}, {"Canada", "CA", "Toronto"},
	{"Australia", "AU", "Sydney"}, {"Japan", "JP", "Tokyo"}, {"Brazil", "BR", "Sao Paulo"},
	{"Spain", "ES", "Madrid"}, {"Sweden", "SE", "Stockholm"},
}

var departments = []string{"Sales", "Marketing", "Finance", "Human Resources", "IT", "Engineering", "Operations", "Legal", "Customer Service", "Research", "Procurement", "Facilities"}

var jobTitles = map[string][]string{
	"Sales":            {"Account Executive", "Sales Manager", "Inside Sales Representative", "Sales Director"},
	"Marketing":        {"Marketing Manager", "Content Strategist", "Product Marketing Manager"},
	"Finance":          {"Accountant", "Financial Analyst", "Controller", "Accounts Payable Clerk"},
	"Human Resources":  {"HR Business Partner", "Recruiter", "Payroll Specialist"},
	"IT":               {"Systems Administrator", "Service Desk Analyst", "IT Manager", "Security Engineer"},
	"Engineering":      {"Software Engineer", "Senior Software Engineer", "Engineering Manager", "QA Engineer"},
	"Operations":       {"Operations Manager", "Logistics Coordinator", "Warehouse Supervisor"},
	"Legal":            {"Counsel", "Paralegal", "Compliance Officer"},
	"Customer Service": {"Customer Service Agent", "Support Team Lead", "Customer Success Manager"},
	"Research":         {"Research Scientist", "Lab Technician", "Data Scientist"},
	"Procurement":      {"Buyer", "Procurement Manager"},
	"Facilities":       {"Facilities Coordinator", "Office Manager"},
}

var guestDomains = []string{"fabrikam.com", "adatum.com", "litware.com", "tailspintoys.com", "northwindtraders.com", "wingtiptoys.com"}

// userID derives user i's object id: the first 8 hex digits are a keyed
// permutation of i (so ids look random but invert to the index), the rest a hash.
func (t *Tenant) userID(i int) string {
	p := feistel32(uint32(i), hashOf(t.seed, saltFeistel), false)
	h := hashOf(t.seed, uint64(i), saltIDRest)
	g := guidFrom(uint64(p)<<32|h>>32, hashOf(h))
	return g
}

// indexOfID inverts userID; -1 when id is not one of ours.
func (t *Tenant) indexOfID(id string) int {
	if len(id) != 36 {
		return -1
	}
	v, err := strconv.ParseUint(id[:8], 16, 32)
	if err != nil {
		return -1
	}
	i := int(feistel32(uint32(v), hashOf(t.seed, saltFeistel), true))
	if i < 0 || i >= t.n || !strings.EqualFold(t.userID(i), id) {
		return -1
	}
	return i
}

// indexOfUPN inverts the UPN scheme (the index is the digits before '@' or,
// for guests, before the '_' of the external address).
func (t *Tenant) indexOfUPN(upn string) int {
	at := strings.LastIndexByte(upn, '@')
	if at < 0 {
		return -1
	}
	local := upn[:at]
	if j := strings.Index(strings.ToUpper(local), "#EXT#"); j >= 0 {
		local = local[:j]
		if u := strings.LastIndexByte(local, '_'); u >= 0 {
			local = local[:u]
		}
	}
	k := len(local)
	for k > 0 && local[k-1] >= '0' && local[k-1] <= '9' {
		k--
	}
	i, err := strconv.Atoi(local[k:])
	if err != nil || i < 0 || i >= t.n {
		return -1
	}
	if !strings.EqualFold(t.user(i).upn, upn) {
		return -1
	}
	return i
}

// lookup resolves an id or UPN to an index, -1 when unknown.
func (t *Tenant) lookup(key string) int {
	if strings.Contains(key, "@") {
		return t.indexOfUPN(key)
	}
	return t.indexOfID(key)
}

// odds is a weighted draw: r.intn(n), and the value of the first outcome
// whose upTo the draw is below, else otherwise. The tables below are the
// generator's mix; each draw takes one value from the user's PRNG, so
// reordering draws changes every tenant.
type odds[T any] struct {
	n         int
	outcomes  []outcome[T]
	otherwise T
}

type outcome[T any] struct {
	upTo int
	v    T
}

func pick[T any](r *rng, o odds[T]) T {
	x := r.intn(o.n)
	for _, c := range o.outcomes {
		if x < c.upTo {
			return c.v
		}
	}
	return o.otherwise
}

// skuGrant is a licence the generator assigns: a SKU, through a group
// (index into groups) or directly (-1).
type skuGrant struct{ sku, group int }

var (
	kinds = odds[Kind]{1000, []outcome[Kind]{{80, KindGuest}, {110, KindSharedMailbox}, {120, KindResourceMailbox}}, KindMember}
	// memberArchetypes: new hires get a recent creation day, disabled
	// accounts accountEnabled false (core).
	memberArchetypes = odds[Archetype]{1000, []outcome[Archetype]{
		{420, ArchActive}, {480, ArchInactive30}, {530, ArchInactive60}, {580, ArchInactive95},
		{620, ArchInactive200}, {670, ArchNeverUsed}, {710, ArchNonInteractiveOnly}, {750, ArchOnlyTeams},
		{790, ArchOnlyMail}, {820, ArchOnlyMobileApps}, {870, ArchDisabled}, {910, ArchNewHire},
		{930, ArchNewHireNotStarted}}, ArchActive}
	guestArchetypes = odds[Archetype]{10, []outcome[Archetype]{{4, ArchActive}, {6, ArchInactive95}, {8, ArchInactive200}}, ArchNeverUsed}
	// guestSkus: -1 is no licence.
	guestSkus = odds[int]{100, []outcome[int]{{15, skuPowerBIFree}, {20, skuPowerBIPro}, {23, skuTeamsExpl}}, -1}
	// suites: a member's base licence; -1 is none.
	suites = odds[int]{100, []outcome[int]{{40, skuM365E3}, {50, skuM365E5}, {60, skuO365E3}, {64, skuO365E5},
		{72, skuBusPremium}, {78, skuBusStandard}, {86, skuBusBasic}, {91, skuExchangeP1}}, -1}
	// dynamicsLicences: a Dynamics user's one licence.
	dynamicsLicences = odds[skuGrant]{100, []outcome[skuGrant]{
		{28, skuGrant{skuD365Sales, -1}}, {40, skuGrant{skuD365Sales, grpSales}}, {65, skuGrant{skuD365CS, -1}},
		{75, skuGrant{skuD365SalesCS, -1}}}, skuGrant{skuD365TeamMembers, -1}}
)

// core generates the cheap part of user i — kind, archetype, creation and
// the (unmasked) activity days — without names or licences. The sign-in log
// and Dataverse audit scans use it to walk millions of users quickly.
func (t *Tenant) core(i int) *user {
	u := &user{idx: i, interactive: -1, nonInter: -1}
	for k := range u.act {
		u.act[k] = -1
	}
	r := newRNG(t.seed, uint64(i), saltUser)

	// Kind, archetype, Dynamics flag: the first draws, so they stay stable.
	u.kind = pick(r, kinds)
	if i == 0 {
		u.kind = KindMember // the admin account
	}
	u.enabled = true
	u.createdDays = r.between(320, 2500)
	u.createdSecs = r.between(0, 86399)
	switch u.kind {
	case KindMember:
		u.dynamics = r.chance(0.05)
		u.arch = pick(r, memberArchetypes)
		switch {
		case i == 0:
			u.arch = ArchActive // the admin account
		case u.arch == ArchDisabled:
			u.enabled = false
		case u.arch == ArchNewHire || u.arch == ArchNewHireNotStarted:
			u.createdDays = r.between(1, 27)
		}
		if u.dynamics && u.arch == ArchActive && r.chance(0.3) {
			u.arch = ArchDynamicsMultiBase
		}
	case KindGuest:
		u.arch = pick(r, guestArchetypes)
	case KindSharedMailbox:
		u.arch = ArchSharedMailbox
		u.enabled = false
	case KindResourceMailbox:
		u.arch = ArchResourceMailbox
		u.enabled = false
	}

	t.activity(u, newRNG(t.seed, uint64(i), saltUser, 3))
	return u
}

// user generates user i of the base tenant.
func (t *Tenant) user(i int) *user {
	u := t.core(i)
	t.names(u, newRNG(t.seed, uint64(i), saltID))
	t.licences(u, newRNG(t.seed, uint64(i), saltUser, 2))
	// Copilot draws from streams of its own: adding it changed no other
	// user's data.
	t.copilotLicences(u, newRNG(t.seed, uint64(i), saltUser, 13))
	u.maskActivity()
	t.copilotActivity(u, newRNG(t.seed, uint64(i), saltUser, 14))
	return u
}

func (t *Tenant) names(u *user, r *rng) {
	i := u.idx
	u.id = t.userID(i)
	u.given = givenNames[r.intn(len(givenNames))]
	u.surname = surnames[r.intn(len(surnames))]
	c := countries[r.intn(len(countries))]
	u.country, u.usageLocation, u.city = c.name, c.code, c.city
	u.department = departments[r.intn(len(departments))]
	titles := jobTitles[u.department]
	u.jobTitle = titles[r.intn(len(titles))]
	u.onPrem = r.chance(0.35)
	local := strings.ToLower(u.given + "." + u.surname)
	u.display = u.given + " " + u.surname
	switch u.kind {
	case KindGuest:
		d := guestDomains[r.intn(len(guestDomains))]
		ext := fmt.Sprintf("%s%d@%s", local, i, d)
		u.upn = fmt.Sprintf("%s%d_%s#EXT#@%s", local, i, d, t.initial)
		u.mail = ext
		u.display += " (" + strings.TrimSuffix(d, ".com") + ")"
		u.onPrem = false
		if r.chance(0.4) {
			u.usageLocation = ""
		}
		u.department, u.jobTitle = "", ""
	case KindSharedMailbox:
		u.upn = fmt.Sprintf("shared.%s%d@%s", strings.ToLower(strings.ReplaceAll(u.department, " ", "")), i, t.domain)
		u.mail = u.upn
		u.display = fmt.Sprintf("%s Shared Mailbox %d", u.department, i)
		u.given, u.surname, u.jobTitle = "", "", ""
	case KindResourceMailbox:
		u.upn = fmt.Sprintf("room.%s%d@%s", strings.ToLower(strings.ReplaceAll(u.city, " ", "")), i, t.domain)
		u.mail = u.upn
		u.display = fmt.Sprintf("Room %s %d", u.city, i)
		u.given, u.surname, u.jobTitle, u.department = "", "", "", ""
	default:
		if i == 0 {
			local = "admin"
			u.given, u.surname, u.display = "MOD", "Administrator", "MOD Administrator"
			u.department, u.jobTitle, u.onPrem = "IT", "Global Administrator", false
		}
		u.upn = fmt.Sprintf("%s%d@%s", local, i, t.domain)
		u.mail = u.upn
	}
	if t.hostile(i) {
		t.hostileNamesFor(u)
	}
}

// plansOf keeps the plans of want that SKU k contains.
func plansOf(k int, want []int) []int {
	var out []int
	for _, p := range want {
		for _, q := range skus[k].plans {
			if p == q {
				out = append(out, p)
			}
		}
	}
	return out
}

func (u *user) addLic(sku, group int, disabled []int) {
	u.lic = append(u.lic, assignment{sku: sku, group: group, disabled: disabled, state: "Active"})
	if group >= 0 {
		u.groups |= 1 << group
	}
}

func (t *Tenant) licences(u *user, r *rng) {
	switch u.kind {
	case KindGuest:
		if sku := pick(r, guestSkus); sku >= 0 {
			u.addLic(sku, -1, nil)
		}
		return
	case KindSharedMailbox:
		if r.chance(0.45) {
			u.addLic(skuExchangeP1, -1, nil)
		}
		return
	case KindResourceMailbox:
		if r.chance(0.1) {
			u.addLic(skuExchangeP1, -1, nil)
		}
		return
	}
	suite := pick(r, suites)
	if u.arch == ArchOnlyMobileApps && (suite < 0 || suite == skuExchangeP1 || suite == skuBusBasic) {
		suite = skuM365E3
	}
	if suite >= 0 {
		var disabled []int
		switch x := r.intn(100); {
		case x < 8:
			disabled = []int{planYammer}
		case x < 12:
			disabled = []int{planSkype, planYammer}
		case x < 14 && suite != skuExchangeP1:
			disabled = []int{planTeams}
		}
		if u.arch == ArchOnlyTeams {
			disabled = nil
		}
		disabled = plansOf(suite, disabled) // only plans the SKU has can be disabled
		y := r.intn(100)
		switch {
		case suite == skuM365E3 && y < 50, suite == skuM365E5 && y < 50:
			g := grpE3
			if suite == skuM365E5 {
				g = grpE5
			}
			u.addLic(suite, g, nil)
			if y < 8 { // also held directly: removing the direct one frees no seat
				u.addLic(suite, -1, disabled)
			}
		default:
			u.addLic(suite, -1, disabled)
		}
	}
	if r.chance(0.12) {
		if r.chance(0.4) {
			u.addLic(skuPowerBIPro, grpPBI, nil)
		} else {
			u.addLic(skuPowerBIPro, -1, nil)
		}
	} else if r.chance(0.22) {
		u.addLic(skuPowerBIFree, -1, nil)
	}
	if r.chance(0.12) {
		u.addLic(skuFlowFree, -1, nil)
	}
	if (suite < 0 || suite == skuExchangeP1) && r.chance(0.3) {
		u.addLic(skuTeamsExpl, -1, nil)
	}
	switch x := r.intn(1000); {
	case x < 25:
		u.addLic(skuProjectP5, -1, nil)
	case x < 55:
		u.addLic(skuVisioP2, -1, nil)
	case x < 70:
		u.addLic(skuVisioP2, grpVisioProject, nil)
		u.addLic(skuProjectP5, grpVisioProject, nil)
	}
	if u.dynamics {
		if u.arch == ArchDynamicsMultiBase {
			u.addLic(skuD365Sales, -1, nil)
			u.addLic(skuD365CS, -1, nil)
			if r.chance(0.3) {
				u.addLic(skuD365SalesCS, -1, nil)
			}
		} else {
			d := pick(r, dynamicsLicences)
			u.addLic(d.sku, d.group, nil)
		}
	}
}

// activity fills in the days of last activity. Workload activity is always at
// least 3 days old so every usage report (refresh date 2–3 days behind) shows it.
func (t *Tenant) activity(u *user, r *rng) {
	near := func(lo, hi int) int { return r.between(lo, hi) }
	inactive := func(k int) {
		base := k + r.between(0, 4)
		u.interactive = base
		u.nonInter = base + r.between(0, 1)
		for a := range u.act {
			if r.chance(0.85) {
				u.act[a] = base + r.between(0, 10)
			}
		}
	}
	switch u.arch {
	case ArchActive, ArchDynamicsMultiBase:
		u.interactive, u.nonInter = near(0, 6), near(0, 2)
		u.act[actEmail] = near(3, 9)
		u.act[actTeams] = near(3, 10)
		if r.chance(0.6) {
			u.act[actOneDrive] = near(3, 20)
		} else if r.chance(0.5) {
			u.act[actOneDrive] = near(40, 120)
		}
		if r.chance(0.6) {
			u.act[actSharePoint] = near(3, 25)
		}
		u.act[actApps] = near(3, 12)
		u.act[actDynamics] = near(1, 10)
	case ArchInactive30:
		inactive(30)
	case ArchInactive60:
		inactive(60)
	case ArchInactive95:
		inactive(95)
	case ArchInactive200:
		inactive(200)
	case ArchDisabled:
		inactive(r.between(40, 300))
	case ArchNonInteractiveOnly:
		if r.chance(0.5) {
			u.interactive = near(120, 300)
		}
		u.nonInter = near(0, 3)
	case ArchOnlyTeams:
		u.interactive, u.nonInter = near(0, 6), near(0, 3)
		u.act[actTeams] = near(3, 7)
	case ArchOnlyMail:
		u.interactive, u.nonInter = near(0, 6), near(0, 2)
		u.act[actEmail] = near(3, 7)
	case ArchOnlyMobileApps:
		u.interactive, u.nonInter = near(0, 10), near(0, 2)
		u.act[actApps] = near(3, 7)
		u.mobileOnly = true
	case ArchNewHire:
		c := u.createdDays
		u.interactive, u.nonInter = near(0, min(c, 3)), near(0, min(c, 2))
		if c >= 3 {
			for a := range u.act {
				u.act[a] = near(3, c)
			}
		}
	}
	u.interactiveSec = r.between(6*3600, 18*3600)
	u.nonInterSec = r.between(0, 86399)
	if u.interactive == u.nonInter && u.nonInterSec < u.interactiveSec {
		u.nonInterSec = u.interactiveSec + 60
	}
	// Nothing happens before the account exists.
	for a := range u.act {
		if u.act[a] > u.createdDays {
			u.act[a] = -1
		}
	}
	if !u.dynamics {
		u.act[actDynamics] = -1
	}
	if u.interactive > u.createdDays {
		u.interactive = -1
	}
	if u.nonInter > u.createdDays {
		u.nonInter = -1
	}
}

// maskActivity drops workload activity the user's licences do not allow.
func (u *user) maskActivity() {
	work := u.baseWork()
	need := [nAct]workload{wExchange, wTeams, wSharePoint, wSharePoint, wOffice, wDynamics}
	for a := range u.act {
		if work&need[a] == 0 {
			u.act[a] = -1
		}
	}
}

// baseWork is the union of workloads the user's licences switch on.
func (u *user) baseWork() workload { return licWork(u.lic) }

func licWork(lic []assignment) workload {
	var w workload
	for _, a := range lic {
		if a.state == "Error" {
			continue
		}
	plans:
		for _, p := range skus[a.sku].plans {
			for _, d := range a.disabled {
				if d == p {
					continue plans
				}
			}
			w |= servicePlans[p].work
		}
	}
	return w
}

// day returns the date `days` before today.
func (t *Tenant) day(days int) time.Time { return t.today.AddDate(0, 0, -days) }

// at is the moment `secs` seconds into the day `days` before today. When
// today is the real current date, the seconds of today are squeezed into the
// part of the day already past, keeping their order: a sign-in or an audit
// event is never later than now. Other days, and a pinned past today (the
// tests), are unaffected, so the tenant stays a function of its seed.
func (t *Tenant) at(days, secs int) time.Time {
	start := t.day(days)
	d := time.Duration(secs) * time.Second
	if days == 0 {
		if elapsed := time.Since(start); elapsed < 24*time.Hour {
			d = time.Duration(float64(d) * max(0, float64(elapsed)) / float64(24*time.Hour))
		}
	}
	return start.Add(d)
}

// UserTruth is the generator's intent for one user, for tests in other packages.
type UserTruth struct {
	Index             int       `json:"index"`
	ID                string    `json:"id"`
	UserPrincipalName string    `json:"userPrincipalName"`
	Kind              Kind      `json:"kind"`
	Archetype         Archetype `json:"archetype"`
	AccountEnabled    bool      `json:"accountEnabled"`
	UserType          string    `json:"userType"`
	CreatedDate       string    `json:"createdDate"`
	// LastActivity maps workload keys (WorkSignIn, WorkEmail, …) to the date
	// (YYYY-MM-DD) of the real last activity; a missing key means never.
	LastActivity map[string]string `json:"lastActivity"`
	// Licenses is the user's current assignments, one per path (overlay applied).
	Licenses []TruthLicense `json:"licenses"`
	// DynamicsUser says the user has a Dataverse systemuser (holds a Dynamics
	// licence in the base tenant).
	DynamicsUser bool `json:"dynamicsUser"`
}

// TruthLicense is one assignment path of a SKU.
type TruthLicense struct {
	SkuID         string   `json:"skuId"`
	SkuPartNumber string   `json:"skuPartNumber"`
	Direct        bool     `json:"direct"`
	GroupID       string   `json:"groupId,omitempty"`
	DisabledPlans []string `json:"disabledPlans,omitempty"`
}

func (t *Tenant) truth(u *user) UserTruth {
	tr := UserTruth{
		Index: u.idx, ID: u.id, UserPrincipalName: u.upn, Kind: u.kind, Archetype: u.arch,
		AccountEnabled: u.enabled, UserType: u.userType(), CreatedDate: t.day(u.createdDays).Format(time.DateOnly),
		LastActivity: map[string]string{}, DynamicsUser: u.dynamics,
	}
	set := func(k string, days int) {
		if days >= 0 {
			tr.LastActivity[k] = t.day(days).Format(time.DateOnly)
		}
	}
	set(WorkSignIn, u.interactive)
	set(WorkNonInteractive, u.nonInter)
	set(WorkEmail, u.act[actEmail])
	set(WorkTeams, u.act[actTeams])
	set(WorkOneDrive, u.act[actOneDrive])
	set(WorkSharePoint, u.act[actSharePoint])
	set(WorkM365Apps, u.act[actApps])
	set(WorkDynamics, u.act[actDynamics])
	set(WorkOffice365, u.lastOffice365())
	set(WorkCopilot, u.lastCopilot())
	for _, a := range u.lic {
		l := TruthLicense{SkuID: skus[a.sku].ID, SkuPartNumber: skus[a.sku].PartNumber, Direct: a.group < 0}
		if a.group >= 0 {
			l.GroupID = groups[a.group].ID
		}
		for _, d := range a.disabled {
			l.DisabledPlans = append(l.DisabledPlans, servicePlans[d].ID)
		}
		tr.Licenses = append(tr.Licenses, l)
	}
	return tr
}

// lastOffice365 is the most recent of the Office 365 workloads (the
// getOffice365ActiveUserDetail view), -1 when none.
func (u *user) lastOffice365() int {
	best := -1
	for _, a := range []int{actEmail, actTeams, actOneDrive, actSharePoint} {
		if d := u.act[a]; d >= 0 && (best < 0 || d < best) {
			best = d
		}
	}
	return best
}

func (u *user) userType() string {
	if u.kind == KindGuest {
		return "Guest"
	}
	return "Member"
}
