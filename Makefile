# Two commands on a fresh clone: `make run` and `make test`. Needs Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate worker beat lint demo-data clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...).")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The camera decoder for browsers without BarcodeDetector comes from npm; without npm the scan
# screen still works with handheld scanners, typing, and browsers that have BarcodeDetector.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: skipping the camera decoder library (handheld scanners and typing still work)."; \
	fi

install: $(STAMP) node_modules/.installed

# Development settings for `make run`; never used in production (real environment variables win).
.env:
	@printf 'DEBUG=1\nDEMO_MODE=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env for development (DEBUG and demo mode on)."

migrate: install .env
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py demo_setup
	@echo "Serving on http://127.0.0.1:8000/ (tasks run in-process unless REDIS_URL is set)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	SECRET_KEY=$${SECRET_KEY:-test-only-not-a-secret} $(VENV)/bin/pytest $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A tracker worker --loglevel=info

beat: install
	@mkdir -p var
	$(VENV)/bin/celery -A tracker beat --loglevel=info --schedule var/celerybeat-schedule

lint: install
	$(VENV)/bin/ruff check .

demo-data: install
	$(PY) manage.py demo_data

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* var .pytest_cache
