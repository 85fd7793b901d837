"""The synth pipeline: load, build, lint, write; nothing is written unless every step before it succeeded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cfncompiler.gate.lint import Gate
from cfncompiler.layers import ORDER
from cfncompiler.spec.load import SpecError
from cfncompiler.synth import LintFailed, synth
from tests.conftest import BROKEN_CIDR, MINIMAL_SPEC, Edit, edit, minimal_text, snapshot


def test_synth_writes_one_template_per_layer_in_deployment_order(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = synth(MINIMAL_SPEC, out, lint=False)
    assert [layer.layer for layer in result.layers] == list(ORDER)
    assert result.changed == [f"{layer}.yaml" for layer in ORDER]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{layer}.yaml" for layer in ORDER)
    for layer in result.layers:
        assert (out / layer.file).read_text(encoding="utf-8") == layer.text
        assert layer.size == len((out / layer.file).read_bytes())
    assert not result.linted


def test_a_second_synth_changes_nothing_on_disk(tmp_path: Path) -> None:
    out = tmp_path / "out"
    synth(MINIMAL_SPEC, out, lint=False)
    before = snapshot(out)
    result = synth(MINIMAL_SPEC, out, lint=False)
    assert result.changed == []
    assert snapshot(out) == before


def test_a_spec_change_rewrites_only_the_templates_it_changes(
    write_spec: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    synth(MINIMAL_SPEC, out, lint=False)
    before = snapshot(out)
    changed_spec = write_spec(edit(minimal_text(), ("traffic: reject", "traffic: all")))
    result = synth(changed_spec, out, lint=False)
    assert result.changed == ["network.yaml"]
    after = snapshot(out)
    assert after["network.yaml"][0] != before["network.yaml"][0]
    assert {name: after[name] for name in after if name != "network.yaml"} == {
        name: before[name] for name in before if name != "network.yaml"
    }


def test_two_synths_into_different_directories_write_identical_bytes(tmp_path: Path) -> None:
    synth(MINIMAL_SPEC, tmp_path / "one", lint=False)
    synth(MINIMAL_SPEC, tmp_path / "two", lint=False)
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert {name: content for name, (content, _) in one.items()} == {
        name: content for name, (content, _) in two.items()
    }


def test_the_minimal_spec_passes_the_lint_gate(tmp_path: Path) -> None:
    result = synth(MINIMAL_SPEC, tmp_path / "out")
    assert result.linted
    assert len(result.changed) == len(ORDER)


@pytest.mark.parametrize("existing", [False, True], ids=["no-out-dir", "previous-templates"])
def test_a_bad_spec_raises_spec_error_and_writes_nothing(
    write_spec: Callable[[str], Path], populated_out: Path, existing: bool
) -> None:
    out = populated_out if existing else populated_out.parent / "absent"
    before = snapshot(out)
    bad = write_spec(edit(minimal_text(), ("cidr: 10.1.20.0/24", "cidr: 10.2.20.0/24")))
    with pytest.raises(SpecError):
        synth(bad, out)
    assert snapshot(out) == before
    assert out.exists() == existing


@pytest.mark.usefixtures("broken_network")
@pytest.mark.parametrize("existing", [False, True], ids=["no-out-dir", "previous-templates"])
def test_a_lint_finding_raises_lint_failed_and_writes_nothing(populated_out: Path, existing: bool) -> None:
    out = populated_out if existing else populated_out.parent / "absent"
    before = snapshot(out)
    with pytest.raises(LintFailed) as failed:
        synth(MINIMAL_SPEC, out)
    [finding] = failed.value.findings
    assert (finding.file, finding.rule, finding.path) == (
        str(out / "network.yaml"),
        "E3002",
        "Resources/BrokenVpc/Properties/CidrBlock",
    )
    assert snapshot(out) == before
    assert out.exists() == existing


@pytest.mark.usefixtures("broken_network")
def test_without_lint_the_gate_is_not_consulted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the gate ran although lint=False")

    monkeypatch.setattr(Gate, "lint", refuse)
    result = synth(MINIMAL_SPEC, tmp_path / "out", lint=False)
    assert BROKEN_CIDR in (tmp_path / "out" / "network.yaml").read_text(encoding="utf-8")
    assert not result.linted


# A spec the model accepts must compile; if it cannot, the model must refuse it with a located problem.
# Each of these passes every model rule today, then two resources or outputs get the same logical id
# and troposphere raises "duplicate key" inside the builder (the CLI calls that a bug in cfncompiler).
LAST_SUBNET = "    data-b: {cidr: 10.1.21.0/24, az: 1, tier: data}\n"
CLASHING_SPECS = [
    pytest.param(
        [
            ("    public-a: {cidr", "    public: {cidr"),
            ("    subnet: public-a", "    subnet: public"),
        ],
        id="subnet-named-like-its-tier",  # RouteTablePublic: the tier's table and the subnet's association
    ),
    pytest.param(
        [("interface: [sts, logs]", "interface: [sts, logs, s3]")],
        id="s3-as-gateway-and-interface-endpoint",  # EndpointS3 twice
    ),
    pytest.param(
        [("    media: {versioned: false}", "    media: {versioned: false}\n    state-policy: {versioned: false}")],
        id="bucket-named-like-another-buckets-policy",  # BucketStatePolicy: policy of 'state' and bucket
    ),
    pytest.param(
        [
            ("    data: none\n", "    data: none\n    data-: none\n"),
            (LAST_SUBNET, LAST_SUBNET + "    spare: {cidr: 10.1.30.0/24, az: 0, tier: data-}\n"),
        ],
        id="tier-names-collapse",  # RouteTableData, DataSubnetIds twice
    ),
    pytest.param(
        [("ports: [8080, 9090]", "ports: [8080, 8080]")],
        id="port-listed-twice-in-one-ingress-rule",  # SecurityGroupServiceFromWebTcp8080 twice
    ),
    pytest.param(
        [
            (
                "          description: Web to services\n",
                "          description: Web to services\n        - from: web\n          ports: [8080]\n"
                "          description: Again\n",
            )
        ],
        id="same-port-from-the-same-peer-in-two-rules",
    ),
]


@pytest.mark.parametrize("edits", CLASHING_SPECS)
def test_a_spec_the_model_accepts_compiles_or_is_refused_with_a_location(
    write_spec: Callable[[str], Path], tmp_path: Path, edits: list[Edit]
) -> None:
    spec_path = write_spec(edit(minimal_text(), *edits))
    try:
        result = synth(spec_path, tmp_path / "out", lint=False)
    except SpecError as refused:
        assert all(p.line > 1 and p.path for p in refused.problems), "the refusal must point into the spec"
        return
    assert len(result.layers) == len(ORDER)
