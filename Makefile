# EcoCheck 环保自查 — `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/ecocheck_bench
export ECOCHECK_INSTANCE_PATH ?= $(CURDIR)/instance
FRONTEND_SRC := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.ts -type f 2>/dev/null)

.PHONY: run test setup backend backend-dev frontend fonts chromium lint typecheck openapi-types unit pytest-sqlite pytest-postgres pytest-dates e2e soak bench bench-smoke clean

# Report links and QR codes come only from configuration (issue #15 item 8); locally, this address.
run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup fonts
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo "EcoCheck 已启动：http://127.0.0.1:$(PORT)  （演示账号见 README.md）"
	$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --workers 2 --threads 4 --no-control-socket --limit-request-line 8190 --max-requests 1000 --max-requests-jitter 100 \
	  --bind 127.0.0.1:$(PORT) 'app:create_app()'

setup: backend frontend

# What serving needs (`make run`); the test tools come with backend-dev (`make test` and its parts).
backend: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e .
	touch $@

backend-dev: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

frontend: frontend/dist/index.html

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SRC)
	cd frontend && npm run build --silent

# Debian packages: CJK fonts for the PDF reports; Chromium for the browser tests.
fonts:
	@fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig; }
	@# WeasyPrint subsets fonts with HarfBuzz-Subset (without it: a DeprecationWarning, an error under pytest)
	@ldconfig -p | grep -q libharfbuzz-subset || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0; }

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: backend-dev frontend/node_modules/.installed
	$(VENV)/bin/ruff check app tests scripts bench
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	cd frontend && npm run lint

typecheck: backend-dev frontend/node_modules/.installed
	$(PY) scripts/openapi_types.py --check
	cd frontend && npm run typecheck

# frontend/src/api/schema.d.ts from the served OpenAPI document; commit the result (docs/api.md).
openapi-types: backend-dev frontend/node_modules/.installed
	$(PY) scripts/openapi_types.py

unit: frontend/node_modules/.installed
	cd frontend && npm test --silent

pytest-sqlite: backend-dev fonts
	env -u TEST_DATABASE_URL $(VENV)/bin/pytest -m "not e2e"

pytest-postgres: backend-dev fonts
	@if $(PY) scripts/wait_for_db.py "$(TEST_DATABASE_URL)"; then \
	  TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(VENV)/bin/pytest -m "not e2e"; \
	elif [ "$${CI:-}" = "true" ]; then echo "CI 下 PostgreSQL 不可用即失败"; exit 1; \
	else echo "跳过 PostgreSQL 测试：数据库不可用"; fi

# The date-sensitive packages again under a frozen clock: today, a year's last day, New Year's Day,
# a leap day, and the Monday after a 调休 weekend (2026-10-10 was a working Saturday).
TEST_DATES ?= 2026-12-02 2026-12-31 2027-01-01 2028-02-29 2026-10-12
DATE_TESTS := tests/selfcheck tests/remediation tests/supervision tests/notify tests/reports tests/common tests/accounts \
              tests/obligations tests/requests tests/inspections tests/cases tests/monitoring tests/clues tests/rules
pytest-dates: backend-dev fonts
	@set -e; for day in $(TEST_DATES); do \
	  echo "== 冻结时钟 $$day"; \
	  env -u TEST_DATABASE_URL ECOCHECK_TEST_DATE=$$day $(VENV)/bin/pytest -m "not e2e" -p no:cacheprovider $(DATE_TESTS); \
	done

e2e: setup backend-dev fonts chromium
	$(VENV)/bin/pytest -m e2e tests/e2e

test: setup backend-dev fonts chromium lint typecheck unit pytest-sqlite pytest-dates pytest-postgres bench-smoke e2e

# Benchmarks (docs/benchmarks.md). `bench` is manual: 50 000 enterprises on PostgreSQL, about an hour with seeding.
bench: setup backend-dev fonts chromium
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) bench/run.py --scale full

# 1/100 scale, short runs; fails on any HTTP error or a broken audit chain. Part of `make test`.
bench-smoke: backend-dev fonts
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) bench/run.py --scale smoke

# 10 minutes of mixed load on PostgreSQL; appends its figures to docs/benchmarks.md (30 s of it runs in `make test`).
soak: backend-dev
	$(PY) scripts/wait_for_db.py "$(TEST_DATABASE_URL)"
	SOAK_SECONDS=600 SOAK_REPORT=docs/benchmarks.md TEST_DATABASE_URL="$(TEST_DATABASE_URL)" \
	  $(VENV)/bin/pytest tests/reliability/test_soak.py -s

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist
