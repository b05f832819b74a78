-- recommendations: one row per user × SKU × reclaim rule whose counted
-- signals show no activity for inactive_days (or none ever, on an account
-- older than that). The action is the strongest the evidence and the rule
-- allow; every weaker outcome says why in `reason`:
--   report             the rule only reports
--   review             the licence is a suite reached through the rule's
--                      service_plans (a suite decision, never a removal by
--                      this rule); a counted signal is unknown; data at risk without
--                      allow_data_at_risk; Project or Visio desktop
--                      activated (installed); a licence held directly and
--                      through a group (removing the direct one frees no
--                      seat); a group-only licence without
--                      allow_group_removal, or through several groups
--   remove_from_group  group-only licence, one group, allow_group_removal
--   remove_license     direct-only licence
-- Rows matched by an exclusion stay, with suppressed = true.
-- requires: raw.users, user_licenses, user_activity, signal_status
WITH run AS (SELECT * FROM param.run),
successful_populated AS (SELECT yes FROM param.successful_sign_ins_populated),
cand AS (
  SELECT r.rule, r.ord, r.inactive_days, r.action AS rule_action, r.allow_group_removal, r.allow_data_at_risk,
    ul.user_id, ul.user_principal_name, ul.display_name, ul.user_type, ul.account_enabled,
    ul.sku_id, ul.sku_part_number, ul.assigned_directly, ul.assigned_by_groups, ul.disabled_plans,
    ul.price_monthly, ul.currency, rs.suite_plans, u.created_date_time, coalesce(u.usage_location, '') AS usage_location,
    CASE WHEN (SELECT yes FROM successful_populated) THEN u.last_successful_sign_in_date_time ELSE u.last_sign_in_date_time END AS last_sign_in,
    u.last_non_interactive_sign_in_date_time AS last_non_interactive
  FROM param.rules r
  JOIN param.rule_licences rs ON rs.rule = r.rule
  JOIN user_licenses ul ON ul.sku_id = rs.sku_id
  JOIN raw.users u ON lower(u.id) = ul.user_id
  CROSS JOIN run
  WHERE (r.disabled_accounts = 'include'
         OR (r.disabled_accounts = 'only' AND NOT ul.account_enabled)
         OR (r.disabled_accounts = 'exclude' AND ul.account_enabled))
    AND (r.include_guests OR ul.user_type IS DISTINCT FROM 'Guest')
    -- A failed assignment (state Error) holds no seat: licence_assignment_errors.
    AND ul.assignment_error = ''
    -- A suite whose matching plans are all disabled for the user gives no
    -- such service.
    AND (rs.suite_plan_ids IS NULL OR NOT list_has_all(ul.disabled_plans, rs.suite_plan_ids))
    -- Grace period: accounts created fewer than grace_days ago are left alone.
    AND (u.created_date_time IS NULL OR date_diff('day', u.created_date_time::DATE, run.as_of) >= r.grace_days)
),
-- Per user × signal: is it known, and the fewest days since activity over
-- its workloads (each against its own reference date).
sig AS (
  SELECT user_id, signal, bool_or(known) AS known,
    min(days_inactive) AS days,
    arg_min(workload, days_inactive) FILTER (WHERE days_inactive IS NOT NULL) AS source,
    arg_min(last_activity_date, days_inactive) FILTER (WHERE days_inactive IS NOT NULL) AS last_date,
    -- A report that should list the user does not (user_activity.report_match).
    min(source) FILTER (WHERE report_match = 'missing') AS missing_from,
    max(last_activity_date) AS last_seen
  FROM user_activity GROUP BY user_id, signal
),
-- The sign-in log's reach in days, counting its first day and the run
-- date: reclaim keeps what it has read (Microsoft keeps 30 days), so a user
-- with no app sign-in on record is idle for that long, not for ever.
log_days AS (
  SELECT date_diff('day', min(created_date_time)::DATE, (SELECT as_of FROM run)) + 1 AS days FROM raw.sign_ins
),
-- Per rule × user × signal. app_sign_in counts only the rule's apps
-- (param.rule_apps); it is unknown when one of them is (the log unread, or
-- no sign-in names its ids), and for a user with no sign-in to them on
-- record while the log reaches back fewer days than inactive_days.
rsig AS (
  SELECT c.rule, s.user_id, s.signal, s.known, s.days, s.source, s.last_date, s.missing_from, s.last_seen,
    NULL::VARCHAR AS unknown_why
  FROM (SELECT DISTINCT rule, user_id FROM cand) c JOIN sig s ON s.user_id = c.user_id
  WHERE s.signal <> 'app_sign_in'
  UNION ALL
  -- A rule without apps still gets its app_sign_in entry (no activity) so
  -- every recommendation lists every signal.
  SELECT c.rule, c.user_id, 'app_sign_in',
    CASE WHEN a.rule IS NULL THEN (SELECT available FROM signal_status WHERE signal = 'app_sign_in')
      ELSE a.known AND (a.days IS NOT NULL OR coalesce(l.days, 0) >= r.inactive_days) END,
    a.days, a.source, a.last_date, NULL, a.last_seen,
    CASE WHEN a.unseen IS NOT NULL THEN 'no successful sign-in in the log names the ids of app ' || a.unseen
      || ' (check its app_ids and resource_ids against the Entra sign-in log)'
      WHEN a.rule IS NOT NULL AND a.days IS NULL AND coalesce(l.days, 0) < r.inactive_days
      THEN 'no sign-in to ' || a.apps || ' on record, but the sign-in log reaches back only ' || coalesce(l.days, 0)
        || ' days, fewer than inactive_days ' || r.inactive_days END
  FROM (SELECT DISTINCT rule, user_id FROM cand) c
  JOIN param.rules r ON r.rule = c.rule
  CROSS JOIN log_days l
  LEFT JOIN (
    SELECT ra.rule, ua.user_id, bool_and(ua.known) AS known, min(ua.days_inactive) AS days,
      arg_min(ua.workload, ua.days_inactive) FILTER (WHERE ua.days_inactive IS NOT NULL) AS source,
      arg_min(ua.last_activity_date, ua.days_inactive) FILTER (WHERE ua.days_inactive IS NOT NULL) AS last_date,
      max(ua.last_activity_date) AS last_seen,
      string_agg(DISTINCT ua.workload, ', ' ORDER BY ua.workload) AS apps,
      string_agg(DISTINCT ua.workload, ', ' ORDER BY ua.workload) FILTER (WHERE NOT ua.known) AS unseen
    FROM user_activity ua
    JOIN param.rule_apps ra ON ra.app = ua.workload
    JOIN (SELECT DISTINCT rule, user_id FROM cand) c ON c.rule = ra.rule AND c.user_id = ua.user_id
    WHERE ua.signal = 'app_sign_in'
    GROUP BY ra.rule, ua.user_id
  ) a ON a.rule = c.rule AND a.user_id = c.user_id
),
status AS (SELECT signal, reason FROM signal_status),
eval AS (
  SELECT c.rule, c.user_id, c.sku_id,
    list_sort(list(rs.signal)) AS signals_counted,
    list_sort(coalesce(list(rs.signal) FILTER (WHERE NOT coalesce(s.known, false)), []::VARCHAR[])) AS signals_unknown,
    string_agg(rs.signal || ' unknown (' ||
      CASE WHEN coalesce(st.reason, '') <> '' THEN st.reason
           WHEN s.unknown_why IS NOT NULL THEN s.unknown_why
           WHEN s.missing_from IS NOT NULL THEN 'the user is licensed for it but not in ' || s.missing_from
             || ' (rows matched by user principal name: renamed since the report was cut?)'
           WHEN rs.signal = 'sign_in' THEN 'sign-in activity not readable for this user'
           ELSE 'not extracted' END || ')', '; ' ORDER BY rs.signal) FILTER (WHERE NOT coalesce(s.known, false)) AS unknown_reason,
    string_agg(rs.signal, ', ' ORDER BY rs.signal) FILTER (WHERE coalesce(s.known, false)) AS known_list,
    min(s.days) FILTER (WHERE s.known) AS days_inactive,
    arg_min(s.source, s.days) FILTER (WHERE s.known AND s.days IS NOT NULL) AS last_activity_source,
    arg_min(s.last_date, s.days) FILTER (WHERE s.known AND s.days IS NOT NULL) AS last_activity_date
  FROM cand c
  JOIN param.rule_signals rs ON rs.rule = c.rule
  LEFT JOIN rsig s ON s.rule = c.rule AND s.user_id = c.user_id AND s.signal = rs.signal
  LEFT JOIN status st ON st.signal = rs.signal
  GROUP BY c.rule, c.user_id, c.sku_id
),
-- Does the licence (minus the user's disabled plans) carry a mailbox or
-- OneDrive, and does the user keep data there?
carries AS (
  SELECT c.rule, c.user_id, c.sku_id,
    bool_or(p.plan_name LIKE 'EXCHANGE_S_%' AND p.plan_name <> 'EXCHANGE_S_FOUNDATION') AS exchange,
    bool_or((p.plan_name LIKE 'SHAREPOINT%' AND p.plan_name NOT LIKE 'SHAREPOINTWAC%') OR p.plan_name LIKE 'ONEDRIVE%') AS onedrive
  FROM cand c JOIN param.sku_plans p ON p.sku_id = c.sku_id
  WHERE NOT list_contains(c.disabled_plans, p.plan_id)
  GROUP BY ALL
),
mailbox AS (
  SELECT lower(u.id) AS user_id, max(coalesce(r.item_count, 0)) AS items, max(coalesce(r.storage_used_byte, 0)) AS bytes
  FROM raw.report_mailbox_usage_detail r JOIN raw.users u ON lower(u.user_principal_name) = lower(r.user_principal_name)
  WHERE NOT coalesce(r.is_deleted, false) GROUP BY u.id
),
drive AS (
  SELECT lower(u.id) AS user_id, max(coalesce(r.file_count, 0)) AS files, max(coalesce(r.storage_used_byte, 0)) AS bytes
  FROM raw.report_onedrive_usage_account_detail r JOIN raw.users u ON lower(u.user_principal_name) = lower(r.owner_principal_name)
  WHERE NOT coalesce(r.is_deleted, false) GROUP BY u.id
),
-- An empty mailbox or OneDrive still uses some bytes (system folders, the
-- empty library); only items and files are data a person could lose.
risk AS (
  SELECT k.rule, k.user_id, k.sku_id,
    concat_ws('; ',
      CASE WHEN k.exchange AND (SELECT reason FROM status WHERE signal = 'mailbox') <> ''
             THEN 'mailbox contents unknown: ' || (SELECT reason FROM status WHERE signal = 'mailbox')
           WHEN k.exchange AND ml.user_id IS NULL
             THEN 'mailbox contents unknown: the user is not in report_mailbox_usage_detail (rows matched by user principal name: renamed since the report was cut?)'
           WHEN k.exchange AND m.items > 0
             THEN 'mailbox holds ' || m.items || ' items (' || round(m.bytes / 1048576.0, 1) || ' MB)' END,
      CASE WHEN k.onedrive AND (SELECT reason FROM status WHERE signal = 'onedrive') <> ''
             AND (SELECT reason FROM status WHERE signal = 'onedrive') NOT LIKE 'report refreshed%'
             THEN 'OneDrive contents unknown: ' || (SELECT reason FROM status WHERE signal = 'onedrive')
           WHEN k.onedrive AND od.report_match = 'missing'
             THEN 'OneDrive contents unknown: the user is not in report_onedrive_usage_account_detail (rows matched by user principal name: renamed since the report was cut?)'
           WHEN k.onedrive AND d.files > 0
             THEN 'OneDrive holds ' || d.files || ' files (' || round(d.bytes / 1048576.0, 1) || ' MB)' END
    ) AS reason
  FROM carries k
  LEFT JOIN mailbox m ON m.user_id = k.user_id
  LEFT JOIN drive d ON d.user_id = k.user_id
  LEFT JOIN param.report_listed ml ON ml.user_id = k.user_id AND ml.signal = 'mailbox'
  LEFT JOIN user_activity od ON od.user_id = k.user_id AND od.signal = 'onedrive' AND od.workload = 'onedrive'
),
-- Evidence per user: one entry per signal, in catalogue order (the guard
-- reports are no signal), with its report's refresh date. Sign-ins keep the
-- directory's timestamps: the newer of the two.
ev AS (
  SELECT g.rule, g.user_id, list({'signal': g.signal,
      'last_activity': CASE WHEN g.signal = 'sign_in' THEN greatest(u.last_sign_in, u.last_non_interactive)
        ELSE g.last_seen::TIMESTAMP END,
      'refresh_date': st.report_refresh_date,
      'unknown': NOT coalesce(g.known, false)} ORDER BY o.ord) AS signals
  FROM rsig g
  JOIN param.signals o ON o.signal = g.signal AND NOT o.guard
  LEFT JOIN signal_status st ON st.signal = g.signal
  LEFT JOIN (SELECT DISTINCT user_id, last_sign_in, last_non_interactive FROM cand) u ON u.user_id = g.user_id
  GROUP BY g.rule, g.user_id
),
-- Project or Visio desktop activated (the Office activations report,
-- param.installations): installed, which is not use. The sign-in log cannot
-- tell their desktop use from any other Office app's, so a removal becomes
-- review and the reason says what was found.
installed AS (
  SELECT c.rule, c.user_id, c.sku_id,
    string_agg(DISTINCT i.product || ' desktop activated on ' || (coalesce(r.windows, 0) + coalesce(r.mac, 0)) || ' computer(s)'
      || coalesce(', last on ' || strftime(r.last_activated_date, '%Y-%m-%d'), ''), '; ') AS reason
  FROM cand c
  JOIN param.sku_plans p ON p.sku_id = c.sku_id AND NOT list_contains(c.disabled_plans, p.plan_id)
  JOIN param.installations i ON p.plan_name = i.plan
  JOIN raw.report_office365_activations_user_detail r
    ON lower(r.user_principal_name) = lower(c.user_principal_name) AND upper(r.product_type) LIKE i.product_type
  WHERE coalesce(r.windows, 0) + coalesce(r.mac, 0) > 0
  GROUP BY ALL
),
judged AS (
  SELECT c.*, e.signals_counted, e.signals_unknown, e.unknown_reason, e.days_inactive,
    e.last_activity_source, e.last_activity_date,
    coalesce(rk.reason, '') AS risk_reason,
    coalesce(ins.reason, '') AS installed_reason,
    CASE WHEN e.days_inactive IS NOT NULL
      THEN 'no activity on ' || coalesce(e.known_list, '-') || ' for ' || e.days_inactive || ' days (threshold '
           || c.inactive_days || '; last ' || e.last_activity_source || ' on ' || strftime(e.last_activity_date, '%Y-%m-%d') || ')'
      WHEN e.known_list IS NOT NULL
      THEN 'no activity ever recorded on ' || e.known_list || CASE WHEN c.created_date_time IS NOT NULL
           THEN '; account created ' || date_diff('day', c.created_date_time::DATE, run.as_of) || ' days ago' ELSE '' END
           || ' (threshold ' || c.inactive_days || ')'
      ELSE 'no counted signal is known'
    END AS base_reason
  FROM cand c
  JOIN eval e USING (rule, user_id, sku_id)
  LEFT JOIN risk rk USING (rule, user_id, sku_id)
  LEFT JOIN installed ins USING (rule, user_id, sku_id)
  CROSS JOIN run
  -- Active on a known signal within the threshold: nothing to say. Never
  -- active: only once the account is older than the threshold.
  WHERE (e.days_inactive IS NOT NULL AND e.days_inactive >= c.inactive_days)
     OR (e.days_inactive IS NULL AND (c.created_date_time IS NULL
         OR date_diff('day', c.created_date_time::DATE, run.as_of) >= c.inactive_days))
),
decided AS (
  SELECT j.*,
    CASE
      WHEN j.rule_action = 'report' THEN 'report'
      WHEN j.suite_plans IS NOT NULL THEN 'review'
      WHEN len(j.signals_unknown) > 0 THEN 'review'
      WHEN j.risk_reason <> '' AND NOT j.allow_data_at_risk THEN 'review'
      WHEN j.installed_reason <> '' THEN 'review'
      WHEN j.assigned_directly AND len(j.assigned_by_groups) > 0 THEN 'review'
      WHEN j.assigned_directly THEN 'remove_license'
      WHEN j.allow_group_removal AND len(j.assigned_by_groups) = 1 THEN 'remove_from_group'
      ELSE 'review'
    END AS action,
    CASE
      WHEN j.rule_action = 'report' THEN 'report only: ' || j.base_reason
        || CASE WHEN j.installed_reason <> '' THEN '; installed, which is not use: ' || j.installed_reason ELSE '' END
        || CASE WHEN len(j.signals_unknown) > 0 THEN '; ' || j.unknown_reason ELSE '' END
      WHEN j.suite_plans IS NOT NULL THEN j.base_reason || '; suite decision: ' || coalesce(nullif(j.sku_part_number, ''), j.sku_id)
        || ' carries ' || array_to_string(j.suite_plans, ', ') || ' inside a suite: this rule never removes a suite; decide the suite as a whole'
        || CASE WHEN len(j.signals_unknown) > 0 THEN '; cannot confirm inactivity: ' || j.unknown_reason ELSE '' END
      WHEN len(j.signals_unknown) > 0 THEN j.base_reason || '; cannot confirm inactivity: ' || j.unknown_reason
      WHEN j.risk_reason <> '' AND NOT j.allow_data_at_risk THEN j.base_reason || '; data at risk: ' || j.risk_reason || ' and allow_data_at_risk is off'
      WHEN j.installed_reason <> '' THEN j.base_reason || '; installed, which is not use: ' || j.installed_reason
        || ' (the Office activations report; desktop use leaves no sign-in of its own): review with the user'
      WHEN j.assigned_directly AND len(j.assigned_by_groups) > 0 THEN j.base_reason || '; held directly and through group '
        || array_to_string(j.assigned_by_groups, ', ') || ': removing the direct assignment frees no seat'
      WHEN j.assigned_directly THEN j.base_reason
      WHEN j.allow_group_removal AND len(j.assigned_by_groups) = 1 THEN j.base_reason || '; licence comes only from group ' || j.assigned_by_groups[1]
      WHEN len(j.assigned_by_groups) > 1 THEN j.base_reason || '; licence inherited through groups '
        || array_to_string(j.assigned_by_groups, ', ') || ': removing the user from one group frees no seat'
      ELSE j.base_reason || '; licence inherited from group ' || array_to_string(j.assigned_by_groups, ', ') || ' and allow_group_removal is off'
    END AS reason
  FROM judged j
)
SELECT run.snapshot_date, run.as_of,
  d.user_id, d.user_principal_name, d.display_name, d.user_type, d.sku_id, d.sku_part_number,
  d.rule, d.action, d.reason,
  d.assigned_directly,
  CASE WHEN len(d.assigned_by_groups) = 1 THEN d.assigned_by_groups[1] ELSE '' END AS assigned_by_group,
  d.assigned_by_groups, d.disabled_plans, d.account_enabled, d.created_date_time,
  d.inactive_days::BIGINT AS inactive_days,
  d.last_activity_date, coalesce(d.last_activity_source, '') AS last_activity_source, d.days_inactive,
  d.signals_counted, d.signals_unknown,
  d.last_sign_in AS last_sign_in_date_time, d.last_non_interactive AS last_non_interactive_sign_in_date_time,
  ev.signals,
  d.risk_reason <> '' AS data_at_risk, d.risk_reason AS data_at_risk_reason,
  -- Removing a direct assignment that a group also provides frees nothing.
  -- Nor does a suite this rule only reports (it removes no suite).
  CASE WHEN d.assigned_directly AND len(d.assigned_by_groups) > 0 OR d.suite_plans IS NOT NULL THEN 0.0 ELSE d.price_monthly END AS monthly_saving,
  CASE WHEN d.assigned_directly AND len(d.assigned_by_groups) > 0 OR d.suite_plans IS NOT NULL THEN 0.0 ELSE d.price_monthly * 12 END AS yearly_saving,
  d.currency,
  sp.suppressed_by IS NOT NULL AS suppressed, coalesce(sp.suppressed_by, '') AS suppressed_by,
  -- A direct removal whose undo (assignLicense adding it back) cannot
  -- succeed as things stand: apply refuses it without allow_one_way.
  CASE WHEN d.action <> 'remove_license' THEN []::VARCHAR[] ELSE list_filter([
    CASE WHEN d.usage_location = '' THEN 'the user has no usageLocation: no licence can be assigned to them again until one is set' END,
    CASE WHEN ss.capability_status IS NOT NULL AND ss.capability_status <> 'Enabled'
      THEN 'the subscription is ' || ss.capability_status || ': a removed licence may not be assignable again' END,
    CASE WHEN coalesce(ss.prepaid_warning, 0) > 0
      THEN ss.prepaid_warning || ' seat(s) are expiring (warning): the seat may be gone at undo time' END,
    CASE WHEN ss.prepaid_enabled < ss.consumed_units
      THEN ss.consumed_units || ' seats assigned but ' || ss.prepaid_enabled || ' enabled: the freed seat leaves none to re-add' END,
    -- raw.subscriptions (reclaim_subscriptions only; empty when unreadable:
    -- trial status unknown, no mark).
    CASE WHEN sb.trial THEN 'the subscription is a trial: a removed seat may not be re-added once the trial ends' END,
    CASE WHEN sb.ending THEN 'the subscription ' || CASE WHEN sb.ends IS NOT NULL THEN 'ends on ' || strftime(sb.ends, '%Y-%m-%d')
      ELSE 'is not Enabled' END || ': a removed seat may not be re-added after that' END
  ], x -> x IS NOT NULL) END AS one_way_reasons
FROM decided d
LEFT JOIN (SELECT lower(sku_id) AS sku_id, any_value(capability_status) AS capability_status, sum(prepaid_enabled) AS prepaid_enabled,
    sum(prepaid_warning) AS prepaid_warning, sum(consumed_units) AS consumed_units FROM raw.subscribed_skus GROUP BY ALL) ss ON ss.sku_id = d.sku_id
-- A SKU ends when every subscription of it is no longer Enabled or reaches
-- its next lifecycle state (expiry unless renewed) within 30 days.
LEFT JOIN (SELECT lower(sku_id) AS sku_id, bool_or(is_trial) AS trial,
    bool_and(status <> 'Enabled' OR coalesce(next_lifecycle_date_time::DATE <= (SELECT as_of FROM param.run) + 30, false)) AS ending,
    max(next_lifecycle_date_time) AS ends FROM raw.subscriptions GROUP BY ALL) sb ON sb.sku_id = d.sku_id
LEFT JOIN ev ON ev.rule = d.rule AND ev.user_id = d.user_id
LEFT JOIN param.suppression sp ON sp.user_id = d.user_id AND sp.sku_id = d.sku_id
CROSS JOIN run
ORDER BY d.ord, d.user_principal_name, d.sku_part_number, d.sku_id;
