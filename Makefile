# Two commands on a fresh machine (Python 3.11+, make, git):
#   make demo   set up .venv, register corpus/works, scan corpus/crawl, write reports/
#   make test   set up .venv with the test extras and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     := reports/demo-registry.db
C      := $(BIN)/compliance --db $(DB)

.PHONY: demo test install browser clean bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,spark]'
	@touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the Playwright report test (never `playwright install`).
# Best effort: without root or apt the browser test skips with its reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: the browser test will skip"; \
	  else echo "chromium not installed (needs root + apt-get): the browser test will skip"; fi; }

demo: $(STAMP)
	@mkdir -p reports
	@rm -f $(DB) $(DB)-wal $(DB)-shm
	$(C) register corpus/works
	$(C) scan corpus/crawl --format jsonl > reports/findings.jsonl
	$(C) report --out reports
	@echo "Reports are in $(CURDIR)/reports/ (findings.jsonl, summary.*; registry $(DB))"

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/quality.py

clean:
	rm -rf $(VENV) reports/*.db* .pytest_cache
