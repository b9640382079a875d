# make run: set up and serve the app on SQLite with demo data.
# make test: set up with the development extras and run the whole suite
#            (SQLite and a throwaway PostgreSQL server, browser tests in Chromium).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app trustfund
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint setup setup-dev translations extract-messages update-catalogs db-upgrade seed bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

# The compiled catalogs (.mo) are committed beside their .po files, so that a package
# built from the repository (pip install ., production) speaks every language; compile
# them after translating and commit both (tests/unit/test_catalogs.py fails while a .mo
# is not the .po's compiled). Not run at setup: the test must see the committed ones.
translations: $(VENV)/.installed
	@if ls trustfund/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel compile -f -d trustfund/translations >/dev/null; fi

extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -c Translators: -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output -o trustfund/translations/messages.pot .

update-catalogs: extract-messages
	$(VENV)/bin/pybabel update -i trustfund/translations/messages.pot -d trustfund/translations --no-fuzzy-matching --ignore-obsolete

db-upgrade: setup
	$(FLASK) db upgrade

seed: db-upgrade
	$(FLASK) seed-demo

run: seed
	$(FLASK) run --host $(HOST) --port $(PORT)

# The architecture's contracts (.importlinter) and ruff, then every test.
lint: setup-dev
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check trustfund tests benchmarks

test: lint
	bash tests/run.sh

bench: setup-dev
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) instance/*.sqlite3*
