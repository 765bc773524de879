# The two commands a newcomer needs:
#   make run    set up, load the demo and serve the portal on http://127.0.0.1:8000
#   make test   install what the tests need and run the whole suite
# Both work on a fresh machine with Python >= 3.11 and make.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PYTEST_ARGS ?=

.PHONY: run install install-test migrate demo serve test lint format ci clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CVM Portal needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Run: make run PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP) install --quiet -e .

install-test: $(BIN)/python
	$(PIP) install --quiet -e ".[test]"

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py demo_history

serve:
	$(BIN)/python manage.py runserver 127.0.0.1:8000

run: demo serve

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
