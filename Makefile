# Two commands on a fresh machine (Python 3.11+, make, git):
#   make demo   set up .venv, register corpus/works, scan corpus/crawl, write reports/
#   make test   set up .venv with the test extras and run the whole suite
#               (with the Spark and browse extras; the Spark tests need Java 17 and skip, saying so, without it)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     := reports/demo-registry.db
C      := $(BIN)/compliance --db $(DB)

.PHONY: demo test install browser clean bench reliability bytecode

$(STAMP): pyproject.toml setup.py compliance/_kernel.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,spark,browse]'
	@touch $(STAMP)

install: $(STAMP) bytecode

# Byte-code of the package written ahead (compileall writes it even where PYTHONDONTWRITEBYTECODE is set):
# every command then starts about 0.1 s sooner.  Only changed modules are compiled again.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q compliance

# Debian's chromium for the Playwright report test (never `playwright install`).
# Best effort: without root or apt the browser test skips with its reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: the browser test will skip"; \
	  else echo "chromium not installed (needs root + apt-get): the browser test will skip"; fi; }

demo: $(STAMP) bytecode browser
	@mkdir -p reports
	@rm -f $(DB) $(DB)-wal $(DB)-shm
	$(C) register corpus/works
	$(C) scan corpus/crawl --format jsonl > reports/findings.jsonl
	$(C) report --out reports
	$(C) evidence --all-sites --out reports
	@for d in reports/evidence/*/; do $(C) evidence --verify "$$d" >/dev/null || exit 1; done
	$(C) check corpus/crawl --no-store --format sarif -o reports/check.sarif; test $$? -eq 1
	$(C) check corpus/crawl --no-store --format junit -o reports/check-junit.xml; test $$? -eq 1
	-COMPLIANCE_DEMO_REPORTS=reports $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_browser.py -k demo
	@echo
	@echo "Reports are in $(CURDIR)/reports/:"
	@echo "  summary.html summary.md summary.json summary.csv   violation summary per publisher"
	@echo "  evidence/<packet>/                                 takedown evidence packets (HTML, MD, JSON, notices)"
	@echo "  findings.jsonl check.sarif check-junit.xml         machine-readable outputs"

test: $(STAMP) bytecode browser
	$(BIN)/python -m pytest -q

bench: $(STAMP) bytecode
	$(BIN)/python benchmarks/quality.py

# Fuzzing, kill trials, concurrent runs and 200 shutdowns: the Reliability table of benchmarks/README.md
# (about 15 minutes on 2 cores).
reliability: $(STAMP)
	$(BIN)/python benchmarks/reliability.py --fuzz-seconds 120 --kills 30 --rounds 3 --shutdown-runs 200

clean:
	rm -rf $(VENV) reports/*.db* .pytest_cache
