# Two commands: `make run` (workspace with the sample registry) and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
# Keep the local data (SQLite catalogue, later the event-log Parquet files) inside the checkout.
export PMO_DATA_DIR ?= $(CURDIR)/.pmo-data

.PHONY: run test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/pmo db upgrade
	$(BIN)/pmo demo
	$(BIN)/pmo app

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pmo-data .pytest_cache
