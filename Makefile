# The README's commands: `make run` (server + live demo on SQLite) and `make test` (lint, types, contracts, tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test lint typecheck contracts pytest bench system-deps clean frontend native

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The compiled core (ADR 0061): the hot pure-core modules listed in src/blendcc/native.py, compiled by mypyc
# (it ships with mypy, a dev dependency) into src/blendcc/_compiled, apart from the sources; rebuilt when one
# of them changes. blendcc loads it only while every source's hash matches the build, else runs pure Python.
# A failed build leaves the pure modules in use (a warning here; the equivalence test fails under CI).
NATIVE := src/blendcc/_compiled/manifest.json
NATIVE_SRC := $(addprefix src/blendcc/,$(shell sed -n 's/^    "\([a-z_/]*\.py\)",$$/\1/p' src/blendcc/native.py))

$(NATIVE): $(STAMP) $(NATIVE_SRC) src/blendcc/native.py tools/build_native.py
	@$(BIN)/python tools/build_native.py >$(VENV)/native-build.log 2>&1 && tail -1 $(VENV)/native-build.log \
		|| (tail -3 $(VENV)/native-build.log; echo "warning: the compiled core was not built; blendcc runs pure Python")

native: $(NATIVE)

# Front end (src/blendcc/web: TypeScript + Preact, built by Vite into web/dist): `npm ci` again only when
# the lock file changed (a stamp in node_modules), then the type check and the build.
WEBDIR := src/blendcc/web
NPM_STAMP := $(WEBDIR)/node_modules/.installed-$(shell sha1sum $(WEBDIR)/package-lock.json | cut -c1-12)

$(NPM_STAMP): $(WEBDIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	cd $(WEBDIR) && npm ci --no-audit --no-fund --loglevel=error
	rm -f $(WEBDIR)/node_modules/.installed-*
	touch $(NPM_STAMP)

frontend: $(NPM_STAMP)
	cd $(WEBDIR) && npm run --silent typecheck && npm run --silent build

run: $(STAMP) native frontend
	$(BIN)/blendcc migrate
	$(BIN)/blendcc serve --demo

test: $(STAMP) native frontend lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP) native frontend
	$(BIN)/pytest -q

bench: $(STAMP) native
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

# Real peers used by end-to-end tests (Debian packages): headless Chromium for the status page, SIP
# peers, dovecot (the IMAP server the email tests start privately), Node.js for the front-end build and
# the Noto CJK fonts (the browser tests' Chinese screenshots show text, not boxes).
system-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v sipp >/dev/null 2>&1 && command -v baresip >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1 && command -v sox >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq sip-tester baresip espeak-ng sox >/dev/null)
	@test -x /usr/sbin/dovecot || (apt-get update -qq && apt-get install -y -qq dovecot-imapd >/dev/null)
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	@test -d /usr/share/fonts/opentype/noto || (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null)

clean:
	rm -rf $(VENV) src/blendcc/_compiled src/blendcc/_compiled.new .pytest_cache .mypy_cache .ruff_cache .hypothesis $(WEBDIR)/node_modules $(WEBDIR)/dist
