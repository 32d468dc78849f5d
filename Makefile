# Two commands do all the set-up from a clean clone:  make run  and  make test.
# Everything the project needs is installed by these targets (Python packages into .venv/ with pip,
# Debian packages with apt-get when missing), so a fresh machine needs nothing by hand.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# torch (for local embeddings) must be the CPU build: a bare "torch" can pull a multi-GB CUDA build.
# On these machines pip takes torch 2.13.0's CPU wheel from local disk; elsewhere see README.
TORCH_SPEC ?= torch==2.13.0
INSTALLED := $(VENV)/.installed

.PHONY: run test setup install static stop-db bench lint clean

run: setup
	$(PY) -m config.serve

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

setup: install static

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet "$(TORCH_SPEC)"
	$(PIP) install --quiet -e ".[dev]"
	touch $@

static: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

stop-db: install
	$(PY) -m config.serve --stop-database

bench: setup
	$(PY) bench/ingest.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles
