# hood: build, test, bench. The binary is linked statically: it starts (and
# starts its boxes) faster without the dynamic loader.
# `make test` is what CI runs (as root, so the
# kernel tests run instead of skipping).
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PREFIX ?= /usr/local

# vmtest boots a VM with qemu-system-x86_64 (vmtest-arm64 with
# qemu-system-aarch64); VMTESTFLAGS go to it (-v shows every step's output
# as it comes).
VMTEST = GO="$(GO)" $(GO) run ./vmtest $(VMTESTFLAGS)

.PHONY: all build dist test lint unit fuzz soak vmtest vmtest-arm64 bench install clean rootless

all: build

build:
	$(GO) build -ldflags "-s -w -X main.version=$(VERSION) -linkmode external -extldflags -static" -o hood ./cmd/hood

# Static binaries for every laptop in the room: dist/hood-linux-amd64 and
# dist/hood-linux-arm64 (the Linux VMs of Apple-silicon laptops), with
# SHA256SUMS. The box's C is cross-compiled with Debian's cross compilers:
# gcc-aarch64-linux-gnu and libc6-dev-arm64-cross on an amd64 machine
# (gcc-x86-64-linux-gnu and libc6-dev-amd64-cross on an arm64 one).
# osusergo,netgo: users and names are looked up by Go itself, never by
# glibc's NSS modules, which a static binary would load at run time from
# the laptop's own glibc, of another version.
DIST_ARCHES ?= amd64 arm64
CROSS_CC_amd64 ?= x86_64-linux-gnu-gcc
CROSS_CC_arm64 ?= aarch64-linux-gnu-gcc
HOSTARCH := $(shell $(GO) env GOHOSTARCH 2>/dev/null)

dist:
	@rm -rf dist && mkdir dist
	@set -e; for a in $(DIST_ARCHES); do \
		cc=gcc; [ "$$a" = "$(HOSTARCH)" ] || cc=$$(case $$a in amd64) echo $(CROSS_CC_amd64);; arm64) echo $(CROSS_CC_arm64);; *) echo "no C cross compiler known for $$a" >&2; exit 1;; esac); \
		command -v $$cc >/dev/null || { echo "make dist: $$cc not installed: it compiles the box's C for $$a (on Debian: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" >&2; exit 1; }; \
		echo "dist/hood-linux-$$a (CC=$$cc)"; \
		CGO_ENABLED=1 GOOS=linux GOARCH=$$a CC=$$cc $(GO) build -trimpath -tags osusergo,netgo \
			-ldflags "-s -w -X main.version=$(VERSION) -linkmode external -extldflags -static" \
			-o dist/hood-linux-$$a ./cmd/hood; \
	done
	@cd dist && sha256sum hood-linux-* >SHA256SUMS && cat SHA256SUMS

# The whole suite: formatting, vet, staticcheck, every test, a bounded fuzz
# of the /proc parsers, then every
# lab's reference solution through the built binary (what an instructor's
# pre-flight runs), and every built-in demo played with --auto. Root tests skip with a reason when not run as root.
# Last, where QEMU is installed, vmtest: the cgroup tests and the labs again
# in a VM whose only cgroup hierarchy is v2; then, where qemu-system-aarch64
# is, vmtest-arm64: the arm64 binary tested the same way in an arm64 VM.
test: lint build
	@# Build every test binary first (running none): tests that measure CPU
	@# time must not run while the compiler takes both CPUs.
	$(GO) test -count=1 -run '^$$' ./... >/dev/null
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)
	@if [ "$$(id -u)" = 0 ]; then ./hood lab --check-all && ./hood demo --check-all; \
	else echo "hood lab --check-all, hood demo --check-all: skipped, requires root (the labs and demos create namespaces and cgroups)"; fi
	$(MAKE) --no-print-directory rootless
	@if command -v qemu-system-x86_64 >/dev/null 2>&1; then $(VMTEST); \
	else echo "vmtest: skipped: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"; fi
	@if ! command -v qemu-system-aarch64 >/dev/null 2>&1; then \
		echo "vmtest-arm64: skipped: qemu-system-aarch64 not installed (apt-get install qemu-system-arm)"; \
	elif [ "$(HOSTARCH)" != arm64 ] && ! command -v $(CROSS_CC_arm64) >/dev/null 2>&1; then \
		echo "vmtest-arm64: skipped: $(CROSS_CC_arm64) not installed (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"; \
	else $(MAKE) --no-print-directory vmtest-arm64; fi

# The rootless pass: every lab's reference solution again, as an ordinary
# user (ROOTLESS_USER, created when missing), so hood runs its boxes in a
# user namespace of its own; steps that need real root skip with a reason.
# As an ordinary user already, it runs as that user. (go test ./... runs
# cmd/hood's TestRootless*, which start hood as uid 65534, as root.)
ROOTLESS_USER ?= hoodtest
rootless: build
	@if [ "$$(id -u)" != 0 ]; then echo "rootless: already uid $$(id -u)"; \
		./hood lab --check-all; exit $$?; fi; \
	id -u $(ROOTLESS_USER) >/dev/null 2>&1 || useradd -m -s /bin/sh $(ROOTLESS_USER); \
	dir=$$(mktemp -d /tmp/hood-rootless.XXXXXX); chmod 755 $$dir; \
	cp hood $$dir/hood; chmod 755 $$dir/hood; \
	echo "rootless: hood lab --check-all as $(ROOTLESS_USER) (uid $$(id -u $(ROOTLESS_USER)))"; \
	cd $$dir && setpriv --reuid $(ROOTLESS_USER) --regid $(ROOTLESS_USER) --init-groups \
		env -i HOME=$$(getent passwd $(ROOTLESS_USER) | cut -d: -f6) PATH=/usr/local/bin:/usr/bin:/bin \
		./hood lab --check-all; st=$$?; rm -rf $$dir; exit $$st

# hood's cgroup tests and labs in a small VM with a pure cgroup v2 hierarchy
# (see vmtest/main.go). The VM's kernel and busybox are downloaded once into
# .cache/vmtest/, which make clean keeps.
vmtest: build
	$(VMTEST)

# The same in an arm64 VM (qemu-system-aarch64 under TCG, Debian's arm64
# kernel), with the arm64 hood of make dist: the tests of the namespace,
# cgroup, seccomp, box, commands and labs packages and hood lab
# --check-all, bounded (about two minutes on 2 CPUs).
# Its kernel and busybox are kept in .cache/vmtest-arm64/.
vmtest-arm64: dist
	$(VMTEST) -arch arm64 -hood dist/hood-linux-arm64

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@# every package builds for the other architecture of make dist too
	@if [ "$(HOSTARCH)" = arm64 ] || command -v $(CROSS_CC_arm64) >/dev/null 2>&1; then \
		echo "GOARCH=arm64 $(GO) vet ./..."; CGO_ENABLED=1 GOARCH=arm64 CC=$$([ "$(HOSTARCH)" = arm64 ] && echo gcc || echo $(CROSS_CC_arm64)) $(GO) vet ./...; \
	else echo "GOARCH=arm64 go vet: skipped: $(CROSS_CC_arm64) not installed (apt-get install gcc-aarch64-linux-gnu)"; fi
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
	rm -rf dist
