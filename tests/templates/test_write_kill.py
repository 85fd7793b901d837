"""A ``cfncompiler synth`` killed with SIGKILL at any moment leaves the out dir whole: the old set or the new.

The out dir holds the templates compiled from the production spec; the synth being
killed compiles a spec whose log retention differs, which changes three of the four
templates. Kill times are seeded. A third of the trials run at natural speed and are
killed anywhere in the process's life; the rest run with file-system calls slowed
(``os.fsync``, ``os.link``, ``os.unlink`` sleep first, as on a slow disk) and are
killed at a random moment after the writer's first file-system call, so the few
milliseconds in which the writer works are hit many times rather than by luck.

Each synth is its own process, forked from this one with the compiler already imported
(a cold interpreter spends a second importing before the writer's first call, which no
kill in this test is aimed at), running the ``synth`` command as the console script does.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pytest

from cfncompiler.cli import main
from cfncompiler.synth import synth
from tests.fuzz_support import age, make_workspace, production_text, restore, snapshot, staging_leftovers

SEED = 20_260_611
TRIALS = 30
NATURAL_TRIALS = 10
IO_DELAY_SECONDS = 0.01
OLD_RETENTION, NEW_RETENTION = "retention_days: 365", "retention_days: 400"
SLOWED = ("fsync", "link", "unlink")


Files = dict[str, bytes]


@dataclass(frozen=True)
class Bench:
    root: Path
    spec: Path
    out: Path
    old_dir: Path
    old: Files
    new: Files


def contents(directory: Path) -> Files:
    return {name: data for name, (data, _) in snapshot(directory).items()}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    root = tmp_path_factory.mktemp("kill")
    spec = make_workspace(root / "work")
    old_dir, new_dir = root / "old", root / "new"
    synth(spec, old_dir, lint=False)
    age(old_dir)
    text = production_text()
    assert text.count(OLD_RETENTION) == 1
    spec.write_text(text.replace(OLD_RETENTION, NEW_RETENTION), encoding="utf-8")
    synth(spec, new_dir, lint=False)
    old, new = contents(old_dir), contents(new_dir)
    changed = [name for name in old if old[name] != new[name]]
    assert set(old) == set(new) and 2 <= len(changed) < len(old), "several templates change, not all"
    (root / "out").mkdir()
    return Bench(root, spec, root / "out" / "templates_out", old_dir, old, new)


def _slow_file_system(marker: Path) -> None:
    """In the child only: every slowed call first marks that the writer has begun, then sleeps."""

    def slowed(real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if not marker.exists():
                marker.touch()
            time.sleep(IO_DELAY_SECONDS)
            return real(*args, **kwargs)

        return call

    for name in SLOWED:
        setattr(os, name, slowed(getattr(os, name)))


def _run_synth(spec: Path, out: Path, slow: bool, marker: Path) -> None:
    """The child: ``cfncompiler synth --no-lint`` as the console script runs it; its exit status is the command's."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    if slow:
        _slow_file_system(marker)
    main(["synth", "--no-lint", "--spec", str(spec), "--out", str(out)])


def start_synth(bench: Bench, *, slow: bool, marker: Path) -> BaseProcess:
    process = multiprocessing.get_context("fork").Process(
        target=_run_synth, args=(bench.spec, bench.out, slow, marker), daemon=True
    )
    process.start()
    return process


def finish(process: BaseProcess) -> int:
    process.join(timeout=60)
    assert process.exitcode in (0, -signal.SIGKILL), f"synth exited {process.exitcode}"
    return int(process.exitcode)


def natural_runtime(bench: Bench) -> float:
    restore(bench.out, bench.old_dir)
    started = time.monotonic()
    assert finish(start_synth(bench, slow=False, marker=bench.root / "unused")) == 0
    return time.monotonic() - started


def writer_window(bench: Bench, marker: Path) -> float:
    """Seconds from the writer's first file-system call to the end of a slowed run."""
    restore(bench.out, bench.old_dir)
    marker.unlink(missing_ok=True)
    process = start_synth(bench, slow=True, marker=marker)
    while not marker.exists() and process.is_alive():
        time.sleep(0.001)
    started = time.monotonic()
    assert finish(process) == 0
    assert contents(bench.out) == bench.new
    return time.monotonic() - started


def test_a_synth_killed_at_any_moment_leaves_the_old_templates_or_the_new_never_a_mix(bench: Bench) -> None:
    rng = random.Random(SEED)
    runtime = natural_runtime(bench)
    marker = bench.root / "writing"
    window = writer_window(bench, marker)
    outcomes = {"old": 0, "new": 0, "killed while writing": 0}
    for trial in range(TRIALS):
        restore(bench.out, bench.old_dir)
        for leftover in staging_leftovers(bench.out):
            shutil.rmtree(leftover)
        before = snapshot(bench.out)
        marker.unlink(missing_ok=True)
        slow = trial >= NATURAL_TRIALS
        process = start_synth(bench, slow=slow, marker=marker)
        if slow:
            while not marker.exists() and process.is_alive():
                time.sleep(0.0005)
            delay = rng.uniform(0, window * 1.1)
        else:
            delay = rng.uniform(0, runtime * 1.1)
        time.sleep(delay)
        process.kill()
        killed = finish(process) == -signal.SIGKILL
        where = f"trial {trial} ({'slowed' if slow else 'natural'}), killed {delay:.3f}s in: killed={killed}"

        assert bench.out.is_dir() and not bench.out.is_symlink(), where
        now = contents(bench.out)
        assert now in (bench.old, bench.new), f"{where}: the out dir is a mix or holds a partial template"
        if now == bench.old:
            outcomes["old"] += 1
            assert snapshot(bench.out) == before, f"{where}: the old templates were touched"
        else:
            outcomes["new"] += 1
        leftovers = staging_leftovers(bench.out)
        assert all(stage.parent == bench.out.parent for stage in leftovers), where
        if leftovers:
            outcomes["killed while writing"] += 1
            # Whatever a killed writer left behind never stops the next synth.
            synth(bench.spec, bench.out, lint=False)
            assert contents(bench.out) == bench.new, where
    assert outcomes["killed while writing"] >= 1, f"no kill landed while the writer worked: {outcomes}"
    assert outcomes["old"] >= 1, outcomes
