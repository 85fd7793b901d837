"""The cfncompiler benchmarks of issue 7; ``make bench`` runs this and it writes bench/RESULTS.md.

Usage: ``python -m bench.run [--runs 7] [--sizes 5,20,50,100] [--wait-for-quiet MINUTES] [--skip-deploy]
[--output PATH]`` (or ``make bench``). How each figure is measured: :mod:`bench.measure`; whether the
scaling is linear: :mod:`bench.fit`; the report: :mod:`bench.report`.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/run.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import (
    BENCH,
    CLI,
    DeployResult,
    Results,
    copy_project,
    deploy_figure,
    help_figure,
    loadavg,
    log,
    machine,
    scaling,
    source_digest,
    synth_figures,
    wait_for_quiet,
)
from bench.report import print_console, render

SIZES = (5, 20, 50, 100)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="platform service counts to scale over")
    parser.add_argument("--wait-for-quiet", type=float, default=0, metavar="MINUTES", help="wait for load < 1.0 first")
    parser.add_argument("--skip-deploy", action="store_true", help="leave out the no-op deploy figure")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md", help="where to write the report")
    args = parser.parse_args(argv)
    if not CLI.exists():
        parser.error(f"{CLI} not found: run this with the project's virtualenv Python (make bench)")
    sizes = [int(s) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]

    quiet = wait_for_quiet(args.wait_for_quiet)
    results = Results(datetime.now(UTC), machine(), quiet, loadavg(), runs=args.runs)
    log(f"machine: {results.machine['CPU']}, {results.machine['nproc']} CPUs; load {results.load_start}; {quiet}")
    digest = source_digest()
    with tempfile.TemporaryDirectory(prefix="cfncompiler-bench-") as temp:
        work = Path(temp)
        spec = copy_project(work)
        results.figures += synth_figures(work, spec, args.runs)
        results.figures.append(help_figure(work, args.runs))
        results.sizes = scaling(work, args.runs, sizes)
        if not args.skip_deploy:
            try:
                # The warm figure's cache already holds this spec's lint results: the deploy's synth reuses them.
                results.deploy = deploy_figure(work, spec, work / "warm" / "cache", args.runs)
            except RuntimeError as exc:
                results.deploy = DeployResult(notes=[f"the local endpoint could not be used: {exc}"])
    results.load_end = loadavg()
    results.finished = datetime.now(UTC)
    results.source_changed = source_digest() != digest
    args.output.write_text(render(results), encoding="utf-8")
    print_console(results)
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
