// Package extract holds the stages that pull raw tables from Microsoft Graph
// and Dataverse. Each stage produces one raw table (schemas/) — except the
// walk of /users, which produces users and user_license_assignments from the
// same pages — streaming: rows are decoded page by page and written to
// Parquet row groups as they arrive, so memory stays flat as the tenant
// grows. All HTTP goes through msgraph.
//
// New returns the stages as a Set; they share one piece of run state (whether
// a usage report carried concealed names), so build a Set per run.
package extract

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// Set is the extract stages of one run.
type Set struct {
	concealed atomic.Bool // a report carried hashed user names
}

// New returns a fresh Set.
func New() *Set { return &Set{} }

// Stages lists every extract stage.
func (s *Set) Stages() []stages.Stage {
	out := []stages.Stage{
		usersStage{}, subscribedSkusStage{}, subscriptionsStage{}, groupMembersStage{},
		&reportSettingsStage{set: s}, signInsStage{}, systemUsersStage{}, auditsStage{},
	}
	for _, r := range schemas.UsageReports() {
		out = append(out, &reportStage{r: r.Report, set: s})
	}
	return out
}

// rawInfo describes an extract stage producing one raw table.
func rawInfo(table, endpoint string) stages.Info {
	info := stages.Single(table, stages.KindExtract, stages.LayerRaw)
	info.Endpoint = endpoint
	return info
}

// guid is msgraph.GUID: the one spelling of an id column.
func guid(s string) string { return msgraph.GUID(s) }

func guids(list []string) []string {
	for i, s := range list {
		list[i] = guid(s)
	}
	return list
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decodeItems decodes each raw item into T and calls fn; an item that is not
// the expected JSON is a malformed-response error naming the item.
func decodeItems[T any](items []json.RawMessage, what string, fn func(*T) error) error {
	for i, raw := range items {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("malformed %s item %d in page: %v", what, i, err)
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return nil
}

func stageErr(task string, err error) error {
	return fmt.Errorf("%s: %w", task, err)
}

// odataType strips "#microsoft.graph." from an @odata.type.
func odataType(t string) string {
	return strings.TrimPrefix(t, "#microsoft.graph.")
}
