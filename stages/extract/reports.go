package extract

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// reportStage downloads one usage report of the signal catalogue
// (schemas.UsageReports) into its raw table: one generic stage configured by
// the catalogue entry, so a new report needs no code here.
type reportStage struct {
	r   schemas.Report
	set *Set
}

func (s *reportStage) Info() stages.Info {
	root := s.r.Root
	if root == "" {
		root = "/reports"
	}
	return rawInfo(s.r.Table, "GET /v1.0"+root+"/"+s.r.Function)
}

func (s *reportStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	period := req.Options.ReportPeriod
	if period == "" {
		period = "D30"
	}
	switch period {
	case "D7", "D30", "D90", "D180":
	default:
		return nil, fmt.Errorf("report period %q: want D7, D30, D90 or D180", period)
	}
	if s.r.Format != schemas.ReportCSV {
		return nil, fmt.Errorf("%s: report format %q is not read yet", s.r.Function, s.r.Format)
	}
	params := schemas.ReportParams{Period: period}
	columns := 0 // every column of the row is expected
	if len(s.r.Versions) > 0 {
		// The one versioned report is Copilot's (copilot_report_version).
		if req.Profile != nil {
			params.Version = req.Profile.CopilotReportVersion
		}
		v, ok := s.r.Version(params.Version)
		if !ok {
			return nil, fmt.Errorf("%s: unknown report version %q", s.r.Function, params.Version)
		}
		columns = v.Columns
	}
	// Download whole (retrying from scratch if the connection drops), then
	// parse: a half-read CSV must never become half a snapshot.
	tmp, err := os.CreateTemp("", "reclaim-report-*.csv")
	if err != nil {
		return nil, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	if _, err := req.Client.Graph().Download(ctx, msgraph.ClassReports, s.r.Path(params), tmp); err != nil {
		return nil, stageErr("downloading "+s.r.Function, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	w := stages.NewWriterOf(req, s.r.Row)
	res, err := parseReport(tmp, s.r, columns, w.Write)
	if err != nil {
		return nil, stageErr("parsing "+s.r.Function, err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	res.Rows = w.Rows()
	if res.concealed {
		s.set.concealed.Store(true)
		res.Warnings = append(res.Warnings, concealedWarning)
	}
	return &res.Result, nil
}

type reportResult struct {
	stages.Result
	concealed bool
}

var concealedRE = regexp.MustCompile(`^[0-9A-F]{32}$`)

// parseReport reads a usage-report CSV and calls emit with one row (a value
// of rep.Row's type) per record. Columns are found by header name (schemas.ColumnName), never by
// position; unknown headers are ignored with a warning and missing ones stay
// NULL, with a warning when one of the first `columns` fields (all when 0:
// those the report's version has) is missing. A record with the wrong number of fields or a value that does not
// parse is quarantined: counted, named in a warning, and not emitted.
func parseReport(r io.Reader, rep schemas.Report, columns int, emit func(any) error) (*reportResult, error) {
	res := &reportResult{}
	tail := &lastByte{r: r}
	br := bufio.NewReaderSize(tail, 64<<10)
	// Strip the UTF-8 byte-order mark Microsoft puts before the first header.
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // counted here, to quarantine instead of failing
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty report: no header line")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	header = append([]string(nil), header...)

	typ := reflect.TypeOf(rep.Row)
	fieldByCol := map[string]int{}
	for i := 0; i < typ.NumField(); i++ {
		fieldByCol[strings.Split(typ.Field(i).Tag.Get("parquet"), ",")[0]] = i
	}
	cols := make([]int, len(header)) // field index per CSV column, -1 unknown
	seen := map[int]bool{}
	var unknown []string
	for i, h := range header {
		f, ok := fieldByCol[schemas.ColumnName(h)]
		if !ok {
			cols[i] = -1
			unknown = append(unknown, h)
			continue
		}
		cols[i] = f
		seen[f] = true
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("no known column in header %q: not this report", strings.Join(header, ","))
	}
	if len(unknown) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("ignored unknown report columns: %s", strings.Join(unknown, ", ")))
	}
	var missing []string
	for col, f := range fieldByCol {
		if !seen[f] && (columns == 0 || f < columns) {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("report has no column for %s (left NULL)", strings.Join(missing, ", ")))
	}
	upnField := -1
	if f, ok := fieldByCol[rep.UPNColumn]; ok && seen[f] {
		upnField = f
	}
	refreshField, hasRefresh := fieldByCol["report_refresh_date"]
	userIDField, hasUserID := fieldByCol[rep.UserIDColumn]
	hasUserID = hasUserID && rep.UserIDColumn != "" && seen[userIDField]

	var quarantined []string
	var pending any
	pendingLine := 0
	var rows, hashed int64
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Quarantined++
				quarantined = appendMax(quarantined, fmt.Sprintf("line %d: %v", pe.Line, pe.Err))
				continue
			}
			return nil, err
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		if len(rec) != len(header) {
			res.Quarantined++
			quarantined = appendMax(quarantined, fmt.Sprintf("line %d: %d fields, header has %d", line, len(rec), len(header)))
			continue
		}
		rv := reflect.New(typ).Elem()
		bad := ""
		for i, v := range rec {
			if cols[i] < 0 {
				continue
			}
			if err := setField(rv.Field(cols[i]), v); err != nil {
				bad = fmt.Sprintf("line %d column %q: %v", line, header[i], err)
				break
			}
		}
		if bad != "" {
			res.Quarantined++
			quarantined = appendMax(quarantined, bad)
			continue
		}
		if hasUserID {
			// The report's Entra object id (Teams'), in extract's one GUID spelling.
			f := rv.Field(userIDField)
			f.SetString(guid(f.String()))
		}
		if hasRefresh && res.ReportRefreshDate == "" {
			if d, ok := rv.Field(refreshField).Interface().(*schemas.Date); ok && d != nil {
				res.ReportRefreshDate = d.String()
			}
		}
		if upnField >= 0 {
			if u := rv.Field(upnField).String(); u != "" && concealedRE.MatchString(u) {
				hashed++
			}
		}
		rows++
		// Each row is written once the next one has started: the last is
		// held back until the file is known to end with a line end.
		if pending != nil {
			if err := emit(pending); err != nil {
				return nil, err
			}
		}
		pending, pendingLine = rv.Interface(), line
	}
	if pending != nil {
		if tail.last != '\n' {
			// A download cut inside its last line: that row may be short
			// (a count or date cut off) while still having every field. Its
			// user is then missing from the report, which makes them unknown
			// for it in the transform, never inactive.
			rows--
			res.Quarantined++
			quarantined = appendMax(quarantined, fmt.Sprintf("line %d: the report ends inside it (no line end: download cut short?)", pendingLine))
		} else if err := emit(pending); err != nil {
			return nil, err
		}
	}
	if res.Quarantined > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d malformed report rows quarantined (not written): %s",
			res.Quarantined, strings.Join(quarantined, "; ")))
	}
	// Concealed names are 32 uppercase hex characters and never contain "@";
	// a majority rules out the odd coincidence.
	res.concealed = rows > 0 && hashed*2 > rows
	return res, nil
}

