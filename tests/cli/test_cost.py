"""`cfncompiler cost`: the real spec's estimate, a comparison with another set of templates, and the refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from cfncompiler.cli import main
from cfncompiler.layers import ORDER
from cfncompiler.templates.parse import parse_template
from tests.conftest import COMMITTED_OUT, MINIMAL_SPEC, PRODUCTION_SPEC, ROOT

STAGING_SPEC = ROOT / "spec" / "staging.yaml"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["cost", *(str(a) for a in args)])


def test_the_real_spec_lists_every_resource_totals_snapshot_and_assumptions() -> None:
    shown = run("--spec", PRODUCTION_SPEC, "--out", COMMITTED_OUT)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    for layer in ORDER:
        resources = parse_template((COMMITTED_OUT / f"{layer}.yaml").read_text(encoding="utf-8"))["Resources"]
        rows = {line.split()[1] for line in lines if line.startswith(f"{layer} ") and len(line.split()) > 3}
        assert set(resources) <= rows, layer
        assert any(line.startswith(layer) and line.rstrip().endswith(("a month", "not priced)")) for line in lines)
    assert any(line.startswith("total") and "a month" in line for line in lines)
    assert "prices: snapshot of 2025-06-01" in shown.stdout
    assert "nat_gb_per_month = 200: GB each NAT gateway processes a month" in shown.stdout


def test_json_carries_the_same_total_as_its_layers() -> None:
    shown = run("--spec", PRODUCTION_SPEC, "--out", COMMITTED_OUT, "--json", "--layer", "data", "--layer", "network")
    document = json.loads(shown.stdout)
    assert [layer["layer"] for layer in document["layers"]] == ["network", "data"]
    assert document["monthly"] == round(sum(layer["monthly"] for layer in document["layers"]), 2)
    [nat] = [r for r in document["layers"][0]["resources"] if r["type"] == "AWS::EC2::NatGateway"]
    assert [c["usage_type"] for c in nat["charges"]] == ["USW2-NatGateway-Hours", "USW2-NatGateway-Bytes"]


def test_against_production_shows_where_staging_is_cheaper() -> None:
    shown = run("--spec", STAGING_SPEC, "--out", COMMITTED_OUT / "staging", "--against", COMMITTED_OUT, "--json")
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["delta"] < 0
    cheaper = {r["logical_id"] for layer in document["layers"] for r in layer["resources"] if r["delta"] < 0}
    assert {"Database", "Cache", "LitellmService"} <= cheaper
    text = run("--spec", STAGING_SPEC, "--out", COMMITTED_OUT / "staging", "--against", COMMITTED_OUT).stdout
    [database] = [line.split() for line in text.splitlines() if line.strip().startswith("Database ")]
    assert database[1] == "AWS::RDS::DBInstance" and database[-1].startswith("-$")


def test_a_spec_in_a_region_the_snapshot_lacks_fails_with_one_paragraph(tmp_path: Path) -> None:
    shown = run("--spec", MINIMAL_SPEC, "--out", tmp_path)
    assert shown.exit_code == 2
    [line] = shown.stderr.splitlines()
    assert line.startswith("error: The price snapshot") and "has no prices for eu-west-1" in line


def test_an_unknown_region_fails_with_the_specs_located_problem(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL_SPEC.read_text(encoding="utf-8").replace("eu-west-1", "eu-westt-1"), encoding="utf-8")
    shown = run("--spec", spec, "--out", tmp_path)
    assert shown.exit_code == 2 and "unknown AWS region 'eu-westt-1'" in shown.stderr
    assert "Traceback" not in shown.output


def test_missing_templates_are_named_with_what_to_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUT, out, ignore=shutil.ignore_patterns("staging", "platform.yaml"))
    shown = run("--spec", PRODUCTION_SPEC, "--out", out)
    assert shown.exit_code == 2 and "platform.yaml missing" in shown.stderr and "make synth" in shown.stderr
