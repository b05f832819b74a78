-- dynamics: Dataverse user-access audit rows (actions 64, 65) name
-- systemusers; their Entra object id joins to users.
SELECT lower(su.azureactivedirectoryobjectid) AS user_id, 'dynamics' AS signal, 'dynamics' AS workload,
  max(a.createdon)::DATE AS last_activity_date
FROM raw.dataverse_audits a
JOIN raw.dataverse_system_users su ON su.environment = a.environment AND lower(su.systemuserid) = lower(a.userid)
WHERE a.action IN (64, 65) AND coalesce(su.azureactivedirectoryobjectid, '') <> ''
GROUP BY ALL