// lastByte remembers the last byte read through it.
type lastByte struct {
	r    io.Reader
	last byte
}

func (l *lastByte) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		l.last = p[n-1]
	}
	return n, err
}

func appendMax(list []string, s string) []string {
	if len(list) < 5 {
		return append(list, s)
	}
	if len(list) == 5 {
		return append(list, "…")
	}
	return list
}

var dateType = reflect.TypeOf(schemas.Date(0))

// setField parses a CSV value into a report field: "" is NULL for pointer
// fields.
func setField(f reflect.Value, v string) error {
	if f.Kind() == reflect.String {
		f.SetString(v)
		return nil
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return nil // nil pointer: NULL
	}
	et := f.Type().Elem()
	p := reflect.New(et)
	switch {
	case et == dateType:
		// One parser for every Microsoft date: "0001-01-01" is no value.
		t, err := msgraph.ParseTime(v)
		if err != nil {
			return fmt.Errorf("not a date: %q", v)
		}
		if t == nil {
			return nil
		}
		p.Elem().SetInt(int64(schemas.DateOf(*t)))
	case et.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fl, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil {
				return fmt.Errorf("not a number: %q", v)
			}
			n = int64(fl)
		}
		p.Elem().SetInt(n)
	case et.Kind() == reflect.Bool:
		switch strings.ToLower(v) {
		case "true", "yes":
			p.Elem().SetBool(true)
		case "false", "no":
		default:
			return fmt.Errorf("not a boolean: %q", v)
		}
	default:
		return fmt.Errorf("unsupported field type %s", et)
	}
	f.Set(p)
	return nil
}
