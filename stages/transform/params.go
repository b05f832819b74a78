package transform

import (
	"context"
	"fmt"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// paramDDL creates the parameter tables the SQL reads. Every value that is
// not in the snapshot — the run date, rules, exclusions, prices — reaches
// the SQL through these tables, filled with bound parameters (never by
// pasting text), so a run is reproducible from the snapshot and the config.
const paramDDL = `
CREATE TABLE param.run (as_of DATE, snapshot_date DATE, stale_report_days INTEGER, lookback_days INTEGER, profile VARCHAR);
CREATE TABLE param.raw_tables (name VARCHAR, present BOOLEAN, reason VARCHAR);
CREATE TABLE param.rules (rule VARCHAR, ord INTEGER, inactive_days INTEGER, grace_days INTEGER,
  disabled_accounts VARCHAR, include_guests BOOLEAN, action VARCHAR, max_actions INTEGER,
  allow_group_removal BOOLEAN, allow_data_at_risk BOOLEAN);
CREATE TABLE param.rule_skus (rule VARCHAR, sku_ref VARCHAR);
CREATE TABLE param.rule_service_plans (rule VARCHAR, pattern VARCHAR);
CREATE TABLE param.rule_signals (rule VARCHAR, signal VARCHAR);
CREATE TABLE param.rule_apps (rule VARCHAR, app VARCHAR);
CREATE TABLE param.app_ids (app VARCHAR, kind VARCHAR, id VARCHAR);
CREATE TABLE param.exclusions (name VARCHAR, ord INTEGER, has_user_selector BOOLEAN, has_sku_selector BOOLEAN);
CREATE TABLE param.exclusion_users (name VARCHAR, ref VARCHAR);
CREATE TABLE param.exclusion_groups (name VARCHAR, group_id VARCHAR);
CREATE TABLE param.exclusion_skus (name VARCHAR, sku_ref VARCHAR);
CREATE TABLE param.exclusion_when (name VARCHAR, user_id VARCHAR);
CREATE TABLE param.prices (sku_ref VARCHAR, monthly DOUBLE, currency VARCHAR);
CREATE TABLE param.consolidation (rule VARCHAR, ord INTEGER, product_ord INTEGER, base_ref VARCHAR, attach_ref VARCHAR);
`

// loadParams fills the parameter tables from the request. The exclusion
// `when` expressions are evaluated here, against raw.users, so their errors
// can name the exclusion's source range.
func loadParams(ctx context.Context, e *engine, req *Request, rawStatus map[string]string) error {
	if err := e.exec(ctx, paramDDL); err != nil {
		return fmt.Errorf("creating parameter tables: %w", err)
	}
	cfg := req.Config
	lookback := 90
	if p := cfg.Profiles[req.Profile]; p != nil && p.LookbackDays > 0 {
		lookback = p.LookbackDays
	}
	ins := func(table string, args ...any) error {
		q := "INSERT INTO param." + table + " VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ")"
		if err := e.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("filling param.%s: %w", table, err)
		}
		return nil
	}
	if err := ins("run", req.AsOf, req.SnapshotDate, req.StaleReportDays, lookback, req.Profile); err != nil {
		return err
	}
	for name, reason := range rawStatus {
		if err := ins("raw_tables", name, reason == "", reason); err != nil {
			return err
		}
	}
	ord := 0
	// The apps the rules' app_sign_in counts, in first-use order: they are
	// app_sign_in's workloads in this run.
	var apps []string
	appIDs := map[string]bool{}
	for _, r := range cfg.ReclaimRules {
		if !r.AppliesTo(req.Profile) {
			continue
		}
		ord++
		disabled := r.DisabledAccounts
		if disabled == "" {
			disabled = config.DefaultDisabledAccounts
		}
		action := string(r.Action)
		if action == "" {
			// The same default as the language: a rule never removes
			// anything unless it says so.
			action = string(config.DefaultAction)
		}
		if err := ins("rules", r.Name, ord, r.InactiveDays, r.GraceDays, disabled, r.IncludeGuests, action,
			r.MaxActions, r.AllowGroupRemoval, r.AllowDataAtRisk); err != nil {
			return err
		}
		for _, s := range r.SKUs {
			if err := ins("rule_skus", r.Name, s); err != nil {
				return err
			}
		}
		for _, p := range r.ServicePlans {
			if err := ins("rule_service_plans", r.Name, likePattern(p)); err != nil {
				return err
			}
		}
		signals := r.Signals
		if len(signals) == 0 {
			signals = config.AllSignals
		}
		for _, s := range signals {
			if err := ins("rule_signals", r.Name, string(s)); err != nil {
				return err
			}
		}
		for _, a := range r.Apps {
			if err := ins("rule_apps", r.Name, a.Name); err != nil {
				return err
			}
			if appIDs[a.Name] {
				continue
			}
			appIDs[a.Name] = true
			apps = append(apps, a.Name)
			for _, id := range a.AppIDs {
				if err := ins("app_ids", a.Name, "app_id", strings.ToLower(id)); err != nil {
					return err
				}
			}
			for _, id := range a.ResourceIDs {
				if err := ins("app_ids", a.Name, "resource_id", strings.ToLower(id)); err != nil {
					return err
				}
			}
		}
	}
	ord = 0
	for _, x := range cfg.Exclusions {
		if !x.AppliesTo(req.Profile) {
			continue
		}
		ord++
		hasUser := len(x.Users) > 0 || len(x.Groups) > 0 || strings.TrimSpace(x.When) != ""
		if err := ins("exclusions", x.Name, ord, hasUser, len(x.SKUs) > 0); err != nil {
			return err
		}
		for _, u := range x.Users {
			if err := ins("exclusion_users", x.Name, u); err != nil {
				return err
			}
		}
		for _, g := range x.Groups {
			if err := ins("exclusion_groups", x.Name, g); err != nil {
				return err
			}
		}
		for _, s := range x.SKUs {
			if err := ins("exclusion_skus", x.Name, s); err != nil {
				return err
			}
		}
		if strings.TrimSpace(x.When) != "" {
			if err := evalWhen(ctx, e, x); err != nil {
				return err
			}
		}
	}
	for ref, p := range cfg.Prices {
		cur := p.Currency
		if cur == "" {
			cur = config.DefaultCurrency
		}
		if err := ins("prices", ref, p.MonthlyAmount(), cur); err != nil {
			return err
		}
	}
	ord = 0
	for _, c := range cfg.ConsolidationRules {
		if !c.AppliesTo(req.Profile) {
			continue
		}
		ord++
		for i, p := range c.Products {
			if err := ins("consolidation", c.Name, ord, i+1, p.Base, p.Attach); err != nil {
				return err
			}
		}
	}
	return loadCatalogue(ctx, e, apps)
}

// evalWhen runs an exclusion's `when` expression as the WHERE of a query over
// raw.users and records the users it matches. DuckDB's parser
// (pipeline/sqlcheck) first checks it is one boolean expression with no
// sub-query or session function, as validate did, so a config edited since
// cannot slip past; DuckDB's own errors are reported at the expression's
// source range, first line only (a conversion error quotes the value it
// could not convert).
func evalWhen(ctx context.Context, e *engine, x *config.Exclusion) error {
	at := whenAt(x)
	if err := checkWhen(x); err != nil {
		return err
	}
	q := "INSERT INTO param.exclusion_when SELECT ?, id FROM raw.users WHERE (\n" + x.When + "\n)"
	if err := e.exec(ctx, q, x.Name); err != nil {
		return fmt.Errorf("%s: exclusion %q: when: %s", at, x.Name, firstLine(strings.TrimSpace(err.Error())))
	}
	return nil
}

// likePattern turns a config service plan pattern (* any run) into a SQL
// LIKE pattern with \ as its escape: "_" in a plan name is a letter.
func likePattern(p string) string {
	r := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`, "*", "%")
	return r.Replace(strings.ToUpper(p))
}
