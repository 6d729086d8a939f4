# Watt CMS: `make run` serves the portal with a worker and scheduler; `make test` runs everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run install install-test test test-sqlite test-postgresql bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

install-test: install $(VENV)/.installed-test

run: install
	$(BIN)/cms db upgrade
	$(BIN)/cms processes deploy-shipped
	$(BIN)/cms demo-data --if-empty --service-points 5000
	@echo "Watt CMS on http://127.0.0.1:5000  (demo logins: admin@example.com / watt-admin,"
	@echo "  owner@example.com / watt-owner, clerk@example.com / watt-clerk, cashier@example.com / watt-cashier,"
	@echo "  accountant@example.com / watt-accountant); Ctrl-C stops everything."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# On SQLite today: the unit and worker tests. On PostgreSQL today: everything but the browser and worker
# tests (those run on their own SQLite files whatever the database under test). Then the hostile days, each
# at 06:30 in the utility's zone, when UTC still says the day before: the 1st of a month (FULL_DATE, with
# the browser tests, which run on that day only: the slowest pass, and a hostile day finds more) and a
# month's end and 31 December (TEST_DATES) on SQLite, 29 February (PG_TEST_DATES) on PostgreSQL. The walks
# of every route, admin view and API operation with hostile input (marker `walk`) and the worker tests do
# not depend on the day: they run on today's passes only.
# One day alone: CMS_TEST_TODAY=2027-02-28 .venv/bin/pytest (or make test FULL_DATE=2027-02-28 TEST_DATES=)
FULL_DATE ?= 2027-03-01
TEST_DATES ?= 2027-01-31 2026-12-31
PG_TEST_DATES ?= 2028-02-29
UNIT := -m "not browser and not integration"
DATED := -m "not browser and not integration and not walk"
# The unit tests spread over the machine's cores (pytest-xdist; each worker has its own database); the
# browser and worker tests start servers and processes of their own and run one at a time.
XDIST ?= -n auto
test: install-test
	@tests/services.sh > .test-services.env
	@set -a; . ./.test-services.env; set +a; set -e; \
	  export CMS_TEST_POSTGRESQL_URL="$$CMS_TEST_DATABASE_URL"; \
	  echo "== lint =="; $(BIN)/ruff check .; $(BIN)/lint-imports; \
	  echo "== SQLite, today =="; CMS_TEST_DATABASE_URL= $(BIN)/pytest $(UNIT) $(XDIST) $(PYTEST_ARGS); \
	  CMS_TEST_DATABASE_URL= $(BIN)/pytest -m integration $(PYTEST_ARGS); \
	  echo "== PostgreSQL, today =="; $(BIN)/pytest $(UNIT) $(XDIST) $(PYTEST_ARGS); \
	  echo "== SQLite, $(FULL_DATE) =="; CMS_TEST_TODAY=$(FULL_DATE) CMS_TEST_DATABASE_URL= $(BIN)/pytest $(DATED) $(XDIST) $(PYTEST_ARGS); \
	  CMS_TEST_TODAY=$(FULL_DATE) CMS_TEST_DATABASE_URL= $(BIN)/pytest -m browser $(PYTEST_ARGS); \
	  for day in $(TEST_DATES); do \
	    echo "== SQLite, $$day =="; CMS_TEST_TODAY=$$day CMS_TEST_DATABASE_URL= $(BIN)/pytest $(DATED) $(XDIST) $(PYTEST_ARGS); \
	  done; \
	  for day in $(PG_TEST_DATES); do \
	    echo "== PostgreSQL, $$day =="; CMS_TEST_TODAY=$$day $(BIN)/pytest $(DATED) $(XDIST) $(PYTEST_ARGS); \
	  done

bench: install
	$(BIN)/python bench/demo_data.py
	$(BIN)/python bench/admin_lists.py
	$(BIN)/python bench/workflow.py
	$(BIN)/python bench/meter_batch.py
	$(BIN)/python bench/calibration.py
	$(BIN)/python bench/reading_import.py
	$(BIN)/python bench/reading_entry.py

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) node_modules .test-services.env
