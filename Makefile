# Two commands on a fresh machine:  make run  (service with sample data)  and  make test.
# Everything they need is installed by the project's own targets below.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMPS   := .stamps
INSTANCE ?= instance
HOST     ?= 127.0.0.1
PORT     ?= 5000
SHARED   ?= ../shared
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PKGS := chromium fonts-noto-cjk fonts-arphic-uming libreoffice-writer-nogui weasyprint poppler-utils nginx \
            tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-tra tesseract-ocr-chi-sim \
            tesseract-ocr-chi-tra-vert tesseract-ocr-chi-sim-vert

.PHONY: setup run test test-fast lint typecheck docs-graph bench bench-ingest bench-search bench-rank bench-permanence bench-layout bench-ocr bench-cite check-pdfs check-layout check-headers screenshots fuzz kill9 loadtest clean

setup: $(STAMPS)/apt $(STAMPS)/venv $(STAMPS)/npm

$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@dpkg -s $(APT_PKGS) >/dev/null 2>&1 || { \
	  echo "installing Debian packages: $(APT_PKGS)"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $(APT_PKGS); }
	@touch $@

$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

$(STAMPS)/npm: package.json
	@mkdir -p $(STAMPS)
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
	@touch $@

package.json:
	@true

## run: serve the archive on http://$(HOST):$(PORT)/ with the bundled sample documents
run: setup
	ARCHIVE_INSTANCE=$(INSTANCE) $(BIN)/archive sample
	ARCHIVE_INSTANCE=$(INSTANCE) $(BIN)/archive serve --host $(HOST) --port $(PORT)

## test: the whole suite (unit, integration, real PDFs, real Whoosh, real server, real browser)
test: setup typecheck
	$(BIN)/ruff check archive ingest tests scripts bench
	$(BIN)/pytest -q -n 2 --dist loadfile

## typecheck: mypy on archive/ and ingest/ (ingest strict; see [tool.mypy] in pyproject.toml)
typecheck: setup
	$(BIN)/mypy

## docs-graph: regenerate the module picture in docs/architecture.md from the imports
docs-graph: setup
	$(BIN)/python scripts/import_graph.py --write docs/architecture.md

test-fast: setup
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not browser"

lint: setup
	$(BIN)/ruff check archive ingest tests scripts bench
	$(BIN)/ruff format --check archive ingest tests scripts bench || true

## bench: the benchmarks (not tests); they read $(SHARED) and print figures with baselines
bench: bench-ingest bench-search bench-rank bench-permanence bench-layout bench-ocr bench-cite

bench-ingest: setup
	$(BIN)/python bench/ingest_bench.py

## bench-search: both engines and the scan floor in one run; `make bench-search DOCS=100000 BENCH_ARGS="--no-baseline --scale 0"` for the large run
ENGINE ?= whoosh,tantivy
DOCS ?= 10000
BENCH_ARGS ?=
bench-search: setup
	$(BIN)/python bench/search_bench.py --corpus $(SHARED)/corpus --docs $(DOCS) --engine $(ENGINE) $(BENCH_ARGS)

bench-rank: setup
	$(BIN)/python bench/drcd_rank.py --corpus $(SHARED)/corpus --engine $(ENGINE)

bench-permanence: setup
	$(BIN)/python bench/permanence_bench.py

## bench-cite: a page's citations in three styles, ours against citeproc-py alone
bench-cite: setup
	$(BIN)/python bench/cite_bench.py --corpus $(SHARED)/corpus

## bench-ocr: scanned pages drawn from known texts, OCR'd, scored by character error rate
bench-ocr: setup
	$(BIN)/python bench/ocr_bench.py $(if $(wildcard $(SHARED)/corpus/docs.jsonl),--texts $(SHARED)/corpus/docs.jsonl --docs 1)

## bench-layout: the producer corpus (LibreOffice, WeasyPrint, Chromium) scored against its truth,
## and the same texts' passage ids across producers
LAYOUT_CORPUS ?= /tmp/layout-corpus
bench-layout: setup
	$(BIN)/python bench/layout_corpus.py $(LAYOUT_CORPUS) --texts $(SHARED)/corpus/docs.jsonl
	$(BIN)/python bench/layout_score.py $(LAYOUT_CORPUS)
	$(BIN)/python bench/permanence_bench.py --producers $(LAYOUT_CORPUS)

check-pdfs: setup
	$(BIN)/python scripts/check_pdfs.py $(SHARED)/pdfs

## check-headers: running heads, feet and page numbers found on the raw pages; does any survive ingest?
check-headers: setup
	$(BIN)/python scripts/header_audit.py $(SHARED)/pdfs --password-for enc_aes256_r6_userpw.pdf=usersecret

## check-layout: layout on the real PDFs without a truth (cuts, heading share, CJK kept vs pdftotext)
check-layout: setup
	$(BIN)/python scripts/layout_realism.py $(SHARED)/pdfs --password-for enc_aes256_r6_userpw.pdf=usersecret
	$(BIN)/python scripts/extractor_agreement.py $(SHARED)/pdfs --password-for enc_aes256_r6_userpw.pdf=usersecret

screenshots: setup
	$(BIN)/python scripts/screenshots.py

## the long trust runs (scripts with a seed and a count; not part of make test)
SEED ?= 1
fuzz: setup
	$(BIN)/python scripts/fuzz_ingest.py --seed $(SEED) --count 2000 tests/fixtures $(SHARED)/pdfs

kill9: setup
	$(BIN)/python scripts/kill9_ingest.py --seed $(SEED) --kills 50

## loadtest: through nginx (deploy/nginx.conf) in front of gunicorn (deploy/gunicorn.conf.py),
## with a slow-client phase; PROXY= (empty) runs straight at gunicorn
PROXY ?= --proxy
LOAD_ENGINE ?= whoosh
LOAD_DOCS ?= 10000
loadtest: setup
	@command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q wrk
	$(BIN)/python scripts/loadtest.py --docs $(LOAD_DOCS) --engine $(LOAD_ENGINE) --users 16 --duration 60 --seed $(SEED) --corpus $(SHARED)/corpus $(PROXY)

clean:
	rm -rf $(STAMPS) .pytest_cache .ruff_cache
