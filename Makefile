# Two commands a newcomer needs:
#   make run    set everything up, build the index of the starter corpus, open the web chat
#   make test   set everything up (including a browser for the page tests) and run the tests
# Everything installs into ./.venv; nothing is downloaded at run time.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup setup-test browser ingest serve eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch is pinned to 2.13.0 in pyproject.toml: the CPU build, from the machine's wheel store.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -qq -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --disable-pip-version-check -qq -e '.[test]'
	touch $@

# The default embedding backend runs the model as int8 ONNX: export it once (into
# ~/.cache/cpguide, keyed by the model's fingerprint); instant when already done.
setup: $(VENV)/.installed
	$(BIN)/cpguide setup-model

setup-test: setup $(VENV)/.installed-test browser

# Browser tests drive Debian's Chromium; install it when missing (needs root, as on CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will not run" >&2; \
	  else echo "note: run 'sudo apt-get install chromium' to enable the browser tests" >&2; fi; }

ingest: setup
	$(BIN)/cpguide ingest

run: setup
	$(BIN)/cpguide ingest
	$(BIN)/cpguide serve --host $(HOST) --port $(PORT) --open

test: setup-test
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/cpguide eval

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
