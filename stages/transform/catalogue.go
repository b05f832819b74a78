package transform

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/reclaimhq/reclaim/schemas"
)

// The signal catalogue (schemas.Signals) reaches the SQL as parameter
// tables, so no query lists signals, their order or their reports:
//
//	param.signals           signal, ord, status_source, guard: one row per
//	                        signal and guard report (ord is the output order)
//	param.signal_workloads  signal, workload, source, ord, is_report
//	param.signal_licences   signal, pattern: service plans whose holders a
//	                        usage report lists
//	param.installations     product, plan, product_type: desktop apps whose
//	                        activation is installation evidence
//	param.report_rows       (view) signal, source, upn, uid,
//	                        report_refresh_date: every usage report's rows
//	param.signal_activity   (view) user_id, signal, workload,
//	                        last_activity_date: the fragments of
//	                        sql/signals/, one per signal, glued by UNION ALL
const catalogueDDL = `
CREATE TABLE param.signals (signal VARCHAR, ord INTEGER, status_source VARCHAR, guard BOOLEAN);
CREATE TABLE param.signal_workloads (signal VARCHAR, workload VARCHAR, source VARCHAR, ord INTEGER, is_report BOOLEAN);
CREATE TABLE param.signal_licences (signal VARCHAR, pattern VARCHAR);
CREATE TABLE param.installations (product VARCHAR, plan VARCHAR, product_type VARCHAR);
`

// loadCatalogue fills the catalogue's parameter tables and creates
// param.report_rows, which the prelude reads. apps are app_sign_in's
// workloads in this run: the apps the rules name, not every app the
// catalogue knows (each workload is a row per user in user_activity).
func loadCatalogue(ctx context.Context, e *engine, apps []string) error {
	if err := e.exec(ctx, catalogueDDL); err != nil {
		return fmt.Errorf("creating the signal catalogue tables: %w", err)
	}
	ins := func(table string, args ...any) error {
		q := "INSERT INTO param." + table + " VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ")"
		if err := e.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("filling param.%s: %w", table, err)
		}
		return nil
	}
	ord, wlOrd := 0, 0
	for _, s := range schemas.Signals {
		ord++
		status := ""
		if len(s.Reports) > 0 {
			status = s.Reports[0].Table
		}
		if err := ins("signals", s.Name, ord, status, false); err != nil {
			return err
		}
		workloads := s.Workloads
		if s.Name == schemas.SignalAppSignIn {
			workloads = nil
			for _, a := range apps {
				workloads = append(workloads, schemas.Workload{Name: a, Source: schemas.TableSignIns})
			}
		}
		for _, w := range workloads {
			wlOrd++
			if err := ins("signal_workloads", s.Name, w.Name, w.Source, wlOrd, len(s.Reports) > 0); err != nil {
				return err
			}
		}
		for _, p := range s.LicensedBy {
			if err := ins("signal_licences", s.Name, p); err != nil {
				return err
			}
		}
	}
	for _, i := range schemas.Installations {
		if err := ins("installations", i.Product, i.Plan, i.ProductType); err != nil {
			return err
		}
	}
	for _, g := range schemas.GuardReports {
		ord++
		if err := ins("signals", g.Name, ord, g.Table, true); err != nil {
			return err
		}
		for _, p := range g.LicensedBy {
			if err := ins("signal_licences", g.Name, p); err != nil {
				return err
			}
		}
	}
	if err := e.exec(ctx, reportRowsView()); err != nil {
		return fmt.Errorf("creating param.report_rows: %w", err)
	}
	return nil
}

// reportRowsView is every usage report's rows in one shape. Its names are
// the catalogue's (code, never tenant data), quoted all the same.
func reportRowsView() string {
	var parts []string
	add := func(signal string, r schemas.Report) {
		uid := "''"
		if r.UserIDColumn != "" {
			uid = "lower(coalesce(" + quoteIdent(r.UserIDColumn) + ", ''))"
		}
		parts = append(parts, fmt.Sprintf("SELECT %s AS signal, %s AS source, lower(%s) AS upn, %s AS uid, report_refresh_date FROM raw.%s",
			quoteString(signal), quoteString(r.Table), quoteIdent(r.UPNColumn), uid, quoteIdent(r.Table)))
	}
	for _, s := range schemas.Signals {
		for _, r := range s.Reports {
			add(s.Name, r)
		}
	}
	for _, g := range schemas.GuardReports {
		add(g.Name, g.Report)
	}
	return "CREATE VIEW param.report_rows AS\n" + strings.Join(parts, "\nUNION ALL\n")
}

// signalFragmentDir holds one SELECT per signal, <name>.sql, producing
// user_id, signal, workload, last_activity_date (one row per user and
// workload with activity; the latest date wins).
const signalFragmentDir = "sql/signals"

// signalFragment is one signal's SQL.
type signalFragment struct {
	signal, file, text string
}

// signalFragments reads the fragment of every catalogue signal, in
// catalogue order.
func signalFragments() ([]signalFragment, error) {
	var out []signalFragment
	for _, s := range schemas.Signals {
		name := path.Join(signalFragmentDir, s.Name+".sql")
		b, err := sqlFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("signal %q has no SQL fragment stages/transform/%s: %w", s.Name, name, err)
		}
		text := strings.TrimRight(strings.TrimSpace(string(b)), ";")
		out = append(out, signalFragment{signal: s.Name, file: "stages/transform/" + name, text: text})
	}
	return out, nil
}

// fragmentFiles lists the fragment files present, for the test that each
// has a catalogue entry.
func fragmentFiles() ([]string, error) {
	return fs.Glob(sqlFiles, signalFragmentDir+"/*.sql")
}

// createActivityView glues the signal fragments into param.signal_activity.
// A fragment that does not parse or bind is named by its file.
func createActivityView(ctx context.Context, e *engine) error {
	frags, err := signalFragments()
	if err != nil {
		return err
	}
	parts := make([]string, len(frags))
	for i, f := range frags {
		parts[i] = "SELECT user_id, signal, workload, last_activity_date FROM (\n" + f.text + "\n)"
	}
	err = e.exec(ctx, "CREATE VIEW param.signal_activity AS\n"+strings.Join(parts, "\nUNION ALL\n"))
	if err == nil {
		return nil
	}
	for i, f := range frags {
		if ferr := e.exec(ctx, "SELECT * FROM ("+parts[i]+") LIMIT 0"); ferr != nil {
			return sqlError(f.file, 1, 1, ferr)
		}
	}
	return fmt.Errorf("creating param.signal_activity from %s/*.sql: %w", signalFragmentDir, err)
}
