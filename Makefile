# Santuni: `make run` serves the demo directory on http://127.0.0.1:8000 (`make run PORT=8001`
# for another port); `make test` checks it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in invitation and notice links and the booklet's QR codes: the server `make run`
# starts, unless SANTUNI_BASE_URL is set (never taken from a request's Host header).
SANTUNI_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run serve test test-browser lint typecheck ci format messages lock pageweight \
	bench loadtest faulttest clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Santuni needs Python 3.11")'
	@echo "== Installing Santuni and the packages it needs into $(VENV) (a few minutes the first time)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off \
		-c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A local secret key, made once, so the server runs as in production (DEBUG off).
var/secret_key:
	mkdir -p -m 700 var
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

run: install var/secret_key
	# The database, attachments and backups are in it: the owner's only (see settings.py).
	@mkdir -p "$${SANTUNI_VAR_DIR:-var}" && chmod 700 "$${SANTUNI_VAR_DIR:-var}"
	@echo "== Bringing the database up to date (the first time: builds it, about a minute)"
	SECRET_KEY=$$(cat var/secret_key) $(BIN)/python manage.py migrate --noinput
	@echo "== Loading the Negeri Sembilan demo directory if the database is empty"
	SECRET_KEY=$$(cat var/secret_key) $(BIN)/python manage.py load_demo_data --if-empty
	@echo "== Collecting and compressing the static files (up to a minute)"
	SECRET_KEY=$$(cat var/secret_key) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "== Serving http://$(HOST):$(PORT)/ with the booklet worker beside it; links and QR codes use $(SANTUNI_BASE_URL) (Ctrl-C stops both)"
	# The background worker (printed booklets) runs beside the server and stops with it.
	export SECRET_KEY=$$(cat var/secret_key) SANTUNI_BASE_URL='$(SANTUNI_BASE_URL)'; \
	$(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs over what pyproject.toml's [tool.mypy] names; .mypy_cache keeps what
# it learnt, so a run after a small change takes a second or two.
typecheck: install
	SANTUNI_TESTING=1 $(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Prerequisites run in order: ruff, then mypy, then the checks below.
test: lint typecheck
	DATABASE_URL=$${DATABASE_URL:-sqlite://:memory:} SANTUNI_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

test-browser: install
	$(BIN)/pytest -m browser

# CI (.ci/run, which installs Chromium first): `make test` on SQLite, then on a fresh
# PostgreSQL database on PG_URL's server, dropped afterwards (SANTUNI_CI_DB names it). The
# browser tests run in both with Debian's Chromium: SANTUNI_REQUIRE_BROWSER turns a skipped
# one into a failure. Any failure fails the run.
PG_URL ?= postgres://postgres@127.0.0.1:5432
ci: export SANTUNI_REQUIRE_BROWSER = 1
ci:
	@command -v chromium >/dev/null 2>&1 || \
		{ echo "make ci needs Chromium: apt-get install -y chromium" >&2; exit 1; }
	@echo "== make test on SQLite"
	$(MAKE) test
	@set -eu; db="$${SANTUNI_CI_DB:-santuni_ci_$$$$}"; pg="$(PG_URL)"; \
	drop() { psql "$$pg/postgres" -q -c "DROP DATABASE IF EXISTS $$db" \
		-c "DROP DATABASE IF EXISTS test_$$db" || true; }; \
	trap drop EXIT; \
	echo "== make test on PostgreSQL ($$db)"; \
	psql "$$pg/postgres" -q -c "CREATE DATABASE $$db"; \
	DATABASE_URL="$$pg/$$db" $(MAKE) test
	@echo "== CI passed"

# Extract strings (needs GNU gettext's xgettext) and compile catalogues (pure Python).
messages: install
	cd santuni && SANTUNI_TESTING=1 ../$(BIN)/django-admin makemessages -l ms -l en --no-obsolete --settings=santuni.settings --pythonpath=..
	$(BIN)/python -m santuni.lib.compile_messages

pageweight: install
	SANTUNI_TESTING=1 $(BIN)/python -m tools.pageweight

# Speed, as ratios against a baseline measured in the same run (see tools/bench.py).
bench: install
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

# Reliability (docs/reliability.md): 200 people for 60 s on SQLite and PostgreSQL, and
# crashes on purpose (the last one restarts this machine's PostgreSQL). Not in `make test`.
loadtest: install
	$(BIN)/python -m tools.reliability.loadtest $(LOAD_ARGS)

faulttest: install
	$(BIN)/python -m tools.reliability.faults $(FAULT_ARGS)

lock: install
	$(BIN)/python -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) var/static
