# Everyday commands. A fresh machine needs only Python 3.11+ and pip.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint bench worker clean-var

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

## Run the product with demo data: web server + Celery worker (+ embedded PostgreSQL).
run: $(INSTALLED)
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_product

## Run the whole test suite against real PostgreSQL.
test: $(INSTALLED)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(INSTALLED)
	DEBUG=1 $(PY) bench/run_all.py

worker: $(INSTALLED)
	DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A crm_site worker -l info
