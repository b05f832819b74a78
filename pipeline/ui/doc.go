// Package ui renders everything a person reads: configuration diagnostics,
// validate's summary and its --connect permission table, the run's stage
// lines and progress bars, the transform's summary and report (Markdown,
// HTML), plan text, Markdown and JSON, apply and undo lines, the demo's frame and the version line. Each
// view takes data and an io.Writer; cmd/reclaim only calls them. Whatever
// came from a tenant is escaped here (sanitize.go). Logs are not here: they
// go through go-hclog to stderr.
package ui
