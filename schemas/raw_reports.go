package schemas

// Usage-report tables: one table per Microsoft 365 usage report CSV. Each
// column is the snake_case of the documented CSV header (lowercase, every run
// of characters other than letters and digits becomes "_": "Storage Used
// (Byte)" → storage_used_byte); the extract stage maps headers to columns by
// that rule, never by position. Dates are DATE, counts int64, flags bool; an
// empty CSV field is NULL. Strings keep the CSV text ("" when empty).
// AssignedProducts keeps Microsoft's "+"-joined product display names.

// ReportOffice365ActiveUserDetail is raw table
// "report_office365_active_user_detail" (getOffice365ActiveUserDetail).
type ReportOffice365ActiveUserDetail struct {
	ReportRefreshDate                 *Date  `parquet:"report_refresh_date,optional,date"`
	UserPrincipalName                 string `parquet:"user_principal_name"`
	DisplayName                       string `parquet:"display_name"`
	IsDeleted                         *bool  `parquet:"is_deleted,optional"`
	DeletedDate                       *Date  `parquet:"deleted_date,optional,date"`
	HasExchangeLicense                *bool  `parquet:"has_exchange_license,optional"`
	HasOneDriveLicense                *bool  `parquet:"has_onedrive_license,optional"`
	HasSharePointLicense              *bool  `parquet:"has_sharepoint_license,optional"`
	HasSkypeForBusinessLicense        *bool  `parquet:"has_skype_for_business_license,optional"`
	HasYammerLicense                  *bool  `parquet:"has_yammer_license,optional"`
	HasTeamsLicense                   *bool  `parquet:"has_teams_license,optional"`
	ExchangeLastActivityDate          *Date  `parquet:"exchange_last_activity_date,optional,date"`
	OneDriveLastActivityDate          *Date  `parquet:"onedrive_last_activity_date,optional,date"`
	SharePointLastActivityDate        *Date  `parquet:"sharepoint_last_activity_date,optional,date"`
	SkypeForBusinessLastActivityDate  *Date  `parquet:"skype_for_business_last_activity_date,optional,date"`
	YammerLastActivityDate            *Date  `parquet:"yammer_last_activity_date,optional,date"`
	TeamsLastActivityDate             *Date  `parquet:"teams_last_activity_date,optional,date"`
	ExchangeLicenseAssignDate         *Date  `parquet:"exchange_license_assign_date,optional,date"`
	OneDriveLicenseAssignDate         *Date  `parquet:"onedrive_license_assign_date,optional,date"`
	SharePointLicenseAssignDate       *Date  `parquet:"sharepoint_license_assign_date,optional,date"`
	SkypeForBusinessLicenseAssignDate *Date  `parquet:"skype_for_business_license_assign_date,optional,date"`
	YammerLicenseAssignDate           *Date  `parquet:"yammer_license_assign_date,optional,date"`
	TeamsLicenseAssignDate            *Date  `parquet:"teams_license_assign_date,optional,date"`
	AssignedProducts                  string `parquet:"assigned_products"`
}

// ReportEmailActivityUserDetail is raw table
// "report_email_activity_user_detail" (getEmailActivityUserDetail).
type ReportEmailActivityUserDetail struct {
	ReportRefreshDate      *Date  `parquet:"report_refresh_date,optional,date"`
	UserPrincipalName      string `parquet:"user_principal_name"`
	DisplayName            string `parquet:"display_name"`
	IsDeleted              *bool  `parquet:"is_deleted,optional"`
	DeletedDate            *Date  `parquet:"deleted_date,optional,date"`
	LastActivityDate       *Date  `parquet:"last_activity_date,optional,date"`
	SendCount              *int64 `parquet:"send_count,optional"`
	ReceiveCount           *int64 `parquet:"receive_count,optional"`
	ReadCount              *int64 `parquet:"read_count,optional"`
	MeetingCreatedCount    *int64 `parquet:"meeting_created_count,optional"`
	MeetingInteractedCount *int64 `parquet:"meeting_interacted_count,optional"`
	AssignedProducts       string `parquet:"assigned_products"`
	ReportPeriod           *int64 `parquet:"report_period,optional"`
}

