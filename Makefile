# camaudit — every target creates or refreshes .venv itself, so each works on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# chromium renders the HTML report in tests; poppler-utils reads the PDF back; pango is WeasyPrint's;
# postgresql runs the register migrations on a throwaway server (Unix socket only); chromium-driver lets
# selenium drive Debian's chromium through the dashboard (never a downloaded browser).
APT_PKGS := iproute2 chromium chromium-driver poppler-utils libpango-1.0-0 libpangoft2-1.0-0 postgresql
BENCH_APT_PKGS := nmap tshark

DASHBOARD_PORT ?= 8080

.PHONY: dashboard demo test test-offline lint bench deps bench-deps apt clean fuzz audit-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
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
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

bench: $(STAMP) deps bench-deps
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Opt-in (not in `make test`): coverage-guided fuzzing of every codec and file reader with atheris,
# FUZZ_RUNS inputs each (default 1,000,000); the corpus in fuzz/corpus/ grows and is kept in the repo.
FUZZ_RUNS ?= 1000000
FUZZ_TARGETS ?= $(shell $(BIN)/python -c "import sys; sys.path.insert(0, 'fuzz'); from targets import TARGETS; print(' '.join(TARGETS))" 2>/dev/null)
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	@for t in $(FUZZ_TARGETS); do echo "== $$t"; mkdir -p fuzz/corpus/$$t; \
	  $(BIN)/python fuzz/run.py $$t -runs=$(FUZZ_RUNS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	    -print_final_stats=1 fuzz/corpus/$$t 2>&1 | grep -E "stat::number_of_executed_units|Done|ERROR|crash" || exit 1; done

# Known advisories of the installed dependencies: pip-audit needs PyPI's JSON API or osv.dev; where neither
# is reachable it says so and exits non-zero rather than pass silently.
audit-deps: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit --skip-editable --progress-spinner off

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
