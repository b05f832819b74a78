// Package ui renders everything a person reads: configuration diagnostics
// today; plan text, summaries and progress as they arrive. Logs are not
// here: they go through go-hclog to stderr.
package ui
