# BenchStudio: `make run` starts the platform, `make test` runs every gate and test.
# Both work on a fresh machine: they install what they need first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PY_STAMP := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
WEB_INDEX := src/benchstudio/web_dist/index.html
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/package.json -type f 2>/dev/null)
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test install web lint typecheck pytest web-check browser clean test-real-model

run: $(PY_STAMP) $(WEB_INDEX)
	@mkdir -p data
	$(BIN)/benchstudio serve --host $(HOST) --port $(PORT)

test: $(PY_STAMP)
	@bash scripts/test.sh

install: $(PY_STAMP)

$(PY_STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@# Bytecode now, not at first import: a process that may not write it (read-only install,
	@# PYTHONDONTWRITEBYTECODE) would otherwise compile every module it imports, every start.
	$(BIN)/python -m compileall -q src
	@touch $@

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_INDEX): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_INDEX)

lint: $(PY_STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(PY_STAMP)
	$(BIN)/mypy

pytest: $(PY_STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

# Opt-in tests against a real model, not part of `make test`: llama-cpp-python serving
# SmolLM2-135M-Instruct (tests/real_model). The first run compiles llama-cpp-python, about ten
# minutes, into its own venv; the CPU flags are the x86-64 ones a native build crashed without.
REAL_MODEL_VENV := .cache/real-model-venv
REAL_MODEL_STAMP := $(REAL_MODEL_VENV)/.installed
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DLLAMA_CURL=OFF

$(REAL_MODEL_STAMP): requirements-real-model.txt
	@test -x $(REAL_MODEL_VENV)/bin/python || $(PYTHON) -m venv $(REAL_MODEL_VENV)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(REAL_MODEL_VENV)/bin/pip install -q -r requirements-real-model.txt
	@touch $@

test-real-model: $(PY_STAMP) $(REAL_MODEL_STAMP)
	BENCHSTUDIO_REAL_MODEL_PYTHON=$(REAL_MODEL_VENV)/bin/python $(BIN)/pytest -p no:cacheprovider -m real_model tests/real_model

# Refresh the lock file after editing dependencies in pyproject.toml.
lock: $(PY_STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock -q

clean:
	rm -rf $(VENV) web/node_modules src/benchstudio/web_dist .pytest_cache .mypy_cache .ruff_cache
