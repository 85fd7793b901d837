"""The report of ``make bench``: bench/RESULTS.md, judged against the targets of issue 7, and the console tables."""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.fit import fits
from bench.measure import LAYERS, Figure, Results, Size, tail

# ----------------------------------------------------------------------------- targets (issue 7)


@dataclass(frozen=True)
class Target:
    what: str
    limit: float
    unit: str
    strict: bool = False  # "under" rather than "at most"

    def met(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit

    def wording(self) -> str:
        return f"{'<' if self.strict else '≤'} {self.limit:g} {self.unit}"


TARGETS = {
    "no_lint": Target("synth of four layers without lint (cold)", 0.6, "s"),
    "lint": Target("synth of four layers with the lint gate (cold)", 2.5, "s"),
    "memory": Target("peak memory of synth", 250, "MB"),
    "warm": Target("second synth, nothing changed, gate included", 0.6, "s"),
    "help": Target("cfncompiler --help", 0.3, "s"),
    "deploy": Target("no-op deploy of four layers", 3.0, "s"),
    "scale": Target("compile of 100 platform services", 5.0, "s", strict=True),
}


# ----------------------------------------------------------------------------- tables and the report


Table = tuple[list[str], list[list[str]]]


def markdown(table: Table) -> str:
    headers, rows = table
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(values: Sequence[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def megabytes(values: Sequence[float]) -> str:
    return f"{min(values):.0f} / {statistics.median(values):.0f} / {max(values):.0f}"


def figure_table(figures: Sequence[Figure]) -> Table:
    headers = [
        "figure",
        "command",
        "runs",
        "wall s (min / median / max)",
        "peak RSS MB, largest process (min / median / max)",
        "whole tree peak PSS MB (1 sampled run)",
        "exit",
        "1-min load before the runs (min - max)",
    ]
    rows = []
    for f in figures:
        codes = ", ".join(str(c) for c in sorted({r.returncode for r in f.runs}))
        tree = f"{f.tree_pss_kb / 1024:.0f}" if f.tree_pss_kb is not None else "-"
        rows.append(
            [
                f.title,
                f"`{f.command}`",
                str(len(f.runs)),
                seconds(f.walls),
                megabytes(f.rss_mb),
                tree,
                codes,
                load_range(f),
            ]
        )
    return headers, rows


def load_range(figure: Figure) -> str:
    loads = [r.load for r in figure.runs]
    return f"{min(loads):.2f} - {max(loads):.2f}"


def verdict(figure: Figure) -> tuple[str, str]:
    """What ``cfncompiler synth`` said for a size: a short verdict and its message."""
    codes = sorted({r.returncode for r in figure.runs})
    run = figure.runs[0]
    if codes == [0]:
        warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
        return ("written" + (f", {len(warnings)} warning(s)" if warnings else ""), " / ".join(warnings))
    if codes == [2] and "limit" in run.stderr:
        return "refused, exit 2 (over a limit)", tail(run.stderr, 6)
    return f"exit {', '.join(map(str, codes))}: NOT the limit refusal", tail(run.stderr, 6)


def scaling_tables(sizes: Sequence[Size]) -> tuple[Table, Table]:
    headers = [
        "platform services",
        "platform resources",
        "platform bytes",
        "all four templates bytes",
        "compile_only wall s (min / median / max)",
        "time per added service (vs previous size)",
        "platform bytes per added service",
        "compile_only peak RSS MB (median)",
        "inside compile_only: import / load / compile s (median)",
        "1-min load before the runs (min - max)",
    ]
    rows = []
    previous: Size | None = None
    for s in sizes:
        platform_layer = s.layers.get("platform", {})
        total = sum(layer["bytes"] for layer in s.layers.values())
        step = grown = "-"
        if previous is not None and previous.layers and s.layers:
            added = s.services - previous.services
            step = f"{(s.compile.median - previous.compile.median) / added * 1000:.1f} ms"
            grown = f"{(platform_layer['bytes'] - previous.layers['platform']['bytes']) / added:,.0f}"
        inside = " / ".join(f"{s.steps[k]:.3f}" for k in ("import", "load", "compile")) if s.steps else "-"
        rows.append(
            [
                str(s.services),
                str(platform_layer.get("resources", "-")),
                f"{platform_layer.get('bytes', 0):,}",
                f"{total:,}",
                seconds(s.compile.walls),
                step,
                grown,
                f"{statistics.median(s.compile.rss_mb):.0f}",
                inside,
                load_range(s.compile),
            ]
        )
        previous = s
    synth_headers = [
        "platform services",
        "`cfncompiler synth --no-lint` verdict",
        "wall s to the verdict (min / median / max)",
        "peak RSS MB (median)",
        "1-min load before the runs (min - max)",
    ]
    synth_rows = []
    for s in sizes:
        short, _ = verdict(s.synth)
        synth_rows.append(
            [
                str(s.services),
                short,
                seconds(s.synth.walls),
                f"{statistics.median(s.synth.rss_mb):.0f}",
                load_range(s.synth),
            ]
        )
    return (headers, rows), (synth_headers, synth_rows)


def target_rows(results: Results) -> list[list[str]]:
    by_key = {f.key: f for f in results.figures}
    rows: list[list[str]] = []

    def add(key: str, measured: float | None, shown: str, extra: str = "", ok: bool = True) -> None:
        target = TARGETS[key]
        if measured is None:
            rows.append([target.what, target.wording(), "not measured", "not met", extra])
            return
        met = target.met(measured) and ok
        rows.append([target.what, target.wording(), shown, "**met**" if met else "**not met**", extra])

    for key in ("no_lint", "lint"):
        f = by_key.get(key)
        add(key, f.median if f else None, f"{f.median:.2f} s" if f else "", "median of cold runs")
    synths = [by_key[k] for k in ("lint", "no_lint", "warm") if k in by_key]
    if synths:
        worst = max(synths, key=lambda f: f.peak_mb)
        add(
            "memory",
            worst.peak_mb,
            f"{worst.peak_mb:.0f} MB",
            f"highest of the synth figures ({worst.title}): the larger of the biggest single process "
            "over all runs and the sampled whole-tree PSS",
        )
    warm = by_key.get("warm")
    add("warm", warm.median if warm else None, f"{warm.median:.2f} s" if warm else "", "median")
    help_ = by_key.get("help")
    add("help", help_.median if help_ else None, f"{help_.median:.2f} s" if help_ else "", "median")
    deploy = results.deploy
    if deploy and deploy.noop and deploy.noop.runs:
        created = sum(a["CreateChangeSet"] for a in deploy.noop_actions)
        complete = deploy.layers == list(LAYERS)
        add(
            "deploy",
            deploy.noop.median,
            f"{deploy.noop.median:.2f} s, {created} change sets",
            f"median; CreateChangeSet calls over all {len(deploy.noop.runs)} no-op runs: {created}"
            + ("" if complete else f"; only {', '.join(deploy.layers)} could be deployed"),
            ok=created == 0 and complete and not deploy.noop.unexpected,
        )
    else:
        add("deploy", None, "", "; ".join(deploy.notes) if deploy else "")
    hundred = next((s for s in results.sizes if s.services == 100 and s.layers), None)
    add(
        "scale",
        hundred.compile.median if hundred else None,
        f"{hundred.compile.median:.2f} s" if hundred else "",
        "median, whole process `bench/compile_only.py` (load, gather inputs, compile, render)",
    )
    return rows


def report(results: Results) -> str:
    m = results.machine
    lines = [
        "# cfncompiler benchmarks",
        "",
        f"Written by `make bench` (`bench/run.py`, {results.runs} runs per figure, none dropped) on "
        f"{results.started:%Y-%m-%d %H:%M} UTC"
        + (f", finished {results.finished:%H:%M} UTC" if results.finished else "")
        + ". Do not edit by hand; run `make bench` again.",
        "",
        "## Machine",
        "",
        markdown(
            (
                ["", ""],
                [
                    *[[k, v] for k, v in m.items()],
                    ["Load average (1 / 5 / 15 min) at start", results.load_start],
                    ["Load average at end", results.load_end],
                    ["Waiting for a quiet machine", results.quiet],
                    [
                        "Source during the run",
                        "CHANGED while measuring (someone edited src/); figures may mix versions"
                        if results.source_changed
                        else "unchanged from start to end",
                    ],
                ],
            )
        ),
        "",
        "## Targets (issue 7)",
        "",
        markdown((["target", "goal", "measured", "verdict", "how"], target_rows(results))),
        "",
        "## Synth and start-up",
        "",
        "Every run is a new process. *Cold*: an empty `CFNCOMPILER_CACHE_DIR` (lint results and synth state) "
        "and a new out dir per run; Python's bytecode and the OS page cache are warm, as on a workstation. "
        "*Nothing changed*: one priming synth (not counted), then the same command with the same cache and out dir.",
        "",
        markdown(figure_table(results.figures)),
        "",
    ]
    for f in results.figures:
        lines += [f"- {f.title}: {note}" for note in f.notes]
    if any(f.notes for f in results.figures):
        lines.append("")
    if results.sizes:
        compile_table, synth_table = scaling_tables(results.sizes)
        lines += [
            "## Scaling",
            "",
            "Specs generated by `bench/specgen.py`: the production spec with its platform layer grown to N "
            "services by adding services shaped like key-provisioner (task definition, task role, log group, "
            "target group, listener rule on `svc-NNN.company.com`, CloudMap entry, ECS service). "
            "`bench/compile_only.py SPEC` loads, compiles and renders through the library, without the limit "
            "check, the gate or writing (troposphere's own 500-resource guard lifted in that process), so the "
            "curve reaches 100 services.",
            "",
            markdown(compile_table),
            "",
        ]
        found = fits(results.sizes)
        for basis, fit in found.items():
            lines.append(
                f"- Least-squares line over the compile_only {basis}: {fit.intercept:.3f} s + "
                f"{fit.slope * 1000:.1f} ms per service, R² = {fit.r2:.4f}; per added service between sizes: "
                + ", ".join(f"{m * 1000:.1f} ms" for m in fit.marginal)
                + f". Growth is **{fit.verdict}**."
            )
        if found:
            lines += [
                "",
                "Criterion: R² ≥ 0.98, and the cost per added service over the last step at most 1.5 times the "
                "step before (a cost growing with the square of N gives about 2.1 times over 20 → 50 → 100). "
                "Other processes on a shared machine only ever add time, so the fit over each size's fastest run "
                "is the closer one to the compiler's own cost; the one over the medians is shown as measured.",
                "",
            ]
        lines += [
            "`cfncompiler synth --no-lint` on the same specs, cold, checks CloudFormation's limits before writing:",
            "",
            markdown(synth_table),
            "",
        ]
        for s in results.sizes:
            short, message = verdict(s.synth)
            if message:
                lines.append(f"- {s.services} services, {short}: `{message}`")
        lines.append("")
    d = results.deploy
    if d is not None:
        lines += ["## No-op deploy", ""]
        if d.setup is not None:
            lines.append(
                f"The benchmark starts `python -m cfncompiler.sandbox` (moto) on a free port of 127.0.0.1 with "
                f"moto's request recorder on (`MOTO_ENABLE_RECORDING`), synthesises the production spec, and deploys "
                f"all four layers once with `cfncompiler deploy --yes` (dummy credentials, `AWS_ENDPOINT_URL`): "
                f"{d.setup.wall:.1f} s, exit {d.setup.returncode}, requests: {fmt_actions(d.setup_actions)}."
            )
            lines.append("")
        if d.noop is not None:
            lines += [markdown(figure_table([d.noop])), ""]
            per_run = [a["CreateChangeSet"] for a in d.noop_actions]
            lines += [
                f"CreateChangeSet calls per no-op run: {per_run} (total {sum(per_run)}). Requests of one no-op run: "
                f"{fmt_actions(d.noop_actions[-1]) if d.noop_actions else '-'}.",
                "",
                "How they are counted: on the server. The recording file is emptied before each run; afterwards "
                "every recorded request is classified by its query `Action` (CloudFormation's protocol), so a "
                "change set created and deleted again within the run still counts. The first deploy's "
                f"{d.setup_actions['CreateChangeSet']} CreateChangeSet calls show the counter sees them.",
                "",
            ]
            lines += [f"- {note}" for note in d.noop.notes]
        lines += [f"- {note}" for note in d.notes]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def fmt_actions(actions: Counter[str]) -> str:
    return ", ".join(f"{name} x{count}" for name, count in sorted(actions.items())) or "none"


def print_console(results: Results) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)

    def show(title: str, table: Table) -> None:
        headers, rows = table
        rich_table = RichTable(title=title)
        for header in headers:
            rich_table.add_column(header)
        for row in rows:
            rich_table.add_row(*row)
        console.print(rich_table)

    show("Targets", (["target", "goal", "measured", "verdict", "how"], target_rows(results)))
    show(
        "Figures",
        figure_table(results.figures + ([results.deploy.noop] if results.deploy and results.deploy.noop else [])),
    )
    if results.sizes:
        compile_table, synth_table = scaling_tables(results.sizes)
        show("Scaling: compile_only", compile_table)
        show("Scaling: synth", synth_table)
