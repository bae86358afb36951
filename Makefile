# Driftless — the two commands a fresh Debian/Ubuntu machine needs are
# `make demo` and `make test`; both install what they need first.

GO       ?= go
DATA     ?= $(CURDIR)/.demo-data
ADDR     ?= 127.0.0.1:8470
BENCHTIME ?= 1x
# A count, not a duration: time-bounded fuzzing in Go 1.26 can end with a
# spurious "context deadline exceeded" (golang/go#75804).
FUZZTIME ?= 300000x

.PHONY: all deps build test test-short sim crash bench bench-decode fuzz demo clean

all: build

# deps installs what building needs: the Go modules (and, once the scanner
# app lands, the GL/X11 headers Fyne needs, through apt-get when missing).
deps:
	@command -v $(GO) >/dev/null || { echo "Go is not installed: see https://go.dev/doc/install"; exit 1; }
	$(GO) mod download

build: deps
	$(GO) build ./...

# test runs every test. Tests that need PostgreSQL read DRIFTLESS_TEST_POSTGRES
# (set by .ci/run) and skip with a message without it.
test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

test-short: deps
	$(GO) test -short -count=1 ./...

# sim runs the deterministic simulator over SEEDS seeds (make test runs 200).
SEEDS ?= 1000
sim: deps
	$(GO) run ./cmd/invctl sim --seeds $(SEEDS)

# crash kills real device and server processes with SIGKILL at every crash
# point CRASH_CYCLES times each, restarting them on the same files, and
# audits the result (make test runs 20 cycles per point).
CRASH_CYCLES ?= 100
crash: deps
	$(GO) test -count=1 -timeout 60m -run 'TestCrashPoints' -v ./cmd/invctl/crashtest -args -crash.cycles=$(CRASH_CYCLES)

# bench runs the benchmarks whose figures the README's Performance section quotes.
bench: deps
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem ./...

# bench-decode times `invctl decode` beside ZXing-C++'s ZXingReader and ZBar's
# zbarimg (installed from Debian when missing) on ZXing's blackbox photographs
# in ../shared/testdata/zxing-blackbox, each tool a whole process per folder,
# and prints the images each read per folder and the ratios of wall and CPU
# (user+system) time; the README's goal is judged on CPU time.
DECODE_ROUNDS ?= 3
bench-decode: deps
	@command -v ZXingReader >/dev/null && command -v zbarimg >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y zxing-cpp-tools zbar-tools || \
	  { $$SUDO apt-get update && $$SUDO apt-get install -y zxing-cpp-tools zbar-tools; }; }
	$(GO) build -o $${TMPDIR:-/tmp}/driftless-bench-invctl ./cmd/invctl
	$(GO) run ./client/scan/decode/internal/benchdecode -invctl $${TMPDIR:-/tmp}/driftless-bench-invctl -rounds $(DECODE_ROUNDS)

# fuzz runs every fuzz target for FUZZTIME executions each.
fuzz: deps
	@set -e; for spec in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$spec/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$spec $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$spec; \
	  done; \
	done

# demo starts the sync server on an embedded SQLite database seeded with a
# small demo warehouse in $(DATA).
demo: deps
	$(GO) run ./cmd/syncd demo --data $(DATA)
	$(GO) run ./cmd/syncd serve --data $(DATA) --addr $(ADDR)

clean:
	rm -rf $(DATA)
