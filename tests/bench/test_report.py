"""bench/report.py: RESULTS.md rendered from known numbers says those numbers, and judges them against the targets."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from bench.measure import LAYERS, DeployResult, Figure, Results, Size
from bench.report import markdown, render

from tests.bench.known import BYTES_PER_SERVICE, figure, size

STARTED = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
LIMIT_REFUSAL = "platform.yaml: 719 resources, over the limit of 500\nOver a CloudFormation limit; nothing was written."


def results(
    figures: list[Figure], sizes: list[Size] | None = None, deploy: DeployResult | None = None, runs: int = 3
) -> Results:
    return Results(
        STARTED,
        {"CPU": "Known CPU", "nproc": "2"},
        "not waited for",
        "0.50 / 0.40 / 0.30",
        load_end="0.60 / 0.50 / 0.40",
        runs=runs,
        figures=figures,
        sizes=sizes or [],
        deploy=deploy,
        finished=datetime(2026, 1, 2, 3, 9, tzinfo=UTC),
    )


def test_the_report_states_the_figures_and_the_machine_it_was_given() -> None:
    lint = figure("lint", [2.1, 2.5, 2.9], mb=157)
    lint.tree_pss_kb = 314 * 1024

    text = render(results([lint], runs=3))

    assert text.startswith("# cfncompiler benchmarks\n")
    assert "(`bench/run.py`, 3 runs per figure, none dropped) on 2026-01-02 03:04 UTC, finished 03:09 UTC" in text
    assert "| CPU | Known CPU |" in text
    assert "| Load average (1 / 5 / 15 min) at start | 0.50 / 0.40 / 0.30 |" in text
    assert (
        "| the lint figure | `cfncompiler lint` | 3 | 2.100 / 2.500 / 2.900 | 157 / 157 / 157 | 314 | 0 | 1.00 - 1.00 |"
        in text
    )
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_each_target_is_met_or_not_by_the_median() -> None:
    figures = [
        figure("lint", [2.4, 2.5, 3.0]),  # at most 2.5 s: met on the limit itself
        figure("no_lint", [0.5, 0.7, 0.8]),  # at most 0.6 s: not met
        figure("help", [0.1, 0.12, 0.2]),
    ]

    text = render(results(figures))

    assert "| synth of four layers with the lint gate (cold) | ≤ 2.5 s | 2.50 s | **met** |" in text
    assert "| synth of four layers without lint (cold) | ≤ 0.6 s | 0.70 s | **not met** |" in text
    assert "| cfncompiler --help | ≤ 0.3 s | 0.12 s | **met** | median |" in text
    assert "| second synth, nothing changed, gate included | ≤ 0.6 s | not measured | not met | median |" in text
    assert "| peak memory of synth | ≤ 250 MB | 50 MB | **met** |" in text


def test_the_scaling_section_gives_the_growth_per_service_and_the_fit() -> None:
    sizes = [size(n, [1.0 + 0.02 * n] * 3) for n in (5, 20, 50)]
    sizes.append(size(100, [3.0] * 3, synth_stderr=LIMIT_REFUSAL, synth_returncode=2))

    text = render(results([], sizes))

    assert f"| 100 | 700 | 406,200 | 426,151 | 3.000 / 3.000 / 3.000 | 20.0 ms | {BYTES_PER_SERVICE:,} |" in text
    assert "- Least-squares line over the compile_only whole-process medians: 1.000 s + 20.0 ms per service" in text
    assert "Growth is **linear**." in text
    assert "Criterion: R² ≥ 0.98, and the cost per added service over the last step at most 1.5 times" in text
    assert "| 100 | refused, exit 2 (over a limit) | 3.200 / 3.200 / 3.200 |" in text
    assert "- 100 services, refused, exit 2 (over a limit): `platform.yaml: 719 resources" in text
    assert "| compile of 100 platform services | < 5 s | 3.00 s | **met** |" in text


def test_the_deploy_section_counts_the_change_sets_of_the_no_op_runs() -> None:
    noop = figure("deploy", [2.2, 2.4, 2.8])
    deploy = DeployResult(
        setup=figure("setup", [6.0]).runs[0],
        setup_actions=Counter({"CreateChangeSet": 4, "DescribeStacks": 18}),
        noop=noop,
        noop_actions=[Counter({"DescribeStacks": 10})] * 3,
        layers=list(LAYERS),
    )

    text = render(results([], deploy=deploy))

    assert "## No-op deploy" in text
    assert "6.0 s, exit 0, requests: CreateChangeSet x4, DescribeStacks x18." in text
    assert "CreateChangeSet calls per no-op run: [0, 0, 0] (total 0)." in text
    assert "| no-op deploy of four layers | ≤ 3 s | 2.40 s, 0 change sets | **met** |" in text


def test_a_change_set_in_a_no_op_run_fails_the_deploy_target() -> None:
    deploy = DeployResult(
        noop=figure("deploy", [1.0]), noop_actions=[Counter({"CreateChangeSet": 1})], layers=list(LAYERS)
    )

    text = render(results([], deploy=deploy))

    assert "| no-op deploy of four layers | ≤ 3 s | 1.00 s, 1 change sets | **not met** |" in text


def test_a_pipe_in_a_cell_does_not_split_the_markdown_column() -> None:
    assert markdown((["a", "b"], [["x | y", "z"]])) == "| a | b |\n|---|---|\n| x \\| y | z |"
