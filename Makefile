# Trust Fund Grants — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/trustfund_test
HOST ?= 127.0.0.1
PORT ?= 5000
LOCALSTRIPE_PORT ?= 8420

.PHONY: run test coverage install install-dev install-browser translations lint typecheck test-sqlite test-postgres bench scale-check mutation clean extract-messages css js

# The virtualenv is rebuilt when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed
install-dev: $(BIN)/.installed-dev

# Debian's Chromium for the browser journeys (tests/browser; Playwright comes with the dev extra
# and never downloads a browser). Checked every time: cheap, and right on a fresh machine.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# fonts-wqy-microhei: a CJK font (1.6 MB), without which Chinese pages screenshot as boxes.
install-browser:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y chromium fonts-wqy-microhei; }

# Compiled catalogs are build products, not source: made from the .po files every time.
translations: $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d app/translations 2>&1 | grep -v "^compiling" || true

extract-messages: $(BIN)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_pgettext:1c,2 -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

# Only the Bootstrap rules the app uses (purgecss.config.cjs), written to
# app/static/vendor/bootstrap/bootstrap.used.min.css and, from npm's right-to-left build of the
# same Bootstrap, bootstrap.used.rtl.min.css (Arabic pages), both committed: neither `make run` nor
# the image needs Node. Run it after using a Bootstrap class no page used before (a test in
# tests/web/test_assets.py fails until then). PurgeCSS comes from npm (package.json).
css:
	npm ci --silent --no-audit --no-fund
	node devtools/purge_css.cjs

# Only the parts of Bootstrap's JavaScript the pages use (devtools/bootstrap_used.js), bundled
# by esbuild from npm's Bootstrap (the version of the vendored files) into
# app/static/vendor/bootstrap/bootstrap.used.min.js, committed like the CSS.
js:
	npm ci --silent --no-audit --no-fund
	node_modules/.bin/esbuild devtools/bootstrap_used.js --bundle --minify --format=iife \
		--target=es2019 --outfile=app/static/vendor/bootstrap/bootstrap.used.min.js \
		"--banner:js=/*! Bootstrap v5.3.9 (alert, collapse, dropdown) and Popper v2, MIT: see LICENSE */"

# localstripe (a fake Stripe, the `demo` extra) for card gifts in the demo; see README "Donations".
$(BIN)/.installed-demo: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[demo]'
	touch $@

run: install translations $(BIN)/.installed-demo
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo
	@eval "$$($(FLASK) donations localstripe --port $(LOCALSTRIPE_PORT) \
		--webhook-url http://$(HOST):$(PORT)/webhooks/stripe)"; \
	$(FLASK) outbox send --loop 2 & OUTBOX_PID=$$!; \
	$(FLASK) webhooks send --loop 2 & WEBHOOKS_PID=$$!; \
	trap 'kill $$OUTBOX_PID $$WEBHOOKS_PID; [ -z "$$LOCALSTRIPE_PID" ] || kill $$LOCALSTRIPE_PID' EXIT; \
	echo "Serving http://$(HOST):$(PORT)  (Ctrl-C to stop)"; \
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" $(FLASK) run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy app devtools

# The suites run without coverage: measuring it makes the tests about 1.8 times slower (a
# reporting and ledger sample, 72 s against 128 s). `make coverage` runs both with it.
COVERAGE ?=
COVERAGE_AFTER = $(if $(COVERAGE),--cov=app --cov-append --cov-report=term:skip-covered)

test-sqlite: install-dev install-browser translations
	mkdir -p build
	$(BIN)/pytest $(COVERAGE) --junitxml=build/pytest-sqlite.xml

test-postgres: install-dev translations
	mkdir -p build
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(COVERAGE_AFTER) \
		--junitxml=build/pytest-postgres.xml

test: lint typecheck test-sqlite test-postgres

# Both halves of the suite with coverage, then the report of both together.
coverage:
	$(MAKE) test-sqlite test-postgres COVERAGE="--cov=app --cov-report="

# Mutation testing of the money modules named in pyproject.toml's [tool.mutmut] (about 7 minutes
# on 2 cores): every mutant should be killed; `mutmut show NAME` prints a survivor's change.
mutation: install-dev translations
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

# bench/http.py loads pages with wrk (Debian package); installed here when missing. The money
# flows and pgbench need the local PostgreSQL; the scenarios (Locust, localstripe: dev extra)
# start gunicorn in production mode, which keeps its rate limits in the local Redis.
bench: install-dev
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	$(BIN)/python -m bench

# Scale-out, shown (bench/scale_out.py): two gunicorn servers, two Celery workers and a beat on
# this machine against one PostgreSQL database (SCALE_DATABASE_URL, made afresh), one Redis
# database (SCALE_REDIS_URL, default 9) and moto's S3 server; a gift, an application with its
# file and a tranche go through both servers in turn; every e-mail is sent once and the ledger
# verifies. About 30 to 70 s; tests/test_scale_out.py runs it in the PostgreSQL run.
scale-check: install-dev translations
	$(BIN)/python -m bench.scale_out

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .coverage
