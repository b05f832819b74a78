package config

import (
	"fmt"
	"strings"

	"github.com/agext/levenshtein"
)

// NameSuggestion returns the valid name closest to given, or "" when none is
// close enough to be a plausible typo. Like Terraform's didyoumean: an edit
// distance under 3 is a typo; anything further is a different word.
func NameSuggestion(given string, valid []string) string {
	best, bestDist := "", 3
	for _, v := range valid {
		d := levenshtein.Distance(strings.ToLower(given), strings.ToLower(v), nil)
		if d < bestDist {
			best, bestDist = v, d
		}
	}
	return best
}

// didYouMean formats a suggestion as the start of a diagnostic detail, or ""
// when there is none.
func didYouMean(given string, valid []string) string {
	if s := NameSuggestion(given, valid); s != "" {
		return fmt.Sprintf("Did you mean %q? ", s)
	}
	return ""
}

// quotedList renders names as "a", "b" or "c" for diagnostic details.
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	switch len(q) {
	case 0:
		return "(none)"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
