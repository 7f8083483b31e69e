# motcua — run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MOTCUA := $(BIN)/motcua
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)

# Debian packages: venv support (a fresh Debian has python3 without it), WeasyPrint's text stack and a font
# with full Vietnamese coverage (run); poppler for reading generated PDFs and Chromium for browser tests (test).
DEB_RUN := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core
DEB_TEST := $(DEB_RUN) poppler-utils wrk chromium

.PHONY: help install run serve test test-fast lint format bench bench-quick clean deb-run deb-test

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || bash scripts/ensure-debian-packages.sh nodejs npm
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

install: $(STAMP) node_modules/.installed ## Create .venv, install the project with its test tools and the front-end packages

deb-run: ## Install the Debian packages needed to serve (as root; prints the command otherwise)
	@bash scripts/ensure-debian-packages.sh $(DEB_RUN)

deb-test: ## Install the Debian packages the tests need
	@bash scripts/ensure-debian-packages.sh $(DEB_TEST)

run: deb-run install ## Migrate, load demo data and serve everything on http://127.0.0.1:8000
	$(MOTCUA) migrate --noinput
	$(MOTCUA) demo
	$(MOTCUA) serve $(SERVE_ARGS)

serve: deb-run install ## Migrate and serve without touching the demo data (SERVE_ARGS="--port 8001")
	$(MOTCUA) migrate --noinput
	$(MOTCUA) serve $(SERVE_ARGS)

test: deb-test install ## Run the whole test suite (DATABASE_URL picks the database; SQLite by default)
	MOTCUA_FAST_PASSWORD_HASHER=1 $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: install ## ruff (lint + format check), mypy on the domain packages, missing-migration check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy motcua/core motcua/org motcua/catalogue motcua/deadlines motcua/workflow motcua/dossiers motcua/indicators
	$(MOTCUA) makemigrations --check --dry-run

format: install ## Reformat the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (docs/performance.md): PostgreSQL only, in a database of their own. BENCH_ARGS="--fresh" starts
# from an empty database; "--only lifecycle,reads" runs some modules.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/motcua_bench

bench: install ## Run the benchmark suite on PostgreSQL (BENCH_DB=…); results in bench/results/
	@bash scripts/ensure-debian-packages.sh wrk
	DATABASE_URL=$(BENCH_DB) $(BIN)/python -m bench --prepare $(BENCH_ARGS)

bench-quick: install ## Every benchmark at a small scale (checks the harness, not the speed)
	@bash scripts/ensure-debian-packages.sh wrk
	DATABASE_URL=$(BENCH_DB)_quick $(BIN)/python -m bench --prepare --quick $(BENCH_ARGS)

clean: ## Remove the virtualenv, local data and caches
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
