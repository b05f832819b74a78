package extract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// signInsStage reads the sign-in log incrementally: it fetches only events
// newer than the watermark and carries the earlier ones over from the
// previous snapshot (dropping those older than the activity window), so each
// partition is a complete snapshot like every other table's.
//
// State (state.json, entry "sign_ins"):
//
//	watermark: every event created before it has been read
//	pending:   set when the request budget ran out: events in
//	           [watermark, pending) are still to be read; events after it
//	           up to "high" were read
//	high:      the newest point read so far
//	ids:       event ids already written near the next window's edges,
//	           so the overlap re-read does not duplicate them
//
// The log is served newest first, so a run reads the window
// [watermark-overlap, upper] from the top; when the budget runs out the
// oldest point reached becomes "pending" and the next run fills the gap first.
type signInsStage struct{}

func (signInsStage) Info() stages.Info {
	info := rawInfo(schemas.TableSignIns, "GET /v1.0/auditLogs/signIns")
	info.Incremental = true
	return info
}

type graphSignIn struct {
	ID                      string        `json:"id"`
	CreatedDateTime         *msgraph.Time `json:"createdDateTime"`
	UserID                  *string       `json:"userId"`
	UserPrincipalName       *string       `json:"userPrincipalName"`
	UserDisplayName         *string       `json:"userDisplayName"`
	AppID                   *string       `json:"appId"`
	AppDisplayName          *string       `json:"appDisplayName"`
	ClientAppUsed           *string       `json:"clientAppUsed"`
	ResourceDisplayName     *string       `json:"resourceDisplayName"`
	ResourceID              *string       `json:"resourceId"`
	IsInteractive           *bool         `json:"isInteractive"`
	ConditionalAccessStatus *string       `json:"conditionalAccessStatus"`
	Status                  *struct {
		ErrorCode     int64   `json:"errorCode"`
		FailureReason *string `json:"failureReason"`
	} `json:"status"`
}

var errBudget = errors.New("sign-in request budget exhausted")

