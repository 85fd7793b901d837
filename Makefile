# Two commands set everything up on a fresh machine: `make synth` and `make test`.
SPEC ?= spec/production.yaml
OUT ?= templates_out
VENV ?= .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/cfncompiler
STAMP := $(VENV)/.installed

.PHONY: synth lint test check typecheck clean-venv

# The virtualenv is (re)built when pyproject.toml changes.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

synth: $(STAMP)
	$(CLI) synth --spec $(SPEC) --out $(OUT)

lint: $(STAMP)
	$(CLI) lint --spec $(SPEC) --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest

# Static checks: ruff and mypy, as CI runs them.
check: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy

clean-venv:
	rm -rf $(VENV)
