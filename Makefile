# examprep: `make run` serves the app locally on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run dev test lint bench chaos cluster format lock

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Fresh clone -> venv, install, migrate, load the shipped bank and demo accounts, then serve on
## SQLite (or DATABASE_URL) with a background worker beside the web server (stopped with it).
## It serves through gunicorn with production's configuration, so what you try is what runs.
run: install
	DEBUG=1 DEMO_ACCOUNTS=1 PYTHON=$(PY) bin/setup
	DEBUG=1 PYTHON=$(PY) bin/worker & worker=$$!; trap 'kill $$worker' EXIT; \
	DEBUG=1 SHOW_LOCAL_ACCOUNTS=1 MIGRATE_ON_START=0 PORT=$(PORT) BIND=127.0.0.1 PYTHON=$(PY) bin/serve

## For development: the same start-up, then Django's runserver, which reloads on code changes.
dev: install
	DEBUG=1 DEMO_ACCOUNTS=1 PYTHON=$(PY) bin/setup
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole suite; uses DATABASE_URL when set, else SQLite.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/bandit -q -r accounts config quiz -lll
	$(PY) -m quiz.bank.lint --shipped
	DEBUG=1 $(VENV)/bin/mypy

## The Docker image installs requirements.lock (pinned, with hashes); regenerate it after changing
## the dependencies in pyproject.toml.
lock: install
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
	  --no-emit-find-links --output-file requirements.lock pyproject.toml

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Load test against same-run baselines (PostgreSQL on 127.0.0.1; a few minutes).
bench: install
	$(PY) -m bench.run

## Faults under load: workers killed, PostgreSQL restarted (restarts the local cluster; root).
chaos: install
	$(PY) -m bench.chaos

## Two app servers behind nginx, one killed mid-exam (installs Debian's nginx if missing; root).
cluster: install
	$(PY) -m bench.cluster
