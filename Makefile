# Everyday commands. A fresh machine needs only Python 3.11+ and pip.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Development settings (DEBUG on, a generated SECRET_KEY), read by crm_site/settings.py, so
# that `.venv/bin/python manage.py …` works after `make run` or `make test`. Git-ignored.
LOCAL_ENV := local.env
# The compiled Simplified Chinese catalogs (git-ignored), made from the .po (docs/i18n.md):
# the pages' (django) and the scripts' (djangojs).
CATALOG := locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/djangojs.mo

.PHONY: run test test-citus lint bench worker clean-var lock

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(INSTALLED)

locale/%.mo: locale/%.po $(INSTALLED) $(LOCAL_ENV)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv > /dev/null
	touch $@

$(LOCAL_ENV):
	umask 077 && printf '# Written by make for development; never used in production.\nDEBUG=1\nSECRET_KEY=%s\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

## Run the product with demo data: web server + Celery worker (+ embedded PostgreSQL).
run: $(INSTALLED) $(LOCAL_ENV) $(CATALOG)
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_product

## Run the whole test suite against real PostgreSQL.
test: $(INSTALLED) $(LOCAL_ENV) $(CATALOG)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## The whole suite against a local Citus cluster, built from ../shared/citus (docs/scale.md).
CITUS_TESTS ?= tests
test-citus: $(INSTALLED) $(LOCAL_ENV) $(CATALOG)
	bash tests/citus/run.sh $(CITUS_TESTS) $(PYTEST_ARGS)

lint: $(INSTALLED) $(LOCAL_ENV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(INSTALLED) $(LOCAL_ENV)
	DEBUG=1 $(PY) bench/run_all.py

worker: $(INSTALLED) $(LOCAL_ENV)
	DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A crm_site worker -l info

## After changing dependencies: resolve them afresh in a new venv and pin what it got.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf .venv-lock
