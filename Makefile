# SocialHub: `make run` serves the app with demo data; `make test` runs every test.
# Both create .venv and install the pinned requirements first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CHARTJS_VERSION := 4.5.0
CHARTJS_FILE := .cache/npm/node_modules/chart.js/dist/chart.umd.min.js
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev browser-deps lint migrate demo worker clean

$(VENV)/.installed-runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-runtime
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Serve on http://$(HOST):$(PORT) with a Celery worker and beat in the background,
# on the embedded broker (a folder under var/) unless CELERY_BROKER_URL says otherwise.
run: demo
	@mkdir -p var
	@$(VENV)/bin/celery -A socialhub worker --beat --loglevel=INFO --concurrency=1 \
		--logfile=var/worker.log --pidfile=var/worker.pid --detach \
		--schedule=var/celerybeat-schedule
	@sleep 2; if kill -0 $$(cat var/worker.pid 2>/dev/null) 2>/dev/null; then \
		echo "Background worker started (log: var/worker.log)."; \
	else echo "The background worker did not start; see var/worker.log:"; tail -20 var/worker.log; exit 1; fi
	@trap '$(VENV)/bin/celery -A socialhub control shutdown >/dev/null 2>&1; \
		kill $$(cat var/worker.pid 2>/dev/null) 2>/dev/null; true' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

# A worker with beat in the foreground, against CELERY_BROKER_URL.
worker: install
	$(VENV)/bin/celery -A socialhub worker --beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Headless Chromium (Debian's package) and the npm copy of Chart.js that browser
# tests serve in place of the CDN.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }
	@test -f $(CHARTJS_FILE) || npm install --silent --no-audit --no-fund \
		--prefix .cache/npm chart.js@$(CHARTJS_VERSION)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-dev browser-deps lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf var staticfiles .cache test-artifacts .pytest_cache
