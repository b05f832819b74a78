-- office365: the active-users report has one last-activity date per
-- workload; each is a workload of the signal.
SELECT u.id AS user_id, 'office365' AS signal, w.workload, max(CASE w.workload
    WHEN 'exchange' THEN r.exchange_last_activity_date WHEN 'onedrive' THEN r.onedrive_last_activity_date
    WHEN 'sharepoint' THEN r.sharepoint_last_activity_date WHEN 'skype_for_business' THEN r.skype_for_business_last_activity_date
    WHEN 'yammer' THEN r.yammer_last_activity_date WHEN 'teams' THEN r.teams_last_activity_date END) AS last_activity_date
FROM raw.report_office365_active_user_detail r
JOIN param.directory_users u ON u.upn = lower(r.user_principal_name)
CROSS JOIN (SELECT workload FROM param.signal_workloads WHERE signal = 'office365') w
WHERE NOT coalesce(r.is_deleted, false)
GROUP BY u.id, w.workload
