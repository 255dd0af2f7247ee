# Partnership Readiness: the commands a newcomer needs.
#   make demo   run the app with demo data on SQLite at http://127.0.0.1:8000
#   make test   run the test suite (SQLite; set DATABASE_URL for PostgreSQL)

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# Tests run with DEBUG off, as in production; this key exists only for them.
TEST_ENV := SECRET_KEY=test-only-insecure-key-for-the-test-suite-not-for-any-deployment

.PHONY: install demo run test bench load lint format migrations-check ci clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_framework
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# Builds a scale dataset in its own database (var/bench.sqlite3, or BENCH_DATABASE_URL)
# and prints query counts and timings; see the README for the figures.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# A bounded mixed load (Locust, about 4 minutes) against gunicorn on loopback, bench data
# on PostgreSQL: PDFs rendered in the request against queued; see bench/README.md.
load: install
	@test -n "$$BENCH_DATABASE_URL" || { echo "make load needs PostgreSQL: set BENCH_DATABASE_URL, e.g. BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/readiness_bench make load (createdb readiness_bench first)"; exit 2; }
	$(PY) bench/load/run_load.py $(LOAD_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var staticfiles
