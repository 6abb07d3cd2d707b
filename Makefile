# digitdraw — `make run` starts the app, `make test` lints and runs every test, `make bench` writes docs/benchmarks.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := src/digitdraw/app/web/vendor
SHARED_MNIST := $(abspath ../shared/data/mnist)
# Use the verified MNIST copy beside the project when there is one; otherwise the code downloads it.
export DIGITDRAW_DATA ?= $(if $(wildcard $(SHARED_MNIST)/t10k-images-idx3-ubyte.gz),$(SHARED_MNIST),)
export TF_CPP_MIN_LOG_LEVEL := 2
SYSTEM_PACKAGES := chromium fonts-dkg-handwriting fonts-humor-sans fonts-comic-neue fonts-bwht fonts-breip fonts-femkeklaver fonts-klee fonts-kristi

.PHONY: run test test-fast lint format golden bench web site setup system-deps clean

run: setup
	$(PY) -m digitdraw serve $(ARGS)

test: setup system-deps lint
	node --test tests/js/
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Everything but the full-test-set model checks and the browser.
test-fast: setup lint
	node --test tests/js/
	$(PY) -m pytest -q -m "not slow and not browser"

# ruff (lint + format) for Python, ESLint for the page and the JS tests: zero warnings, whole tree.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	npx --no-install eslint --max-warnings 0 .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Rewrite the golden vectors the JS tests check against (after changing preprocess.py, numbers.py or images.py).
golden: setup
	$(PY) tests/golden/generate_preprocess.py
	$(PY) tests/golden/generate_numbers.py
	$(PY) tests/golden/generate_adapt.py
	$(PY) tests/golden/generate_ink.py

bench: setup system-deps
	$(PY) -m digitdraw.bench --out-dir docs $(ARGS)

setup: $(VENV)/.installed web

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test,drawn]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The page is served with no CDN: bundle the pinned npm packages next to it (TF.js core + layers +
# WASM backend, Chart.js's bar chart) with the pinned esbuild; see src/digitdraw/app/bundles/.
web: node_modules/.installed
	node src/digitdraw/app/bundles/build.mjs $(VENDOR)

# The page as a static site for any host: `make site ARGS="--base-path /digitdraw/ --models robust-cnn segment-cnn"`.
site: setup
	$(PY) -m digitdraw build-site build/site $(ARGS)

# Chromium for the browser tests and fonts for the drawn-digit benchmark; needs root (as in CI).
system-deps:
	@if [ -x /usr/bin/chromium ] && fc-list | grep -qi kristi; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else \
		echo "note: not root, so not installing $(SYSTEM_PACKAGES); browser tests skip without /usr/bin/chromium"; \
	fi

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache
