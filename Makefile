# The two commands: `make run` opens the app on the demo project; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test setup lint bench

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

lint: setup
	$(VENV)/bin/ruff check shotplanner tests bench
	$(VENV)/bin/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring \
	QT_LOGGING_RULES="qt.multimedia.*=false;qt.qpa.*=false" \
	$(PY) -m pytest -q

bench: setup
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f; done
