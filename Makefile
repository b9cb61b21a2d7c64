# The two commands for a fresh machine: `make up` (the product) and `make test` (every test).
# Everything installs itself: Python deps into .venv, services into .var/ (see scripts/services.sh).
SHELL := /bin/bash
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: up down status test test-unit bench venv services services-down clean-var browser

venv:
	@./scripts/bootstrap.sh

services: venv
	@./scripts/services.sh up

## make up: services, then the product's processes (API on 127.0.0.1:8003)
up: services
	@./scripts/processes.sh up

## make down: stop the product's processes, then the services this project started
down:
	@./scripts/processes.sh down || true
	@./scripts/services.sh down

status:
	@./scripts/services.sh status
	@./scripts/processes.sh status || true

## the dashboard tests' browser: Debian's Chromium (Playwright comes with the dev extra)
browser: venv
	@./scripts/browser.sh

## make test: every test (unit, integration, e2e) against the real services
test: services browser
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: venv
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

bench: services
	@./scripts/bench.sh

clean-var: down
	rm -rf .var
