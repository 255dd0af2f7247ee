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

# Demo accounts sign in with the demo password alone (MFA=off); `make demo MFA=on` asks
# administrators and executives for an authenticator app, as production does.
# `make demo SSO=1` also starts the local test identity provider (needs Node.js) and
# links it to the demo's Cherwell District Council (see the README).
MFA ?= off
COMMA := ,
DEMO_ENV = DEBUG=1 MFA_REQUIRED_FOR="$(if $(filter on,$(MFA)),administrator$(COMMA)executive,)"

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_framework
	$(DEMO_ENV) $(PY) manage.py seed_demo
ifeq ($(SSO),1)
	$(DEMO_ENV) $(PY) manage.py seed_demo_sign_in
	$(PY) -m tests.oidc_demo & PROVIDER=$$!; trap "kill $$PROVIDER" EXIT INT TERM; \
	  $(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000
else
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000
endif

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
