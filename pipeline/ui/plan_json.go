package ui

import (
	"io"

	"github.com/reclaimhq/reclaim/pipeline/plan"
)

// WritePlanJSON writes the machine form of a plan: exactly the plan file.
func WritePlanJSON(w io.Writer, p *plan.Plan) error {
	b, err := plan.Marshal(p)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
