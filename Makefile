# One runner for developers, CI and the README. Each target creates the virtualenv it needs.
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint types check build serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

check: $(STAMP)
	$(BIN)/yishi check

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench

types: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint types
	$(BIN)/yishi check
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
