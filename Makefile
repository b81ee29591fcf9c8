# The two commands of the README (make demo, make test) and the targets CI and developers use.
# Each target creates or reuses .venv and installs what it needs, so a fresh machine with
# Python 3.11+ and pip is enough.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
KIT    := $(VENV)/bin/kit
DEMO   := data/demo
OUT    := output

.PHONY: demo test lint mypy-baseline mutate bench bench-state test-update clean help lab lite

help:
	@echo "make demo         generate the demo district, validate, build facts, render every report"
	@echo "make test         install the dev extras and run the whole test suite"
	@echo "make lint         ruff check, ruff format --check, the import direction (lint-imports) and mypy against its baseline"
	@echo "make mypy-baseline  record mypy's errors after fixing some (the baseline only shrinks)"
	@echo "make mutate       mutation testing (mutmut) of the rule code; the score is in CONTRIBUTING.md"
	@echo "make bench        time the build at state scale and kit batch vs the naive loop (docs/performance.md)"
	@echo "make bench-state  also render every report of the 1,800-school state (about 26 minutes on 2 cores)"
	@echo "make test-update  refresh narrative snapshots after an intended wording change"
	@echo "make lab          the workshop: the demo facts if missing, then JupyterLab on the lessons"
	@echo "make lite         a browser-only JupyterLite site of the lessons (manual; docs/workshop.md)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# kit demo: demo-data, validate, build, batch (html, pdf); the same without make.
demo: $(VENV)/.installed
	$(KIT) demo --out $(OUT) --data $(DEMO)

test: $(VENV)/.dev-installed
	$(PY) -m pytest -n 2 --dist loadfile

test-update: $(VENV)/.dev-installed
	$(PY) -m pytest tests/narrative --snapshot-update

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check kit tests
	$(VENV)/bin/ruff format --check kit tests
	$(VENV)/bin/lint-imports
	$(PY) .ci/mypy_baseline.py

mypy-baseline: $(VENV)/.dev-installed
	$(PY) .ci/mypy_baseline.py --write

# Mutation testing of the rule code (scope in pyproject.toml, [tool.mutmut]); results stay
# in mutants/ (not committed): `.venv/bin/mutmut results`, `.venv/bin/mutmut show NAME`.
mutate: $(VENV)/.dev-installed
	$(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json

bench: $(VENV)/.dev-installed
	$(PY) -m kit.bench

bench-state: $(VENV)/.dev-installed
	$(PY) -m kit.bench --state-batch

clean:
	rm -rf $(OUT)/* $(DEMO) .pytest_cache
	touch $(OUT)/.gitkeep

# The workshop (docs/workshop.md): the demo facts store if missing, then JupyterLab on the
# lessons with the kit's kernel.
lab: $(VENV)/.installed
	$(KIT) lab --facts $(OUT)/facts.duckdb --data $(DEMO)

# A browser-only JupyterLite site of the lessons (docs/workshop.md, "A room without
# installs"). Not built in CI: it downloads its tools from PyPI, and in the browser it fetches
# Pyodide from a CDN. Configuration: jupyter_lite_config.json.
LITE := build/lite
lite: $(VENV)/.installed
	$(PY) -m pip install --quiet "jupyterlite-core>=0.4" "jupyterlite-pyodide-kernel>=0.4"
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir $(LITE)-wheels .
	$(VENV)/bin/jupyter lite build --config jupyter_lite_config.json --output-dir $(LITE)
	@echo "Open $(LITE)/index.html through a web server, e.g.: $(PY) -m http.server -d $(LITE)"
