-- m365_apps: the apps report has one last-activity date and per-platform
-- flags: a platform's workload carries the date when the user used it
-- (m365_apps: no platform flag set). Activations add the last activation.
SELECT u.id AS user_id, 'm365_apps' AS signal, p.workload, max(r.last_activity_date) AS last_activity_date
FROM raw.report_m365_app_user_detail r
JOIN param.directory_users u ON u.upn = lower(r.user_principal_name)
JOIN (SELECT workload FROM param.signal_workloads WHERE signal = 'm365_apps' AND source = 'report_m365_app_user_detail') p
  ON CASE p.workload
       WHEN 'm365_apps_windows' THEN coalesce(r.windows, false)
       WHEN 'm365_apps_mac' THEN coalesce(r.mac, false)
       WHEN 'm365_apps_mobile' THEN coalesce(r.mobile, false)
       WHEN 'm365_apps_web' THEN coalesce(r.web, false)
       ELSE NOT (coalesce(r.windows, false) OR coalesce(r.mac, false) OR coalesce(r.mobile, false) OR coalesce(r.web, false))
     END
GROUP BY u.id, p.workload
UNION ALL
SELECT u.id, 'm365_apps', 'activations', max(r.last_activated_date)
FROM raw.report_office365_activations_user_detail r
JOIN param.directory_users u ON u.upn = lower(r.user_principal_name) GROUP BY u.id
