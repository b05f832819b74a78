# reclaim — every target does one thing and is what CI and the README call.
GO        ?= go
BIN       ?= bin/reclaim
PKGS      ?= ./...
# DuckDB builds through cgo.
export CGO_ENABLED = 1

.PHONY: build test lint demo bench golden clean

build:
	$(GO) build -o $(BIN) ./cmd/reclaim

test:
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	cd bench && $(GO) test -count=1 ./scale

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# The whole job against the built-in simulated tenant (see reclaim demo --help).
demo: build
	$(BIN) demo

# Go benchmarks of every package that has them, then reclaim (and a plain
# msgraph-sdk-go extractor) against throttled simulated tenants of each size;
# writes the figures into docs/benchmarks.md. The runner and the SDK baseline
# are their own module under bench/, so neither `go test ./...` nor the
# reclaim binary sees them. 1M users: make bench BENCH_SCALE="10000 100000 1000000"
# The transform Go benchmark's tenant size is RECLAIM_BENCH_USERS (default 20000).
BENCH_SCALE      ?= 10000 100000
BENCH_TIME_SCALE ?= 1
BENCH_PKGS       ?= $(shell grep -rl --include='*_test.go' '^func Benchmark' . 2>/dev/null | grep -v '^./bench/' | xargs -r -n1 dirname | sort -u)
bench: build
	cd bench && $(GO) build -o ../bin/bench-scale ./scale && $(GO) build -o ../bin/sdkbaseline ./sdkbaseline
	bin/bench-scale -reclaim $(BIN) -baseline bin/sdkbaseline -go $(GO) \
		-users "$(BENCH_SCALE)" -time-scale $(BENCH_TIME_SCALE) -bench-pkgs "$(BENCH_PKGS)" -out docs/benchmarks.md

# Refresh golden files under testdata/ after an intended output change: the
# Test*Golden* tests' testdata/*.golden and the CLI scripts' expected output
# (cmd/reclaim/testdata/script/*.txtar, TestScripts). Only packages whose
# tests define the -update flag get it: any other test binary would reject
# the unknown flag.
golden:
	$(GO) test -count=1 $$(grep -rl --include='*_test.go' 'flag.Bool("update"' . | xargs -n1 dirname | sort -u) -run 'Golden|TestScripts' -update

clean:
	rm -rf bin
