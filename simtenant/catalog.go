package simtenant

import (
	"slices"
	"strings"
)

// The licence catalogue. SKU part numbers and GUIDs are Microsoft's, from
// "Product names and service plan identifiers for licensing" (see
// /work/shared/reference/graph-api-detail.md §10). Service plan GUIDs are
// Microsoft's where known; each SKU carries a plausible subset of its real
// plans, enough for the workload logic (Exchange, SharePoint/OneDrive, Teams,
// Office apps, Dynamics).

// workload is a bit set of what a service plan switches on.
type workload uint16

const (
	wExchange workload = 1 << iota
	wSharePoint
	wTeams
	wOffice
	wSkype
	wYammer
	wDynamics
	wPowerBI
	wProject
	wVisio
	wFlow
	wCopilot
)

// ServicePlan is one service plan of the catalogue.
type ServicePlan struct {
	ID   string
	Name string
	work workload
}

var servicePlans = []ServicePlan{
	{"efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", wExchange},                // 0
	{"9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD", wExchange},                  // 1
	{"113feb6c-3fe4-4440-bddc-54d774bf0318", "EXCHANGE_S_FOUNDATION", 0},                        // 2
	{"5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE", wSharePoint},               // 3
	{"c7699d2e-19aa-44de-8edf-1736da088ca1", "SHAREPOINTSTANDARD", wSharePoint},                 // 4
	{"57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1", wTeams},                                  // 5
	{"43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION", wOffice},                     // 6
	{"094e7854-93fc-4d55-b2c0-3ab5369ebdc1", "OFFICE_BUSINESS", wOffice},                        // 7
	{"0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD", wSkype},                             // 8
	{"7547a3fe-08ee-4ccb-b430-5077c5041653", "YAMMER_ENTERPRISE", wYammer},                      // 9
	{"e95bec33-7c88-4a70-8e19-b10bd9d0c014", "SHAREPOINTWAC", 0},                                // 10
	{"41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM", 0},                                  // 11
	{"eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2", 0},                               // 12
	{"bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "RMS_S_ENTERPRISE", 0},                             // 13
	{"8c098270-9dd4-4350-9b30-ba4703f3b36b", "ADALLOM_S_O365", 0},                               // 14
	{"70d33638-9c74-4d01-bfd3-562de28bd4ba", "BI_AZURE_P2", wPowerBI},                           // 15
	{"2049e525-b859-401b-b2a0-e0a31c4b1fe4", "BI_AZURE_P0", wPowerBI},                           // 16
	{"50e68c76-46c6-4674-81f9-75456511b170", "FLOW_P2_VIRAL", wFlow},                            // 17
	{"fafd7243-e5c1-4a3a-9e40-495efcb1d3c3", "PROJECT_CLIENT_SUBSCRIPTION", wProject},           // 18
	{"fe71d6c3-a2ea-4499-9778-da042bf08063", "SHAREPOINT_PROJECT", wProject},                    // 19
	{"663a804f-1c30-4ff0-9915-9db84f0d1cea", "VISIO_CLIENT_SUBSCRIPTION", wVisio},               // 20
	{"2bdbaf8f-738f-4ac7-9234-3c3ee2ce7d0f", "VISIOONLINE", wVisio},                             // 21
	{"2da8e897-7791-486b-b08f-cc63c8129df7", "DYN365_ENTERPRISE_SALES", wDynamics},              // 22
	{"99340b49-fb81-4b1e-976b-8f2ae8e9394f", "DYN365_ENTERPRISE_CUSTOMER_SERVICE", wDynamics},   // 23
	{"d56f3deb-50d8-465a-bedb-f079817ccac1", "DYN365_ENTERPRISE_P1", wDynamics},                 // 24
	{"c0454a3d-32b5-4740-b090-78c32f48f0ad", "DYNAMICS_365_FOR_RETAIL_TEAM_MEMBERS", wDynamics}, // 25
	{"2789c901-c14e-48ab-a76a-be334d9d793a", "FORMS_PLAN_E3", 0},                                // 26
	// Microsoft 365 Copilot's plans (entra-docs licensing-service-plan-reference.md, 2025-10-29).
	{"a62f8878-de10-42f3-b68f-6149a25ceb97", "M365_COPILOT_APPS", wCopilot},               // 27
	{"3f30311c-6b1e-48a4-ab79-725b469da960", "M365_COPILOT_BUSINESS_CHAT", wCopilot},      // 28
	{"b95945de-b3bd-46db-8437-f2beb6ea2347", "M365_COPILOT_TEAMS", wCopilot},              // 29
	{"0aedf20c-091d-420b-aadf-30c042609612", "M365_COPILOT_SHAREPOINT", wCopilot},         // 30
	{"931e4a88-a67f-48b5-814f-16a5f1e6028d", "M365_COPILOT_INTELLIGENT_SEARCH", wCopilot}, // 31
	{"89f1c4c8-0878-40f7-804d-869c9128ab5d", "M365_COPILOT_CONNECTORS", wCopilot},         // 32
	{"82d30987-df9b-4486-b146-198b21d164c7", "GRAPH_CONNECTORS_COPILOT", 0},               // 33
	{"fe6c28b3-d468-44ea-bbd0-a10a5167435c", "COPILOT_STUDIO_IN_COPILOT_FOR_M365", 0},     // 34
}

// copilotPlans are the plans of Microsoft_365_Copilot.
var copilotPlans = []int{27, 28, 29, 30, 31, 32, 33, 34}

// Indices of plans the generator disables on some users.
const (
	planTeams  = 5
	planSkype  = 8
	planYammer = 9
)

// SKU is one product of the catalogue.
type SKU struct {
	ID         string
	PartNumber string
	// ProductName is how usage reports spell it in "Assigned Products".
	ProductName string
	plans       []int
	// free SKUs (Power BI free, Power Automate free) and trials have large
	// prepaid counts, as in real tenants.
	free bool
}

// SKU indices used by the generator.
const (
	skuM365E3 = iota
	skuM365E5
	skuO365E3
	skuO365E5
	skuBusPremium
	skuBusStandard
	skuBusBasic
	skuExchangeP1
	skuPowerBIPro
	skuPowerBIFree
	skuFlowFree
	skuTeamsExpl
	skuProjectP5
	skuVisioP2
	skuD365Sales
	skuD365CS
	skuD365SalesCS
	skuD365TeamMembers
	skuEntraP1
	skuCopilot
	skuE7
)

var skus = []SKU{
	{"05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", "MICROSOFT 365 E3", []int{0, 3, 5, 6, 8, 9, 10, 11, 13, 26}, false},
	{"06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E5", "MICROSOFT 365 E5", []int{0, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 26}, false},
	{"6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK", "OFFICE 365 E3", []int{0, 3, 5, 6, 8, 9, 10, 13, 26}, false},
	{"c7df2760-2c81-4ef7-b578-5b5392b571df", "ENTERPRISEPREMIUM", "OFFICE 365 E5", []int{0, 3, 5, 6, 8, 9, 10, 13, 14, 15, 26}, false},
	{"cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "SPB", "MICROSOFT 365 BUSINESS PREMIUM", []int{1, 4, 5, 7, 8, 9, 10, 11}, false},
	{"f245ecc8-75af-4f8e-b61f-27d8114de5f3", "O365_BUSINESS_PREMIUM", "MICROSOFT 365 BUSINESS STANDARD", []int{1, 4, 5, 7, 8, 9, 10}, false},
	{"3b555118-da6a-4418-894f-7df1e2096870", "O365_BUSINESS_ESSENTIALS", "MICROSOFT 365 BUSINESS BASIC", []int{1, 4, 5, 8, 10}, false},
	{"4b9405b0-7788-4568-add1-99614e613b69", "EXCHANGESTANDARD", "EXCHANGE ONLINE (PLAN 1)", []int{1}, false},
	{"f8a1db68-be16-40ed-86d5-cb42ce701560", "POWER_BI_PRO", "POWER BI PRO", []int{15, 2}, false},
	{"a403ebcc-fae0-4ca2-8c8c-7a907fd6c235", "POWER_BI_STANDARD", "POWER BI (FREE)", []int{16, 2}, true},
	{"f30db892-07e9-47e9-837c-80727f46fd3d", "FLOW_FREE", "MICROSOFT POWER AUTOMATE FREE", []int{17, 2}, true},
	{"710779e8-3d4a-4c88-adb9-386c958d1fdf", "TEAMS_EXPLORATORY", "MICROSOFT TEAMS EXPLORATORY", []int{1, 5, 10}, true},
	{"09015f9f-377f-4538-bbb5-f75ceb09358a", "PROJECTPREMIUM", "PROJECT PLAN 5", []int{18, 19, 2}, false},
	{"c5928f49-12ba-48f7-ada3-0d743a3601d5", "VISIOCLIENT", "VISIO PLAN 2", []int{20, 21, 2}, false},
	{"1e1a282c-9c54-43a2-9310-98ef728faace", "DYN365_ENTERPRISE_SALES", "DYNAMICS 365 SALES ENTERPRISE EDITION", []int{22, 2}, false},
	{"749742bf-0d37-4158-a120-33567104deeb", "DYN365_ENTERPRISE_CUSTOMER_SERVICE", "DYNAMICS 365 CUSTOMER SERVICE ENTERPRISE EDITION", []int{23, 2}, false},
	{"8edc2cf8-6438-4fa9-b6e3-aa1660c640cc", "DYN365_ENTERPRISE_SALES_CUSTOMERSERVICE", "DYNAMICS 365 SALES AND CUSTOMER SERVICE ENTERPRISE EDITION", []int{24, 2}, false},
	{"7ac9fe77-66b7-4e5e-9e46-10eed1cff547", "DYN365_TEAM_MEMBERS", "DYNAMICS 365 TEAM MEMBERS", []int{25, 2}, false},
	{"078d2b04-f1bd-4111-bbd4-b4b1b354cef4", "AAD_PREMIUM", "MICROSOFT ENTRA ID P1", []int{11}, false},
	{"639dec6b-bb19-468b-871c-c5c441c4b0cb", "Microsoft_365_Copilot", "MICROSOFT 365 COPILOT", copilotPlans, false},
	// A suite bundling Copilot. Microsoft's reference (2025-10-29) has no
	// Microsoft 365 E7 row yet: the part number and GUID are the
	// simulator's stand-ins (E5's plans plus Copilot's).
	{"5f1e3c2a-7e07-4c0b-9e7a-000000000e07", "Microsoft_365_E7", "MICROSOFT 365 E7", append([]int{0, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 26}, copilotPlans...), false},
}

// Group is a licensing group with a fixed id; membership is derived per user.
type Group struct {
	ID          string
	DisplayName string
	skus        []int
}

// Licensing groups (group-based licensing). Their ids are fixed so tests and
// docs can name them.
var groups = []Group{
	{"7d1f3a20-5b6c-4e8f-9a01-2b3c4d5e6f70", "LIC-M365-E3", []int{skuM365E3}},
	{"7d1f3a20-5b6c-4e8f-9a01-2b3c4d5e6f71", "LIC-M365-E5", []int{skuM365E5}},
	{"7d1f3a20-5b6c-4e8f-9a01-2b3c4d5e6f72", "LIC-PowerBI-Pro", []int{skuPowerBIPro}},
	{"7d1f3a20-5b6c-4e8f-9a01-2b3c4d5e6f73", "LIC-D365-Sales", []int{skuD365Sales}},
	{"7d1f3a20-5b6c-4e8f-9a01-2b3c4d5e6f74", "LIC-Visio-Project", []int{skuVisioP2, skuProjectP5}},
}

const (
	grpE3 = iota
	grpE5
	grpPBI
	grpSales
	grpVisioProject
)

// skuIndexByID, planIndexByID and groupIndexByID find a catalogue entry by
// its GUID, which Graph matches case-insensitively; -1 when there is none.
func skuIndexByID(id string) int { return indexByID(skus, id, func(s SKU) string { return s.ID }) }

func planIndexByID(id string) int {
	return indexByID(servicePlans, id, func(p ServicePlan) string { return p.ID })
}

func groupIndexByID(id string) int {
	return indexByID(groups, id, func(g Group) string { return g.ID })
}

func indexByID[T any](list []T, id string, idOf func(T) string) int {
	return slices.IndexFunc(list, func(x T) bool { return strings.EqualFold(idOf(x), id) })
}

// SKUs returns the catalogue (a copy) for tests and docs.
func SKUs() []SKU { return append([]SKU(nil), skus...) }

// Groups returns the licensing groups (a copy).
func Groups() []Group { return append([]Group(nil), groups...) }
