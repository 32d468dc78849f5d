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

.PHONY: run test setup install static browser stop-db bench lint clean

run: setup
	$(PY) -m config.serve

test: setup browser
	$(PY) -m pytest $(PYTEST_ARGS)

# Browser tests drive Debian's chromium through Playwright (never a browser download of its own). The
# emoji font is for the screenshots: without it the vote buttons' 👍/👎 are empty boxes.
browser:
	@{ command -v chromium && dpkg -s fonts-noto-color-emoji; } >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium and an emoji font for the browser tests (apt-get)..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null) \
		|| echo "Could not install chromium (not root?): the browser tests will be skipped."; }

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
