package transform

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// asOf is the run date of every fixture: reports refresh two days before it
// (Teams a week before), like Microsoft's.
var asOf = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// SKU ids of the fixtures (real Microsoft GUIDs where known).
const (
	skuE3      = "05e9a617-0261-4cee-bb44-138d3ef5d965"
	skuE5      = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
	skuO365E3  = "6fd2c87f-b296-42f0-b197-1e91e994b900"
	skuPBI     = "f8a1db68-be16-40ed-86d5-cb42ce701560"
	skuSales   = "1e1a282c-9c54-43a2-9310-98ef728faace"
	skuService = "749742bf-0d37-4158-a120-33567104deeb"
	skuFlow    = "f30db892-07e9-47e9-837c-80727f46fd3d"

	planExchange  = "efb87545-963c-4e0d-99df-69c6916d9eb0"
	planSharePt   = "5dbe027f-2339-4123-9542-606e4d348a72"
	planFoundatn  = "113feb6c-3fe4-4440-bddc-54d774bf0318"
	planPBI       = "70d33638-9c74-4d01-bfd3-562de28bd4ba"
	planRMS       = "bea4c11e-220a-4e6d-8eb8-8ea15d019f90"
	planFlow      = "50e68c76-46c6-4674-81f9-75456511b170"
	planSales     = "2da8e897-7791-486b-b08f-cc63c8129df7"
	planService   = "99340b49-fb81-4b1e-976b-8f2ae8e9394f"
	planDefender  = "8c098270-9dd4-4350-9b30-ba4703f3b36b"
	groupAll      = "9f0c0c0c-0000-4000-8000-00000000a001"
	groupPBI      = "9f0c0c0c-0000-4000-8000-00000000a002"
	groupLegal    = "9f0c0c0c-0000-4000-8000-00000000a003"
	groupNotFound = "9f0c0c0c-0000-4000-8000-00000000a004"
)

// fixture is one raw snapshot, built in Go and written with the schemas
// structs through parquet-go, exactly as the extract stage writes it.
type fixture struct {
	users     []schemas.User
	assigns   []schemas.UserLicenseAssignment
	skus      []schemas.SubscribedSku
	subs      []schemas.Subscription
	members   []schemas.GroupMember
	settings  []schemas.ReportSettings
	signIns   []schemas.SignIn
	dvUsers   []schemas.DataverseSystemUser
	dvAudits  []schemas.DataverseAudit
	o365      []schemas.ReportOffice365ActiveUserDetail
	email     []schemas.ReportEmailActivityUserDetail
	apps      []schemas.ReportM365AppUserDetail
	mailbox   []schemas.ReportMailboxUsageDetail
	onedrive  []schemas.ReportOneDriveUsageAccountDetail
	activatns []schemas.ReportOffice365ActivationsUserDetail
	teams     []schemas.ReportTeamsUserActivityUserDetail
	sharepnt  []schemas.ReportSharePointActivityUserDetail
	// skip lists raw tables not to write (missing from the snapshot).
	skip map[string]bool
}

func daysAgo(n int) *time.Time {
	t := asOf.Add(-time.Duration(n)*24*time.Hour + 9*time.Hour)
	return &t
}

func dateAgo(n int) *schemas.Date {
	d := schemas.DateOf(asOf.AddDate(0, 0, -n))
	return &d
}

func writeTable[T any](t testing.TB, dir, table string, rows []T, skip map[string]bool) {
	t.Helper()
	if skip[table] {
		return
	}
	p := store.PartitionPath(dir, table, asOf)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := parquet.WriteFile(p, rows); err != nil {
		t.Fatalf("writing %s: %v", table, err)
	}
}

// write lays the snapshot out under dir (OUT/<profile>/raw).
func (f *fixture) write(t testing.TB, dir string) {
	t.Helper()
	writeTable(t, dir, schemas.TableUsers, f.users, f.skip)
	writeTable(t, dir, schemas.TableUserLicenseAssignments, f.assigns, f.skip)
	writeTable(t, dir, schemas.TableSubscribedSkus, f.skus, f.skip)
	writeTable(t, dir, schemas.TableSubscriptions, f.subs, f.skip)
	writeTable(t, dir, schemas.TableGroupMembers, f.members, f.skip)
	writeTable(t, dir, schemas.TableReportSettings, f.settings, f.skip)
	writeTable(t, dir, schemas.TableSignIns, f.signIns, f.skip)
	writeTable(t, dir, schemas.TableDataverseSystemUsers, f.dvUsers, f.skip)
	writeTable(t, dir, schemas.TableDataverseAudits, f.dvAudits, f.skip)
	writeTable(t, dir, schemas.TableReportOffice365ActiveUser, f.o365, f.skip)
	writeTable(t, dir, schemas.TableReportEmailActivityUser, f.email, f.skip)
	writeTable(t, dir, schemas.TableReportM365AppUser, f.apps, f.skip)
	writeTable(t, dir, schemas.TableReportMailboxUsage, f.mailbox, f.skip)
	writeTable(t, dir, schemas.TableReportOneDriveUsageAccount, f.onedrive, f.skip)
	writeTable(t, dir, schemas.TableReportOffice365Activations, f.activatns, f.skip)
	writeTable(t, dir, schemas.TableReportTeamsUserActivity, f.teams, f.skip)
	writeTable(t, dir, schemas.TableReportSharePointActivityUser, f.sharepnt, f.skip)
}

