# make run   build seeds/ into data/ and serve it on http://localhost:8000
# make test  run the test suite (installs Debian's chromium for the browser tests and virtuoso-opensource
#            for the remote store tests when either is missing)
# Both create .venv when it is missing and reinstall the project only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
ARTICLES ?= seeds
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
VIRTUOSO := /usr/bin/virtuoso-t
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run test

run: $(VENV)/.installed
	@$(BIN)/vankien build --articles $(ARTICLES) --out $(DATA)
	@$(BIN)/vankien serve --data $(DATA) --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test $(CHROMIUM) $(VIRTUOSO)
	@$(BIN)/pytest -q

# One apt run for whichever is missing (grouped targets: GNU make 4.3+).
$(CHROMIUM) $(VIRTUOSO) &:
	@$(SUDO) apt-get update -qq
	@$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium virtuoso-opensource >/dev/null

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@$(PIP) -e '.[test]'
	@touch $@ $(VENV)/.installed
