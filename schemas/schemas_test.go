package schemas

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/parquet-go/parquet-go"
)

// documentedHeaders are the CSV headers of each usage report, in order, as
// Microsoft documents them (graph-api-detail.md §4.2). Each must map through
// ColumnName to exactly the columns of its table.
var documentedHeaders = map[string]string{
	TableReportOffice365ActiveUser:  "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products",
	TableReportEmailActivityUser:    "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Last Activity Date,Send Count,Receive Count,Read Count,Meeting Created Count,Meeting Interacted Count,Assigned Products,Report Period",
	TableReportM365AppUser:          "Report Refresh Date,User Principal Name,Last Activation Date,Last Activity Date,Report Period,Windows,Mac,Mobile,Web,Outlook,Word,Excel,PowerPoint,OneNote,Teams,Outlook (Windows),Word (Windows),Excel (Windows),PowerPoint (Windows),OneNote (Windows),Teams (Windows),Outlook (Mac),Word (Mac),Excel (Mac),PowerPoint (Mac),OneNote (Mac),Teams (Mac),Outlook (Mobile),Word (Mobile),Excel (Mobile),PowerPoint (Mobile),OneNote (Mobile),Teams (Mobile),Outlook (Web),Word (Web),Excel (Web),PowerPoint (Web),OneNote (Web),Teams (Web)",
	TableReportMailboxUsage:         "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),Prohibit Send/Receive Quota (Byte),Deleted Item Count,Deleted Item Size (Byte),Deleted Item Quota (Byte),Has Archive,Report Period",
	TableReportOneDriveUsageAccount: "Report Refresh Date,Site URL,Owner Display Name,Is Deleted,Last Activity Date,File Count,Active File Count,Storage Used (Byte),Storage Allocated (Byte),Owner Principal Name,Report Period",
	TableReportOffice365Activations: "Report Refresh Date,User Principal Name,Display Name,Product Type,Last Activated Date,Windows,Mac,Windows 10 Mobile,iOS,Android,Activated On Shared Computer",
	TableReportTeamsUserActivity:    "Report Refresh Date,Tenant Display Name,Shared Channel Tenant Display Names,User Id,User Principal Name,Last Activity Date,Is Deleted,Deleted Date,Assigned Products,Team Chat Message Count,Private Chat Message Count,Call Count,Meeting Count,Post Messages,Reply Messages,Urgent Messages,Meetings Organized Count,Meetings Attended Count,Ad Hoc Meetings Organized Count,Ad Hoc Meetings Attended Count,Scheduled One-time Meetings Organized Count,Scheduled One-time Meetings Attended Count,Scheduled Recurring Meetings Organized Count,Scheduled Recurring Meetings Attended Count,Audio Duration,Video Duration,Screen Share Duration,Audio Duration In Seconds,Video Duration In Seconds,Screen Share Duration In Seconds,Has Other Action,Is Licensed,Report Period",
	// v1's header verbatim from Microsoft's example response, then the v2
	// additions as the same page lists them (it gives no v2 example).
	TableReportM365CopilotUsage: "Report Refresh Date,User Principal Name,Display Name,Last Activity Date,Copilot Chat Last Activity Date,Microsoft Teams Copilot Last Activity Date,Word Copilot Last Activity Date,Excel Copilot Last Activity Date,PowerPoint Copilot Last Activity Date,Outlook Copilot Last Activity Date,OneNote Copilot Last Activity Date,Loop Copilot Last Activity Date,Report Period," +
		"Prompts submitted for all apps,Prompts submitted for Copilot Chat (work),Prompts submitted for Copilot Chat (web),Active Usage Days for all apps,Copilot Chat (work) Last Activity Date,Copilot Chat (web) Last Activity Date,Microsoft 365 Copilot Last Activity Date,Edge Last Activity Date,Copilot Agent Last Activity Date",
	TableReportSharePointActivityUser: "Report Refresh Date,User Principal Name,Is Deleted,Deleted Date,Last Activity Date,Viewed Or Edited File Count,Synced File Count,Shared Internally File Count,Shared Externally File Count,Visited Page Count,Assigned Products,Report Period",
}

