"""The committed templates are exactly what the committed specs compile to.

spec/production.yaml compiles to templates_out/, every other spec/NAME.yaml to
templates_out/NAME/. A failure here means someone edited a spec or the compiler
without running `make synth`, or edited a template by hand: run
`make synth` (with SPEC=spec/NAME.yaml for an environment) and commit the result.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cfncompiler.naming import out_dir_for
from cfncompiler.synth import synth
from tests.conftest import COMMITTED_OUT, PRODUCTION_SPEC, ROOT

SPECS = sorted((ROOT / "spec").glob("*.yaml"))


def templates_in(directory: Path) -> dict[str, bytes]:
    """The templates directly in ``directory`` (an environment's own directory below it is not its output)."""
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.yaml")) if path.is_file()}


def test_the_production_spec_is_among_the_committed_specs() -> None:
    assert PRODUCTION_SPEC in SPECS


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_committed_templates_are_what_the_spec_compiles_to(spec: Path, production_out: Path, tmp_path: Path) -> None:
    if spec == PRODUCTION_SPEC:
        compiled = production_out  # compiled once per session; other tests use it too
    else:
        compiled = tmp_path / "out"
        synth(spec, compiled, lint=False)
    committed = ROOT / out_dir_for(spec.relative_to(ROOT))
    expected, actual = templates_in(compiled), templates_in(committed)
    assert sorted(actual) == sorted(expected), f"{committed} holds other templates than {spec.name} compiles to"
    stale = sorted(name for name in expected if actual[name] != expected[name])
    assert stale == [], f"{committed} is stale ({', '.join(stale)}): run `make synth SPEC={spec.relative_to(ROOT)}`"


def test_a_fresh_process_with_another_hash_seed_compiles_the_same_bytes(tmp_path: Path) -> None:
    # Set iteration order changes with the hash seed: a builder that iterated a set would show here.
    out = tmp_path / "templates_out"
    done = subprocess.run(
        [Path(sys.executable).parent / "cfncompiler", "synth", "--no-lint", "--spec", PRODUCTION_SPEC, "--out", out],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert done.returncode == 0, done.stderr
    assert templates_in(out) == templates_in(COMMITTED_OUT)
