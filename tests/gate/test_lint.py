"""The cfn-lint gate: pinned cfn-lint, errors and warnings both fail, results cached by exact text."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cfncompiler.errors import Finding
from cfncompiler.gate import lint as linter
from cfncompiler.gate.lint import Gate
from tests.conftest import COMMITTED_OUT, ROOT

REGION = "us-west-2"

INVALID_VALUE = """\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsSupport: maybe
"""
UNUSED_PARAMETER = """\
Parameters:
  Unused:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""
CLEAN = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""


def test_the_gate_runs_the_cfn_lint_version_pinned_in_pyproject() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [d for d in dependencies if re.match(r"cfn-lint\s*==", d)]
    assert len(pins) == 1, f"cfn-lint must be pinned to one exact version, found {dependencies}"
    assert pins[0].split("==")[1].strip() == linter.version()


def test_committed_templates_pass_the_gate_with_no_errors_or_warnings(gate: Gate) -> None:
    templates = [(str(path), path.read_text(encoding="utf-8")) for path in sorted(COMMITTED_OUT.glob("*.yaml"))]
    assert {"network", "data"} <= {Path(file).stem for file, _ in templates}
    assert gate.lint(templates, REGION) == []


def test_an_invalid_property_value_is_an_error_finding_with_its_template_path(gate: Gate) -> None:
    [finding] = gate.lint([("templates_out/network.yaml", INVALID_VALUE)], REGION)
    assert finding.file == "templates_out/network.yaml"
    assert finding.rule == "E3012"
    assert finding.path == "Resources/Vpc/Properties/EnableDnsSupport"
    assert "'maybe' is not of type 'boolean'" in finding.message


def test_a_warning_fails_the_gate_too(gate: Gate) -> None:
    [finding] = gate.lint([("data.yaml", UNUSED_PARAMETER)], REGION)
    assert (finding.rule, finding.path) == ("W2001", "Parameters/Unused")


def test_a_finding_prints_as_file_rule_path_message() -> None:
    finding = Finding(
        "templates_out/data.yaml", "E3012", "Resources/Db/Properties/Port", "'x' is not of type 'integer'"
    )
    assert str(finding) == "templates_out/data.yaml: E3012 Resources/Db/Properties/Port: 'x' is not of type 'integer'"


def test_findings_come_back_in_file_order_whatever_the_workers(tmp_path: Path) -> None:
    templates = [("a.yaml", INVALID_VALUE), ("b.yaml", CLEAN), ("c.yaml", UNUSED_PARAMETER)]
    findings = Gate(cache=tmp_path, workers=2).lint(templates, REGION)
    assert [(f.file, f.rule) for f in findings] == [("a.yaml", "E3012"), ("c.yaml", "W2001")]


# --------------------------------------------------------------------------- cache


@pytest.fixture
def counted_lint(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record every template cfn-lint is actually asked to lint (in this process)."""
    calls: list[tuple[str, str]] = []
    real = linter._lint_text

    def counting(item: tuple[str, str]) -> Any:
        calls.append(item)
        return real(item)

    monkeypatch.setattr(linter, "_lint_text", counting)
    return calls


def test_an_unchanged_template_is_linted_once_and_its_findings_still_reported(
    tmp_path: Path, counted_lint: list[tuple[str, str]]
) -> None:
    gate = Gate(cache=tmp_path, workers=1)
    first = gate.lint([("x.yaml", INVALID_VALUE)], REGION)
    second = Gate(cache=tmp_path, workers=1).lint([("y.yaml", INVALID_VALUE)], REGION)
    assert len(counted_lint) == 1
    assert [(f.rule, f.path) for f in second] == [(f.rule, f.path) for f in first]
    assert [f.file for f in second] == ["y.yaml"], "a cached finding names the file it is reported for"


@pytest.mark.parametrize(
    ("second_text", "second_region"),
    [
        pytest.param(INVALID_VALUE.replace("maybe", "perhaps"), REGION, id="changed-text"),
        pytest.param(INVALID_VALUE, "eu-west-1", id="other-region"),
    ],
)
def test_a_change_of_text_or_region_is_linted_again(
    tmp_path: Path, counted_lint: list[tuple[str, str]], second_text: str, second_region: str
) -> None:
    Gate(cache=tmp_path, workers=1).lint([("x.yaml", INVALID_VALUE)], REGION)
    findings = Gate(cache=tmp_path, workers=1).lint([("x.yaml", second_text)], second_region)
    assert len(counted_lint) == 2
    assert [f.rule for f in findings] == ["E3012"]


def test_a_corrupt_cache_entry_is_linted_again_not_trusted(tmp_path: Path, counted_lint: list[tuple[str, str]]) -> None:
    Gate(cache=tmp_path, workers=1).lint([("x.yaml", INVALID_VALUE)], REGION)
    for entry in tmp_path.glob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    findings = Gate(cache=tmp_path, workers=1).lint([("x.yaml", INVALID_VALUE)], REGION)
    assert len(counted_lint) == 2
    assert [f.rule for f in findings] == ["E3012"]


def test_a_cache_that_cannot_be_written_does_not_fail_the_gate(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    findings = Gate(cache=blocker / "cache", workers=1).lint([("x.yaml", INVALID_VALUE)], REGION)
    assert [f.rule for f in findings] == ["E3012"]


def test_rules_are_loaded_once_per_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import cfnlint.core

    loads: list[int] = []
    real = cfnlint.core.get_rules

    def counting(*args: Any) -> Any:
        loads.append(1)
        return real(*args)

    monkeypatch.setattr(linter, "_RULES", None)
    monkeypatch.setattr(cfnlint.core, "get_rules", counting)
    Gate(cache=tmp_path, workers=1).lint([("a.yaml", INVALID_VALUE), ("b.yaml", UNUSED_PARAMETER)], REGION)
    assert len(loads) == 1
