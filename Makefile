# Fideliza — two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PORT   ?= 5000
# The PostgreSQL server the second test run uses; unreachable means that run is skipped, with the reason.
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/
export TEST_POSTGRES_URL

.PHONY: run serve test test-sqlite test-postgres translations messages lint clean

## run: set everything up (venv, requirements, translations, migrations, demo data), serve on 127.0.0.1:$(PORT)
##      and run one task-queue worker beside it (evidence packs, mail; the queue is instance/tasks.sqlite3);
##      Ctrl-C stops both (production runs them as two services: docs/deployment.md). The server runs
##      without Flask's debugger (its /console runs any Python); `make run DEBUG=1` turns it on.
##      Plain HTTP on loopback, so the session cookie is not marked Secure here.
##      `make run DEMO=0` starts empty instead: the first administrator comes from FIDELIZA_ADMIN_EMAIL and
##      FIDELIZA_ADMIN_PASSWORD (or is asked for), and the setup page guides the rest.
DEMO ?= 1
run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) evidence load-criteria
	$(if $(filter 0,$(DEMO)),$(FLASK) users first-admin,$(FLASK) demo --if-empty)
	SESSION_COOKIE_SECURE=0 $(FLASK) dev $(if $(filter 1,$(DEBUG)),--debug) --host 127.0.0.1 --port $(PORT)

## test: the whole suite, on SQLite and on PostgreSQL at the same time (one core each: the two runs share
##       nothing but the machine). Each run's output is printed whole when it ends, so the two do not mix;
##       the exit status fails if either fails. `make test-sqlite` or `make test-postgres` runs one alone.
test:
	$(MAKE) --no-print-directory --keep-going -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: $(VENV)/.installed translations
	FIDELIZA_TEST_DB=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed translations
	FIDELIZA_TEST_DB=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## translations: compile the catalogues (the .mo files are not committed); an error in one stops the build
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

## messages: extract the marked strings and update the catalogues after changing the UI
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --ignore-dirs='.* _* migrations tests' -o translations/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i translations/messages.pot -d translations

## lint: ruff, and import-linter's contracts of the layers (pyproject.toml, docs/architecture.md)
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache
