-- sign_in: the directory's last sign-in properties and, when the sign-in
-- log is read, its successful sign-ins. lastSignInDateTime counts failed
-- attempts too: once the tenant populates lastSuccessfulSignInDateTime for
-- anyone, a user without it has no successful interactive sign-in on
-- record; only a tenant that never populates it falls back to
-- lastSignInDateTime (param.successful_sign_ins_populated).
-- The live re-check before a removal applies the same rule
-- (msgraph.SignInActivity.LastActivity); cmd/reclaim's
-- TestFailedSignInIsNotActivityAnywhere pins that both ignore a failed one.
SELECT id AS user_id, 'sign_in' AS signal, 'sign_in_interactive' AS workload,
  CASE WHEN (SELECT yes FROM param.successful_sign_ins_populated) THEN last_successful_sign_in_date_time
    ELSE last_sign_in_date_time END::DATE AS last_activity_date
FROM param.directory_users
UNION ALL
SELECT id, 'sign_in', 'sign_in_non_interactive', last_non_interactive_sign_in_date_time::DATE FROM param.directory_users
UNION ALL
SELECT lower(user_id), 'sign_in', 'sign_in_log', max(created_date_time)::DATE
FROM raw.sign_ins WHERE status_error_code = 0 GROUP BY ALL
