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

# The intake workflow installs this lock with --require-hashes (it holds write permissions).
# pip-tools lives in a venv of its own: it is not a dependency of yishi or of its tests.
requirements-intake.txt: pyproject.toml
	test -x .venv-lock/bin/pip-compile || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet pip-tools)
	.venv-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--all-build-deps --no-emit-index-url --no-emit-find-links --output-file=$@ pyproject.toml

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
