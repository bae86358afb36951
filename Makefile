# Driftless — the two commands a fresh Debian/Ubuntu machine needs are
# `make demo` and `make test`; both install what they need first.

GO       ?= go
DATA     ?= $(CURDIR)/.demo-data
ADDR     ?= 127.0.0.1:8470
# BUILD holds binaries and packages (not committed).
BUILD    ?= $(CURDIR)/build
BENCHTIME ?= 1x
# A count, not a duration: time-bounded fuzzing in Go 1.26 can end with a
# spurious "context deadline exceeded" (golang/go#75804).
FUZZTIME ?= 300000x

.PHONY: all deps build test test-short sim crash bench bench-decode fuzz demo screenshots package apk clean

all: build

# APT_DEPS are the Debian/Ubuntu packages building the Fyne app needs: a C
# compiler and pkg-config for cgo, and the OpenGL and X11 headers GLFW links
# against (the parts of xorg-dev it uses); xz-utils for `make package`.
APT_DEPS ?= gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev xz-utils

# deps installs what building needs: the Go modules, and the APT_DEPS that
# dpkg does not list as installed, through apt-get (with sudo when not root;
# the package lists are refreshed only if the first install fails).
deps:
	@command -v $(GO) >/dev/null || { echo "Go is not installed: see https://go.dev/doc/install"; exit 1; }
	@missing=$$(for p in $(APT_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  echo "installing" $$missing; \
	  $$SUDO apt-get install -y $$missing || \
	  { $$SUDO apt-get update && $$SUDO apt-get install -y $$missing; }; \
	fi
	$(GO) mod download

build: deps
	$(GO) build ./...

# test runs every test. Tests that need PostgreSQL read DRIFTLESS_TEST_POSTGRES
# (set by .ci/run) and skip with a message without it.
test: deps
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './build/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt -w these files:"; echo "$$unformatted"; exit 1; fi
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

# demo seeds a demo company in $(DATA) (once; users ana/1111, sam/9999,
# pat/2222 and cleo/3333), starts the sync server on $(ADDR) and the handheld app enrolled
# against it with the demo enrollment code, and stops the server when the app
# exits. Without a display it keeps the server in the foreground and prints
# how to connect a scanner instead.
demo: deps
	$(GO) build -ldflags "-X main.version=$(APP_VERSION)" -o $(BUILD)/bin/ ./cmd/syncd ./cmd/scanner
	$(BUILD)/bin/syncd demo --data $(DATA)
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo; \
	  echo "No display here, so the scanner app is not started. To connect one:"; \
	  echo "  on a machine with a display:"; \
	  echo "    go run ./cmd/scanner --data ./handheld --server http://$(ADDR) --enroll $$(cat $(DATA)/demo-enrollment-code)"; \
	  echo "  on a handheld: serve on an address it can reach (make demo ADDR=0.0.0.0:8470), then enter"; \
	  echo "    http://<this machine's address>:$(lastword $(subst :, ,$(ADDR))) and the enrollment code $$(cat $(DATA)/demo-enrollment-code)"; \
	  echo "  (a code works once; each make demo prints a fresh one)"; \
	  echo; \
	  exec $(BUILD)/bin/syncd serve --data $(DATA) --addr $(ADDR); \
	fi; \
	$(BUILD)/bin/syncd serve --data $(DATA) --addr $(ADDR) & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server' EXIT; trap 'exit 130' INT TERM; \
	if command -v curl >/dev/null; then \
	  for i in $$(seq 50); do \
	    curl -fs http://$(ADDR)/readyz >/dev/null 2>&1 && break; \
	    kill -0 $$server 2>/dev/null || exit 1; sleep 0.2; \
	  done; \
	else sleep 1; fi; \
	$(BUILD)/bin/scanner --data $(DATA)/handheld --server http://$(ADDR) --enroll "$$(cat $(DATA)/demo-enrollment-code)"

# screenshots renders the app's main screens, handheld and laptop sizes,
# light and dark, to assets/screenshots/*.png with the Fyne test driver (no
# display needed); the README shows some of them.
screenshots: deps
	rm -f assets/screenshots/*.png
	$(GO) test -count=1 -run '^TestScreenshots$$' ./client/ui -args -screenshots $(CURDIR)/assets/screenshots
	@ls assets/screenshots

# FyneApp.toml's [Details] (the fyne tool reads the file only from the main
# package's directory, so make passes its values as flags).
meta = $(shell sed -n 's/^$(1)[[:space:]]*=[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$$/\1/p' FyneApp.toml)
# FYNE is the fyne tool (fyne.io/tools) at a fixed version. It is run with
# `go run tool@version`, not a go.mod tool directive: that directive would
# lift the app's fyne.io/fyne/v2 to the version the tool itself requires.
FYNE_TOOLS ?= fyne.io/tools/cmd/fyne@v1.7.4
FYNE       ?= $(GO) run $(FYNE_TOOLS)
APP_VERSION = $(call meta,Version)
PACKAGE     = $(BUILD)/driftless-scanner-$(APP_VERSION)-linux-$(shell $(GO) env GOARCH).tar.xz

# package builds the Linux desktop package of the handheld app (binary,
# .desktop entry, icon and an install Makefile in a tar.xz) into $(BUILD).
# The fyne tool adds GOFLAGS' -ldflags to its own, which sets the version.
package: deps
	@mkdir -p $(BUILD)/package
	cd $(BUILD)/package && GOFLAGS="$$GOFLAGS -ldflags=-X=main.version=$(APP_VERSION)" \
	  $(FYNE) package -os linux -release \
	  -src $(CURDIR)/cmd/scanner -icon $(CURDIR)/$(call meta,Icon) \
	  -name "$(call meta,Name)" -app-id $(call meta,ID) \
	  -app-version $(APP_VERSION) -app-build $(call meta,Build)
	mv "$(BUILD)/package/$(call meta,Name).tar.xz" $(PACKAGE)
	@ls -l $(PACKAGE)

# apk builds the Android package. It needs the Android NDK (ANDROID_NDK_HOME)
# and SDK (ANDROID_HOME), which the development machines do not have; the
# fyne tool builds mobile apps only from the main package's directory.
apk: deps
	@[ -n "$$ANDROID_NDK_HOME" ] || { echo "make apk needs the Android NDK: set ANDROID_NDK_HOME (and ANDROID_HOME to the SDK)"; exit 1; }
	@mkdir -p $(BUILD)
	cd cmd/scanner && $(FYNE) package -os android -app-id $(call meta,ID) \
	  -icon $(CURDIR)/$(call meta,Icon) -name "$(call meta,Name)" \
	  -app-version $(APP_VERSION) -app-build $(call meta,Build)
	mv "cmd/scanner/$(call meta,Name).apk" $(BUILD)/driftless-scanner-$(APP_VERSION).apk

clean:
	rm -rf $(DATA) $(BUILD)
