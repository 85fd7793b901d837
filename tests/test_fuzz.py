"""Property: no edit of the real spec crashes ``cfncompiler synth`` or touches the out dir on failure.

Every mutant of ``spec/production.yaml`` (see tests/fuzz_support.py) either compiles
into templates that pass the lint gate (exit 0), or exits 2 with every problem on a
``<file>:<line>:<col>: `` line (in the spec, or in the LiteLLM config it ships), never
a traceback, another exit code or an exception, and then leaves the out dir
(pre-populated with the compiled production templates) byte-for-byte and
mtime-for-mtime as it was, with no staging directory beside it.

The run is seeded (``derandomize``), so a failure reproduces; CI runs the default 500
examples (in four quarters, so parallel workers share them), ``CFNCOMPILER_FUZZ_EXAMPLES`` sets
another number. Only the mutants that
compile reach the lint gate, and its cache lives in the test session's directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings

from cfncompiler.cli import main
from cfncompiler.layers import ORDER
from cfncompiler.synth import synth, template_file
from tests.fuzz_support import (
    Mutant,
    age,
    make_workspace,
    mutants,
    production_text,
    restore,
    snapshot,
    staging_leftovers,
)

EXAMPLES = int(os.environ.get("CFNCOMPILER_FUZZ_EXAMPLES", "500"))
SUMMARY = re.compile(r"^\d+ problem\(s\) in the spec; nothing was written\.$|^Over a CloudFormation or service limit")


@dataclass(frozen=True)
class Bench:
    spec: Path
    out: Path
    baseline: Path


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """A copy of the spec beside a copy of litellm/ and an out dir holding the compiled production
    templates (with old mtimes); the lint gate caches in the session's directory (tests/conftest.py)."""
    root = tmp_path_factory.mktemp("fuzz")
    spec = make_workspace(root / "work")
    baseline = root / "baseline"
    synth(spec, baseline, lint=False)
    age(baseline)
    out = root / "out" / "templates_out"
    out.parent.mkdir()
    restore(out, baseline)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CFNCOMPILER_DEBUG", raising=False)
        yield Bench(spec, out, baseline)


LOCATION = re.compile(r"^(?P<file>[^:\n]+):\d+:\d+: \S")


def located(line: str, bench: Bench) -> bool:
    """``<file>:<line>:<col>: message`` where the file is the spec, or an asset file the spec ships
    (the LiteLLM config is checked against the spec, and its problems point into it)."""
    match = LOCATION.match(line)
    if match is None:
        return False
    where = Path(match["file"]).resolve()
    return where == bench.spec.resolve() or where.is_relative_to(bench.spec.parent.parent.resolve())


# CPython 3.11 returns a 16 KB chunk of its frame stack to the OS whenever a call returns across a chunk
# boundary, and maps a new one on the next call across it. Under pytest's and hypothesis's frames the
# spec parser's calls straddle such a boundary: tens of thousands of mmap/munmap pairs per example, half
# the run's CPU in the kernel. A thread of its own starts each synth on a fresh, shallow frame stack, as
# `cfncompiler synth` runs from a shell.
SHALLOW = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth")


def _invoke_synth(bench: Bench) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(main, ["synth", "--spec", str(bench.spec), "--out", str(bench.out)])
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, result.stderr, crash


def run_synth(bench: Bench) -> tuple[int, str, str, BaseException | None]:
    return SHALLOW.submit(_invoke_synth, bench).result()


def check_outcome(bench: Bench, mutant: Mutant) -> None:
    bench.spec.write_bytes(mutant.content)
    before = snapshot(bench.out)
    code, stdout, stderr, crash = run_synth(bench)
    report = f"{mutant!r}\nexit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    event(f"exit {code}")  # pytest --hypothesis-show-statistics shows how many compiled
    assert crash is None, f"{report}\nraised {crash!r}"
    assert "Traceback" not in stdout + stderr, report
    try:
        if code == 0:
            # The CLI ran the lint gate on the compiled templates and wrote them.
            assert "lint clean" in stdout and "lint skipped" not in stdout, report
            assert sorted(p.name for p in bench.out.iterdir()) == sorted(template_file(layer) for layer in ORDER)
        else:
            assert code == 2, report
            lines = stderr.splitlines()
            problems = [line for line in lines if not SUMMARY.match(line)]
            assert problems, report
            assert [line for line in problems if not located(line, bench)] == [], report
            assert snapshot(bench.out) == before, f"{report}\nthe out dir changed on a failed synth"
        assert staging_leftovers(bench.out) == [], report
    finally:
        if code == 0:
            restore(bench.out, bench.baseline)


def cut(at: int) -> Mutant:
    return Mutant((f"cut at byte {at}",), production_text().encode("utf-8")[:at])


# Four seeded quarters of the examples, each its own test (its own seed: hypothesis derives it from
# the source), so the two test workers share the run instead of one of them doing all of it.
QUARTERS = 4
fuzzed = settings(
    max_examples=-(-EXAMPLES // QUARTERS),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@fuzzed
@given(mutant=mutants())
@example(mutant=cut(0))
@example(mutant=cut(len(production_text()) // 2))
@example(mutant=Mutant(("unchanged",), production_text().encode("utf-8")))
def test_a_mutated_spec_compiles_cleanly_or_exits_2_with_located_problems_first_quarter(
    bench: Bench, mutant: Mutant
) -> None:
    check_outcome(bench, mutant)


@fuzzed
@given(mutant=mutants())
def test_a_mutated_spec_compiles_cleanly_or_exits_2_with_located_problems_second_quarter(
    bench: Bench, mutant: Mutant
) -> None:
    check_outcome(bench, mutant)


@fuzzed
@given(mutant=mutants())
def test_a_mutated_spec_compiles_cleanly_or_exits_2_with_located_problems_third_quarter(
    bench: Bench, mutant: Mutant
) -> None:
    check_outcome(bench, mutant)


@fuzzed
@given(mutant=mutants())
def test_a_mutated_spec_compiles_cleanly_or_exits_2_with_located_problems_fourth_quarter(
    bench: Bench, mutant: Mutant
) -> None:
    check_outcome(bench, mutant)
