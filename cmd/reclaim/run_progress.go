package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/reclaimhq/reclaim/msgraph"
	piperun "github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/stages"
)

// barProgress shows one spinner line per running stage on a terminal:
// table, rows, pages, retries and throttled waits, updated live.
type barProgress struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[string]*mpb.Bar
}

func newBarProgress(w io.Writer) *barProgress {
	return &barProgress{p: mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithWidth(12)),
		bars: map[string]*mpb.Bar{}}
}

func (b *barProgress) Start(profile string, info stages.Info, rows *stages.Counter, st *msgraph.Stats) {
	bar := b.p.AddSpinner(0,
		mpb.PrependDecorators(decor.Name(profile+" "+info.Table, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			return fmt.Sprintf("%d rows  %d pages  %d retries  %d throttled",
				rows.Load(), st.Pages.Load(), st.Retries.Load(), st.ThrottledWaits.Load())
		}), decor.Elapsed(decor.ET_STYLE_GO, decor.WCSyncSpaceR)),
		mpb.BarFillerOnComplete("done"),
	)
	b.mu.Lock()
	b.bars[profile+"/"+info.Table] = bar
	b.mu.Unlock()
}

func (b *barProgress) Done(profile string, info stages.Info, rec piperun.StageRecord) {
	b.mu.Lock()
	bar := b.bars[profile+"/"+info.Table]
	b.mu.Unlock()
	if bar == nil {
		return
	}
	if rec.Status == "ok" {
		bar.SetTotal(-1, true)
	} else {
		bar.Abort(false)
	}
}

func (b *barProgress) Wait() { b.p.Wait() }