// person is the compact way fixtures describe a user.
type person struct {
	name        string
	created     int // days before asOf
	disabled    bool
	guest       bool
	department  string
	lastSuccess int // days ago; -1 never
	lastSignIn  int // interactive incl. failures; -1 never
	lastNonInt  int // -1 never
	exchange    int // office365 report Exchange last activity, days before the refresh date; -1 never
	teams       int // Teams report, days before its refresh date; -1 never
	mailboxItem int64
}

func (f *fixture) add(p person, licences ...schemas.UserLicenseAssignment) {
	id := "00000000-0000-4000-8000-" + padID(len(f.users)+1)
	upn := p.name + "@contoso.example"
	u := schemas.User{ID: id, UserPrincipalName: upn, DisplayName: p.name, UserType: "Member", AccountEnabled: !p.disabled,
		Department: p.department, CreatedDateTime: daysAgo(p.created), SignInActivityAvailable: true, UsageLocation: "US"}
	if p.guest {
		u.UserType = "Guest"
	}
	if p.lastSuccess >= 0 {
		u.LastSuccessfulSignInDateTime = daysAgo(p.lastSuccess)
	}
	if p.lastSignIn >= 0 {
		u.LastSignInDateTime = daysAgo(p.lastSignIn)
	}
	if p.lastNonInt >= 0 {
		u.LastNonInteractiveSignInDateTime = daysAgo(p.lastNonInt)
	}
	f.users = append(f.users, u)
	for _, l := range licences {
		l.UserID = id
		if l.State == "" {
			l.State = "Active"
		}
		f.assigns = append(f.assigns, l)
	}
	o := schemas.ReportOffice365ActiveUserDetail{ReportRefreshDate: dateAgo(2), UserPrincipalName: upn, DisplayName: p.name}
	if p.exchange >= 0 {
		o.ExchangeLastActivityDate = dateAgo(2 + p.exchange)
	}
	f.o365 = append(f.o365, o)
	tm := schemas.ReportTeamsUserActivityUserDetail{ReportRefreshDate: dateAgo(7), UserPrincipalName: upn, UserID: id}
	if p.teams >= 0 {
		tm.LastActivityDate = dateAgo(7 + p.teams)
	}
	f.teams = append(f.teams, tm)
	mb := schemas.ReportMailboxUsageDetail{ReportRefreshDate: dateAgo(2), UserPrincipalName: upn, ItemCount: &p.mailboxItem}
	bytes := p.mailboxItem * 50_000
	mb.StorageUsedByte = &bytes
	f.mailbox = append(f.mailbox, mb)
	zero := int64(0)
	f.onedrive = append(f.onedrive, schemas.ReportOneDriveUsageAccountDetail{ReportRefreshDate: dateAgo(2),
		OwnerPrincipalName: upn, OwnerDisplayName: p.name, FileCount: &zero, StorageUsedByte: &zero})
}

