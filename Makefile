# Two commands for a fresh machine (see README):
#   make explore   set up .venv and open the explorer (JupyterLab on notebook 0)
#   make test      set up .venv and run the whole test suite (lint, unit, notebooks, browser)
# and one for a class:
#   make app       the notebooks as Voila apps, landing on notebook 0 (as on Binder)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
START_NOTEBOOK := notebooks/00_start_here.ipynb
PORT ?= 8888
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# Settings shared with Binder (binder/start): kernel culling, Voila's close-page shutdown,
# no JupyterLab news prompt. See jupyter-config/README.md.
JUPYTER_ENV := JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}"
# pip lists each package as it goes; download bars only on a terminal, not in CI logs.
PIP_FLAGS := $(if $(CI),--progress-bar off)

.PHONY: explore app test test-fast lint bench clean

$(BIN)/python:
	@echo "==> Creating $(VENV) with $(PYTHON) and upgrading pip"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> Installing cevns_widgets with JupyterLab, Voila and the test tools into $(VENV)"
	@echo "    (about 100 packages; 1-2 minutes the first time)"
	$(BIN)/python -m pip install $(PIP_FLAGS) -e ".[app,test]"
	@echo "==> $(VENV) is ready"
	touch $@

explore: $(VENV)/.installed
	$(JUPYTER_ENV) $(BIN)/jupyter lab --port=$(PORT) $(ROOT_FLAG) $(START_NOTEBOOK)

# Voila as a Jupyter server extension, as on Binder: every notebook is served at
# /voila/render/notebooks/<name>.ipynb, so the map in notebook 0 links to the others.
app: $(VENV)/.installed
	@echo "==> Voila app: the browser opens notebook 0; all notebooks: /voila/tree/notebooks"
	$(JUPYTER_ENV) $(BIN)/jupyter server --port=$(PORT) $(ROOT_FLAG) \
		--ServerApp.default_url=/voila/render/$(START_NOTEBOOK)

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
