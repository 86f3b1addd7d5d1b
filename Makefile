# Two commands on a fresh machine: `make run` (simulated station GUI) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test lint bench headless clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

run: $(STAMP)
	$(BIN)/dexstation run

headless: $(STAMP)
	$(BIN)/dexstation run --sim --headless --duration 10 --record --primitive "grasp and lift" --object "sponge" --dataset ./data

test: $(STAMP)
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/control_loop.py --seconds 60
	$(BIN)/python benchmarks/record.py --seconds 20
	$(BIN)/python benchmarks/retarget.py --seconds 10
	$(BIN)/python benchmarks/coverage.py --episodes 10000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
