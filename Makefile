# examprep: `make run` serves the app locally on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench chaos format

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Fresh clone -> venv, install, migrate, load the shipped bank and demo accounts, serve on SQLite.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py import_questions content/mls-c01
	DEBUG=1 $(PY) manage.py create_demo_accounts
	DEBUG=1 SHOW_LOCAL_ACCOUNTS=1 PORT=$(PORT) BIND=127.0.0.1 PYTHON=$(PY) bin/serve

## The whole suite; uses DATABASE_URL when set, else SQLite.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/bandit -q -r accounts config quiz -lll
	$(PY) -m quiz.bank.lint content/mls-c01

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Load test against same-run baselines (PostgreSQL on 127.0.0.1; a few minutes).
bench: install
	$(PY) -m bench.run

## Faults under load: workers killed, PostgreSQL restarted (restarts the local cluster; root).
chaos: install
	$(PY) -m bench.chaos
