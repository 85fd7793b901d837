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
VENV_LOCKED := $(VENV)/.locked

SECURITY_VENV ?= .venv-security
SECURITY_STAMP := $(SECURITY_VENV)/.installed
# uv (make lock) and zizmor (make workflow-lint), kept out of the two virtualenvs above.
TOOLS_VENV ?= .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed

# Every virtualenv is built from its lock (locks/*.txt, written by `make lock` with tools/locks.py):
# every package at one version, its sha256 checked, nothing built from source (a source build would
# fetch its own build dependencies unhashed). A virtualenv is rebuilt from nothing when its lock
# changes, so it holds exactly what the lock says; a lock that is stale against its source is refused.
# The tools' virtualenv (three wheels) is installed by pip; the other two by the locked uv from it,
# which checks the same hashes and installs the dev lock in seconds where pip takes half a minute.
DEV_LOCK := locks/dev.txt
SECURITY_LOCK := locks/security.txt
TOOLS_LOCK := locks/tools.txt
INSTALL_LOCK := -m pip install --quiet --require-hashes --only-binary :all: -r
UV := $(TOOLS_VENV)/bin/uv
SYNC_LOCK := pip sync --quiet --require-hashes --no-build --compile-bytecode --python

.PHONY: synth lint test check security typecheck clean-venv lock workflow-lint

# uv comes from the tools' virtualenv (order-only: a new uv does not rebuild this one).
$(VENV_LOCKED): $(DEV_LOCK) | $(TOOLS_STAMP)
	python3 tools/locks.py check $(DEV_LOCK)
	python3 -m venv --clear --without-pip $(VENV)
	$(UV) $(SYNC_LOCK) $(PY) $(DEV_LOCK)
	touch $(VENV_LOCKED)

# The project itself, editable, with no dependency and no build isolation (its build backend,
# setuptools, is in the lock too); again when pyproject.toml changes, refused if that staled the lock.
$(STAMP): $(VENV_LOCKED) pyproject.toml
	python3 tools/locks.py check $(DEV_LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
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
	$(VENV)/bin/ruff check src tests tools
	$(VENV)/bin/ruff format --check src tests tools
	$(VENV)/bin/mypy

# checkov over the compiled templates, offline, from its own virtualenv; zero failed checks.
$(SECURITY_STAMP): $(SECURITY_LOCK) requirements-security.txt | $(TOOLS_STAMP)
	python3 tools/locks.py check $(SECURITY_LOCK)
	python3 -m venv --clear --without-pip $(SECURITY_VENV)
	$(UV) $(SYNC_LOCK) $(SECURITY_VENV)/bin/python $(SECURITY_LOCK)
	touch $(SECURITY_STAMP)

security: $(SECURITY_STAMP) synth
	$(SECURITY_VENV)/bin/checkov --directory $(OUT) --framework cloudformation --skip-download --compact --quiet

clean-venv:
	rm -rf $(VENV)

# The tools' virtualenv is built from its lock even when that is stale (requirements-tools.txt edited):
# `make lock` needs uv from it to write the new lock.
$(TOOLS_STAMP): $(TOOLS_LOCK)
	python3 -m venv --clear $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python $(INSTALL_LOCK) $(TOOLS_LOCK)
	touch $(TOOLS_STAMP)

# Resolve every lock again from pyproject.toml, requirements-security.txt and requirements-tools.txt,
# keeping each locked version the sources still allow. To move versions:
# `make lock LOCK_FLAGS="--upgrade-package troposphere"`, `make lock LOCK_FLAGS=--upgrade`.
# Then `make synth` (which rebuilds .venv from the new lock), review the template diff, commit both.
LOCK_FLAGS ?=
lock: $(TOOLS_STAMP)
	python3 tools/locks.py write --uv $(TOOLS_VENV)/bin/uv -- $(LOCK_FLAGS)

# zizmor over the GitHub workflow, offline: every finding fails (none is accepted today).
workflow-lint: $(TOOLS_STAMP)
	$(TOOLS_VENV)/bin/zizmor --offline .github/

# --- Deploy (issue 5). LAYER names one or more layers: `make deploy LAYER=platform`,
# `make diff LAYER="network data"` (commas work too); empty means every layer, in order.
# DEPLOY_FLAGS passes the rest: `make deploy LAYER=data DEPLOY_FLAGS="--yes --allow-replace Database"`.
LAYER ?=
DEPLOY_FLAGS ?=
SANDBOX_PORT ?= 5000
comma := ,
LAYER_FLAGS = $(foreach layer,$(subst $(comma), ,$(LAYER)),--layer $(layer))

.PHONY: diff deploy status destroy sandbox cost

# What the compiled templates cost a month, per layer and resource, offline (issue 15). COST_FLAGS passes
# the rest: `make cost SPEC=spec/staging.yaml COST_FLAGS="--against templates_out"`, `COST_FLAGS=--json`.
COST_FLAGS ?=
cost: $(STAMP)
	$(CLI) cost --spec $(SPEC) --out $(OUT) $(LAYER_FLAGS) $(COST_FLAGS)

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
