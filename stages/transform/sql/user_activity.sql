-- user_activity: one row per user × workload with the last activity seen.
-- Report signals are measured against the report's refresh date (a report
-- three days behind must not add three days of "inactivity"); sign-ins and
-- Dataverse audit against as_of. An unavailable signal (see signal_status)
-- makes its rows known = false: "unknown", never "inactive"; so does a
-- report that should list the user (param.report_expected) but does not
-- (report_match = 'missing': renamed since the report was cut, or the
-- report was cut short).
-- requires: raw.users, signal_status
WITH run AS (SELECT * FROM param.run),
catalogue(signal, workload, source, ord) AS (VALUES
  ('sign_in', 'sign_in_interactive', 'users.last_successful_sign_in_date_time', 1),
  ('sign_in', 'sign_in_non_interactive', 'users.last_non_interactive_sign_in_date_time', 2),
  ('sign_in', 'sign_in_log', 'sign_ins', 3),
  ('office365', 'exchange', 'report_office365_active_user_detail', 4),
  ('office365', 'onedrive', 'report_office365_active_user_detail', 5),
  ('office365', 'sharepoint', 'report_office365_active_user_detail', 6),
  ('office365', 'skype_for_business', 'report_office365_active_user_detail', 7),
  ('office365', 'yammer', 'report_office365_active_user_detail', 8),
  ('office365', 'teams', 'report_office365_active_user_detail', 9),
  ('email', 'email', 'report_email_activity_user_detail', 10),
  ('teams', 'teams', 'report_teams_user_activity_user_detail', 11),
  ('onedrive', 'onedrive', 'report_onedrive_usage_account_detail', 12),
  ('sharepoint', 'sharepoint', 'report_sharepoint_activity_user_detail', 13),
  ('m365_apps', 'm365_apps_windows', 'report_m365_app_user_detail', 14),
  ('m365_apps', 'm365_apps_mac', 'report_m365_app_user_detail', 15),
  ('m365_apps', 'm365_apps_mobile', 'report_m365_app_user_detail', 16),
  ('m365_apps', 'm365_apps_web', 'report_m365_app_user_detail', 17),
  ('m365_apps', 'm365_apps', 'report_m365_app_user_detail', 18),
  ('m365_apps', 'activations', 'report_office365_activations_user_detail', 19),
  ('dynamics', 'dynamics', 'dataverse_audits', 20)
),
-- uord gives the output its order cheaply: sorting 20 rows per user by
-- strings costs more than everything else here.
users AS (SELECT lower(id) AS id, user_principal_name, lower(user_principal_name) AS upn, sign_in_activity_available,
  row_number() OVER (ORDER BY user_principal_name, id) AS uord,
  last_sign_in_date_time, last_successful_sign_in_date_time, last_non_interactive_sign_in_date_time FROM raw.users),
