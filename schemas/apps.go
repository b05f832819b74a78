package schemas

// The app catalogue: first-party Microsoft applications the app_sign_in
// signal knows by name, so a rule may write apps = ["power_bi_service"]
// without copying GUIDs. A configuration declares any other app (Project,
// Visio, a line-of-business app) with an app block naming its ids.
//
// Only ids Microsoft documents are listed, each with where: the table
// "Application IDs for commonly used Microsoft applications" of
// MicrosoftDocs/SupportArticles-docs
// support/azure/active-directory/verify-first-party-apps-sign-in.md
// ("Verify first-party Microsoft applications in sign-in reports"). That
// page lists no Project or Visio application, and neither does Entra's
// service principal table (MicrosoftDocs/entra-docs
// docs/identity/monitoring-health/reference-service-principal-table.md), so
// neither is built in: Project Online and Visio for the web are served
// through SharePoint Online and Office for the web, whose ids every
// SharePoint or Office user's sign-ins carry too.

// App is an application whose successful sign-ins (raw sign_ins) count as
// its use: a sign-in counts when its app_id is one of AppIDs (the client
// the user signed in with) or its resource_id one of ResourceIDs (the API
// the token was for). Ids are lower-case GUIDs.
type App struct {
	// Name is what rules write in apps = [...] and the workload name of
	// app_sign_in in user_activity.
	Name        string
	Doc         string
	AppIDs      []string
	ResourceIDs []string
}

// Apps are the built-in apps, in documentation order.
var Apps = []App{
	// "Microsoft Power BI" (the client) and "Power BI Service" (the resource)
	// in verify-first-party-apps-sign-in.md.
	{Name: "power_bi_service", Doc: "Power BI service (app.powerbi.com, Power BI Desktop publishing)",
		AppIDs: []string{"871c010f-5e61-4fb1-83ac-98610a7e9110"}, ResourceIDs: []string{"00000009-0000-0000-c000-000000000000"}},
	// "Microsoft Teams", "Microsoft Teams Web Client" and "Microsoft Teams
	// Services" in verify-first-party-apps-sign-in.md.
	{Name: "microsoft_teams", Doc: "Microsoft Teams (desktop, mobile and web clients)",
		AppIDs:      []string{"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"},
		ResourceIDs: []string{"cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"}},
	// "Office 365 Exchange Online" and "Outlook Mobile" in
	// verify-first-party-apps-sign-in.md.
	{Name: "exchange_online", Doc: "Exchange Online: Outlook on the web, desktop and mobile",
		AppIDs: []string{"27922004-5251-4030-b22d-91ecd9a37ea4"}, ResourceIDs: []string{"00000002-0000-0ff1-ce00-000000000000"}},
	// "Office 365 SharePoint Online" in verify-first-party-apps-sign-in.md
	// (and the service principal table: "the first-party instance of
	// OneDrive and SharePoint apps").
	{Name: "sharepoint_online", Doc: "SharePoint Online and OneDrive",
		ResourceIDs: []string{"00000003-0000-0ff1-ce00-000000000000"}},
}

// AppNamed returns the built-in app called name.
func AppNamed(name string) (App, bool) {
	for _, a := range Apps {
		if a.Name == name {
			return a, true
		}
	}
	return App{}, false
}

// Installation ties a desktop application's service plan to its rows in
// the Office activations report (getOffice365ActivationsUserDetail), which
// Microsoft describes as a breakdown of "Microsoft 365 Apps for enterprise,
// Project, and Visio" activations (MicrosoftDocs/microsoft-365-docs
// microsoft-365/admin/activity-reports/microsoft-office-activations.md). An
// activation proves installation, not use: the plan shows it and a removal
// becomes review, but it never counts as activity.
type Installation struct {
	// Product names it for people.
	Product string
	// Plan is the service plan (upper case) of the SKU that carries it.
	Plan string
	// ProductType is a SQL LIKE pattern over the report's upper-cased
	// Product Type (Microsoft documents no exact spelling).
	ProductType string
}

// Installations are the desktop apps whose activation the plan reports.
var Installations = []Installation{
	{Product: "Project", Plan: "PROJECT_CLIENT_SUBSCRIPTION", ProductType: "%PROJECT%"},
	{Product: "Visio", Plan: "VISIO_CLIENT_SUBSCRIPTION", ProductType: "%VISIO%"},
}
