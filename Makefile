# Two commands on a fresh machine: `make run` (simulated station GUI) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test lint bench headless screenshot clean

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

# The window under a virtual display; installs Xvfb and Qt's X11 libraries on Debian if missing.
XVFB_PACKAGES := xvfb libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libegl1 libgl1 libfontconfig1

screenshot: $(STAMP)
	command -v xvfb-run >/dev/null || (apt-get update && apt-get install -y $(XVFB_PACKAGES))
	xvfb-run -a -s "-screen 0 1920x1080x24" $(BIN)/python -m ui.screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
