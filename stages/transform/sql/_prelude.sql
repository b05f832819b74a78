-- Helper views over the raw snapshot and the parameter tables, shared by the
-- curated queries. Run once per transform, after the parameter tables are
-- filled. Views only: nothing here reads the clock or writes files.

-- GUIDs compare case-insensitively (Microsoft sends some in upper case):
-- extract writes them in lower case, and every view and query here lowers
-- the ids it joins on too, so a snapshot written otherwise still joins.

-- Does a config SKU reference (part number or GUID, any case) name this
-- subscribed SKU? The one spelling of the match every query uses.
CREATE MACRO param.names_sku(ref, sku_id, sku_part_number) AS lower(ref) IN (lower(sku_id), lower(sku_part_number));

-- The directory as the signal fragments (sql/signals/*.sql) and the report
-- views join it: ids and UPNs lowered.
CREATE VIEW param.directory_users AS
SELECT lower(id) AS id, lower(user_principal_name) AS upn,
  last_sign_in_date_time, last_successful_sign_in_date_time, last_non_interactive_sign_in_date_time
FROM raw.users;

-- lastSignInDateTime counts failed attempts too. Once the tenant populates
-- lastSuccessfulSignInDateTime for anyone, a user without it has no
-- successful interactive sign-in on record; only a tenant that never
-- populates it falls back to lastSignInDateTime.
CREATE VIEW param.successful_sign_ins_populated AS
SELECT count(last_successful_sign_in_date_time) > 0 AS yes FROM raw.users;

-- Every config SKU reference against the tenant's subscribed SKUs.
CREATE VIEW param.sku_prices AS
SELECT lower(s.sku_id) AS sku_id, s.sku_part_number, p.monthly, p.currency
FROM raw.subscribed_skus s
JOIN param.prices p ON param.names_sku(p.sku_ref, s.sku_id, s.sku_part_number)
QUALIFY row_number() OVER (PARTITION BY lower(s.sku_id) ORDER BY lower(p.sku_ref) = lower(s.sku_id) DESC, p.sku_ref) = 1;

-- The price of a reference that may name a SKU the tenant does not
-- subscribe to (e.g. an attach SKU).
CREATE VIEW param.ref_prices AS
SELECT p.sku_ref, p.monthly, p.currency, lower(s.sku_id) AS sku_id, s.sku_part_number
FROM param.prices p
LEFT JOIN raw.subscribed_skus s ON param.names_sku(p.sku_ref, s.sku_id, s.sku_part_number);

CREATE VIEW param.rule_sku_ids AS
SELECT DISTINCT r.rule, lower(s.sku_id) AS sku_id
FROM param.rule_skus r
JOIN raw.subscribed_skus s ON param.names_sku(r.sku_ref, s.sku_id, s.sku_part_number)
UNION
-- A GUID the tenant does not list in subscribedSkus can still be held.
SELECT DISTINCT r.rule, lower(a.sku_id)
FROM param.rule_skus r
JOIN raw.user_license_assignments a ON lower(r.sku_ref) = lower(a.sku_id);

-- Users matched by an exclusion's user selectors (users, groups, when).
CREATE VIEW param.exclusion_user_ids AS
SELECT x.name, lower(u.id) AS user_id
FROM param.exclusion_users x
JOIN raw.users u ON lower(x.ref) IN (lower(u.id), lower(u.user_principal_name))
UNION
SELECT g.name, lower(m.member_id)
FROM param.exclusion_groups g
JOIN raw.group_members m ON lower(m.group_id) = lower(g.group_id)
UNION
SELECT name, lower(user_id) FROM param.exclusion_when;

-- The first exclusion (config order) matching each held user × SKU. An
-- exclusion with no user selector matches every user; with no SKU selector
-- every SKU. When an exclusion names groups but group membership is not in
-- the snapshot, nobody can be proven outside it: it matches everyone.
CREATE VIEW param.suppression AS
WITH held AS (SELECT DISTINCT lower(user_id) AS user_id, lower(sku_id) AS sku_id FROM raw.user_license_assignments),
groups_unknown AS (
  SELECT DISTINCT g.name FROM param.exclusion_groups g, param.raw_tables t
  WHERE t.name = 'group_members' AND NOT t.present
)
SELECT h.user_id, h.sku_id, x.name AS suppressed_by
FROM held h
JOIN param.exclusions x ON
  (NOT x.has_user_selector
   OR x.name IN (SELECT name FROM groups_unknown)
   OR EXISTS (SELECT 1 FROM param.exclusion_user_ids e WHERE e.name = x.name AND e.user_id = h.user_id))
  AND
  (NOT x.has_sku_selector
   OR EXISTS (SELECT 1 FROM param.exclusion_skus s JOIN raw.subscribed_skus k
              ON param.names_sku(s.sku_ref, k.sku_id, k.sku_part_number)
              WHERE s.name = x.name AND lower(k.sku_id) = h.sku_id)
   OR EXISTS (SELECT 1 FROM param.exclusion_skus s WHERE s.name = x.name AND lower(s.sku_ref) = lower(h.sku_id)))
QUALIFY row_number() OVER (PARTITION BY h.user_id, h.sku_id ORDER BY x.ord) = 1;

-- The service plans of each subscribed SKU: ids in lower case, names in
-- upper case, for LIKE 'EXCHANGE_S_%' and the like.
CREATE VIEW param.sku_plans AS
SELECT lower(sku_id) AS sku_id, lower(unnest(service_plan_ids)) AS plan_id, upper(unnest(service_plan_names)) AS plan_name
FROM raw.subscribed_skus;

-- The SKUs a rule covers: those its skus name (suite_plans NULL), and
-- those carrying a service plan its service_plans match that it does not
-- name: suites holding the plan (suite_plans: the matching plans' names,
-- suite_plan_ids their ids).
CREATE VIEW param.rule_licences AS
SELECT rule, sku_id, NULL::VARCHAR[] AS suite_plans, NULL::VARCHAR[] AS suite_plan_ids FROM param.rule_sku_ids
UNION ALL
SELECT r.rule, p.sku_id, list_sort(list(DISTINCT p.plan_name)), list(DISTINCT p.plan_id)
FROM param.rule_service_plans r
JOIN param.sku_plans p ON p.plan_name LIKE r.pattern ESCAPE '\'
WHERE NOT EXISTS (SELECT 1 FROM param.rule_sku_ids s WHERE s.rule = r.rule AND s.sku_id = p.sku_id)
GROUP BY r.rule, p.sku_id;

-- Which usage reports should list each user: Microsoft's user-detail reports
-- list the users licensed for the workload (a working assignment whose
-- service plan for it is not disabled: param.signal_licences, from the
-- signal catalogue). A user the report should list but
-- does not (renamed since the report was cut, or the report was cut short)
-- is unknown for that signal, never "no activity" or "no data".
CREATE VIEW param.report_expected AS
WITH held AS (
  SELECT lower(user_id) AS user_id, lower(sku_id) AS sku_id,
    list_transform(coalesce(disabled_plans, []::VARCHAR[]), x -> lower(x)) AS disabled
  FROM raw.user_license_assignments WHERE coalesce(state, '') <> 'Error'
)
SELECT DISTINCT h.user_id, w.signal
FROM held h
JOIN param.sku_plans p ON p.sku_id = h.sku_id AND NOT list_contains(h.disabled, p.plan_id)
JOIN param.signal_licences w ON p.plan_name LIKE w.pattern
WHERE p.plan_name <> 'EXCHANGE_S_FOUNDATION' AND p.plan_name NOT LIKE 'SHAREPOINTWAC%'
UNION
-- The active-users report lists every licensed user.
SELECT DISTINCT user_id, 'office365' FROM held;

-- Which users each usage report lists, and how the row was matched to the
-- user: by Entra object id where the report carries one (Teams' User Id),
-- else by user principal name (the other reports have no id; a user renamed
-- after the report was cut is then not found, and is unknown, see
-- report_expected). Deleted rows count as listed. param.report_rows holds
-- every report of the signal catalogue.
CREATE VIEW param.report_listed AS
WITH users AS (SELECT id, upn FROM param.directory_users),
rows AS (SELECT signal, upn, uid FROM param.report_rows)
-- 'user_id' sorts before 'user_principal_name': a match by id wins.
SELECT user_id, signal, min(matched_by) AS matched_by FROM (
  SELECT u.id AS user_id, r.signal, 'user_id' AS matched_by FROM rows r JOIN users u ON u.id = r.uid WHERE r.uid <> ''
  UNION ALL
  SELECT u.id, r.signal, 'user_principal_name' FROM rows r JOIN users u ON u.upn = r.upn WHERE r.uid = ''
) GROUP BY ALL;

