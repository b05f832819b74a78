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

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# The whole job against the built-in simulated tenant (see reclaim demo --help).
demo: build
	$(BIN) demo

# Benchmarks; tenant size from RECLAIM_BENCH_USERS (transform default 20000).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x $(PKGS)

# Refresh golden files under testdata/ after an intended output change.
# Only packages whose tests define the -update flag get it: any other test
# binary would reject the unknown flag.
golden:
	$(GO) test $$(grep -rl --include='*_test.go' 'flag.Bool("update"' . | xargs -n1 dirname | sort -u) -run Golden -update

clean:
	rm -rf bin