// ReportM365AppUserDetail is raw table "report_m365_app_user_detail"
// (getM365AppUserDetail). The platform and app columns are true when the user
// was active on that platform / in that app during the period.
type ReportM365AppUserDetail struct {
	ReportRefreshDate  *Date  `parquet:"report_refresh_date,optional,date"`
	UserPrincipalName  string `parquet:"user_principal_name"`
	LastActivationDate *Date  `parquet:"last_activation_date,optional,date"`
	LastActivityDate   *Date  `parquet:"last_activity_date,optional,date"`
	ReportPeriod       *int64 `parquet:"report_period,optional"`
	Windows            *bool  `parquet:"windows,optional"`
	Mac                *bool  `parquet:"mac,optional"`
	Mobile             *bool  `parquet:"mobile,optional"`
	Web                *bool  `parquet:"web,optional"`
	Outlook            *bool  `parquet:"outlook,optional"`
	Word               *bool  `parquet:"word,optional"`
	Excel              *bool  `parquet:"excel,optional"`
	PowerPoint         *bool  `parquet:"powerpoint,optional"`
	OneNote            *bool  `parquet:"onenote,optional"`
	Teams              *bool  `parquet:"teams,optional"`
	OutlookWindows     *bool  `parquet:"outlook_windows,optional"`
	WordWindows        *bool  `parquet:"word_windows,optional"`
	ExcelWindows       *bool  `parquet:"excel_windows,optional"`
	PowerPointWindows  *bool  `parquet:"powerpoint_windows,optional"`
	OneNoteWindows     *bool  `parquet:"onenote_windows,optional"`
	TeamsWindows       *bool  `parquet:"teams_windows,optional"`
	OutlookMac         *bool  `parquet:"outlook_mac,optional"`
	WordMac            *bool  `parquet:"word_mac,optional"`
	ExcelMac           *bool  `parquet:"excel_mac,optional"`
	PowerPointMac      *bool  `parquet:"powerpoint_mac,optional"`
	OneNoteMac         *bool  `parquet:"onenote_mac,optional"`
	TeamsMac           *bool  `parquet:"teams_mac,optional"`
	OutlookMobile      *bool  `parquet:"outlook_mobile,optional"`
	WordMobile         *bool  `parquet:"word_mobile,optional"`
	ExcelMobile        *bool  `parquet:"excel_mobile,optional"`
	PowerPointMobile   *bool  `parquet:"powerpoint_mobile,optional"`
	OneNoteMobile      *bool  `parquet:"onenote_mobile,optional"`
	TeamsMobile        *bool  `parquet:"teams_mobile,optional"`
	OutlookWeb         *bool  `parquet:"outlook_web,optional"`
	WordWeb            *bool  `parquet:"word_web,optional"`
	ExcelWeb           *bool  `parquet:"excel_web,optional"`
	PowerPointWeb      *bool  `parquet:"powerpoint_web,optional"`
	OneNoteWeb         *bool  `parquet:"onenote_web,optional"`
	TeamsWeb           *bool  `parquet:"teams_web,optional"`
}

// ReportMailboxUsageDetail is raw table "report_mailbox_usage_detail"
// (getMailboxUsageDetail). DeletedItemQuotaByte and HasArchive are NULL when
// the tenant's CSV omits those columns (Microsoft's own sample does).
type ReportMailboxUsageDetail struct {
	ReportRefreshDate            *Date  `parquet:"report_refresh_date,optional,date"`
	UserPrincipalName            string `parquet:"user_principal_name"`
	DisplayName                  string `parquet:"display_name"`
	IsDeleted                    *bool  `parquet:"is_deleted,optional"`
	DeletedDate                  *Date  `parquet:"deleted_date,optional,date"`
	CreatedDate                  *Date  `parquet:"created_date,optional,date"`
	LastActivityDate             *Date  `parquet:"last_activity_date,optional,date"`
	ItemCount                    *int64 `parquet:"item_count,optional"`
	StorageUsedByte              *int64 `parquet:"storage_used_byte,optional"`
	IssueWarningQuotaByte        *int64 `parquet:"issue_warning_quota_byte,optional"`
	ProhibitSendQuotaByte        *int64 `parquet:"prohibit_send_quota_byte,optional"`
	ProhibitSendReceiveQuotaByte *int64 `parquet:"prohibit_send_receive_quota_byte,optional"`
	DeletedItemCount             *int64 `parquet:"deleted_item_count,optional"`
	DeletedItemSizeByte          *int64 `parquet:"deleted_item_size_byte,optional"`
	DeletedItemQuotaByte         *int64 `parquet:"deleted_item_quota_byte,optional"`
	HasArchive                   *bool  `parquet:"has_archive,optional"`
	ReportPeriod                 *int64 `parquet:"report_period,optional"`
}