func padID(n int) string {
	s := "000000000000" + itoa(n)
	return s[len(s)-12:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func direct(sku string) schemas.UserLicenseAssignment {
	return schemas.UserLicenseAssignment{SkuID: sku, DisabledPlans: []string{}}
}

func viaGroup(sku, group string) schemas.UserLicenseAssignment {
	return schemas.UserLicenseAssignment{SkuID: sku, AssignedByGroup: group, DisabledPlans: []string{}}
}

// never is the "no activity ever" value for person fields.
const never = -1

// baseFixture is the tenant of the golden tests. Each user exercises one
// rule or edge case; the comment says what the recommendations must show.
func baseFixture() *fixture {
	f := &fixture{skip: map[string]bool{}}
	f.skus = []schemas.SubscribedSku{
		{ID: "s1", SkuID: skuE3, SkuPartNumber: "SPE_E3", AppliesTo: "User", CapabilityStatus: "Enabled", PrepaidEnabled: 30, ConsumedUnits: 20,
			ServicePlanIDs: []string{planExchange, planSharePt, planRMS}, ServicePlanNames: []string{"EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE", "RMS_S_ENTERPRISE"}},
		{ID: "s2", SkuID: skuE5, SkuPartNumber: "SPE_E5", AppliesTo: "User", CapabilityStatus: "Enabled", PrepaidEnabled: 5, ConsumedUnits: 2,
			ServicePlanIDs: []string{planExchange, planSharePt, planRMS, planPBI, planDefender}, ServicePlanNames: []string{"EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE", "RMS_S_ENTERPRISE", "BI_AZURE_P2", "ADALLOM_S_O365"}},
		{ID: "s3", SkuID: skuO365E3, SkuPartNumber: "ENTERPRISEPACK", AppliesTo: "User", CapabilityStatus: "Enabled", PrepaidEnabled: 2, ConsumedUnits: 1,
			ServicePlanIDs: []string{planExchange, planSharePt}, ServicePlanNames: []string{"EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE"}},
		{ID: "s4", SkuID: skuPBI, SkuPartNumber: "POWER_BI_PRO", AppliesTo: "User", CapabilityStatus: "Enabled", PrepaidEnabled: 10, PrepaidWarning: 2, ConsumedUnits: 3,
			ServicePlanIDs: []string{planPBI, planFoundatn}, ServicePlanNames: []string{"BI_AZURE_P2", "EXCHANGE_S_FOUNDATION"}},
		{ID: "s5", SkuID: skuSales, SkuPartNumber: "DYN365_ENTERPRISE_SALES", AppliesTo: "User", CapabilityStatus: "Enabled", PrepaidEnabled: 3, ConsumedUnits: 2,
			ServicePlanIDs: []string{planSales}, ServicePlanNames: []string{"DYN365_ENTERPRISE_SALES"}},
		{ID: "s6", SkuID: skuService, SkuPartNumber: "DYN365_ENTERPRISE_CUSTOMER_SERVICE", AppliesTo: "User", CapabilityStatus: "Warning", PrepaidEnabled: 2, ConsumedUnits: 1,
			ServicePlanIDs: []string{planService}, ServicePlanNames: []string{"DYN365_ENTERPRISE_CUSTOMER_SERVICE"}},
		{ID: "s7", SkuID: skuFlow, SkuPartNumber: "FLOW_FREE", AppliesTo: "User", CapabilityStatus: "Enabled", PrepaidEnabled: 10000, ConsumedUnits: 1,
			ServicePlanIDs: []string{planFlow, planFoundatn}, ServicePlanNames: []string{"FLOW_P2_VIRAL", "EXCHANGE_S_FOUNDATION"}},
	}
	active := person{created: 400, lastSuccess: 3, lastSignIn: 3, lastNonInt: 1, exchange: 1, teams: 2}
	idle := person{created: 400, lastSuccess: 200, lastSignIn: 200, lastNonInt: 200, exchange: never, teams: never}
	with := func(p person, name string, edit func(*person)) person {
		p.name = name
		if edit != nil {
			edit(&p)
		}
		return p
	}
	// alice is active: no recommendation.
	f.add(with(active, "alice", nil), direct(skuE3))
	// bob's last *attempt* was 2 days ago (failed); his last success 200:
	// inactive → remove_license.
	f.add(with(idle, "bob", func(p *person) { p.lastSignIn = 2 }), direct(skuE3))
	// carol only signs in non-interactively (10 days ago): active.
	f.add(with(idle, "carol", func(p *person) { p.lastNonInt = 10 }), direct(skuE3))
	// dave's E3 comes only from a group: review (no allow_group_removal).
	f.add(with(idle, "dave", nil), viaGroup(skuE3, groupAll))
	// erin holds E3 directly and through a group: review, frees no seat.
	f.add(with(idle, "erin", nil), direct(skuE3), viaGroup(skuE3, groupAll))
	// frank never signed in and the account is 400 days old: inactive.
	f.add(with(idle, "frank", func(p *person) { p.lastSuccess, p.lastSignIn, p.lastNonInt = never, never, never }), direct(skuE3))
	// gina never signed in but the account is 50 days old (< 90): nothing yet.
	f.add(with(idle, "gina", func(p *person) { p.created, p.lastSuccess, p.lastSignIn, p.lastNonInt = 50, never, never, never }), direct(skuE3))
	// hank is 10 days old: inside the 30-day grace period.
	f.add(with(idle, "hank", func(p *person) { p.created = 10 }), direct(skuE3))
	// ivan is disabled and inactive: remove_license, and a disabled-account finding.
	f.add(with(idle, "ivan", func(p *person) { p.disabled = true }), direct(skuE3))
	// judy is a guest with Power BI Pro: the pbi rule skips guests.
	f.add(with(idle, "judy", func(p *person) { p.guest = true }), direct(skuPBI))
	// ken has not signed in for 120 days but used Exchange 10 days before the
	// report's refresh: active through the office365 signal.
	f.add(with(idle, "ken", func(p *person) { p.lastSuccess, p.lastSignIn, p.lastNonInt, p.exchange = 120, 120, 120, 10 }), direct(skuE3))
	// lena used Exchange 88 days before the refresh date (90 before as_of):
	// the report lags two days, so she is still active at threshold 90.
	f.add(with(idle, "lena", func(p *person) { p.exchange = 88 }), direct(skuE3))
	// mike, nina and oscar are inactive but excluded by user, group and when.
	f.add(with(idle, "mike", nil), direct(skuE3))
	f.add(with(idle, "nina", nil), direct(skuE3))
	f.add(with(idle, "oscar", func(p *person) { p.department = "Board" }), direct(skuE3))
	// paul is inactive but his mailbox holds mail: review (data at risk).
	f.add(with(idle, "paul", func(p *person) { p.mailboxItem = 1200 }), direct(skuE3))
	// quinn's Power BI Pro comes from one group and the rule allows group
	// removal: remove_from_group.
	f.add(with(idle, "quinn", nil), viaGroup(skuPBI, groupPBI))
	// rita holds Office 365 E3 next to Microsoft 365 E5 (overlap) and has
	// not signed in for 100 days: the E5 report-only rule lists her.
	f.add(with(active, "rita", func(p *person) { p.lastSuccess, p.lastSignIn, p.lastNonInt = 100, 100, 100 }), direct(skuO365E3), direct(skuE5))
	// sam holds two Dynamics bases: consolidate to the dearer one.
	f.add(with(active, "sam", nil), direct(skuSales), direct(skuService))
	// tom holds a free licence only.
	f.add(with(active, "tom", nil), direct(skuFlow))

	nina := f.users[13].ID
	f.members = []schemas.GroupMember{{GroupID: groupLegal, MemberID: nina, MemberType: "user"}}
	f.settings = []schemas.ReportSettings{{DisplayConcealedNames: boolPtr(false)}}
	return f
}

func boolPtr(b bool) *bool { return &b }

// baseConfig is the configuration of the golden tests.
func baseConfig() *config.Config {
	return &config.Config{
		ReclaimRules: []*config.ReclaimRule{
			{Name: "e3-inactive", SKUs: []string{"SPE_E3"}, Signals: []config.Signal{config.SignalSignIn, config.SignalOffice365},
				InactiveDays: 90, GraceDays: 30, DisabledAccounts: "include", IncludeGuests: true, Action: config.ActionRemoveLicense},
			{Name: "pbi", SKUs: []string{skuPBI}, Signals: []config.Signal{config.SignalSignIn},
				InactiveDays: 60, GraceDays: 30, IncludeGuests: false, Action: config.ActionRemoveLicense, AllowGroupRemoval: true},
			{Name: "e5-report", SKUs: []string{"spe_e5"}, Signals: []config.Signal{config.SignalSignIn},
				InactiveDays: 30, Action: config.ActionReport, IncludeGuests: true},
		},
		Exclusions: []*config.Exclusion{
			{Name: "vips", Users: []string{"mike@contoso.example"}},
			{Name: "legal-hold", Groups: []string{groupLegal}},
			{Name: "board", When: "department = 'Board'"},
		},
		ConsolidationRules: []*config.ConsolidationRule{{Name: "dynamics", Products: []*config.ConsolidationProduct{
			{Base: "DYN365_ENTERPRISE_SALES", Attach: "D365_SALES_ENT_ATTACH"},
			{Base: "DYN365_ENTERPRISE_CUSTOMER_SERVICE", Attach: "D365_CUSTOMER_SERVICE_ENT_ATTACH"},
		}}},
		Prices: map[string]*config.Price{
			"SPE_E3":                             {SKU: "SPE_E3", Amount: 36, Currency: "USD", Period: "month"},
			"SPE_E5":                             {SKU: "SPE_E5", Amount: 684, Currency: "USD", Period: "year"},
			"ENTERPRISEPACK":                     {SKU: "ENTERPRISEPACK", Amount: 23, Currency: "USD"},
			skuPBI:                               {SKU: skuPBI, Amount: 10, Currency: "USD"},
			"DYN365_ENTERPRISE_SALES":            {SKU: "DYN365_ENTERPRISE_SALES", Amount: 105, Currency: "USD"},
			"DYN365_ENTERPRISE_CUSTOMER_SERVICE": {SKU: "DYN365_ENTERPRISE_CUSTOMER_SERVICE", Amount: 95, Currency: "USD"},
			"D365_SALES_ENT_ATTACH":              {SKU: "D365_SALES_ENT_ATTACH", Amount: 20, Currency: "USD"},
			"D365_CUSTOMER_SERVICE_ENT_ATTACH":   {SKU: "D365_CUSTOMER_SERVICE_ENT_ATTACH", Amount: 20, Currency: "USD"},
			"FLOW_FREE":                          {SKU: "FLOW_FREE", Amount: 0, Currency: "USD"},
		},
		Output: &config.Output{},
	}
}
