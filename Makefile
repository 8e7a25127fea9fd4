# Single entry point for set-up, validation, site, tests and benchmarks.
# Every target creates the virtual environment and installs the project first when needed.

PYTHON ?= python3
VENV := .venv
export NO_MKDOCS_2_WARNING := 1
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install validate check site serve test lint fuzz bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

validate: install
	$(BIN)/evidencekb validate --strict content/

site: validate
	$(BIN)/python scripts/build_site.py --site-dir build/site

# --dirty: a rebuild redoes only the pages whose record or source changed (the plugin keeps the rest);
# --no-strict: MkDocs warns on every dirty build, which strict mode would turn into a failure.
serve: install
	$(BIN)/mkdocs serve --dirty --no-strict

test: install
	$(BIN)/python -m pytest

fuzz: install
	EVIDENCEKB_FUZZ_EXAMPLES=$${EVIDENCEKB_FUZZ_EXAMPLES:-5000} $(BIN)/python -m pytest -q tests/test_fuzz.py

# N = 10, 100 and 1,000 synthetic records (about 15 minutes); BENCH_SIZES=10,100 make bench for a quick try;
# BENCH_LARGE=1 also measures growth from N = 1,000 to N = 10,000 (scripts/bench_scale.py, about an hour).
BENCH_SIZES ?= 10,100,1000
bench: install
	$(BIN)/python scripts/bench.py --sizes $(BENCH_SIZES)
	$(BIN)/python scripts/bench_pooling.py
	$(BIN)/python scripts/bench_questions.py
	$(BIN)/python scripts/bench_search.py
	if [ -n "$(BENCH_LARGE)" ]; then $(BIN)/python scripts/bench_scale.py --sizes 1000,10000; fi

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy src

clean:
	rm -rf build
