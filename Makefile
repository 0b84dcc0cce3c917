# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/govsim: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

.PHONY: setup run test lint notebooks
setup: $(BIN)/govsim

run: setup
	$(BIN)/govsim run

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check simulation tests benchmarks
	$(BIN)/ruff format --check simulation tests benchmarks

# JupyterLab on the analysts' notebooks (the `notebooks` extra); figures show inline.
notebooks: setup
	$(BIN)/python -m pip install --quiet -e '.[test,notebooks]'
	$(BIN)/jupyter lab notebooks/
