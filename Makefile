# Every target sets up what it needs on a fresh machine: virtual environment, dependencies,
# compiled catalogs, migrated database. `make run` and `make test` are all anybody has to type.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Two stamps: the bot's own dependencies (`make run`) and the test/dev tools on top of them
# (pytest, ruff, mypy, the stand-in's aiohttp: `make test`). A server that only runs the bot
# never installs the tools.
VENV_STAMP := $(VENV)/.venv-stamp
RUN_STAMP  := $(VENV)/.run-stamp
TEST_STAMP := $(VENV)/.test-stamp
# Every dependency pinned with its hashes (`make lock` writes both from pyproject.toml): the bot's
# own (`make run`, the image) and, resolved on top of exactly those, the test tools'.
RUN_LOCK   := requirements/run.lock
TEST_LOCK  := requirements/test.lock
MO     := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/bot.po))

.PHONY: help install run standin migrate catalogs i18n test lint typecheck pytest test-webhook resilience bench bench-load docker container-check lock clean chromium screenshots

help:
	@echo "make run     install the bot, compile catalogs, migrate the database, run the bot"
	@echo "             (without BOT_TOKEN: the sandbox, the bot in a browser on http://127.0.0.1:8080)"
	@echo "make test    install the bot and the test tools, lint, type-check and run every test"
	@echo "make standin run the local Bot API stand-in alone (for a bot pointed at it by hand)"
	@echo "make i18n    extract messages, update the catalogs, compile them"
	@echo "make test-webhook  only the end-to-end tests, with the bot on a webhook (make test runs both modes)"
	@echo "make bench   every benchmark but the load test, 3 runs each, min/median/max (~11.5 min; a few minutes more the first time)"
	@echo "make bench-load  the load test (bot as a process), 3 runs of ~3 min: polling, webhook, rate limiter (~9 min)"
	@echo "make resilience  kill/restart the bot as a process, flaky Telegram (about 2 minutes)"
	@echo "make lock    pin every dependency with its hashes in requirements/ (after editing pyproject.toml)"
	@echo "make container-check  build the image with podman and smoke-test it (root, ~3 minutes)"

$(VENV_STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $(VENV_STAMP)

# The locked versions, every file checked against its hash; then the project itself, which adds
# nothing (--no-deps) and is built by the locked setuptools (--no-build-isolation).
$(RUN_STAMP): $(RUN_LOCK) pyproject.toml $(VENV_STAMP)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(RUN_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(RUN_STAMP)

$(TEST_STAMP): $(TEST_LOCK) $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	@touch $(TEST_STAMP)

# What a developer needs: the bot and the test tools.
install: $(TEST_STAMP)

locales/%/LC_MESSAGES/bot.mo: locales/%/LC_MESSAGES/bot.po $(RUN_STAMP)
	$(BIN)/pybabel compile -i $< -o $@ -l $* -D bot

catalogs: $(MO)

migrate: $(RUN_STAMP) catalogs
	$(BIN)/python -m bot migrate

# Without BOT_TOKEN this starts the sandbox (bot/sandbox): stand-in, bot and web chat, no Telegram.
run: migrate
	$(BIN)/python -m bot run --sandbox-without-token

# The local Bot API stand-in alone (`make run` without a token runs it inside the sandbox).
standin: $(RUN_STAMP)
	$(BIN)/python -m bot.standin --port 8081 --token 123456:LOCAL

i18n: install
	$(BIN)/pybabel extract
	$(BIN)/pybabel update
	$(BIN)/python -m bot.translit locales/uz/LC_MESSAGES/bot.po locales/uz_Cyrl/LC_MESSAGES/bot.po
	$(BIN)/pybabel compile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pylint bot storage

typecheck: install
	$(BIN)/mypy

# The sandbox's browser test drives the system's Chromium (never a browser Playwright downloads):
# installed with apt-get when it is missing (as root; otherwise the test says what to install).
CHROMIUM := /usr/bin/chromium

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq chromium fonts-noto-color-emoji; \
		else \
			echo "Chromium is missing: run 'sudo apt-get install chromium' (the browser test needs it)"; \
		fi; \
	fi

pytest: install catalogs chromium
	$(BIN)/python -m pytest -q

# The two screenshots the README shows, taken by the browser test (officer's and coordinator's chat).
screenshots: install catalogs chromium
	$(BIN)/python -m pytest -q tests/browser/test_sandbox_browser.py
	cp build/screenshots/sandbox-officer.png build/screenshots/sandbox-coordinator.png docs/

test: lint typecheck pytest

# `make test` runs every end-to-end test twice, polling and on a webhook; this runs only the
# webhook half (E2E_MODES=polling gives the other).
test-webhook: install catalogs
	E2E_MODES=webhook $(BIN)/python -m pytest -q tests/e2e

resilience: install catalogs
	$(BIN)/python -m pytest -q -o addopts="-ra --strict-markers" tests/resilience

# Each benchmark runs $(RUNS) times; every figure is printed as its median (min … max).
RUNS ?= 3

bench: install catalogs
	$(BIN)/python -m benchmarks --runs $(RUNS)

# The load test is separate: a run of it (the full load polling, then on a webhook, then a load
# Telegram allows without and with the rate limiter) takes ~3 minutes, the three ~9 minutes.
bench-load: install catalogs
	$(BIN)/python -m benchmarks --runs $(RUNS) load

docker:
	docker build -t fieldreport .

# Regenerate the locks from pyproject.toml after changing a dependency there. Versions already
# pinned stay as they are when they still fit (`make lock UPGRADE=1` takes the newest of all).
# Resolved for CPython 3.11 on Linux, the image's; the hashes cover every platform's files.
PIP_COMPILE_VENV := $(VENV)/pip-tools
PIP_COMPILE := $(PIP_COMPILE_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --all-build-deps --no-emit-index-url --no-emit-find-links \
	$(if $(UPGRADE),--upgrade)

lock: $(VENV_STAMP)
	@[ -x $(PIP_COMPILE_VENV)/bin/pip-compile ] || { $(PYTHON) -m venv $(PIP_COMPILE_VENV) \
		&& $(PIP_COMPILE_VENV)/bin/python -m pip install --quiet --upgrade pip 'pip-tools>=7.5,<8'; }
	$(PIP_COMPILE) -o $(RUN_LOCK) pyproject.toml
	$(PIP_COMPILE) --extra test --extra standin -c $(RUN_LOCK) -o $(TEST_LOCK) pyproject.toml

# Builds the image with podman on a local stand-in for its base image and smoke-tests it (root;
# ~1 GB under build/container-check; about 3 minutes on 2 cores). Not part of `make test`: run it
# whenever the Dockerfile, the dependencies or the start-up change.
container-check:
	tools/container-check build/container-check .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache locales/*/LC_MESSAGES/*.mo
