-- copilot: the Copilot usage report's latest date over every app's last
-- activity (v1's eight, v2's five more) and its own Last Activity Date, by
-- UPN. A v1 report leaves the v2 columns NULL; greatest() skips NULLs.
SELECT u.id AS user_id, 'copilot' AS signal, 'copilot' AS workload,
  max(greatest(r.last_activity_date, r.copilot_chat_last_activity_date, r.microsoft_teams_copilot_last_activity_date,
    r.word_copilot_last_activity_date, r.excel_copilot_last_activity_date, r.powerpoint_copilot_last_activity_date,
    r.outlook_copilot_last_activity_date, r.onenote_copilot_last_activity_date, r.loop_copilot_last_activity_date,
    r.copilot_chat_work_last_activity_date, r.copilot_chat_web_last_activity_date,
    r.microsoft_365_copilot_last_activity_date, r.edge_last_activity_date, r.copilot_agent_last_activity_date)) AS last_activity_date
FROM raw.report_m365_copilot_usage_user_detail r
JOIN param.directory_users u ON u.upn = lower(r.user_principal_name)
GROUP BY u.id
