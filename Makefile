# Two commands on a fresh Debian/Ubuntu machine:
#   make        set up and build every content/*.yaml into build/
#   make test   set up what the tests need and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# WeasyPrint's libraries, the CJK fonts, and HarfBuzz subsetting (40x faster PDFs).
SYSTEM_BUILD := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk libharfbuzz-subset0
# Real clients the tests check outputs with; LibreOffice's Python bridge keeps it running
# for build.py serve; a real browser (driven by Selenium) for the web edition and the preview.
# fonts-wqy-zenhei: the face LibreOffice substitutes when the tests hide Noto CJK, as on a recipient's machine.
# ghostscript: a second renderer that reads a CID font's codes as the PDF rules say (tests/engines.py).
SYSTEM_TEST  := libreoffice-impress python3-uno poppler-utils qpdf chromium chromium-driver fonts-wqy-zenhei ghostscript
# axe-core (accessibility rules) from the npm registry, injected into the browser by the tests.
AXE_VERSION  := 4
AXE          := .cache/axe-core/package/axe.min.js

.PHONY: all build test bench system system-test lint clean
all: build

system:
	@scripts/ensure-system-packages $(SYSTEM_BUILD)

system-test: system
	@scripts/ensure-system-packages $(SYSTEM_TEST)

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment. Run: sudo apt-get install python3-venv" >&2; exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

build: system $(VENV)/.installed
	$(BIN)/python build.py

$(AXE):
	@command -v npm >/dev/null || scripts/ensure-system-packages npm  # only when no npm at all (NodeSource's nodejs has its own)
	@mkdir -p .cache/axe-core
	cd .cache/axe-core && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar -xzf axe-core-*.tgz && rm axe-core-*.tgz

test: system-test $(VENV)/.installed $(AXE)
	$(BIN)/python -m pytest

# Timings in fresh processes, medians; see docs/performance.md.
bench: system-test $(VENV)/.installed
	$(BIN)/python bench/run.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf build
