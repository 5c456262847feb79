# `make test`: set up everything the tests need on a fresh machine, then run the whole suite.
# `make demo`: set up, then run the whole pipeline on a small offline example.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: setup ffmpeg chromium test test-fast test-kernels demo clean

setup: $(VENV)/.installed ffmpeg chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[models,annotation,dev]'
	touch $@

ffmpeg:  # ffprobe comes in the same package
	@bash scripts/ensure_tool.sh ffprobe ffmpeg required
	@bash scripts/ensure_tool.sh ffmpeg ffmpeg required

chromium:  # for the browser tests of the annotation pages
	@bash scripts/ensure_tool.sh chromium chromium optional

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Skips the slowest tests (CI runs them all).
test-fast: setup
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# tests/models under each CPU kernel choice with one thread: a test whose outcome is a threshold on
# trained numbers must hold on any machine (torch falls back where the CPU lacks avx512).
test-kernels: setup
	for cap in default avx2 avx512; do \
		echo "== ATEN_CPU_CAPABILITY=$$cap OMP_NUM_THREADS=1"; \
		ATEN_CPU_CAPABILITY=$$cap OMP_NUM_THREADS=1 $(BIN)/python -m pytest tests/models -q $(PYTEST_ARGS) || exit 1; \
	done

demo: setup
	$(BIN)/ovavel demo --out demo_out

clean:
	rm -rf $(VENV) demo_out .pytest_cache
