# The two commands: `make run` opens the app on the demo project; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test setup lint typecheck bench wheel bundle

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

lint: setup
	$(VENV)/bin/ruff check shotplanner tests bench scripts setup.py
	$(VENV)/bin/lint-imports

# Strict for core and generation, plain for the rest ([tool.mypy] in pyproject.toml).
typecheck: setup
	$(VENV)/bin/mypy

test: lint typecheck
	QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring \
	QT_LOGGING_RULES="qt.multimedia.*=false;qt.qpa.*=false" \
	$(PY) -m pytest -q

# The wheel in dist/ (built offline with the backend set-up installed; tests/test_install.py installs one).
wheel: setup
	$(PY) -m pip wheel -q --no-deps --no-build-isolation -w dist .

# The PyInstaller one-dir bundle in dist/shotplanner/ (tests/test_bundle.py builds and smoke-tests it).
bundle: setup
	@bash scripts/bundle.sh

bench: setup
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f; done
