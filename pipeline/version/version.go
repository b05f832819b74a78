// Package version holds the tool version recorded in manifests, plans and journals.
package version

// Version is set at build time with -ldflags "-X github.com/reclaimhq/reclaim/pipeline/version.Version=…".
var Version = "0.1.0-dev"
