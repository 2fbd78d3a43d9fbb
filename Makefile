# Kohorte: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
VENDOR := kohorte/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn sync workers: one more than the cores (3 on two cores); the benchmark serves the same.
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: run test install install-test static messages migrate demo serve check lint \
        test-fast test-browser test-setup gettext chromium bench-intake bench-selection bench-evaluation bench-certificates ci

.venv/.installed: pyproject.toml
	test -x $(PY) || python3.11 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

.venv/.installed-test: .venv/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

install: .venv/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end packages are copied from node_modules into the static folder: nothing is
# fetched from the internet when the app runs.
static: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/kern $(VENDOR)/htmx $(VENDOR)/axe
	cp node_modules/@kern-ux/native/dist/kern.min.css $(VENDOR)/kern/
	cp -r node_modules/@kern-ux/native/dist/fonts $(VENDOR)/kern/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/

gettext:
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)

messages: install gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py load_demo

# make run: install, build static files, migrate, load the demo programme, then serve
# with gunicorn and the background worker beside it, and print the demo logins.
run: install static messages demo
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py demo_logins
	@echo "Kohorte läuft auf http://$(HOST):$(PORT)/  (Strg+C beendet)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py run_worker & \
	  .venv/bin/gunicorn kohorte.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	    --access-logfile - --graceful-timeout 10; \
	  wait

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Everything the tests need on a fresh machine: venv with the test extras, front-end
# packages copied into static/, compiled translations (msgfmt), Debian's chromium.
test-setup: .venv/.installed-test static gettext chromium
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# make test: all tests. The browser tests need PostgreSQL and skip on SQLite (the
# default): DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make test runs them.
test: test-setup
	KOHORTE_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: test-setup
	KOHORTE_TESTING=1 $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# Only the browser tests (Playwright + axe-core), on the local PostgreSQL by default.
test-browser: test-setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	  KOHORTE_TESTING=1 $(PY) -m pytest -m browser $(PYTEST_ARGS)

# What CI runs: both databases, the browser tests, quick benchmark runs (.ci/run).
ci:
	bash .ci/run

lint: .venv/.installed-test
	.venv/bin/ruff check .

bench-intake: install static messages
	$(PY) bench/intake.py $(BENCH_ARGS)

bench-selection: install
	$(PY) bench/selection.py $(BENCH_ARGS)

bench-evaluation: install
	$(PY) bench/evaluation.py $(BENCH_ARGS)

bench-certificates: install
	$(PY) bench/certificates.py $(BENCH_ARGS)
