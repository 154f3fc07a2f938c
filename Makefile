# The two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# gevent: a greenlet per connection (WORKER_CONNECTIONS each); gthread: a thread each (THREADS).
WORKER_CLASS ?= gthread
WORKER_CONNECTIONS ?= 1000
THREADS ?= 600
ifeq ($(WORKER_CLASS),gthread)
WORKER_OPTIONS := --worker-class gthread --threads $(THREADS)
else
WORKER_OPTIONS := --worker-class $(WORKER_CLASS) --worker-connections $(WORKER_CONNECTIONS)
endif

.PHONY: install install-dev run serve test fuzz bench screenshots lint clean

$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

$(DEV_INSTALLED): $(INSTALLED) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_INSTALLED)

## Runtime only (what `make run` needs); `install-dev` adds the test, benchmark and lint tools.
install: $(INSTALLED)

install-dev: $(DEV_INSTALLED)

## Create the database (SQLite under instance/ unless DATABASE_URL), seed, simulate, serve.
## Every step is idempotent: a second `make run` keeps the data and adds only missing days.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) simulate --days 90
	$(MAKE) --no-print-directory serve

## gthread (default): each open live-payment stream (SSE) holds one thread (sleeping, no DB connection), so
## WORKERS x THREADS is how many streams and requests are served at once. `make serve WORKER_CLASS=gevent`
## runs a greenlet per connection instead (WORKERS x WORKER_CONNECTIONS). README "Live payments".
## glibc's malloc without its per-thread cache of freed blocks: each of a gthread worker's hundreds of
## threads kept one (up to 7 blocks of each size), and RSS grew with them (bench/LIVE.md, "Why gthread's
## memory grew"; gunicorn.conf.py limits the arenas). Read by glibc at start, so set here.
GLIBC_TUNABLES ?= glibc.malloc.tcache_count=0
serve: install
	GLIBC_TUNABLES=$(GLIBC_TUNABLES) $(BIN)/gunicorn --workers $(WORKERS) $(WORKER_OPTIONS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

## The whole test suite (also against PostgreSQL when MARKET40_TEST_DATABASE_URL is set).
## Compiled modules and pytest's rewritten tests are kept in the venv even where the
## environment says PYTHONDONTWRITEBYTECODE: recompiling them cost each worker ~6 s a run.
## One pytest worker more than cores: many tests wait (a browser, a server starting, PostgreSQL).
## The long tests are collected first (tests/conftest.py) and handed out two at a time, so
## the workers finish together (xdist's default gave the first worker a quarter of its share,
## the long ones included, at once).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install-dev
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache $(BIN)/python -m pytest -n $(TEST_WORKERS) --maxschedchunk 2

## Schemathesis with many examples per API operation (make test runs a few of each).
FUZZ_EXAMPLES ?= 300
fuzz: install-dev
	MARKET40_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz -p no:xdist -p no:randomly

## Benchmarks (minutes, not part of `make test`); figures go in the README.
bench: install-dev
	$(BIN)/python bench/bench_vietqr.py
	$(BIN)/python bench/bench_cards.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_simulate.py
	$(BIN)/python bench/bench_reports.py
	$(BIN)/python bench/bench_reports.py --postgresql --days 60
	$(BIN)/python bench/bench_bulk_phases.py
	$(BIN)/python bench/bench_batch_statements.py
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_desk.py
	$(BIN)/python bench/bench_audit.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_live.py
	$(BIN)/python bench/bench_mqtt.py

## Regenerate docs/screenshots/ from the browser tests.
screenshots: install-dev
	MARKET40_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/web/test_browser.py \
		tests/web/desk/test_desk_browser.py

lint: install-dev
	$(BIN)/ruff check market40 tests bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
