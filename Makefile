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

.PHONY: run test install install-test vendor migrate seed bench clean

run: install vendor
	$(BIN)/grihaseva migrate
	$(BIN)/grihaseva seed-demo --if-empty
	$(BIN)/grihaseva serve --bind 127.0.0.1:8000 --workers $(WORKERS)

test: install-test vendor
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

bench: install-test
	@for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
