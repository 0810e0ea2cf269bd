# Two commands: `make run` (workspace with the sample registry) and `make test`; CI adds lint.
# Needs python3 (3.11+) and npm (Node.js 20+) for the front-end.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
NPM    ?= npm
# bpmn-js (diagrams) and cytoscape (process map), from the npm registry, exactly as pinned in the lock file.
FRONTEND = frontend/node_modules/.installed
# Keep the local data (SQLite catalogue, later the event-log Parquet files) inside the checkout.
export PMO_DATA_DIR ?= $(CURDIR)/.pmo-data

.PHONY: run test install lint clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(FRONTEND): frontend/package.json frontend/package-lock.json
	$(NPM) ci --prefix frontend --ignore-scripts --no-audit --no-fund
	touch $@

install: $(VENV)/.installed $(FRONTEND)

run: install
	$(BIN)/pmo db upgrade
	$(BIN)/pmo demo
	$(BIN)/pmo app

test: install
	$(BIN)/python -m pytest

# The pm4py comparison at 100k, 1M and 5M plus the workspace in Chromium, then the German export
# style at 1M (the import against a DuckDB scan of the same file).
bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.run --style de --sizes 1000000 --noisy-size 0 --skip-workspace --out bench/results-de.json

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pmo-data .pytest_cache frontend/node_modules
