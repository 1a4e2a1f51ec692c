# Paneel: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup serve test test-fast lint format clean bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# Install, migrate, load the demo data (idempotent).
setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# Web server and worker side by side; Ctrl-C stops both. gunicorn, as in production: it passes the raw request
# target (RAW_URI) that HMAC signatures are checked over, which runserver rebuilds. One process (the local-memory
# cache of development holds rate limits and nonces), a few threads. The one worker runs every server's queue
# (on a platform of many machines, each runs `db_worker --queue-name <its server>`).
serve: $(VENV)/.installed
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py db_worker --interval 1 --queue-name '*' & worker=$$!; \
	$(VENV)/bin/gunicorn --bind $(HOST):$(PORT) --workers 1 --threads 4 --access-logfile - config.wsgi

run: setup serve

# The whole suite on SQLite; with DATABASE_URL set, on PostgreSQL.
test: $(VENV)/.installed
	$(PY) -m pytest -q

# The API ladder, then 202 -> finished of 500 jobs (bench/README.md): PostgreSQL paneel_bench, Redis, gunicorn;
# seeds on the first run.
bench: $(VENV)/.installed
	$(PY) bench/api_ladder.py
	$(PY) bench/jobs.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm var staticfiles
