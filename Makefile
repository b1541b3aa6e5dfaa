# hood: build, test, bench. The binary is linked statically: it starts (and
# starts its boxes) faster without the dynamic loader.
# `make test` is what CI runs (as root, so the
# kernel tests run instead of skipping).
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PREFIX ?= /usr/local

# vmtest boots a VM with qemu-system-x86_64; VMTESTFLAGS go to it (-v shows
# every step's output as it comes).
VMTEST = GO="$(GO)" $(GO) run ./vmtest $(VMTESTFLAGS)

.PHONY: all build test lint unit fuzz soak vmtest bench install clean

all: build

build:
	$(GO) build -ldflags "-s -w -X main.version=$(VERSION) -linkmode external -extldflags -static" -o hood ./cmd/hood

# The whole suite: formatting, vet, staticcheck, every test, a bounded fuzz
# of the /proc parsers, then every
# lab's reference solution through the built binary (what an instructor's
# pre-flight runs). Root tests skip with a reason when not run as root.
# Last, where QEMU is installed, vmtest: the cgroup tests and the labs again
# in a VM whose only cgroup hierarchy is v2.
test: lint build
	@# Build every test binary first (running none): tests that measure CPU
	@# time must not run while the compiler takes both CPUs.
	$(GO) test -count=1 -run '^$$' ./... >/dev/null
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)
	@if [ "$$(id -u)" = 0 ]; then ./hood lab --check-all; \
	else echo "hood lab --check-all: skipped, requires root (the labs create namespaces and cgroups)"; fi
	@if command -v qemu-system-x86_64 >/dev/null 2>&1; then $(VMTEST); \
	else echo "vmtest: skipped: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"; fi

# hood's cgroup tests and labs in a small VM with a pure cgroup v2 hierarchy
# (see vmtest/main.go). The VM's kernel and busybox are downloaded once into
# .cache/vmtest/, which make clean keeps.
vmtest: build
	$(VMTEST)

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# The fast tests alone, in seconds: -short skips every test that needs root,
# the kernel or the hood binary (internal/testenv says which and why).
unit:
	$(GO) test -count=1 -short ./...

# Each fuzz target (the /proc parsers and the decoders below) for FUZZTIME; a crash is saved under
# the package's testdata/fuzz/ as a seed for ever after.
FUZZTIME ?= 10s
# make test fuzzes each target this long: bounded, so CI stays fast.
# A count of inputs, not a time: with a duration, Go 1.26's fuzz
# coordinator can fail a target with "context deadline exceeded" when a
# starved worker misses the deadline (golang/go#75804, fixed in Go 1.27).
TEST_FUZZTIME ?= 10000x
FUZZ_PROCFS = FuzzStat FuzzStatus FuzzCgroup FuzzNSLink FuzzMountinfo FuzzPropagation FuzzMountDiff
# The tarball import of rootfs import (hostile input by design).
FUZZ_ROOTFS = FuzzExtract
# What a learner types and what hood reads back: the command-line
# splitter, lab YAML, cgroup values and device rules, hood's own journals.
FUZZ_MORE = ./commands/:FuzzSplit ./labs/:FuzzParse ./internal/kernel/cgroup/:FuzzParseSize \
	./internal/kernel/cgroup/:FuzzParseDeviceRule ./internal/journal/:FuzzParse

fuzz:
	@set -e; for f in $(FUZZ_PROCFS); do \
		echo "$$f ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./internal/kernel/procfs/; \
	done
	@set -e; for f in $(FUZZ_ROOTFS); do \
		echo "$$f ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./internal/rootfs/; \
	done
	@set -e; for pf in $(FUZZ_MORE); do \
		p=$${pf%%:*}; f=$${pf#*:}; echo "$$f in $$p ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) $$p; \
	done

# The long soak: 200 randomised hood sessions, a third ended by SIGKILL and
# hood cleanup, two at a time, then the host compared with what it was
# (make test runs 24 of them, in TestSoak). SOAK=N for another count.
SOAK ?= 200
soak:
	$(GO) test -count=1 -run '^TestSoak$$' -timeout 60m ./cmd/hood/ -soak=$(SOAK)

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./internal/kernel/ns/
	bash bench/nsls.sh ./hood
	bash bench/unshare.sh ./hood

install: build
	install -D -m 0755 hood $(DESTDIR)$(PREFIX)/bin/hood

clean:
	rm -f hood
