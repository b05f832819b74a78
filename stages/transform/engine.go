package transform

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	// The DuckDB driver registers itself as "duckdb" with database/sql.
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// Settings tune the embedded DuckDB. The zero value uses DuckDB's defaults
// (all cores, 80% of RAM) and spills to a temp directory next to the
// curated output.
type Settings struct {
	// Threads caps DuckDB's worker threads; 0 means DuckDB's default.
	Threads int
	// MemoryLimit is a DuckDB size such as "2GB"; "" means DuckDB's default.
	MemoryLimit string
	// TempDirectory is where DuckDB spills when over MemoryLimit; "" means
	// "<curated dir>/.duckdb_tmp" (removed after the run).
	TempDirectory string
}

// engine is one in-memory DuckDB database on a single connection: the
// parameter tables and curated tables live in it for one run.
type engine struct {
	db   *sql.DB
	conn *sql.Conn
	// codec is the COPY … (COMPRESSION …) of the Parquet it writes.
	codec string
}

var sizeRe = regexp.MustCompile(`^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$`)

func openEngine(ctx context.Context, s Settings) (*engine, error) {
	if s.MemoryLimit != "" && !sizeRe.MatchString(s.MemoryLimit) {
		return nil, fmt.Errorf("duckdb memory_limit %q: want a size such as 512MB or 4GB", s.MemoryLimit)
	}
	if s.Threads < 0 {
		return nil, fmt.Errorf("duckdb threads %d: want 0 (default) or more", s.Threads)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("opening DuckDB: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening DuckDB: %w", err)
	}
	e := &engine{db: db, conn: conn, codec: "zstd"}
	var set []string
	if s.Threads > 0 {
		set = append(set, fmt.Sprintf("SET threads = %d", s.Threads))
	}
	if s.MemoryLimit != "" {
		set = append(set, "SET memory_limit = "+quoteString(s.MemoryLimit))
	}
	if s.TempDirectory != "" {
		if err := os.MkdirAll(s.TempDirectory, 0o755); err != nil {
			e.close()
			return nil, fmt.Errorf("duckdb temp_directory: %w", err)
		}
		set = append(set, "SET temp_directory = "+quoteString(s.TempDirectory))
	}
	// Deterministic output order for the same input; UTC for any
	// timestamp-with-time-zone arithmetic a user stage may do. No extension
	// is fetched or loaded behind the SQL's back: Parquet is built in.
	set = append(set, "SET preserve_insertion_order = true", "SET TimeZone = 'UTC'",
		"SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false",
		"CREATE SCHEMA raw", "CREATE SCHEMA param")
	for _, q := range set {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			e.close()
			return nil, fmt.Errorf("configuring DuckDB (%s): %w", q, err)
		}
	}
	return e, nil
}

// sandbox confines the engine, for the rest of its life, to dirs: DuckDB
// may read and write files only below them, may not attach databases or
// load extensions, and no later SET can undo it. The transform calls it
// once the raw snapshot is loaded and before any SQL from the
// configuration runs (an exclusion's when, a sql_stage), with the curated
// snapshot's table directories and the spill directory. It is the second
// line of defence behind pipeline/sqlcheck, which refuses such SQL first.
func (e *engine) sandbox(ctx context.Context, dirs []string) error {
	list := make([]string, 0, len(dirs))
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return fmt.Errorf("sandboxing DuckDB: %w", err)
		}
		// A trailing separator: "…/snapshot_date=2026-01-01" must not
		// also admit "…/snapshot_date=2026-01-01x".
		list = append(list, quoteString(strings.TrimSuffix(abs, string(filepath.Separator))+string(filepath.Separator)))
	}
	for _, q := range []string{
		"SET allowed_directories = [" + strings.Join(list, ", ") + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	} {
		if err := e.exec(ctx, q); err != nil {
			return fmt.Errorf("sandboxing DuckDB (%s): %w", q, err)
		}
	}
	return nil
}

// snapshotDirs are the directories a sandboxed engine may use: each named
// table's partition of the curated snapshot, and the spill directory.
func snapshotDirs(curatedDir string, snapshot time.Time, tempDir string, tables ...[]string) []string {
	var dirs []string
	for _, names := range tables {
		for _, n := range names {
			dirs = append(dirs, store.PartitionDir(curatedDir, n, snapshot))
		}
	}
	if tempDir != "" {
		dirs = append(dirs, tempDir)
	}
	return dirs
}

func (e *engine) close() {
	e.conn.Close()
	e.db.Close()
}

func (e *engine) exec(ctx context.Context, q string, args ...any) error {
	_, err := e.conn.ExecContext(ctx, q, args...)
	return err
}

// describe lists the columns of a table or view.
func (e *engine) describe(ctx context.Context, relation string) ([]Column, error) {
	rows, err := e.conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+relation+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func (e *engine) count(ctx context.Context, relation string) (int64, error) {
	var n int64
	err := e.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+relation).Scan(&n)
	return n, err
}

// copyOut writes a table to path as Parquet compressed with e.codec: DuckDB
// writes a store temporary file that is committed over path, so readers never
// see a half-written file. (Under the runner, path is itself the runner's
// temporary file, which it commits into the partition.)
func (e *engine) copyOut(ctx context.Context, relation, path string) error {
	var direct *store.Store // no hook: the runner's commit is the one it hears of
	tmp, err := direct.Create(path, store.KindSnapshot)
	if err != nil {
		return err
	}
	defer tmp.Abort()
	if err := tmp.Close(); err != nil {
		return err
	}
	q := fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, COMPRESSION %s)", relation, quoteString(tmp.Name()), e.codec)
	if err := e.exec(ctx, q); err != nil {
		return err
	}
	return tmp.Commit()
}

// duckDBCodec is DuckDB's name of a config output.compression value.
func duckDBCodec(compression string) (string, error) {
	switch compression {
	case "", "zstd":
		return "zstd", nil
	case "snappy", "gzip":
		return compression, nil
	case "none":
		return "uncompressed", nil
	}
	return "", fmt.Errorf("output compression %q: want zstd, snappy, gzip or none", compression)
}

// sameColumns explains the first difference between what SQL produced and
// what the Go schema defines, or returns "".
func sameColumns(got, want []Column) string {
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(got):
			return fmt.Sprintf("missing column %d %q %s", i+1, want[i].Name, want[i].Type)
		case i >= len(want):
			return fmt.Sprintf("extra column %d %q %s", i+1, got[i].Name, got[i].Type)
		case got[i].Name != want[i].Name:
			return fmt.Sprintf("column %d is %q, want %q", i+1, got[i].Name, want[i].Name)
		case got[i].Type != want[i].Type:
			return fmt.Sprintf("column %q is %s, want %s", got[i].Name, got[i].Type, want[i].Type)
		}
	}
	return ""
}

var lineRe = regexp.MustCompile(`LINE (\d+):`)

// sqlError points a DuckDB error at the source: DuckDB numbers lines from
// the start of the statement it was given, which began prefixLines lines
// before the first line of file's text, itself at firstLine of the file.
func sqlError(file string, firstLine, prefixLines int, err error) error {
	msg := err.Error()
	line := firstLine
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > prefixLines {
			line = firstLine + n - prefixLines - 1
		}
	}
	return fmt.Errorf("%s:%d: %s", file, line, strings.TrimSpace(msg))
}
