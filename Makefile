# camaudit — every target creates or refreshes .venv itself, so each works on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# chromium renders the HTML report in tests; poppler-utils reads the PDF back; pango is WeasyPrint's;
# postgresql runs the register migrations on a throwaway server (Unix socket only); tcpdump records every
# packet of the scope test (tests/test_scope_netns.py); nmap scans the lab for the import test
# (tests/pipeline/test_imports.py compares its file with camaudit's own scan); chromium-driver lets
# selenium drive Debian's chromium through the dashboard (never a downloaded browser).
APT_PKGS := iproute2 chromium chromium-driver poppler-utils libpango-1.0-0 libpangoft2-1.0-0 postgresql tcpdump nmap
BENCH_APT_PKGS := nmap tshark

DASHBOARD_PORT ?= 8080

.PHONY: dashboard demo test test-offline lint bench deps bench-deps apt clean fuzz fuzz-seeds fuzz-minimize audit-deps soak

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# setuptools too: Python 3.11's venv seeds 65.5.0 (PYSEC-2022-43012), which tests/test_deps_check.py refuses
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages some tests and benchmarks drive (ip netns for the layer-2 lab, chromium and pdftotext
# for the reports, nmap for bench).
deps:
	@$(MAKE) --no-print-directory apt PKGS="$(APT_PKGS)"

bench-deps:
	@$(MAKE) --no-print-directory apt PKGS="$(BENCH_APT_PKGS)"

apt:
	@missing=""; for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "note: not root, skipping Debian packages:$$missing (their tests skip)"; fi; \
	fi

demo: $(STAMP)
	$(BIN)/python -m camaudit.demo

# The dashboard over the register `make demo` wrote (made first when missing): prints the URL and a one-time
# password for the user admin; Ctrl-C stops it. Listens on 127.0.0.1 only.
dashboard: $(STAMP)
	@test -f demo-report.register.sqlite || $(MAKE) --no-print-directory demo
	$(BIN)/python -m camaudit serve --db demo-report.register.sqlite --port $(DASHBOARD_PORT) \
	  --config src/camaudit/data/examples/demo-organisation.toml --admin-password

test: $(STAMP) deps
	$(BIN)/python -m pytest -q

# Proves the suite touches nothing but loopback: no network but lo inside the namespace.
test-offline: $(STAMP)
	unshare --net -- sh -c 'ip link set lo up && $(BIN)/python -m pytest -q -m "not netns"'

lint: $(STAMP)
	$(BIN)/ruff check src tests bench fuzz deps
	$(BIN)/ruff format --check src tests bench fuzz deps
	$(BIN)/mypy src

bench: $(STAMP) deps bench-deps
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Opt-in (not in `make test`): coverage-guided fuzzing of every codec and file reader with atheris,
# FUZZ_RUNS inputs each (default 1,000,000), one target after another (FUZZ_TARGETS="a b" picks some).
# Inputs that reach new code are added to fuzz/corpus/TARGET; a crash stops the run with its input saved
# there as crash-<sha1> (keep it: it is the regression seed) and make fails. Logs: FUZZ_LOG/TARGET.log.
# Figures: fuzz/RESULTS.md. `make fuzz-seeds` rewrites the seed inputs; `make fuzz-minimize` shrinks each
# target's folder to the inputs that keep its coverage (run it before committing a grown corpus).
FUZZ_RUNS ?= 1000000
FUZZ_LOG ?= $(or $(TMPDIR),/tmp)/camaudit-fuzz
FUZZ_TARGETS ?= $(shell $(BIN)/python -c "import sys; sys.path.insert(0, 'fuzz'); from targets import TARGETS; print(' '.join(TARGETS))" 2>/dev/null)
FUZZ_FLAGS := -max_len=65536 -rss_limit_mb=2048 -timeout=10
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	@mkdir -p $(FUZZ_LOG); for t in $(FUZZ_TARGETS); do echo "== $$t"; mkdir -p fuzz/corpus/$$t; \
	  $(BIN)/python fuzz/run.py $$t -runs=$(FUZZ_RUNS) $(FUZZ_FLAGS) -print_final_stats=1 \
	    -artifact_prefix=fuzz/corpus/$$t/ fuzz/corpus/$$t > $(FUZZ_LOG)/$$t.log 2>&1; rc=$$?; \
	  grep -E "stat::number_of_executed_units|Uncaught Python exception" -A1 $(FUZZ_LOG)/$$t.log; \
	  if [ $$rc != 0 ]; then echo "$$t: crash or error (exit $$rc), see $(FUZZ_LOG)/$$t.log"; exit 1; fi; done

fuzz-seeds: $(STAMP)
	$(BIN)/python fuzz/seeds.py

fuzz-minimize: $(STAMP)
	$(BIN)/python fuzz/minimize.py $(FUZZ_TARGETS)

# Opt-in (not in `make test`, ~10 minutes): tests/soak/, skipped unless CAMAUDIT_SOAK=1. The hostile-lab
# soak audits every hostile profile beside normal devices SOAK_RUNS times into one register (budget, names,
# flat RSS, PRAGMA integrity_check); the kill -9 runs interrupt scan, traffic, report and import at
# random points.
# Figures: tests/soak/RESULTS.md.
SOAK_RUNS ?= 50
soak: $(STAMP)
	CAMAUDIT_SOAK=1 SOAK_RUNS=$(SOAK_RUNS) $(BIN)/python -m pytest -q -s -rA --timeout=3600 tests/soak

# Known advisories of the installed dependencies. Enforced offline in `make test` (tests/test_deps_check.py):
# deps/check.py against deps/advisories.json, a dated snapshot of the PyPA advisory database (refresh it with
# deps/build_advisories.py; later advisories are unknown to it). pip-audit then asks PyPI's per-version JSON
# API; with --strict a package it could not audit fails it, so an unreachable service is never a silent pass.
audit-deps: $(STAMP)
	$(BIN)/python deps/check.py
	@$(BIN)/python -m pip install --quiet pip-audit && $(BIN)/pip-audit --strict --skip-editable \
	  --progress-spinner off || { echo "pip-audit could not audit every dependency (its service is not reachable \
	from here, or it found an advisory: see above); the offline check above is what CI enforces."; exit 1; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
