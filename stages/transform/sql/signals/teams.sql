-- teams: Teams rows carry the user's object id: matched by it, by UPN only
-- without it (param.report_listed does the same).
SELECT u.id AS user_id, 'teams' AS signal, 'teams' AS workload, max(r.last_activity_date) AS last_activity_date
FROM raw.report_teams_user_activity_user_detail r
JOIN param.directory_users u ON u.id = lower(r.user_id)
WHERE coalesce(r.user_id, '') <> '' AND NOT coalesce(r.is_deleted, false) GROUP BY u.id
UNION ALL
SELECT u.id, 'teams', 'teams', max(r.last_activity_date)
FROM raw.report_teams_user_activity_user_detail r
JOIN param.directory_users u ON u.upn = lower(r.user_principal_name)
WHERE coalesce(r.user_id, '') = '' AND NOT coalesce(r.is_deleted, false) GROUP BY u.id
