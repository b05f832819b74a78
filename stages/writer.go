package stages

import (
	"io"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// Counter is a row counter safe to read while a stage writes.
type Counter struct{ atomic.Int64 }

// Writer writes rows of one table as Parquet compressed as the
// configuration's output.compression says (zstd by default), flushing a row
// group every flushRows rows so memory stays flat however large the table.
type Writer[T any] struct {
	w       *parquet.GenericWriter[T]
	buf     []T
	flushAt int
	rows    *Counter
	n       int64
}

// NewWriter writes rows of type T to the stage's one table (req.Out).
func NewWriter[T any](req *Request) *Writer[T] {
	return newWriter[T](req, req.Out)
}

// NewTableWriter writes rows of type T to table, one of the tables of a
// stage producing several (req.Output).
func NewTableWriter[T any](req *Request, table string) (*Writer[T], error) {
	out, err := req.Output(table)
	if err != nil {
		return nil, err
	}
	return newWriter[T](req, out), nil
}

// NewWriterOf writes rows shaped like row, a zero value of a schemas
// struct, for a stage that learns its row type from a catalogue entry
// rather than a type parameter: Write takes values of that type.
func NewWriterOf(req *Request, row any) *Writer[any] {
	return newWriter[any](req, req.Out, parquet.SchemaOf(row))
}

func newWriter[T any](req *Request, out io.Writer, opts ...parquet.WriterOption) *Writer[T] {
	flushRows, rows := req.Options.FlushRows, req.Rows
	if flushRows <= 0 {
		flushRows = 10000
	}
	if rows == nil {
		rows = &Counter{}
	}
	w := parquet.NewGenericWriter[T](out, append([]parquet.WriterOption{parquet.Compression(codec(req.Config))}, opts...)...)
	return &Writer[T]{w: w, flushAt: flushRows, rows: rows, buf: make([]T, 0, 256)}
}

// codec is parquet-go's codec for the configuration's output.compression
// (config.Compressions; validate refuses any other value, so one that
// slips through, or no output block, is the default zstd).
func codec(cfg *config.Config) compress.Codec {
	if cfg == nil || cfg.Output == nil {
		return &parquet.Zstd
	}
	switch cfg.Output.Compression {
	case "snappy":
		return &parquet.Snappy
	case "gzip":
		return &parquet.Gzip
	case "none":
		return &parquet.Uncompressed
	}
	return &parquet.Zstd
}

// Write adds one row.
func (w *Writer[T]) Write(row T) error {
	w.buf = append(w.buf, row)
	if len(w.buf) == cap(w.buf) {
		if err := w.drain(); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer[T]) drain() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.w.Write(w.buf); err != nil {
		return err
	}
	before := w.n
	w.n += int64(len(w.buf))
	w.rows.Add(int64(len(w.buf)))
	clear(w.buf)
	w.buf = w.buf[:0]
	if w.n/int64(w.flushAt) != before/int64(w.flushAt) {
		return w.w.Flush()
	}
	return nil
}

// Rows is the number of rows written.
func (w *Writer[T]) Rows() int64 { return w.n + int64(len(w.buf)) }

// Close writes what is buffered and the Parquet footer. A table with no rows
// is still a valid file with the table's schema.
func (w *Writer[T]) Close() error {
	if err := w.drain(); err != nil {
		return err
	}
	return w.w.Close()
}
