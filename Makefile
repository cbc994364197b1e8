# The two commands: `make run` and `make test`. Both set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test venv lint typecheck pytest messages catalog demo dotenv clean bench backup restore

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

messages: venv
	@if command -v msgfmt >/dev/null; then ALLOW_INSECURE_SECRET=true $(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else echo "msgfmt not found: install gettext for translations"; fi

# Re-extract the interface strings into the one catalogue per language (locale/<lang>/), then fill the
# new zh_Hans msgstr's by hand; the English catalogue only carries the glossed strings.
catalog: venv
	ALLOW_INSECURE_SECRET=true $(PY) manage.py makemessages -l zh_Hans --ignore=.venv \
		--ignore=staticfiles --ignore=media --ignore=bench --ignore='*/tests/*' -v 0
	$(PY) scripts/english_glosses.py

# A development checkout's .env: DEBUG=true and a generated SECRET_KEY when there is none, so that
# `.venv/bin/python manage.py …` works here afterwards (scripts/dev_env.py; never committed).
dotenv:
	@$(PYTHON) scripts/dev_env.py

demo: venv messages dotenv
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput -v 0
	DEBUG=$${DEBUG:-true} $(PY) manage.py load_demo

run: demo
	DEBUG=$${DEBUG:-true} PORT=$(PORT) scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	ALLOW_INSECURE_SECRET=true $(VENV)/bin/lint-imports

typecheck: venv
	ALLOW_INSECURE_SECRET=true $(VENV)/bin/mypy

pytest: venv messages
	scripts/ensure-chromium.sh
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

# Benchmarks are not part of `make test`; see docs/benchmarks.md for the data sets they need.
bench: venv
	ALLOW_INSECURE_SECRET=true $(PY) bench/reminders.py

# Database (pg_dump custom format, or the SQLite file) and MEDIA_ROOT into backups/<timestamp>/.
backup: venv
	$(PY) scripts/backup.py backup

# Into the database of DATABASE_URL and MEDIA_ROOT; BACKUP=backups/<timestamp> (default: the newest).
restore: venv
	$(PY) scripts/backup.py restore $(BACKUP)

clean:
	rm -rf $(VENV) staticfiles
