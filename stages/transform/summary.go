package transform

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/reclaimhq/reclaim/pipeline/report"
	"github.com/reclaimhq/reclaim/schemas"
)

// Summary is the people-facing digest of a run (licence position per SKU,
// counts and savings per rule, top savings, inactivity distribution,
// signal trust): plain data the stage returns in its result, which
// pipeline/ui renders.
type Summary = report.Summary

// TopSavingsLimit is how many recommendations Summary.TopSavings lists.
const TopSavingsLimit = 10

// summarize reads the curated tables still held by the engine. Sections
// whose tables were not written stay empty.
func summarize(ctx context.Context, e *engine, req Request, res *Result) (*Summary, error) {
	s := &Summary{Profile: req.Profile, SnapshotDate: req.SnapshotDate, AsOf: req.AsOf}
	cat := req.Config.SKUCatalog() // a nil Config gives the embedded catalogue
	written := map[string]bool{}
	for _, t := range res.Tables {
		// A computed table is in the engine though not written (--only).
		written[t.Name] = t.Status == StatusWritten || t.Status == StatusComputed
		if t.Status != StatusComputed {
			s.Tables = append(s.Tables, report.TableLine{Name: t.Name, Status: t.Status, Reason: t.Reason, Rows: t.Rows})
		}
	}
	q := func(query string, scan func(*sql.Rows) error) error {
		rows, err := e.conn.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if err := q(`SELECT currency FROM param.prices GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1`,
		func(r *sql.Rows) error { return r.Scan(&s.Currency) }); err != nil {
		return nil, err
	}
	if written["licence_position"] {
		var held []string
		err := q(`SELECT CASE WHEN sku_part_number <> '' THEN sku_part_number ELSE sku_id END, sku_id,
			purchased_enabled + purchased_warning, assigned, active, inactive, unknown, unassigned,
			price_monthly, monthly_cost, monthly_waste FROM licence_position`, func(r *sql.Rows) error {
			var p report.PositionLine
			var skuID string
			if err := r.Scan(&p.SKU, &skuID, &p.Purchased, &p.Assigned, &p.Active, &p.Inactive, &p.Unknown, &p.Unassigned,
				&p.PriceMonthly, &p.MonthlyCost, &p.MonthlyWaste); err != nil {
				return err
			}
			p.SKUName = cat.Name(p.SKU)
			held = append(held, p.SKU, skuID)
			if p.MonthlyCost != nil {
				s.MonthlyCost += *p.MonthlyCost
			}
			if p.MonthlyWaste != nil {
				s.MonthlyWaste += *p.MonthlyWaste
			}
			s.Positions = append(s.Positions, p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("licence position: %w", err)
		}
		if req.Config != nil {
			for _, ref := range req.Config.UnsubscribedSKUs(req.Profile, held) {
				s.Unsubscribed = append(s.Unsubscribed, report.SKURefLine{Where: ref.Where, SKU: ref.SKU, At: ref.At()})
			}
		}
	}
	if written["recommendations"] {
		err := q(`SELECT r.rule, r.action, count(*) FILTER (WHERE NOT suppressed), count(*) FILTER (WHERE suppressed),
			coalesce(sum(monthly_saving) FILTER (WHERE NOT suppressed), 0)
			FROM recommendations r LEFT JOIN param.rules p ON p.rule = r.rule
			GROUP BY r.rule, r.action ORDER BY min(p.ord), r.rule,
			  CASE r.action WHEN 'remove_license' THEN 1 WHEN 'remove_from_group' THEN 2 WHEN 'review' THEN 3 ELSE 4 END`,
			func(r *sql.Rows) error {
				var l report.RuleLine
				if err := r.Scan(&l.Rule, &l.Action, &l.Count, &l.Suppressed, &l.MonthlySaving); err != nil {
					return err
				}
				if l.Action == schemas.RecommendRemoveLicense || l.Action == schemas.RecommendRemoveFromGroup {
					s.MonthlySaving += l.MonthlySaving
				}
				s.Rules = append(s.Rules, l)
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		err = q(fmt.Sprintf(`SELECT user_principal_name, CASE WHEN sku_part_number <> '' THEN sku_part_number ELSE sku_id END,
			rule, action, days_inactive, monthly_saving FROM recommendations
			WHERE NOT suppressed AND action IN ('remove_license', 'remove_from_group') AND monthly_saving > 0
			ORDER BY monthly_saving DESC, days_inactive DESC NULLS FIRST, user_principal_name, rule LIMIT %d`, TopSavingsLimit),
			func(r *sql.Rows) error {
				var l report.SavingLine
				if err := r.Scan(&l.UserPrincipalName, &l.SKU, &l.Rule, &l.Action, &l.DaysInactive, &l.MonthlySaving); err != nil {
					return err
				}
				l.SKUName = cat.Name(l.SKU)
				s.TopSavings = append(s.TopSavings, l)
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("top savings: %w", err)
		}
	}
	if written["user_activity"] && written["user_licenses"] {
		err := q(`WITH u AS (
			  SELECT a.user_id, bool_or(a.known) AS known, min(a.days_inactive) FILTER (WHERE a.known) AS d
			  FROM user_activity a WHERE a.user_id IN (SELECT user_id FROM user_licenses) GROUP BY a.user_id),
			b AS (SELECT CASE WHEN NOT known THEN 7 WHEN d IS NULL THEN 6 WHEN d < 30 THEN 1 WHEN d < 60 THEN 2
			  WHEN d < 90 THEN 3 WHEN d < 180 THEN 4 ELSE 5 END AS k FROM u),
			labels(k, label) AS (VALUES (1, '0-29 days'), (2, '30-59 days'), (3, '60-89 days'), (4, '90-179 days'),
			  (5, '180+ days'), (6, 'never active'), (7, 'unknown'))
			SELECT l.label, count(b.k) FROM labels l LEFT JOIN b ON b.k = l.k GROUP BY l.k, l.label ORDER BY l.k`,
			func(r *sql.Rows) error {
				var k report.Bucket
				if err := r.Scan(&k.Label, &k.Users); err != nil {
					return err
				}
				s.Inactivity = append(s.Inactivity, k)
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("inactivity: %w", err)
		}
	}
	if written["signal_status"] {
		err := q(`SELECT signal, source, available, reason, report_refresh_date, lag_days,
			  signal IN (SELECT signal FROM param.rule_signals) OR signal = 'mailbox' AND EXISTS (SELECT 1 FROM param.rules)
			FROM signal_status`, func(r *sql.Rows) error {
			var l report.SignalLine
			if err := r.Scan(&l.Signal, &l.Source, &l.Available, &l.Reason, &l.RefreshDate, &l.LagDays, &l.Counted); err != nil {
				return err
			}
			s.Signals = append(s.Signals, l)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("signals: %w", err)
		}
	}
	findings := []struct{ table, name, query string }{
		{"consolidation", "Dynamics 365 bases to turn into attach licences", `SELECT count(*), sum(monthly_saving) FROM consolidation WHERE NOT suppressed`},
		{"overlapping_suites", "Licences covered by a larger suite", `SELECT count(*), sum(monthly_saving) FROM overlapping_suites WHERE NOT suppressed`},
		{"disabled_licensed_accounts", "Paid licences on disabled accounts", `SELECT count(*), sum(price_monthly) FROM disabled_licensed_accounts WHERE NOT suppressed`},
		{"licence_assignment_errors", "Licence assignments Microsoft failed (fix in Entra; not reclaimed)", `SELECT count(*), NULL::DOUBLE FROM licence_assignment_errors`},
		{"unassigned_licences", "Purchased units nobody holds", `SELECT coalesce(sum(unassigned), 0), sum(monthly_waste) FROM unassigned_licences`},
	}
	for _, f := range findings {
		if !written[f.table] {
			continue
		}
		l := report.FindingLine{Name: f.name}
		if err := q(f.query, func(r *sql.Rows) error { return r.Scan(&l.Count, &l.MonthlySaving) }); err != nil {
			return nil, fmt.Errorf("%s: %w", f.table, err)
		}
		s.Findings = append(s.Findings, l)
	}
	return s, nil
}