// ReportOneDriveUsageAccountDetail is raw table
// "report_onedrive_usage_account_detail" (getOneDriveUsageAccountDetail). It
// is keyed by OwnerPrincipalName, not by a user principal name column.
type ReportOneDriveUsageAccountDetail struct {
	ReportRefreshDate    *Date  `parquet:"report_refresh_date,optional,date"`
	SiteURL              string `parquet:"site_url"`
	OwnerDisplayName     string `parquet:"owner_display_name"`
	IsDeleted            *bool  `parquet:"is_deleted,optional"`
	LastActivityDate     *Date  `parquet:"last_activity_date,optional,date"`
	FileCount            *int64 `parquet:"file_count,optional"`
	ActiveFileCount      *int64 `parquet:"active_file_count,optional"`
	StorageUsedByte      *int64 `parquet:"storage_used_byte,optional"`
	StorageAllocatedByte *int64 `parquet:"storage_allocated_byte,optional"`
	OwnerPrincipalName   string `parquet:"owner_principal_name"`
	ReportPeriod         *int64 `parquet:"report_period,optional"`
}

// ReportOffice365ActivationsUserDetail is raw table
// "report_office365_activations_user_detail"
// (getOffice365ActivationsUserDetail): one row per user and product type; the
// platform columns count activations.
type ReportOffice365ActivationsUserDetail struct {
	ReportRefreshDate         *Date  `parquet:"report_refresh_date,optional,date"`
	UserPrincipalName         string `parquet:"user_principal_name"`
	DisplayName               string `parquet:"display_name"`
	ProductType               string `parquet:"product_type"`
	LastActivatedDate         *Date  `parquet:"last_activated_date,optional,date"`
	Windows                   *int64 `parquet:"windows,optional"`
	Mac                       *int64 `parquet:"mac,optional"`
	Windows10Mobile           *int64 `parquet:"windows_10_mobile,optional"`
	IOS                       *int64 `parquet:"ios,optional"`
	Android                   *int64 `parquet:"android,optional"`
	ActivatedOnSharedComputer *bool  `parquet:"activated_on_shared_computer,optional"`
}

// ReportTeamsUserActivityUserDetail is raw table
// "report_teams_user_activity_user_detail" (getTeamsUserActivityUserDetail).
// UserID is the Entra object id when Microsoft sends it (newer tenants).
// The *Duration columns keep Microsoft's text (e.g. "PT1H2M"); the
// *DurationInSeconds columns are the numbers.
type ReportTeamsUserActivityUserDetail struct {
	ReportRefreshDate                        *Date  `parquet:"report_refresh_date,optional,date"`
	TenantDisplayName                        string `parquet:"tenant_display_name"`
	SharedChannelTenantDisplayNames          string `parquet:"shared_channel_tenant_display_names"`
	UserID                                   string `parquet:"user_id"`
	UserPrincipalName                        string `parquet:"user_principal_name"`
	LastActivityDate                         *Date  `parquet:"last_activity_date,optional,date"`
	IsDeleted                                *bool  `parquet:"is_deleted,optional"`
	DeletedDate                              *Date  `parquet:"deleted_date,optional,date"`
	AssignedProducts                         string `parquet:"assigned_products"`
	TeamChatMessageCount                     *int64 `parquet:"team_chat_message_count,optional"`
	PrivateChatMessageCount                  *int64 `parquet:"private_chat_message_count,optional"`
	CallCount                                *int64 `parquet:"call_count,optional"`
	MeetingCount                             *int64 `parquet:"meeting_count,optional"`
	PostMessages                             *int64 `parquet:"post_messages,optional"`
	ReplyMessages                            *int64 `parquet:"reply_messages,optional"`
	UrgentMessages                           *int64 `parquet:"urgent_messages,optional"`
	MeetingsOrganizedCount                   *int64 `parquet:"meetings_organized_count,optional"`
	MeetingsAttendedCount                    *int64 `parquet:"meetings_attended_count,optional"`
	AdHocMeetingsOrganizedCount              *int64 `parquet:"ad_hoc_meetings_organized_count,optional"`
	AdHocMeetingsAttendedCount               *int64 `parquet:"ad_hoc_meetings_attended_count,optional"`
	ScheduledOneTimeMeetingsOrganizedCount   *int64 `parquet:"scheduled_one_time_meetings_organized_count,optional"`
	ScheduledOneTimeMeetingsAttendedCount    *int64 `parquet:"scheduled_one_time_meetings_attended_count,optional"`
	ScheduledRecurringMeetingsOrganizedCount *int64 `parquet:"scheduled_recurring_meetings_organized_count,optional"`
	ScheduledRecurringMeetingsAttendedCount  *int64 `parquet:"scheduled_recurring_meetings_attended_count,optional"`
	AudioDuration                            string `parquet:"audio_duration"`
	VideoDuration                            string `parquet:"video_duration"`
	ScreenShareDuration                      string `parquet:"screen_share_duration"`
	AudioDurationInSeconds                   *int64 `parquet:"audio_duration_in_seconds,optional"`
	VideoDurationInSeconds                   *int64 `parquet:"video_duration_in_seconds,optional"`
	ScreenShareDurationInSeconds             *int64 `parquet:"screen_share_duration_in_seconds,optional"`
	HasOtherAction                           *bool  `parquet:"has_other_action,optional"`
	IsLicensed                               *bool  `parquet:"is_licensed,optional"`
	ReportPeriod                             *int64 `parquet:"report_period,optional"`
}

