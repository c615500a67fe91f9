# Two commands for a fresh machine (see README):
#   make explore   set up .venv and open the explorer (JupyterLab on notebook 0)
#   make test      set up .venv and run the whole test suite (lint, unit, notebooks, browser)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
START_NOTEBOOK := notebooks/00_start_here.ipynb
PORT ?= 8888
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: explore app test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[app,test]"
	touch $@

explore: $(VENV)/.installed
	$(BIN)/jupyter lab --port=$(PORT) $(ROOT_FLAG) $(START_NOTEBOOK)

app: $(VENV)/.installed
	$(BIN)/voila --port=$(PORT) $(START_NOTEBOOK)

lint: $(VENV)/.installed
	$(BIN)/ruff check cevns_widgets tests benchmarks
	$(BIN)/ruff format --check cevns_widgets tests benchmarks

test: lint
	$(BIN)/python -m pytest tests --doctest-modules cevns_widgets

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest tests --doctest-modules cevns_widgets -m "not browser and not notebooks"

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_physics.py
	$(BIN)/python benchmarks/bench_widgets.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
