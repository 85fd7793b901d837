"""The command line: `cfncompiler synth` and `cfncompiler lint`, exit codes, messages, and a directory left alone.

Exit codes: 0 success, 1 a gate failed (or a bug), 2 the input is unusable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cfncompiler.cli import main
from cfncompiler.layers import ORDER
from tests.conftest import (
    BROKEN_CIDR,
    COMMITTED_OUT,
    MINIMAL_SPEC,
    PRODUCTION_SPEC,
    Where,
    edit,
    minimal_text,
    snapshot,
)

CLI = Path(sys.executable).parent / "cfncompiler"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def summary_line(layer: str, out: Path, lint: str, state: str) -> re.Pattern[str]:
    return re.compile(
        rf"^{layer}\s+{re.escape(str(out / f'{layer}.yaml'))}\s+\d+ resources\s+[\d,]+ bytes\s+{lint}\s+\({state}\)$",
        re.MULTILINE,
    )


# --------------------------------------------------------------------------- synth: success


def test_synth_prints_one_line_per_template_then_reports_them_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run("synth", "--spec", MINIMAL_SPEC, "--out", out, "--no-lint")
    assert first.exit_code == 0, first.output
    for layer in ORDER:
        assert summary_line(layer, out, "lint skipped", "written").search(first.stdout), first.stdout
    before = snapshot(out)
    second = run("synth", "--spec", MINIMAL_SPEC, "--out", out, "--no-lint")
    assert second.exit_code == 0, second.output
    for layer in ORDER:
        assert summary_line(layer, out, "lint skipped", "unchanged").search(second.stdout), second.stdout
    assert snapshot(out) == before


def test_synth_runs_the_lint_gate_by_default(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("synth", "--spec", MINIMAL_SPEC, "--out", out)
    assert result.exit_code == 0, result.output
    for layer in ORDER:
        assert summary_line(layer, out, "lint clean", "written").search(result.stdout), result.stdout


def test_synth_defaults_to_spec_production_yaml_and_templates_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "spec").mkdir()
    shutil.copy(MINIMAL_SPEC, tmp_path / "spec" / "production.yaml")
    monkeypatch.chdir(tmp_path)
    result = run("synth", "--no-lint")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "templates_out").iterdir()) == sorted(f"{x}.yaml" for x in ORDER)


# --------------------------------------------------------------------------- synth: unusable input


def _write(name: str, text: str) -> Callable[[Path], Path]:
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


# (make the spec, where the first problem points, the text after "FILE:LINE:COL: ")
BAD_INPUTS = [
    pytest.param(lambda tmp_path: tmp_path / "missing.yaml", (1, 1), "file not found", id="missing-file"),
    pytest.param(_write("empty.yaml", ""), (1, 1), "the spec is empty", id="empty-file"),
    pytest.param(
        _write("syntax.yaml", edit(minimal_text(), ("  cidr: 10.1.0.0/16", "  cidr: [10.1.0.0/16"))),
        Where("availability_zones:", ":"),
        "YAML error: while parsing a flow sequence",
        id="yaml-syntax-error",
    ),
    pytest.param(
        _write("duplicate.yaml", edit(minimal_text(), ("region: eu-west-1\n", "region: eu-west-1\nproject: x\n"))),
        Where("project: x", "project"),
        'YAML error: while constructing a mapping found duplicate key "project"',
        id="duplicate-key",
    ),
    pytest.param(_write("list.yaml", "- a\n- b\n"), (1, 1), "the spec must be a mapping", id="top-level-list"),
    pytest.param(
        _write("type.yaml", edit(minimal_text(), ("    port: 5432", '    port: "5432"'))),
        Where('"5432"'),
        "data.database.port: Input should be a valid integer (got '5432')",
        id="wrong-type",
    ),
    pytest.param(
        _write("rule.yaml", edit(minimal_text(), ("cidr: 10.1.20.0/24", "cidr: 10.2.20.0/24"))),
        Where("10.2.20.0/24"),
        "network.subnets.data-a.cidr: 10.2.20.0/24 is outside the VPC's 10.1.0.0/16",
        id="cross-field-rule",
    ),
]


@pytest.mark.parametrize("existing", [True, False], ids=["previous-templates", "no-out-dir"])
@pytest.mark.parametrize(("make", "where", "message"), BAD_INPUTS)
def test_bad_input_exits_2_with_located_problems_and_leaves_the_out_dir_alone(
    tmp_path: Path,
    populated_out: Path,
    make: Callable[[Path], Path],
    where: Where | tuple[int, int],
    message: str,
    existing: bool,
) -> None:
    spec = make(tmp_path)
    line, column = where.of(spec) if isinstance(where, Where) else where
    out = populated_out if existing else tmp_path / "absent"
    before = snapshot(out)
    result = run("synth", "--spec", spec, "--out", out)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{spec}:{line}:{column}: {message}"), result.stderr
    assert lines[-1].endswith("problem(s) in the spec; nothing was written.")
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert out.exists() == existing


def test_every_problem_is_printed_on_its_own_located_line(tmp_path: Path) -> None:
    spec = _write(
        "many.yaml",
        edit(
            minimal_text(),
            ("retention_days: 30", "retention_days: 31"),
            ("    port: 5432", '    port: "5432"'),
            ("  cidr: 10.1.0.0/16", "  cidrr: 10.1.0.0/16"),
        ),
    )(tmp_path)
    result = run("synth", "--spec", spec, "--out", tmp_path / "out")
    assert result.exit_code == 2
    expected = [
        (*Where("retention_days: 31", "31").of(spec), "logs.retention_days"),
        (*Where("network:").of(spec), "network.cidr"),
        (*Where("cidrr").of(spec), "network.cidrr"),
        (*Where('"5432"').of(spec), "data.database.port"),
    ]
    located = [line for line in result.stderr.splitlines() if line.startswith(f"{spec}:")]
    pattern = re.compile(rf"{re.escape(str(spec))}:(\d+):(\d+): (\S+):")
    assert [(int(m[1]), int(m[2]), m[3]) for m in map(pattern.match, located) if m] == expected
    assert len(located) == len(expected)
    assert result.stderr.splitlines()[-1] == "4 problem(s) in the spec; nothing was written."


# --------------------------------------------------------------------------- synth: gate and bugs


@pytest.mark.usefixtures("broken_network")
@pytest.mark.parametrize("existing", [True, False], ids=["previous-templates", "no-out-dir"])
def test_a_lint_finding_exits_1_prints_the_finding_and_writes_nothing(
    tmp_path: Path, populated_out: Path, existing: bool
) -> None:
    out = populated_out if existing else tmp_path / "absent"
    before = snapshot(out)
    result = run("synth", "--spec", MINIMAL_SPEC, "--out", out)
    assert result.exit_code == 1, result.output
    finding = f"{out / 'network.yaml'}: E3002 Resources/BrokenVpc/Properties/CidrBlock: '{BROKEN_CIDR}'"
    assert result.stderr.splitlines() == [
        f"{finding} is not a 'ipv4-network'",
        "cfn-lint gate failed with 1 finding(s); nothing was written.",
    ]
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert out.exists() == existing


@pytest.fixture
def crashing_data_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfncompiler.layers import data

    def build(*args: object) -> None:
        raise RuntimeError("builder exploded")

    monkeypatch.setattr(data, "build", build)


@pytest.mark.usefixtures("crashing_data_builder")
def test_an_unexpected_error_exits_1_with_a_bug_report_hint_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CFNCOMPILER_DEBUG", raising=False)
    result = run("synth", "--spec", MINIMAL_SPEC, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "error: RuntimeError: builder exploded. This is a bug in cfncompiler" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("crashing_data_builder")
def test_cfncompiler_debug_lets_the_traceback_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CFNCOMPILER_DEBUG", "1")
    result = run("synth", "--spec", MINIMAL_SPEC, "--out", tmp_path / "out")
    assert isinstance(result.exception, RuntimeError)


# --------------------------------------------------------------------------- lint


def test_lint_checks_the_committed_templates_clean() -> None:
    result = run("lint", "--spec", PRODUCTION_SPEC, "--out", COMMITTED_OUT)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{COMMITTED_OUT / f'{layer}.yaml'}: clean" for layer in ORDER]


def test_lint_reports_findings_in_templates_on_disk_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("synth", "--spec", MINIMAL_SPEC, "--out", out, "--no-lint").exit_code == 0
    network = out / "network.yaml"
    network.write_text(network.read_text(encoding="utf-8").replace("10.1.0.0/16", BROKEN_CIDR, 1), encoding="utf-8")
    result = run("lint", "--spec", MINIMAL_SPEC, "--out", out)
    assert result.exit_code == 1, result.output
    assert f"{network}: 1 finding(s)" in result.stdout.splitlines()
    assert f"{out / 'data.yaml'}: clean" in result.stdout.splitlines()
    assert f"{network}: E3002 Resources/Vpc/Properties/CidrBlock:" in result.stderr
    assert "Traceback" not in result.output


def test_lint_without_templates_says_to_synth_first(tmp_path: Path) -> None:
    result = run("lint", "--spec", MINIMAL_SPEC, "--out", tmp_path / "nothing-here")
    assert result.exit_code == 1
    assert "missing; run `cfncompiler synth`" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "nothing-here").exists()


def test_lint_with_a_bad_spec_exits_2(tmp_path: Path) -> None:
    result = run("lint", "--spec", tmp_path / "missing.yaml", "--out", COMMITTED_OUT)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path / 'missing.yaml'}:1:1: file not found")


def test_help_names_both_commands_and_version_is_printed() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert re.search(r"^\s+synth\s", result.stdout, re.MULTILINE)
    assert re.search(r"^\s+lint\s", result.stdout, re.MULTILINE)
    version = run("--version")
    assert version.exit_code == 0
    assert re.search(r"version \d+\.\d+", version.stdout)


# --------------------------------------------------------------------------- the installed command


@pytest.mark.parametrize("existing", [True, False], ids=["previous-templates", "no-out-dir"])
def test_installed_command_exits_2_on_a_bad_spec_without_traceback_and_touches_nothing(
    tmp_path: Path, populated_out: Path, existing: bool
) -> None:
    assert CLI.is_file(), f"{CLI} is not installed; run `make synth` once"
    spec = tmp_path / "bad.yaml"
    spec.write_text(edit(minimal_text(), ("        - from: web\n", "        - from: webb\n")), encoding="utf-8")
    line, column = Where("from: webb", "webb").of(spec)
    out = populated_out if existing else tmp_path / "absent"
    before = snapshot(out)
    done = subprocess.run(
        [CLI, "synth", "--spec", spec, "--out", out],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CFNCOMPILER_DEBUG": ""},
    )
    assert done.returncode == 2, done.stderr
    problem = f"{spec}:{line}:{column}: network.security_groups.service.ingress[0].from: unknown security group 'webb'"
    assert done.stderr.startswith(problem), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert snapshot(out) == before
    assert out.exists() == existing
