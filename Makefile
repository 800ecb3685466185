# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv and installs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Where `make run` keeps its library (the app's own default is the platform's data folder).
RUN_LIBRARY ?= $(CURDIR)/.run-library

.PHONY: run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[gui,server,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/photo-tagger scan resources/samples --library "$(RUN_LIBRARY)"; \
	status=$$?; $(BIN)/photo-tagger export --library "$(RUN_LIBRARY)"; exit $$status

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check photo_tagger tests benchmarks models/*.py
	$(BIN)/ruff format --check photo_tagger tests benchmarks models/*.py

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_store.py

clean:
	rm -rf $(VENV) .run-library .pytest_cache .mypy_cache .ruff_cache
