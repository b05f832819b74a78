-- signal_status: can each activity signal (and the mailbox report used for
-- the data-at-risk check) be trusted in this run? Report signals come from
-- the signal catalogue (param.signals, param.report_rows); sign_in and
-- dynamics are read from the directory and Dataverse and judged here.
-- requires: raw.users
WITH run AS (SELECT * FROM param.run),
present AS (SELECT name, present, reason FROM param.raw_tables),
directory AS (SELECT DISTINCT lower(user_principal_name) AS upn FROM raw.users),
concealed AS (
  SELECT coalesce(bool_or(coalesce(display_concealed_names, false) OR concealed_names_detected), false) AS concealed_on
  FROM raw.report_settings
),
-- One row per usage report that gives a status (each report signal's first
-- report in the catalogue, and the guard reports): rows, newest refresh
-- date, and how many of its user names are found in the directory
-- (concealed names match none).
reports AS (
  SELECT s.signal, s.status_source AS source, s.guard,
    count(r.source) AS n, max(r.report_refresh_date) AS refresh,
    count(r.source) FILTER (WHERE r.upn IN (SELECT upn FROM directory)) AS matched
  FROM param.signals s
  LEFT JOIN param.report_rows r ON r.source = s.status_source
  WHERE s.status_source <> ''
  GROUP BY s.signal, s.status_source, s.guard
),
-- Completeness: licensed users each report should list but does not.
expected AS (
  SELECT x.signal, count(*) AS n, count(*) FILTER (WHERE l.user_id IS NULL) AS missing
  FROM param.report_expected x
  LEFT JOIN param.report_listed l ON l.user_id = x.user_id AND l.signal = x.signal
  WHERE x.user_id IN (SELECT lower(id) FROM raw.users)
  GROUP BY x.signal
),
report_status AS (
  SELECT r.signal, r.source, r.n, r.refresh, coalesce(x.missing, 0) AS missing,
    CASE
      WHEN NOT p.present THEN p.reason
      WHEN r.n = 0 THEN 'report ' || r.source || ' has no rows'
      WHEN (SELECT concealed_on FROM concealed) THEN 'report user names are concealed (admin/reportSettings displayConcealedNames): rows cannot be joined to users'
      WHEN r.matched * 2 < r.n THEN 'only ' || r.matched || ' of ' || r.n || ' user names in ' || r.source || ' match the directory (concealed names?)'
      WHEN x.missing > greatest(2, x.n // 20)
        THEN 'report ' || r.source || ' lists ' || (x.n - x.missing) || ' of the ' || x.n
             || ' licensed users it should: incomplete (cut short?); every user is unknown for it'
      WHEN r.refresh IS NULL THEN 'report ' || r.source || ' has no refresh date'
      -- A guard report (mailbox contents) is not activity: its age does not matter.
      WHEN NOT r.guard AND date_diff('day', r.refresh, run.as_of) > run.stale_report_days
        THEN 'report refreshed ' || strftime(r.refresh, '%Y-%m-%d') || ', ' || date_diff('day', r.refresh, run.as_of)
             || ' days before ' || strftime(run.as_of, '%Y-%m-%d') || ' (limit ' || run.stale_report_days || ' days)'
      ELSE ''
    END AS reason
  FROM reports r JOIN present p ON p.name = r.source
  LEFT JOIN expected x ON x.signal = r.signal
  CROSS JOIN run
),
sign_in AS (
  SELECT 'sign_in' AS signal, 'users.sign_in_activity' AS source,
    count(*) FILTER (WHERE sign_in_activity_available) AS n,
    CASE WHEN count(*) FILTER (WHERE sign_in_activity_available) = 0
      THEN 'sign-in activity could not be read (needs Entra ID P1/P2 and AuditLog.Read.All)'
      ELSE '' END AS reason
  FROM raw.users
),
-- app_sign_in has one source, the sign-in log: absent (no Entra ID P1, no
-- AuditLog.Read.All, or not read: --sign-in-log) it is unknown. Whether each
-- app's ids appear in it is judged per app in user_activity.
app_sign_in AS (
  SELECT 'app_sign_in' AS signal, 'sign_ins' AS source,
    (SELECT count(*) FROM raw.sign_ins) AS n,
    CASE WHEN NOT (SELECT present FROM present WHERE name = 'sign_ins')
      THEN 'the sign-in log was not read (' || (SELECT reason FROM present WHERE name = 'sign_ins')
           || '); it needs Entra ID P1, AuditLog.Read.All and --sign-in-log'
      ELSE '' END AS reason
),
dynamics AS (
  SELECT 'dynamics' AS signal, 'dataverse_audits' AS source,
    (SELECT count(*) FROM raw.dataverse_audits) AS n,
    CASE
      WHEN NOT (SELECT present FROM present WHERE name = 'dataverse_system_users') THEN (SELECT reason FROM present WHERE name = 'dataverse_system_users')
      WHEN NOT (SELECT present FROM present WHERE name = 'dataverse_audits') THEN (SELECT reason FROM present WHERE name = 'dataverse_audits')
      WHEN (SELECT count(*) FROM raw.dataverse_audits) = 0 THEN 'no Dataverse user-access audit records (is user access auditing switched on?)'
      ELSE ''
    END AS reason
)
SELECT x.* FROM (
SELECT run.snapshot_date, signal, source, reason = '' AS available, reason,
       NULL::DATE AS report_refresh_date, NULL::BIGINT AS lag_days, n AS rows, 0::BIGINT AS missing_users
FROM sign_in, run
UNION ALL
SELECT run.snapshot_date, signal, source, reason = '', reason, refresh,
       CASE WHEN refresh IS NOT NULL THEN date_diff('day', refresh, run.as_of) END, n, missing
FROM report_status, run
UNION ALL
SELECT run.snapshot_date, signal, source, reason = '', reason, NULL::DATE, NULL::BIGINT, n, 0
FROM app_sign_in, run
UNION ALL
SELECT run.snapshot_date, signal, source, reason = '', reason, NULL::DATE, NULL::BIGINT, n, 0
FROM dynamics, run
) x
-- Catalogue order (param.signals.ord): the signals, then the guard reports.
JOIN param.signals o ON o.signal = x.signal
ORDER BY o.ord;
