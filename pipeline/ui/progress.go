package ui

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/reclaimhq/reclaim/msgraph"
	piperun "github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/stages"
)

// Bars shows one spinner line per running stage on a terminal: table, rows,
// pages, retries and throttled waits, updated live. It is a
// piperun.Progress; log lines written to Bars (it is an io.Writer) are
// printed above the bars instead of through them. Build it with NewBars and
// call Wait once the run is over.
type Bars struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[string]*mpb.Bar
}

var _ piperun.Progress = (*Bars)(nil)

// NewBars draws the bars on w (the terminal's stderr).
func NewBars(w io.Writer) *Bars { return newBars(w) }

// newBars takes extra mpb options for the tests: mpb draws nothing on an
// output that is not a terminal without WithAutoRefresh, and cuts lines to
// WithWidth there.
func newBars(w io.Writer, opts ...mpb.ContainerOption) *Bars {
	opts = append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithRefreshRate(200 * time.Millisecond), mpb.WithWidth(12)}, opts...)
	return &Bars{p: mpb.New(opts...), bars: map[string]*mpb.Bar{}}
}

// Start adds the stage's spinner.
func (b *Bars) Start(profile string, info stages.Info, rows *stages.Counter, st *msgraph.Stats) {
	bar := b.p.AddSpinner(0,
		mpb.PrependDecorators(decor.Name(profile+" "+info.Name, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			return fmt.Sprintf("%d rows  %d pages  %d retries  %d throttled",
				rows.Load(), st.Pages.Load(), st.Retries.Load(), st.ThrottledWaits.Load())
		}), decor.Elapsed(decor.ET_STYLE_GO, decor.WCSyncSpaceR)),
		mpb.BarFillerOnComplete("done"),
	)
	b.mu.Lock()
	b.bars[profile+"/"+info.Name] = bar
	b.mu.Unlock()
}

// Done completes the stage's spinner ("done") or aborts it when a table of
// the stage did not succeed.
func (b *Bars) Done(profile string, info stages.Info, recs []piperun.StageRecord) {
	b.mu.Lock()
	bar := b.bars[profile+"/"+info.Name]
	b.mu.Unlock()
	if bar == nil {
		return
	}
	if !slices.ContainsFunc(recs, func(r piperun.StageRecord) bool { return r.Status != store.StatusOK }) {
		bar.SetTotal(-1, true)
	} else {
		bar.Abort(false)
	}
}

// Write prints p above the bars (a log line).
func (b *Bars) Write(p []byte) (int, error) { return b.p.Write(p) }

// Wait returns once every bar is drawn for the last time.
func (b *Bars) Wait() { b.p.Wait() }
