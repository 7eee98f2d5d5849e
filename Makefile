# make run   build seeds/ into data/ and serve it on http://localhost:8000
# make test  run the test suite
# Both create .venv when it is missing and reinstall the project only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
ARTICLES ?= seeds
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test

run: $(VENV)/.installed
	@$(BIN)/vankien build --articles $(ARTICLES) --out $(DATA)
	@$(BIN)/vankien serve --data $(DATA) --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	@$(BIN)/pytest -q

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@$(PIP) -e '.[test]'
	@touch $@ $(VENV)/.installed
