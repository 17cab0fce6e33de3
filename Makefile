# The two promised commands work on a fresh clone:
#   make sync report   load data (the demo athlete when nothing is configured) and write reports/fitness_report.pdf
#   make test          install what the tests need and run them
# Each target installs what it needs: npm packages, and Debian packages when run as root.

SHELL := /bin/bash
NODE_BIN := node_modules/.bin
ATHLETE := node lib/bin/athlete.mjs
STAMP := node_modules/.install-stamp
APT_LOCK_TIMEOUT ?= 600
APT_WAIT := -o DPkg::Lock::Timeout=$(APT_LOCK_TIMEOUT)

.PHONY: all deps build sync report test bench fuzz typecheck chromium poppler jupyter kernel notebook clean help

help:
	@echo "make sync report   sync (demo athlete if no source is configured) and write reports/fitness_report.pdf"
	@echo "make test          run the test suite"
	@echo "make bench         run the benchmarks and print figures"
	@echo "make fuzz          import 100,000 mutated files (FUZZ_INPUTS, FUZZ_SEED) and check nothing crashes, hangs, bloats or stores a bad value"
	@echo "make typecheck     type-check the TypeScript sources"
	@echo "make kernel        install the TypeScript (tslab) Jupyter kernel into kernel/share/jupyter"
	@echo "make notebook      start Jupyter on notebooks/ with that kernel"

deps: $(STAMP)

$(STAMP): package.json package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20 or newer is needed: https://nodejs.org or 'apt-get install nodejs npm'" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The CLI runs the JavaScript compiled from lib/ into dist/ (npm ci builds it too); only changed files are redone.
build: deps
	@node lib/bin/build.mjs --quiet

# $(call debian,COMMAND,PACKAGE): install PACKAGE from Debian when COMMAND is missing.
# apt waits up to APT_LOCK_TIMEOUT seconds for another apt/dpkg (e.g. unattended upgrades) to finish.
define debian
	@command -v $(1) >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(2) (Debian package)..."; \
	    { apt-get $(APT_WAIT) update -qq && DEBIAN_FRONTEND=noninteractive apt-get $(APT_WAIT) install -y -qq $(2) >/dev/null; } \
	      || { echo "could not install $(2): install it yourself with 'apt-get install $(2)'" >&2; exit 1; }; \
	  else \
	    echo "$(1) is missing: install it with 'sudo apt-get install $(2)'" >&2; exit 1; \
	  fi; }
endef

chromium:
ifeq ($(CHROMIUM_PATH),)
	$(call debian,chromium,chromium)
endif

poppler:
	$(call debian,pdftotext,poppler-utils)

jupyter:
	$(call debian,jupyter-nbconvert,jupyter-nbconvert jupyter-client python3-ipykernel)

# The tslab TypeScript kernel, installed into kernel/share/jupyter (nothing in your own Jupyter config).
kernel: deps jupyter
	node --import tsx kernel/install.ts

notebook: kernel
	$(call debian,jupyter-notebook,jupyter-notebook)
	node --import tsx kernel/notebook.ts

# Sync, then (re)train the injury model and score the latest days for the report.
sync: build
	$(ATHLETE) sync
	$(ATHLETE) train
	$(ATHLETE) predict

report: build chromium
	$(ATHLETE) report

test: build chromium poppler jupyter kernel
	npm test

bench: build
	npm run --silent bench

# Mutated copies of every fixture format, the account exports and archives, imported for real;
# fails on a crash, an input over 10 s, memory past a bound, or a stored value outside the gate.
FUZZ_INPUTS ?= 100000
FUZZ_SEED ?= 1
fuzz: deps
	node --import tsx tests/fuzz/supervise.ts --inputs $(FUZZ_INPUTS) --seed $(FUZZ_SEED)

typecheck: deps
	$(NODE_BIN)/tsc --noEmit -p .

clean:
	rm -rf reports dist warehouse/athlete.duckdb warehouse/athlete.duckdb.wal warehouse/athlete.duckdb.holders warehouse/demo
