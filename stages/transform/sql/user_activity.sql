-- user_activity: one row per user × workload with the last activity seen.
-- Report signals are measured against the report's refresh date (a report
-- three days behind must not add three days of "inactivity"); sign-ins and
-- Dataverse audit against as_of. An unavailable signal (see signal_status)
-- makes its rows known = false: "unknown", never "inactive"; so does a
-- report that should list the user (param.report_expected) but does not
-- (report_match = 'missing': renamed since the report was cut, or the
-- report was cut short).
-- Each signal's activity comes from its fragment in sql/signals/ (glued
-- into param.signal_activity); its workloads and order from the signal
-- catalogue (param.signal_workloads).
-- requires: raw.users, signal_status
WITH run AS (SELECT * FROM param.run),
-- One row per signal × workload, in catalogue order (schemas.Signals).
catalogue AS (SELECT signal, workload, source, ord, is_report FROM param.signal_workloads),
-- uord gives the output its order cheaply: sorting 20 rows per user by
-- strings costs more than everything else here.
users AS (SELECT lower(id) AS id, user_principal_name, lower(user_principal_name) AS upn, sign_in_activity_available,
  row_number() OVER (ORDER BY user_principal_name, id) AS uord,
  last_sign_in_date_time, last_successful_sign_in_date_time, last_non_interactive_sign_in_date_time FROM raw.users),
successful_populated AS (SELECT yes FROM param.successful_sign_ins_populated),
-- Activity per user × workload: the signal fragments (sql/signals/*.sql).
best AS (
  SELECT user_id, signal, workload, max(last_activity_date) AS d FROM param.signal_activity
  WHERE last_activity_date IS NOT NULL GROUP BY ALL
),
-- An app no successful sign-in in the log names (its ids wrong, or nobody
-- uses it yet) proves nothing about anyone: unknown, never inactive.
apps_seen AS (SELECT DISTINCT workload FROM best WHERE signal = 'app_sign_in'),
grid AS (
  SELECT u.id AS user_id, u.user_principal_name, u.uord, u.sign_in_activity_available, c.signal, c.workload, c.ord, c.is_report,
    CASE WHEN c.workload = 'sign_in_interactive' AND NOT (SELECT yes FROM successful_populated)
      THEN 'users.last_sign_in_date_time' ELSE c.source END AS source,
    s.available, s.report_refresh_date,
    CASE WHEN NOT c.is_report THEN ''
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
  g.available AND (g.signal <> 'sign_in' OR g.sign_in_activity_available) AND g.report_match <> 'missing'
    AND (g.signal <> 'app_sign_in' OR g.workload IN (SELECT workload FROM apps_seen)) AS known,
  g.report_refresh_date,
  CASE WHEN NOT g.is_report THEN run.as_of ELSE coalesce(g.report_refresh_date, run.as_of) END AS reference_date,
  -- greatest() skips NULLs, hence the CASE: never active stays NULL.
  CASE WHEN b.d IS NOT NULL THEN greatest(0, date_diff('day', b.d,
    CASE WHEN NOT g.is_report THEN run.as_of ELSE coalesce(g.report_refresh_date, run.as_of) END)) END AS days_inactive,
  g.report_match
FROM grid g
LEFT JOIN best b ON b.user_id = g.user_id AND b.signal = g.signal AND b.workload = g.workload
CROSS JOIN run
ORDER BY g.uord, g.ord;
