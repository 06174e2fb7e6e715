# phoihop: `make run` serves the demo, `make test` runs every check, `make bench` measures.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= 100000

.PHONY: run test bench lint install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	PHOIHOP_DEMO=1 $(VENV)/bin/phoihop setup
	PHOIHOP_DEMO=1 $(VENV)/bin/phoihop serve $(HOST):$(PORT)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(VENV)/bin/phoihop check
	$(VENV)/bin/phoihop makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install-test
	$(PY) benchmarks/run.py --size $(SIZE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
