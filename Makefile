# Two commands set everything up on a fresh machine: `make synth` and `make test`.
SPEC ?= spec/production.yaml
# Where SPEC's templates live: templates_out/ for production.yaml, templates_out/NAME/ for
# spec/NAME.yaml (as `cfncompiler --spec` decides on its own); OUT=dir overrides.
SPEC_NAME := $(basename $(notdir $(SPEC)))
OUT ?= $(if $(filter production,$(SPEC_NAME)),templates_out,templates_out/$(SPEC_NAME))
VENV ?= .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/cfncompiler
STAMP := $(VENV)/.installed

SECURITY_VENV ?= .venv-security
SECURITY_STAMP := $(SECURITY_VENV)/.installed

.PHONY: synth lint test check security typecheck clean-venv

# The virtualenv is (re)built when pyproject.toml changes.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Every file derived from the spec: the templates, the JSON Schema and (for production) the diagram.
synth: $(STAMP)
	$(CLI) synth --spec $(SPEC) --out $(OUT)
	$(CLI) schema
	$(if $(filter production,$(SPEC_NAME)),$(CLI) graph --spec $(SPEC))

lint: $(STAMP)
	$(CLI) lint --spec $(SPEC) --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest

# Static checks: ruff and mypy, as CI runs them.
check: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy

# checkov over the compiled templates, offline, from its own virtualenv; zero failed checks.
$(SECURITY_STAMP): requirements-security.txt
	python3 -m venv $(SECURITY_VENV)
	$(SECURITY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SECURITY_VENV)/bin/python -m pip install --quiet -r requirements-security.txt
	touch $(SECURITY_STAMP)

security: $(SECURITY_STAMP) synth
	$(SECURITY_VENV)/bin/checkov --directory $(OUT) --framework cloudformation --skip-download --compact --quiet

clean-venv:
	rm -rf $(VENV)

# --- Deploy (issue 5). LAYER names one or more layers: `make deploy LAYER=platform`,
# `make diff LAYER="network data"` (commas work too); empty means every layer, in order.
# DEPLOY_FLAGS passes the rest: `make deploy LAYER=data DEPLOY_FLAGS="--yes --allow-replace Database"`.
LAYER ?=
DEPLOY_FLAGS ?=
SANDBOX_PORT ?= 5000
comma := ,
LAYER_FLAGS = $(foreach layer,$(subst $(comma), ,$(LAYER)),--layer $(layer))

.PHONY: diff deploy status destroy sandbox

diff: $(STAMP)
	$(CLI) diff --spec $(SPEC) --out $(OUT) $(LAYER_FLAGS) $(DEPLOY_FLAGS)

deploy: $(STAMP)
	$(CLI) deploy --spec $(SPEC) --out $(OUT) $(LAYER_FLAGS) $(DEPLOY_FLAGS)

status: $(STAMP)
	$(CLI) status --spec $(SPEC) --out $(OUT)

# Drift detection on the deployed layers (all, or LAYER=...); DEPLOY_FLAGS=--json for machines.
# Exits 0 in sync, 3 drifted, 1 when a layer could not be checked.
.PHONY: drift
drift: $(STAMP)
	$(CLI) drift --spec $(SPEC) --out $(OUT) $(LAYER_FLAGS) $(DEPLOY_FLAGS)

# Adopt the live Terraform estate in place (docs/adopt.md): `make adopt STATE=estate.tfstate LAYER=data`.
STATE ?=
.PHONY: adopt
adopt: $(STAMP)
	@test -n "$(STATE)" || { echo "make adopt needs STATE=path/to/terraform.tfstate (terraform state pull > estate.tfstate)"; exit 2; }
	$(CLI) adopt --spec $(SPEC) --out $(OUT) --terraform-state $(STATE) $(LAYER_FLAGS) $(DEPLOY_FLAGS)

destroy: $(STAMP)
	@test -n "$(LAYER)" || { echo "make destroy needs LAYER=NAME (e.g. LAYER=observability); there is no destroy-all"; exit 2; }
	$(CLI) destroy --spec $(SPEC) --out $(OUT) $(LAYER_FLAGS) $(DEPLOY_FLAGS)

# A local CloudFormation endpoint (moto, patched) on 127.0.0.1; it prints the lines to export.
sandbox: $(STAMP)
	$(PY) -m cfncompiler.sandbox --port $(SANDBOX_PORT) --spec $(SPEC)

# A Terraform-managed rehearsal estate for `cfncompiler adopt`, built on the running sandbox
# (AWS_ENDPOINT_URL as `make sandbox` prints it; any other endpoint is refused), and its state file:
# `make estate STATE=estate.tfstate LAYER=data`; empty LAYER means network and data.
# ESTATE_FLAGS passes the rest: `make estate ESTATE_FLAGS="--unencrypted-database --taint module.db.aws_db_instance.main"`.
STATE ?= estate.tfstate
ESTATE_FLAGS ?=

.PHONY: estate
estate: $(STAMP)
	$(PY) -m cfncompiler.sandbox.estate --spec $(SPEC) --templates $(OUT) --state $(STATE) $(LAYER_FLAGS) $(ESTATE_FLAGS)

# --- Benchmarks (issue 7): synth cold and warm, start-up, scaling to 100 services and a no-op
# deploy against a local sandbox, each as whole processes; writes bench/RESULTS.md.
# BENCH_FLAGS passes options: `make bench BENCH_FLAGS="--runs 3"`, `--wait-for-quiet 15` (minutes).
BENCH_FLAGS ?=

.PHONY: bench

bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_FLAGS)
