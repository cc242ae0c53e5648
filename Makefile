# Two entry points, both self-contained on a fresh machine with Python 3.11 + pip:
#   make run   - create/reuse .venv, install the app, start Streamlit
#   make test  - create/reuse .venv, install the app + test tools (and Debian's chromium
#                for the browser tests), run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.app-installed

run: $(VENV)/.app-installed
	bash scripts/ensure_chromium.sh || echo "No chromium: the app runs, PNG/SVG/PDF export of plotly figures is off."
	$(BIN)/streamlit run app.py

test: $(VENV)/.test-installed
	bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest

bench: $(VENV)/.test-installed
	for f in bench/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
