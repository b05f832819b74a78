-- email: the email activity report's last activity date, by UPN.
SELECT u.id AS user_id, 'email' AS signal, 'email' AS workload, max(r.last_activity_date) AS last_activity_date
FROM raw.report_email_activity_user_detail r
JOIN param.directory_users u ON u.upn = lower(r.user_principal_name)
WHERE NOT coalesce(r.is_deleted, false) GROUP BY u.id
