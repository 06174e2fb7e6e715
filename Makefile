# phoihop: `make run` serves the demo, `make test` runs every check, `make bench` measures.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= 100000

.PHONY: run test bench bench-matching bench-bulletin lint install install-test clean

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

# Served locally over HTTP with debug off: the real error pages, no tracebacks.
RUN_ENV := PHOIHOP_DEMO=1 PHOIHOP_DEBUG=0 PHOIHOP_LOCAL=1

run: install
	$(RUN_ENV) $(VENV)/bin/phoihop setup
	$(RUN_ENV) $(VENV)/bin/phoihop serve $(HOST):$(PORT)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(VENV)/bin/phoihop check
	$(VENV)/bin/phoihop makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install-test
	$(PY) benchmarks/run.py --size $(SIZE) $(BENCH_ARGS)

# Matching quality (recall@10, precision@1 against a plain fuzzy baseline) and latency.
bench-matching: install-test
	$(PY) benchmarks/matching_eval.py --size $(SIZE) $(BENCH_ARGS)

# The public bulletin's pages with many articles, cached and not.
bench-bulletin: install-test
	$(PY) benchmarks/bulletin_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