-- lastSignInDateTime counts failed attempts too. Once the tenant populates
-- lastSuccessfulSignInDateTime for anyone, a user without it has no
-- successful interactive sign-in on record; only a tenant that never
-- populates it falls back to lastSignInDateTime.
successful_populated AS (SELECT count(last_successful_sign_in_date_time) > 0 AS yes FROM raw.users),
events AS (
  SELECT id AS user_id, 'sign_in' AS signal, 'sign_in_interactive' AS workload,
    CASE WHEN (SELECT yes FROM successful_populated) THEN last_successful_sign_in_date_time ELSE last_sign_in_date_time END::DATE AS d
  FROM users
  UNION ALL
  SELECT id, 'sign_in', 'sign_in_non_interactive', last_non_interactive_sign_in_date_time::DATE FROM users
  UNION ALL
  SELECT lower(user_id), 'sign_in', 'sign_in_log', max(created_date_time)::DATE
  FROM raw.sign_ins WHERE status_error_code = 0 GROUP BY ALL
  UNION ALL
  SELECT u.id, 'office365', w.workload, max(CASE w.workload
      WHEN 'exchange' THEN r.exchange_last_activity_date WHEN 'onedrive' THEN r.onedrive_last_activity_date
      WHEN 'sharepoint' THEN r.sharepoint_last_activity_date WHEN 'skype_for_business' THEN r.skype_for_business_last_activity_date
      WHEN 'yammer' THEN r.yammer_last_activity_date WHEN 'teams' THEN r.teams_last_activity_date END)
  FROM raw.report_office365_active_user_detail r
  JOIN users u ON u.upn = lower(r.user_principal_name)
  CROSS JOIN (SELECT workload FROM catalogue WHERE signal = 'office365') w
  WHERE NOT coalesce(r.is_deleted, false)
  GROUP BY u.id, w.workload
  UNION ALL
  SELECT u.id, 'email', 'email', max(r.last_activity_date) FROM raw.report_email_activity_user_detail r
  JOIN users u ON u.upn = lower(r.user_principal_name) WHERE NOT coalesce(r.is_deleted, false) GROUP BY u.id
  UNION ALL
  -- Teams rows carry the user's object id: matched by it, by UPN only
  -- without it (param.report_listed does the same).
  SELECT u.id, 'teams', 'teams', max(r.last_activity_date) FROM raw.report_teams_user_activity_user_detail r
  JOIN users u ON u.id = lower(r.user_id) WHERE coalesce(r.user_id, '') <> '' AND NOT coalesce(r.is_deleted, false) GROUP BY u.id
  UNION ALL
  SELECT u.id, 'teams', 'teams', max(r.last_activity_date) FROM raw.report_teams_user_activity_user_detail r
  JOIN users u ON u.upn = lower(r.user_principal_name) WHERE coalesce(r.user_id, '') = '' AND NOT coalesce(r.is_deleted, false) GROUP BY u.id
  UNION ALL
  SELECT u.id, 'onedrive', 'onedrive', max(r.last_activity_date) FROM raw.report_onedrive_usage_account_detail r
  JOIN users u ON u.upn = lower(r.owner_principal_name) WHERE NOT coalesce(r.is_deleted, false) GROUP BY u.id
  UNION ALL
  SELECT u.id, 'sharepoint', 'sharepoint', max(r.last_activity_date) FROM raw.report_sharepoint_activity_user_detail r
  JOIN users u ON u.upn = lower(r.user_principal_name) WHERE NOT coalesce(r.is_deleted, false) GROUP BY u.id
  UNION ALL
  -- The apps report has one last-activity date and per-platform flags: a
  -- platform's workload carries the date when the user used it.
  SELECT u.id, 'm365_apps', p.workload, max(r.last_activity_date)
  FROM raw.report_m365_app_user_detail r
  JOIN users u ON u.upn = lower(r.user_principal_name)
  JOIN (VALUES ('m365_apps_windows'), ('m365_apps_mac'), ('m365_apps_mobile'), ('m365_apps_web'), ('m365_apps')) p(workload)
    ON CASE p.workload
         WHEN 'm365_apps_windows' THEN coalesce(r.windows, false)
         WHEN 'm365_apps_mac' THEN coalesce(r.mac, false)
         WHEN 'm365_apps_mobile' THEN coalesce(r.mobile, false)
         WHEN 'm365_apps_web' THEN coalesce(r.web, false)
         ELSE NOT (coalesce(r.windows, false) OR coalesce(r.mac, false) OR coalesce(r.mobile, false) OR coalesce(r.web, false))
       END
  GROUP BY u.id, p.workload
  UNION ALL
  SELECT u.id, 'm365_apps', 'activations', max(r.last_activated_date) FROM raw.report_office365_activations_user_detail r
  JOIN users u ON u.upn = lower(r.user_principal_name) GROUP BY u.id
  UNION ALL
  -- Dataverse audit rows name systemusers; their Entra object id joins to users.
  SELECT lower(su.azureactivedirectoryobjectid), 'dynamics', 'dynamics', max(a.createdon)::DATE
  FROM raw.dataverse_audits a
  JOIN raw.dataverse_system_users su ON su.environment = a.environment AND lower(su.systemuserid) = lower(a.userid)
  WHERE a.action IN (64, 65) AND coalesce(su.azureactivedirectoryobjectid, '') <> ''
  GROUP BY ALL
),
best AS (SELECT user_id, signal, workload, max(d) AS d FROM events WHERE d IS NOT NULL GROUP BY ALL),
grid AS (
  SELECT u.id AS user_id, u.user_principal_name, u.uord, u.sign_in_activity_available, c.signal, c.workload, c.ord,
    CASE WHEN c.workload = 'sign_in_interactive' AND NOT (SELECT yes FROM successful_populated)
      THEN 'users.last_sign_in_date_time' ELSE c.source END AS source,
    s.available, s.report_refresh_date,
    CASE WHEN c.signal IN ('sign_in', 'dynamics') THEN ''
      WHEN l.matched_by IS NOT NULL THEN l.matched_by
      WHEN x.user_id IS NULL THEN 'not_listed'
      -- Positive evidence there is nothing to find: OneDrive is provisioned
      -- at the first sign-in.
      WHEN c.signal = 'onedrive' AND u.sign_in_activity_available AND u.last_sign_in_date_time IS NULL
        AND u.last_successful_sign_in_date_time IS NULL AND u.last_non_interactive_sign_in_date_time IS NULL
        THEN 'never_signed_in'
      ELSE 'missing'
    END AS report_match
  FROM users u CROSS JOIN catalogue c
  JOIN signal_status s ON s.signal = c.signal
  LEFT JOIN param.report_listed l ON l.user_id = u.id AND l.signal = c.signal
  LEFT JOIN param.report_expected x ON x.user_id = u.id AND x.signal = c.signal
)
SELECT run.snapshot_date, g.user_id, g.user_principal_name, g.signal, g.workload, g.source,
  b.d AS last_activity_date,
  g.available AND (g.signal <> 'sign_in' OR g.sign_in_activity_available) AND g.report_match <> 'missing' AS known,
  g.report_refresh_date,
  CASE WHEN g.signal IN ('sign_in', 'dynamics') THEN run.as_of ELSE coalesce(g.report_refresh_date, run.as_of) END AS reference_date,
  -- greatest() skips NULLs, hence the CASE: never active stays NULL.
  CASE WHEN b.d IS NOT NULL THEN greatest(0, date_diff('day', b.d,
    CASE WHEN g.signal IN ('sign_in', 'dynamics') THEN run.as_of ELSE coalesce(g.report_refresh_date, run.as_of) END)) END AS days_inactive,
  g.report_match
FROM grid g
LEFT JOIN best b ON b.user_id = g.user_id AND b.signal = g.signal AND b.workload = g.workload
CROSS JOIN run
ORDER BY g.uord, g.ord;
