# The two commands the README starts with: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := grihaseva/static/vendor
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

export GRIHASEVA_ENV ?= development
# Processes for `make run` (hypercorn's workers); one per core unless given.
WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
# pytest-xdist processes for `make test`, one per core unless given (TEST_WORKERS=0: one process).
# Each test file runs whole on one of them (--dist loadfile), so a module's servers start once, and
# files are handed out in collection order (browser files last: see tests/conftest.py).
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)

TRANSLATIONS := grihaseva/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test install install-test vendor migrate seed bench clean messages compile-messages

run: install vendor compile-messages
	$(BIN)/grihaseva migrate
	$(BIN)/grihaseva seed-demo --if-empty
	$(BIN)/grihaseva serve --bind 127.0.0.1:8000 --workers $(WORKERS)

test: install-test vendor compile-messages
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.min.js $(VENDOR)/sse.min.js

vendor: $(VENDOR)/htmx.min.js

# Compiled catalogues (.mo) are built here, never committed.
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -D messages -l $(word 3,$(subst /, ,$<)) >/dev/null

compile-messages: $(MO_FILES)

# After changing English text: extract it and merge it into every catalogue (then translate the new entries).
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k lazy_gettext -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -D messages

bench: install-test
	@for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
