package stages

import (
	"bytes"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// codecsOf reads the codec of every column chunk of a Parquet file from its
// footer.
func codecsOf(t *testing.T, b []byte) map[format.CompressionCodec]bool {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[format.CompressionCodec]bool{}
	for _, rg := range f.Metadata().RowGroups {
		for _, c := range rg.Columns {
			got[c.MetaData.Codec] = true
		}
	}
	return got
}

// TestWriterHonoursCompression: output { compression = ... } is the codec
// of every column chunk the writer writes; no output block is zstd.
func TestWriterHonoursCompression(t *testing.T) {
	type row struct {
		Name string `parquet:"name"`
		N    int64  `parquet:"n"`
	}
	for _, tc := range []struct {
		output *config.Output
		want   format.CompressionCodec
	}{
		{nil, format.Zstd},
		{&config.Output{Compression: "zstd"}, format.Zstd},
		{&config.Output{Compression: "snappy"}, format.Snappy},
		{&config.Output{Compression: "gzip"}, format.Gzip},
		{&config.Output{Compression: "none"}, format.Uncompressed},
	} {
		var out bytes.Buffer
		w := NewWriter[row](&Request{Config: &config.Config{Output: tc.output}, Out: &out})
		for i := range 3 {
			if err := w.Write(row{Name: "x", N: int64(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := codecsOf(t, out.Bytes()); len(got) != 1 || !got[tc.want] {
			t.Errorf("output %+v: codecs %v, want only %s", tc.output, got, tc.want)
		}
	}
}