func (signInsStage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	budget := req.Options.SignInRequestBudget
	if budget <= 0 {
		budget = 200
	}
	overlap := req.Options.SignInOverlap
	if overlap <= 0 {
		overlap = time.Hour
	}
	now := req.Now.UTC().Truncate(time.Second)
	if req.Now.IsZero() {
		now = time.Now().UTC().Truncate(time.Second)
	}
	st := req.State
	parse := func(k string) time.Time {
		t, _ := time.Parse(time.RFC3339, st[k])
		return t
	}
	watermark, pending, high := parse("watermark"), parse("pending"), parse("high")
	if watermark.IsZero() {
		// First run: everything the log keeps (30 days on P1/P2; asking
		// for a day more costs nothing) or the profile's activity window,
		// whichever is later.
		watermark = now.AddDate(0, 0, -31).Truncate(24 * time.Hour)
		if since := req.Profile.ActivitySince; !since.IsZero() && since.After(watermark) {
			watermark = since
		}
		overlap = 0
	}
	known := map[string]bool{}
	for _, id := range strings.Split(st["ids"], ",") {
		if id != "" {
			known[id] = true
		}
	}

	w := stages.NewWriter[schemas.SignIn](req)
	res := &stages.Result{}
	lower := watermark.Add(-overlap)
	// Carry the events already read over from the previous snapshot.
	if req.Existing != "" {
		keepFrom := activityStart(req)
		if keepFrom.After(watermark.AddDate(0, 0, -31)) {
			keepFrom = watermark.AddDate(0, 0, -31)
		}
		n, err := copyExisting(req.Existing, w, known, keepFrom, lower)
		if err != nil {
			return nil, fmt.Errorf("carrying earlier sign-ins over from %s: %w", req.Existing, err)
		}
		req.Logger.Debug("carried earlier sign-ins over", "rows", n, "from", req.Existing)
	}

	upper := now
	if !pending.IsZero() {
		upper = pending
	}
	filter := fmt.Sprintf("createdDateTime ge %s and createdDateTime le %s", lower.Format(time.RFC3339), upper.Format(time.RFC3339))
	path := "/auditLogs/signIns?" + url.Values{"$filter": {filter}, "$top": {"1000"}}.Encode()

	oldest := upper
	type seen struct {
		id string
		t  time.Time
	}
	var fetched []seen
	pages := 0
	err := req.Client.Graph().Pages(ctx, msgraph.ClassAuditLogs, path, nil, func(items []json.RawMessage) error {
		pages++
		err := decodeItems(items, "signIn", func(s *graphSignIn) error {
			ct := msgraph.PtrOf(s.CreatedDateTime)
			if ct != nil && ct.Before(oldest) {
				oldest = *ct
			}
			if s.ID == "" || known[s.ID] {
				return nil
			}
			known[s.ID] = true
			if ct != nil {
				fetched = append(fetched, seen{s.ID, *ct})
			}
			row := schemas.SignIn{ID: s.ID, CreatedDateTime: ct, UserID: guid(str(s.UserID)),
				UserPrincipalName: str(s.UserPrincipalName), UserDisplayName: str(s.UserDisplayName),
				AppID: guid(str(s.AppID)), AppDisplayName: str(s.AppDisplayName), ClientAppUsed: str(s.ClientAppUsed),
				ResourceDisplayName: str(s.ResourceDisplayName), ResourceID: guid(str(s.ResourceID)), IsInteractive: s.IsInteractive != nil && *s.IsInteractive,
				ConditionalAccessStatus: str(s.ConditionalAccessStatus)}
			if s.Status != nil {
				row.StatusErrorCode = s.Status.ErrorCode
				row.StatusFailureReason = str(s.Status.FailureReason)
			}
			return w.Write(row)
		})
		if err != nil {
			return err
		}
		if pages >= budget {
			return errBudget
		}
		return nil
	})
	exhausted := errors.Is(err, errBudget)
	if err != nil && !exhausted {
		return nil, stageErr("reading sign-in logs", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	res.Rows = w.Rows()

	next := map[string]string{}
	var edges []time.Time // times near which the next run re-reads
	switch {
	case exhausted:
		// Keep the watermark; remember the gap still to read.
		next["watermark"] = watermark.Format(time.RFC3339)
		next["pending"] = oldest.Format(time.RFC3339)
		h := upper
		if !high.IsZero() {
			h = high
		}
		next["high"] = h.Format(time.RFC3339)
		edges = []time.Time{watermark, oldest, h}
		res.Warnings = append(res.Warnings, fmt.Sprintf("sign-in request budget (%d pages) ran out: events between %s and %s are read next run",
			budget, watermark.Format(time.RFC3339), oldest.Format(time.RFC3339)))
	case !pending.IsZero():
		// The gap is filled: everything up to the newest point read is in.
		next["watermark"] = high.Format(time.RFC3339)
		edges = []time.Time{high}
	default:
		next["watermark"] = upper.Format(time.RFC3339)
		edges = []time.Time{upper}
	}
	// Ids of events the next run's windows may return again.
	var ids []string
	for _, f := range fetched {
		for _, e := range edges {
			if !f.t.Before(e.Add(-overlapFor(req))) && !f.t.After(e.Add(overlapFor(req))) {
				ids = append(ids, f.id)
				break
			}
		}
	}
	// Events of earlier runs near the edge need no entry: the next run
	// reads them from this snapshot (Request.Existing) and deduplicates.
	sort.Strings(ids)
	next["ids"] = strings.Join(ids, ",")
	res.State = next
	return res, nil
}

func overlapFor(req *stages.Request) time.Duration {
	if req.Options.SignInOverlap > 0 {
		return req.Options.SignInOverlap
	}
	return time.Hour
}

// copyExisting streams the rows of the previous snapshot created at or
// after keepFrom into w. Ids of rows the coming window can return again (at
// or after lower) go into known, so they are not written twice; the rest
// cannot come back and are not kept in memory.
func copyExisting(path string, w *stages.Writer[schemas.SignIn], known map[string]bool, keepFrom, lower time.Time) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := parquet.NewGenericReader[schemas.SignIn](f)
	defer r.Close()
	buf := make([]schemas.SignIn, 512)
	n := 0
	nearEdge := map[string]bool{}
	for {
		k, err := r.Read(buf)
		for _, row := range buf[:k] {
			if row.CreatedDateTime != nil && row.CreatedDateTime.Before(keepFrom) {
				continue
			}
			if row.CreatedDateTime == nil || !row.CreatedDateTime.Before(lower) {
				// known already holds ids from state.json, which are in
				// this file too: deduplicate against the file alone.
				if nearEdge[row.ID] {
					continue
				}
				nearEdge[row.ID] = true
				known[row.ID] = true
			}
			if err := w.Write(row); err != nil {
				return n, err
			}
			n++
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
	}
}
