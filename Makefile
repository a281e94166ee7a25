# Two commands on a fresh machine: `make run` and `make test`. Only python3 (>= 3.11) and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: messages catalogues run test lint format worker bench bench-engine bench-import bench-api bench-pages bench-tender bench-job bench-finder migrate demo clean

$(VENV)/bin/activate:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# The translation catalogues (locale/): `make messages` extracts every marked string into the French, Dutch and
# English catalogues (file references without line numbers, so that catalogues change only when strings do); it
# needs GNU gettext (xgettext), which translators install. `make catalogues` compiles them for Django in pure
# Python (polib), so `make run` and `make test` need no gettext.
MESSAGES_IGNORE := --ignore '.venv/*' --ignore 'tests/*' --ignore 'benchmarks/*' --ignore 'var/*' --ignore 'build/*'
messages: $(VENV)/.installed
	$(MANAGE) makemessages -l en -l fr -l nl --add-location file --no-obsolete $(MESSAGES_IGNORE)

catalogues: $(VENV)/.installed
	$(MANAGE) compile_catalogues >/dev/null

run: $(VENV)/.installed catalogues
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo_city
	$(MANAGE) runserver $(HOST):$(PORT)

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput

demo: $(VENV)/.installed
	$(MANAGE) load_demo_city

test: $(VENV)/.installed-dev catalogues
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A config.celery_app worker -Q default,scenarios --loglevel INFO

bench: bench-engine bench-import bench-api bench-pages bench-tender bench-job bench-finder

bench-engine: $(VENV)/.installed-dev
	$(PY) benchmarks/engine.py

bench-import: $(VENV)/.installed-dev
	$(PY) benchmarks/asset_import.py

bench-api: $(VENV)/.installed-dev
	$(PY) benchmarks/api.py

# The HTML pages beside /healthz under gunicorn + wrk (apt-get install -y wrk; else a Python load loop).
bench-pages: $(VENV)/.installed-dev
	$(PY) benchmarks/pages.py

bench-tender: $(VENV)/.installed-dev
	$(PY) benchmarks/tender_page.py

bench-job: $(VENV)/.installed-dev
	$(PY) benchmarks/scenario_job.py

bench-finder: $(VENV)/.installed-dev
	$(PY) benchmarks/finder.py

clean:
	rm -rf $(VENV) var/db.sqlite3 var/staticfiles
