package main

import "github.com/reclaimhq/reclaim/pipeline/store"

// outputStore is the store of an output directory as every command writes
// to it: the one place an after-commit hook (publishing to object storage)
// is set.
func outputStore(dir string) *store.Store { return &store.Store{Dir: dir} }
