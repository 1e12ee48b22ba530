# The two set-up commands of the README: `make run` and `make test`.
# Only Python 3.11+ (with venv), make and bash are needed; everything else is installed here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: run test lint typecheck bench bench-load screenshots clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Qonys needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## Install, migrate the SQLite file, load reference + demo data, serve (prints the docs URL).
run: $(VENV)/.installed
	$(BIN)/qonys serve --prepare

## Install test dependencies and run the whole suite (SQLite and PostgreSQL legs).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check taxonomy matching api tests bench scripts
	$(BIN)/mypy taxonomy matching

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

bench: $(VENV)/.installed-bench
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

## The load benchmark alone (PostgreSQL at $$QONYS_TEST_POSTGRES_URL), recorded in docs/benchmarks/load.md.
bench-load: $(VENV)/.installed-bench
	$(BIN)/python bench/load_bench.py --record

## Screenshots of every page at 360 px and 1280 px into docs/screenshots/.
screenshots: $(VENV)/.installed-test
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
