-- app_sign_in: successful sign-ins in the log to the apps the rules name
-- (param.app_ids: a sign-in counts for an app when its app_id is one of
-- the app's application ids or its resource_id one of its resource ids);
-- each app is a workload. Success is sign_in's rule (status_error_code 0:
-- a failed attempt is not activity; see sign_in.sql).
SELECT lower(s.user_id) AS user_id, 'app_sign_in' AS signal, a.app AS workload,
  max(s.created_date_time)::DATE AS last_activity_date
FROM raw.sign_ins s
JOIN param.app_ids a ON a.id = CASE a.kind WHEN 'app_id' THEN lower(s.app_id) ELSE lower(s.resource_id) END
WHERE s.status_error_code = 0 AND coalesce(s.user_id, '') <> ''
GROUP BY ALL
