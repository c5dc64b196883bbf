# Fiera: the commands people and CI run. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT   ?= 8000

.PHONY: setup demo serve test fuzz openapi lint bench bench-search bench-trade-search bench-pavilion-search bench-flash check clean bench-exam

$(STAMP): pyproject.toml
	@echo "Installing Fiera and its dependencies into $(VENV) (about a minute on a fresh machine)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@
	@echo "Fiera is installed in $(VENV)."

setup: $(STAMP)

## demo: build the demo world on SQLite under var/ and serve it on http://127.0.0.1:$(PORT)
## (DEBUG off, as in production: the product's own error pages; `fiera demo` generates a
## random var/secret_key for this machine once, served as SECRET_KEY)
demo: setup
	$(BIN)/fiera demo
	SECRET_KEY="$$(cat var/secret_key)" FIERA_BASE_URL="$${FIERA_BASE_URL:-http://127.0.0.1:$(PORT)}" \
		$(BIN)/fiera serve --port $(PORT)

## test: import layers, migrations in sync, the whole test suite with line coverage (DATABASE_URL
## picks the database), then the check that every public service ran in a test
test: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m django makemigrations --check --dry-run --settings=fiera.settings >/dev/null || \
		(echo "models changed without a migration: run 'fiera manage makemigrations'"; exit 1)
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)
	$(BIN)/python scripts/service_coverage.py

## fuzz: the OpenAPI fuzz alone, long and from a new random seed (printed); run it before stopping.
## FIERA_FUZZ_SEED=<seed> draws a failing run's examples again; FIERA_FUZZ_EXAMPLES sets how many.
FUZZ_EXAMPLES ?= 60
fuzz: setup
	@seed=$${FIERA_FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "fuzz seed $$seed, $${FIERA_FUZZ_EXAMPLES:-$(FUZZ_EXAMPLES)} examples per operation and role"; \
	FIERA_FUZZ_COVERAGE=all FIERA_FUZZ_SEED=$$seed FIERA_FUZZ_EXAMPLES=$${FIERA_FUZZ_EXAMPLES:-$(FUZZ_EXAMPLES)} \
		$(BIN)/python -m pytest tests/test_openapi_fuzz.py $(PYTEST_ARGS)

## openapi: write docs/openapi.json from the API (tests/test_api_schema.py fails while it differs)
openapi: setup
	$(BIN)/python -m fiera.openapi docs/openapi.json

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/ledger.py

## bench-search: search page p50/p95 beside its raw SQL, on the demo database (DEMO_URL, the
## SQLite demo by default) and on a generated PostgreSQL catalog of SEARCH_VARIANTS variants
DEMO_URL ?= sqlite:///$(CURDIR)/var/fiera.sqlite3
SEARCH_VARIANTS ?= 1000000
bench-search: setup
	$(BIN)/python bench/search.py --database-url $(DEMO_URL)
	$(BIN)/python bench/search.py --generate $(SEARCH_VARIANTS)

## bench-trade-search: the trade marketplace's listing and supplier search, p50/p95 beside its
## raw SQL, with TRADE_LISTINGS generated listings on SQLite (var/bench_trade_search.sqlite3)
## and on PostgreSQL (TRADE_SEARCH_URL); each database is generated once and reused
TRADE_LISTINGS ?= 1000000
TRADE_SEARCH_URL ?= postgresql://postgres@127.0.0.1:5432/fiera_bench_trade_search
bench-trade-search: setup
	$(BIN)/python bench/search.py --trade --listings $(TRADE_LISTINGS)
	$(BIN)/python bench/search.py --trade --listings $(TRADE_LISTINGS) --database-url $(TRADE_SEARCH_URL)

# --- pav ---
## bench-pavilion-search: the pavilion landing page's search (PAVILION_COMPANIES of the
## generated suppliers admitted) on the same trade databases, SQLite then PostgreSQL
PAVILION_COMPANIES ?= 950
bench-pavilion-search: setup
	$(BIN)/python bench/search.py --trade --listings $(TRADE_LISTINGS) --pavilion $(PAVILION_COMPANIES)
	$(BIN)/python bench/search.py --trade --listings $(TRADE_LISTINGS) --pavilion $(PAVILION_COMPANIES) --database-url $(TRADE_SEARCH_URL)
# --- end pav ---

## bench-flash: one hot flash-sale SKU on PostgreSQL (DATABASE_URL, default fiera_bench_flash):
## single conditional UPDATE vs bucketed allocations vs batching, orders/s and p50/p95/p99;
## then the checkout API over gunicorn vs its SQL raw (hot SKU, 10,000 SKUs). FLASH_ARGS:
## e.g. "--http-only --http-seconds 20 --http-clients 32" (bench/flash_sale.py --help)
FLASH_ARGS ?=
bench-flash: setup
	$(BIN)/python bench/flash_sale.py $(FLASH_ARGS)

check: setup
	$(BIN)/fiera check

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static .pytest_cache .mypy_cache .coverage

# --- academy exams ---
## bench-exam: 500 learners start the final exam at the same second against `fiera serve`,
## then save their answers; p50/p95/p99 beside the raw SQL of the same writes (SQLite in
## var/, or DATABASE_URL=postgresql://postgres@127.0.0.1:5432/fiera_bench_exam)
bench-exam: setup
	$(BIN)/python bench/exam_start.py

# --- bench (analytics) ---
## bench-analytics: the analytics dashboard's questions from the rollups vs the same questions
## as GROUP BY over BENCH_ANALYTICS_ORDERS generated orders, in the same run (PostgreSQL:
## BENCH_ANALYTICS_URL, dropped and created again). A quick look on SQLite:
## .venv/bin/python bench/analytics.py --orders 200000 --database-url sqlite:///var/bench_analytics.sqlite3
.PHONY: bench-analytics
BENCH_ANALYTICS_ORDERS ?= 10000000
BENCH_ANALYTICS_URL ?= postgresql://postgres@127.0.0.1:5432/fiera_bench_analytics
bench-analytics: setup
	$(BIN)/python bench/analytics.py --orders $(BENCH_ANALYTICS_ORDERS) --database-url $(BENCH_ANALYTICS_URL)
