# Two entry points, both self-contained on a fresh machine with Python 3.11+ and pip:
#   make run   - create .venv from requirements.lock, start Streamlit
#   make test  - the same .venv (and Debian's chromium and nginx for the browser and hall tests),
#                run every test
#   make serve - a lecture hall: nginx in front of REPLICAS Streamlit processes (deploy/)
# Both install exactly requirements.lock: every package pinned with its hashes, so a new machine,
# CI and a lecturer's laptop run what the tests ran on. pyproject.toml holds the ranges the code
# supports; upgrading is a deliberate step (README, "Dependencies"):
#   make test-latest   - the newest versions those ranges allow, in .venv-latest, every test
#   make lock          - re-resolve the locks after editing pyproject.toml (keeps today's pins)
#   make lock-upgrade  - requirements.lock := the newest allowed versions (what test-latest ran)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
# Two test processes for the two cores of these machines (pytest-xdist; idle ones steal work).
# Each process runs its own Streamlit server and chromium for the browser tests (tests/e2e).
TEST_ARGS ?= -n 2 --dist worksteal

# uv resolves the locks and installs them (ten times faster than pip here: 4 s against 38 s). It
# comes from its own hash-checked lock, into its own venv, so .venv holds requirements.lock only.
UV_VERSION := 0.13.9
UV_LOCK := requirements-uv.lock
TOOLS  := .venv-tools
UV     := $(TOOLS)/bin/uv
LATEST := .venv-latest
# hatchling builds the editable install; it is locked too (read from [build-system]).
BUILD_REQUIRES = $(PYTHON) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')"
COMPILE = $(BUILD_REQUIRES) | $(UV) pip compile pyproject.toml - --extra test --universal \
	--fork-strategy fewest --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock"

# install-into VENV LOCKFILE: exactly the locked packages (hash-checked; anything else removed),
# then the project itself, editable, built by the locked hatchling.
define install-into
	$(UV) pip sync --quiet --python $(1)/bin/python --require-hashes $(2)
	$(UV) pip install --quiet --python $(1)/bin/python --no-deps --no-build-isolation -e .
endef

.PHONY: run serve test bench lock lock-upgrade test-latest clean

$(UV): $(UV_LOCK)
	rm -rf $(TOOLS)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(UV_LOCK)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(LOCK) pyproject.toml $(UV) | $(BIN)/python
	$(call install-into,$(VENV),$(LOCK))
	touch $@

run: $(VENV)/.installed
	bash scripts/ensure_chromium.sh || echo "No chromium: the app runs, PNG/SVG/PDF export of plotly figures is off."
	$(BIN)/streamlit run app.py

# One replica per core by default; HOST=0.0.0.0 to let the students' machines in.
REPLICAS ?= $(shell nproc 2>/dev/null || echo 2)
PORT     ?= 8080
HOST     ?= 127.0.0.1
SERVE_ARGS ?=
serve: $(VENV)/.installed
	bash scripts/ensure.sh nginx
	bash scripts/ensure.sh chromium || echo "No chromium: the app runs, PNG/SVG/PDF export of plotly figures is off."
	$(BIN)/python -m deploy --replicas $(REPLICAS) --port $(PORT) --host $(HOST) $(SERVE_ARGS)

# axe-core (the accessibility test's engine) comes from the npm registry, pinned and hash-checked
# (scripts/axe-core.toml), into the venv: no npm needed.
test: $(VENV)/.installed
	bash scripts/ensure.sh chromium nginx
	$(BIN)/python scripts/fetch_axe.py
	$(BIN)/python -m pytest $(TEST_ARGS)

bench: $(VENV)/.installed
	for f in bench/*.py; do $(BIN)/python $$f || exit 1; done

lock: | $(UV)
	$(COMPILE) -o $(LOCK)
	echo "uv==$(UV_VERSION)" | $(UV) pip compile - --universal --generate-hashes --quiet \
		--custom-compile-command "make lock" -o $(UV_LOCK)

lock-upgrade: | $(UV)
	$(COMPILE) --upgrade -o $(LOCK)

# Not part of CI: what `make lock-upgrade` would lock, installed beside .venv and tested.
test-latest: | $(UV)
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(COMPILE) --upgrade -o $(LATEST)/requirements.lock
	$(call install-into,$(LATEST),$(LATEST)/requirements.lock)
	bash scripts/ensure.sh chromium nginx
	$(LATEST)/bin/python scripts/fetch_axe.py
	diff $(LOCK) $(LATEST)/requirements.lock | grep -E '^[<>] [a-z]' || echo "The lock already holds the newest allowed versions."
	$(LATEST)/bin/python -m pytest $(TEST_ARGS)

clean:
	rm -rf $(VENV) $(LATEST) $(TOOLS) .pytest_cache .hypothesis