func TestReportColumnsFollowDocumentedHeaders(t *testing.T) {
	for table, headers := range documentedHeaders {
		tab, ok := RawTable(table)
		if !ok {
			t.Fatalf("no raw table %q", table)
		}
		var want []string
		for _, h := range strings.Split(headers, ",") {
			want = append(want, ColumnName(h))
		}
		var got []string
		for _, f := range parquet.SchemaOf(tab.Row).Fields() {
			got = append(got, f.Name())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s columns\n got %v\nwant %v", table, got, want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for in, want := range map[string]string{
		"\ufeffReport Refresh Date":                   "report_refresh_date",
		"Prohibit Send/Receive Quota (Byte)":          "prohibit_send_receive_quota_byte",
		"Scheduled One-time Meetings Organized Count": "scheduled_one_time_meetings_organized_count",
		"Windows 10 Mobile":                           "windows_10_mobile",
	} {
		if got := ColumnName(in); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", in, got, want)
		}
	}
}

// fill sets every field of the struct v points at to a non-zero value.
func fill(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		setValue(f, i)
	}
}

func setValue(f reflect.Value, i int) {
	switch f.Kind() {
	case reflect.Pointer:
		p := reflect.New(f.Type().Elem())
		setValue(p.Elem(), i)
		f.Set(p)
	case reflect.String:
		f.SetString(fmt.Sprintf("v%d", i))
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Int64:
		f.SetInt(int64(i + 1))
	case reflect.Int32: // Date
		f.SetInt(int64(DateOf(time.Date(2026, 11, 23, 13, 14, 15, 0, time.UTC))))
	case reflect.Slice:
		f.Set(reflect.ValueOf([]string{"a", "b"}))
	case reflect.Struct:
		f.Set(reflect.ValueOf(time.Date(2026, 11, 23, 13, 14, 15, 0, time.UTC)))
	}
}

// duckType is the DuckDB type each Go field type must be read back as.
func duckType(f reflect.StructField) string {
	t := f.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "VARCHAR"
	case reflect.Bool:
		return "BOOLEAN"
	case reflect.Int64:
		return "BIGINT"
	case reflect.Int32:
		return "DATE"
	case reflect.Slice:
		return "VARCHAR[]"
	}
	if strings.Contains(f.Tag.Get("parquet"), ",date") {
		return "DATE"
	}
	return "TIMESTAMP"
}