// ReportSharePointActivityUserDetail is raw table
// "report_sharepoint_activity_user_detail" (getSharePointActivityUserDetail).
type ReportSharePointActivityUserDetail struct {
	ReportRefreshDate         *Date  `parquet:"report_refresh_date,optional,date"`
	UserPrincipalName         string `parquet:"user_principal_name"`
	IsDeleted                 *bool  `parquet:"is_deleted,optional"`
	DeletedDate               *Date  `parquet:"deleted_date,optional,date"`
	LastActivityDate          *Date  `parquet:"last_activity_date,optional,date"`
	ViewedOrEditedFileCount   *int64 `parquet:"viewed_or_edited_file_count,optional"`
	SyncedFileCount           *int64 `parquet:"synced_file_count,optional"`
	SharedInternallyFileCount *int64 `parquet:"shared_internally_file_count,optional"`
	SharedExternallyFileCount *int64 `parquet:"shared_externally_file_count,optional"`
	VisitedPageCount          *int64 `parquet:"visited_page_count,optional"`
	AssignedProducts          string `parquet:"assigned_products"`
	ReportPeriod              *int64 `parquet:"report_period,optional"`
}

// ReportM365CopilotUsageUserDetail is raw table
// "report_m365_copilot_usage_user_detail"
// (GET /copilot/reports/getMicrosoft365CopilotUsageUserDetail(period,version)),
// headers as MicrosoftDocs/m365copilot-docs
// docs/api/admin-settings/reports/copilotreportroot-getmicrosoft365copilotusageuserdetail.md
// lists them. The report lists only users holding a Microsoft 365 Copilot
// licence. The columns after ReportPeriod come with version v2 only and are
// NULL in a v1 report; Microsoft may also leave them empty in a v2 one.
type ReportM365CopilotUsageUserDetail struct {
	ReportRefreshDate                  *Date  `parquet:"report_refresh_date,optional,date"`
	UserPrincipalName                  string `parquet:"user_principal_name"`
	DisplayName                        string `parquet:"display_name"`
	LastActivityDate                   *Date  `parquet:"last_activity_date,optional,date"`
	CopilotChatLastActivityDate        *Date  `parquet:"copilot_chat_last_activity_date,optional,date"`
	MicrosoftTeamsCopilotLastActivity  *Date  `parquet:"microsoft_teams_copilot_last_activity_date,optional,date"`
	WordCopilotLastActivityDate        *Date  `parquet:"word_copilot_last_activity_date,optional,date"`
	ExcelCopilotLastActivityDate       *Date  `parquet:"excel_copilot_last_activity_date,optional,date"`
	PowerPointCopilotLastActivityDate  *Date  `parquet:"powerpoint_copilot_last_activity_date,optional,date"`
	OutlookCopilotLastActivityDate     *Date  `parquet:"outlook_copilot_last_activity_date,optional,date"`
	OneNoteCopilotLastActivityDate     *Date  `parquet:"onenote_copilot_last_activity_date,optional,date"`
	LoopCopilotLastActivityDate        *Date  `parquet:"loop_copilot_last_activity_date,optional,date"`
	ReportPeriod                       *int64 `parquet:"report_period,optional"`
	PromptsSubmittedForAllApps         *int64 `parquet:"prompts_submitted_for_all_apps,optional"`
	PromptsSubmittedForCopilotChatWork *int64 `parquet:"prompts_submitted_for_copilot_chat_work,optional"`
	PromptsSubmittedForCopilotChatWeb  *int64 `parquet:"prompts_submitted_for_copilot_chat_web,optional"`
	ActiveUsageDaysForAllApps          *int64 `parquet:"active_usage_days_for_all_apps,optional"`
	CopilotChatWorkLastActivityDate    *Date  `parquet:"copilot_chat_work_last_activity_date,optional,date"`
	CopilotChatWebLastActivityDate     *Date  `parquet:"copilot_chat_web_last_activity_date,optional,date"`
	Microsoft365CopilotLastActivity    *Date  `parquet:"microsoft_365_copilot_last_activity_date,optional,date"`
	EdgeLastActivityDate               *Date  `parquet:"edge_last_activity_date,optional,date"`
	CopilotAgentLastActivityDate       *Date  `parquet:"copilot_agent_last_activity_date,optional,date"`
}
