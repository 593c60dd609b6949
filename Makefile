# countyedu — the two commands a newcomer runs: `make demo` and `make test`.
# Everything is installed by this file: system packages (when missing), a .venv, locked Python deps.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.8
# System packages the project needs, in one place: CJK fonts (charts and PDFs), poppler (PDF → PNG
# in tests), Chromium (browser tests, driven by Playwright with executable_path), Pango (WeasyPrint PDFs),
# a Java runtime (Spark, the scale path).
SYSTEM_PACKAGES := fonts-noto-cjk poppler-utils chromium libpango-1.0-0 libpangoft2-1.0-0 openjdk-17-jre-headless
DATA ?= countyedu-data

.PHONY: demo test test-postgres lint typecheck pytest bench spark system-deps install install-test clean lock fuzz

# The main job: build and assess the demo county, then serve it with one account per role.
demo: install system-deps
	$(BIN)/countyedu demo --data-dir $(DATA)
	$(BIN)/countyedu serve --data-dir $(DATA) --demo-accounts

test: install-test system-deps lint typecheck pytest

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null; \
	  else echo "please run: sudo apt-get install -y --no-install-recommends$$missing"; fi; \
	fi

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(BIN)/uv requirements.lock pyproject.toml
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-test
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements-test.lock
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck:
	$(BIN)/mypy src/countyedu

pytest:
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

# The API against its schema with fresh random cases (CI runs a fixed set of them).
fuzz: install-test
	FUZZ_RANDOM=1 $(BIN)/python -m pytest -q tests/web/test_api_fuzz.py

# The web app's database tests on PostgreSQL (a throw-away server started by .ci/with-postgres).
test-postgres: install-test
	.ci/with-postgres $(BIN)/python -m pytest -q -p no:cacheprovider tests/web

bench: install-test system-deps
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements-bench.lock
	$(BIN)/python -m benchmarks.run --out benchmarks/results.md

# The Spark engine (`countyedu assess --engine spark`, docs/spark.md): the spark extra (pyspark, at
# the versions the bench lock pins) and its Java runtime (openjdk-17-jre-headless, a system package).
spark: install system-deps
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -c requirements-bench.lock -e ".[spark]"
	@$(BIN)/python -c "import pyspark" && (command -v java >/dev/null || [ -n "$$JAVA_HOME" ]) && echo "spark: ready (countyedu assess --engine spark)"

# Regenerate the locks after changing pyproject.toml (needs network).
lock: $(BIN)/uv
	$(BIN)/uv pip compile -q pyproject.toml --extra test -o requirements-test.lock --python-version 3.11
	$(BIN)/uv pip compile -q pyproject.toml -c requirements-test.lock -o requirements.lock --python-version 3.11
	$(BIN)/uv pip compile -q pyproject.toml --extra test --extra bench -c requirements-test.lock -o requirements-bench.lock --python-version 3.11

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .mypy_cache .ruff_cache
