-- onedrive: the OneDrive usage report is keyed by the owner's UPN.
SELECT u.id AS user_id, 'onedrive' AS signal, 'onedrive' AS workload, max(r.last_activity_date) AS last_activity_date
FROM raw.report_onedrive_usage_account_detail r
JOIN param.directory_users u ON u.upn = lower(r.owner_principal_name)
WHERE NOT coalesce(r.is_deleted, false) GROUP BY u.id