// TestRawTablesRoundTrip writes each raw table with parquet-go (one row with
// every column set, one with every column zero/NULL) and reads it back with
// DuckDB, checking each column's type, nullability and the timestamp value.
func TestRawTablesRoundTrip(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	for _, tab := range RawTables {
		t.Run(tab.Name, func(t *testing.T) {
			typ := reflect.TypeOf(tab.Row)
			full := reflect.New(typ)
			fill(full.Elem())
			rows := reflect.MakeSlice(reflect.SliceOf(typ), 0, 2)
			rows = reflect.Append(rows, full.Elem(), reflect.Zero(typ))

			path := filepath.Join(dir, tab.Name+".parquet")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			w := parquet.NewWriter(f, parquet.SchemaOf(tab.Row), parquet.Compression(&parquet.Zstd))
			for i := 0; i < rows.Len(); i++ {
				if err := w.Write(rows.Index(i).Interface()); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			f.Close()

			// Types as DuckDB sees them.
			got := map[string]string{}
			r, err := db.Query(fmt.Sprintf("DESCRIBE SELECT * FROM read_parquet('%s')", path))
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := r.Columns()
			for r.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := r.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				got[fmt.Sprint(vals[0])] = fmt.Sprint(vals[1])
			}
			r.Close()
			var nullable []string
			for i := 0; i < typ.NumField(); i++ {
				sf := typ.Field(i)
				name := strings.Split(sf.Tag.Get("parquet"), ",")[0]
				if want := duckType(sf); got[name] != want {
					t.Errorf("column %s: DuckDB type %q, want %q", name, got[name], want)
				}
				if sf.Type.Kind() == reflect.Pointer {
					nullable = append(nullable, name)
				}
			}
			if len(got) != typ.NumField() {
				t.Errorf("DuckDB sees %d columns, struct has %d", len(got), typ.NumField())
			}
			// Pointer fields are NULL in the zero row, and set in the full row.
			sort.Strings(nullable)
			for _, c := range nullable {
				var nulls, total int
				q := fmt.Sprintf(`SELECT count(*) FILTER (WHERE "%s" IS NULL), count(*) FROM read_parquet('%s')`, c, path)
				if err := db.QueryRow(q).Scan(&nulls, &total); err != nil {
					t.Fatal(err)
				}
				if nulls != 1 || total != 2 {
					t.Errorf("column %s: %d NULLs of %d rows, want 1 of 2", c, nulls, total)
				}
			}
			// Timestamps read back as the UTC wall clock written.
			for i := 0; i < typ.NumField(); i++ {
				sf := typ.Field(i)
				dt := duckType(sf)
				if dt != "TIMESTAMP" && dt != "DATE" {
					continue
				}
				want := map[string]string{"TIMESTAMP": "2026-11-23 13:14:15", "DATE": "2026-11-23 00:00:00"}[dt]
				name := strings.Split(sf.Tag.Get("parquet"), ",")[0]
				var s string
				q := fmt.Sprintf(`SELECT strftime("%s"::TIMESTAMP, '%%Y-%%m-%%d %%H:%%M:%%S') FROM read_parquet('%s') WHERE "%s" IS NOT NULL`, name, path, name)
				if err := db.QueryRow(q).Scan(&s); err != nil {
					t.Fatal(err)
				}
				if s != want {
					t.Errorf("column %s = %s, want %s (UTC)", name, s, want)
				}
			}

			// And parquet-go reads back exactly what it wrote.
			rf, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer rf.Close()
			pr := parquet.NewReader(rf, parquet.SchemaOf(tab.Row))
			for i := 0; i < rows.Len(); i++ {
				back := reflect.New(typ)
				if err := pr.Read(back.Interface()); err != nil {
					t.Fatalf("parquet-go read back row %d: %v", i, err)
				}
				if want := rows.Index(i).Interface(); !reflect.DeepEqual(normalize(back.Elem()), normalize(reflect.ValueOf(want))) {
					t.Errorf("row %d read back\n got %+v\nwant %+v", i, back.Elem().Interface(), want)
				}
			}
		})
	}
}

// normalize renders a row for comparison: times in UTC (parquet-go reads
// them back in the local zone), nil and empty slices alike.
func normalize(v reflect.Value) string {
	var b strings.Builder
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				b.WriteString("<nil>|")
				continue
			}
			f = f.Elem()
		}
		if tm, ok := f.Interface().(time.Time); ok {
			b.WriteString(tm.UTC().Format(time.RFC3339) + "|")
			continue
		}
		if f.Kind() == reflect.Slice && f.Len() == 0 {
			b.WriteString("[]|")
			continue
		}
		fmt.Fprintf(&b, "%v|", f.Interface())
	}
	return b.String()
}

// TestRawTablesDocumented checks docs/schemas.md has a section for every raw
// table listing every column, so the page cannot drift from the structs.
func TestRawTablesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/schemas.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, tab := range RawTables {
		start := strings.Index(text, "\n### "+tab.Name+"\n")
		if start < 0 {
			t.Errorf("docs/schemas.md: no section \"### %s\"", tab.Name)
			continue
		}
		section := text[start+1:]
		if end := strings.Index(section[4:], "\n#"); end >= 0 {
			section = section[:end+4]
		}
		for _, f := range parquet.SchemaOf(tab.Row).Fields() {
			if !strings.Contains(section, "| `"+f.Name()+"` |") {
				t.Errorf("docs/schemas.md %s: column %s not documented", tab.Name, f.Name())
			}
		}
	}
}
