"""CloudFormation's hard limits and the service quotas a spec determines, checked before anything is written.

Over a limit: ``LimitExceeded`` (exit 2) naming the template file, the figure, the limit and how to get
under it. At 80% or more: a warning line. Below that: nothing. The template limits are exercised on
constructed templates; the resource limit and the listener-rule quota also end to end, on specs
generated with enough services to pass them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cfncompiler.errors import LimitExceeded
from cfncompiler.spec.load import LoadedSpec, load
from cfncompiler.synth import synth
from cfncompiler.templates import limits
from tests.conftest import MINIMAL_SPEC, PRODUCTION_SPEC, edit, minimal_text
from tests.env_support import generated_spec, run
from tests.spec_edit import edited_spec

WHERE = "templates_out/platform.yaml"
Template = tuple[dict[str, Any], str]

ALARMS_ON = "    running_tasks: {off: no Container Insights on this cluster}\n"
PER_SERVICE_ALARMS_OFF = (
    "    cpu: {off: isolating the listener quota}\n"
    "    memory: {off: isolating the listener quota}\n"
    "  route:\n"
    "    unhealthy_hosts: {off: isolating the listener quota}\n"
    "    errors_5xx: {off: isolating the listener quota}\n"
    "    response_time: {off: isolating the listener quota}\n"
)


@cache
def minimal_loaded() -> LoadedSpec:
    """A spec far below every quota, so only the constructed template can be near a limit."""
    return load(MINIMAL_SPEC)


def named(prefix: str, count: int, body: Any) -> dict[str, Any]:
    return {f"{prefix}{index}": body for index in range(count)}


def with_resources(count: int) -> Template:
    return {"Resources": named("Topic", count, {"Type": "AWS::SNS::Topic"})}, ""


def with_parameters(count: int) -> Template:
    return {"Parameters": named("Value", count, {"Type": "String"}), "Resources": {}}, ""


def with_outputs(count: int) -> Template:
    return {"Outputs": named("Value", count, {"Value": "x"}), "Resources": {}}, ""


def with_mappings(count: int) -> Template:
    return {"Mappings": named("Map", count, {"k": {"v": "x"}}), "Resources": {}}, ""


def with_bytes(count: int) -> Template:
    return {"Resources": {}}, "x" * count


def with_dynamic_references(count: int) -> Template:
    return {"Resources": {}}, "\n".join(["Value: '{{resolve:ssm:/demo/value}}'"] * count)


def with_tags(count: int) -> Template:
    tags = [{"Key": f"k{index}", "Value": "v"} for index in range(count)]
    resources = {
        "Tagged": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": tags}},
        "Plain": {"Type": "AWS::SNS::Topic", "Properties": {}},
    }
    return {"Resources": resources}, ""


# (figure as the message names it, the limit, a template with N of it, a word of the advice)
TEMPLATE_LIMITS: list[tuple[str, int, Callable[[int], Template], str]] = [
    ("resources", 500, with_resources, "split the layer"),
    ("parameters", 200, with_parameters, "split the layer"),
    ("outputs", 200, with_outputs, "split the layer"),
    ("mappings", 200, with_mappings, "split the layer"),
    ("bytes", 1_000_000, with_bytes, "split the layer"),
    ("dynamic references", 60, with_dynamic_references, "fewer"),
    ("tags on one resource", 50, with_tags, "drop tags"),
]
IDS = [row[0].replace(" ", "-") for row in TEMPLATE_LIMITS]


def near(limit: int) -> int:
    return math.ceil(limits.WARN_AT * limit)


@pytest.mark.parametrize(("what", "limit", "make", "advice"), TEMPLATE_LIMITS, ids=IDS)
def test_a_template_over_a_hard_limit_is_refused_naming_the_file_the_figure_the_limit_and_a_way_out(
    what: str, limit: int, make: Callable[[int], Template], advice: str
) -> None:
    with pytest.raises(LimitExceeded) as caught:
        limits.check(minimal_loaded(), {WHERE: make(limit + 1)})
    [message] = caught.value.messages
    assert message.startswith(f"{WHERE}: {limit + 1:,} {what}, over the limit of {limit:,}; "), message
    assert advice in message.split("; ", 1)[1]
    assert caught.value.problems == []


@pytest.mark.parametrize(("what", "limit", "make", "advice"), TEMPLATE_LIMITS, ids=IDS)
def test_a_template_at_80_percent_of_a_limit_gives_one_warning_line(
    what: str, limit: int, make: Callable[[int], Template], advice: str
) -> None:
    count = near(limit)
    warnings = limits.check(minimal_loaded(), {WHERE: make(count)})
    assert warnings == [f"{WHERE}: {count:,} {what} is 80% of the limit of {limit:,}"]


@pytest.mark.parametrize(("what", "limit", "make", "advice"), TEMPLATE_LIMITS, ids=IDS)
def test_a_template_exactly_at_a_limit_is_accepted_with_a_warning(
    what: str, limit: int, make: Callable[[int], Template], advice: str
) -> None:
    warnings = limits.check(minimal_loaded(), {WHERE: make(limit)})
    assert warnings == [f"{WHERE}: {limit:,} {what} is 100% of the limit of {limit:,}"]


@pytest.mark.parametrize(("what", "limit", "make", "advice"), TEMPLATE_LIMITS, ids=IDS)
def test_a_template_just_below_80_percent_of_a_limit_reports_nothing(
    what: str, limit: int, make: Callable[[int], Template], advice: str
) -> None:
    assert limits.check(minimal_loaded(), {WHERE: make(near(limit) - 1)}) == []


def test_template_usage_measures_each_figure_of_a_template() -> None:
    template = {
        "Parameters": named("P", 3, {"Type": "String"}),
        "Mappings": named("M", 2, {"k": {"v": "x"}}),
        "Outputs": named("O", 4, {"Value": "x"}),
        "Resources": {
            "A": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [{"Key": "a", "Value": "b"}] * 7}},
            "B": {"Type": "AWS::SNS::Topic"},
            "C": {"Type": "AWS::SSM::Parameter", "Properties": {"Tags": {"a": "b", "c": "d"}}},
        },
    }
    text = "é{{resolve:ssm:/a}} {{resolve:secretsmanager:b}}"
    figures = {u.what: (u.value, u.limit) for u in limits.template_usage(WHERE, template, text)}
    assert figures == {
        "resources": (3, 500),
        "parameters": (3, 200),
        "outputs": (4, 200),
        "mappings": (2, 200),
        "bytes": (len(text.encode("utf-8")), 1_000_000),
        "dynamic references": (2, 60),
        "tags on one resource": (7, 50),
    }


def test_every_template_over_a_limit_is_named_not_only_the_first() -> None:
    with pytest.raises(LimitExceeded) as caught:
        limits.check(
            minimal_loaded(),
            {"out/data.yaml": with_outputs(201), "out/network.yaml": with_resources(10), WHERE: with_resources(501)},
        )
    assert [m.split(":")[0] for m in caught.value.messages] == ["out/data.yaml", WHERE]


# --------------------------------------------------------------------------- the production spec


@pytest.fixture(scope="module")
def production_warnings(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return synth(PRODUCTION_SPEC, tmp_path_factory.mktemp("limits") / "out", lint=False).warnings


def test_the_production_spec_is_under_every_limit_and_near_none(production_warnings: list[str]) -> None:
    assert production_warnings == []


def listener_usage(path: Path) -> tuple[tuple[str | int, ...], limits.Usage]:
    (listener,) = [(loc, u) for loc, u in limits.spec_usage(load(path)) if u.where == "ALB listener"]
    return listener


def test_the_direct_path_and_wildcard_rules_count_against_the_listener_rule_quota(tmp_path: Path) -> None:
    where, usage = listener_usage(PRODUCTION_SPEC)
    assert where == ("platform", "direct_path", "hosts")
    assert usage.value == 6, "four routed services, Coder's wildcard hosts and the direct path's one rule"
    without = edited_spec(tmp_path, ('        wildcard_hosts: ["*--*.company.com"]\n', ""))
    assert listener_usage(without)[1].value == 5, "one rule fewer without the wildcard hosts"


# --------------------------------------------------------------------------- spec quotas


def vpce_ingress_ports(count: int) -> str:
    # The endpoints' group has this one inbound rule: ``count`` ports on it.
    ports = ", ".join(str(1000 + index) for index in range(count - 1))
    return edit(
        minimal_text(),
        (
            "          ports: [443]\n          description: HTTPS to the endpoints",
            f"          ports: [443, {ports}]\n          description: HTTPS to the endpoints",
        ),
    )


def service_egress_ports(count: int) -> str:
    # The group also lets DNS out (one more rule): the HTTPS rule gets the rest.
    ports = ", ".join(str(1000 + index) for index in range(count - 2))
    return edit(
        minimal_text(),
        ("        - to: anywhere\n          ports: [443]", f"        - to: anywhere\n          ports: [443, {ports}]"),
    )


GROUP_QUOTAS = [
    pytest.param(vpce_ingress_ports, "vpce", "ingress", "inbound", id="inbound"),
    pytest.param(service_egress_ports, "service", "egress", "outbound", id="outbound"),
]


def ingress_line(text: str, group: str, direction: str) -> tuple[int, int]:
    """Line and column of the ``ingress:``/``egress:`` key of ``group``."""
    lines = text.splitlines()
    start = lines.index(f"    {group}:")
    offset = next(n for n in range(start, len(lines)) if lines[n].strip() == f"{direction}:")
    return offset + 1, lines[offset].index(direction) + 1


@pytest.mark.parametrize(("make", "group", "direction", "kind"), GROUP_QUOTAS)
def test_a_security_group_over_60_rules_is_refused_at_its_rules_in_the_spec(
    make: Callable[[int], str], group: str, direction: str, kind: str, write_spec: Callable[[str], Path]
) -> None:
    text = make(limits.GROUP_RULES + 1)
    path = write_spec(text)
    with pytest.raises(LimitExceeded) as caught:
        limits.check(load(path), {})
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), *ingress_line(text, group, direction))
    assert problem.path == f"network.security_groups.{group}.{direction}"
    assert problem.message.startswith(f"security group {group}: 61 {kind} rules, over the limit of 60; ")
    assert caught.value.messages == []


@pytest.mark.parametrize(("make", "group", "direction", "kind"), GROUP_QUOTAS)
def test_a_security_group_at_80_percent_of_its_rules_gives_a_located_warning(
    make: Callable[[int], str], group: str, direction: str, kind: str, write_spec: Callable[[str], Path]
) -> None:
    text = make(near(limits.GROUP_RULES))
    path = write_spec(text)
    line, column = ingress_line(text, group, direction)
    assert limits.check(load(path), {}) == [
        f"{path}:{line}:{column}: network.security_groups.{group}.{direction}: "
        f"security group {group}: 48 {kind} rules is 80% of the limit of 60"
    ]


@pytest.mark.parametrize(("make", "group", "direction", "kind"), GROUP_QUOTAS)
def test_a_security_group_below_80_percent_of_its_rules_reports_nothing(
    make: Callable[[int], str], group: str, direction: str, kind: str, write_spec: Callable[[str], Path]
) -> None:
    assert limits.check(load(write_spec(make(near(limits.GROUP_RULES) - 1))), {}) == []


def last_route(text: str) -> tuple[int, int]:
    lines = text.splitlines()
    last = max(n for n, line in enumerate(lines) if line.startswith("      route: "))
    return last + 1, lines[last].index("route") + 1


def test_eighty_routed_hosts_give_a_warning_at_the_last_route(write_spec: Callable[[str], Path]) -> None:
    text = generated_spec(platform=40, observability=40)
    path = write_spec(text)
    line, column = last_route(text)
    assert limits.check(load(path), {}) == [
        f"{path}:{line}:{column}: observability.services.obs39.route: "
        "ALB listener: 80 routed hosts is 80% of the limit of 100"
    ]


def test_seventy_nine_routed_hosts_report_nothing(write_spec: Callable[[str], Path]) -> None:
    assert limits.check(load(write_spec(generated_spec(platform=40, observability=39))), {}) == []


# --------------------------------------------------------------------------- end to end


def test_synth_refuses_more_than_100_listener_rules_at_the_last_route_and_writes_nothing(tmp_path: Path) -> None:
    # Split over two layers, with the per-service alarms off, so neither template comes near 500
    # resources (six alarms per routed service would reach it first): the quota is what trips.
    text = edit(generated_spec(platform=50, observability=51), (ALARMS_ON, ALARMS_ON + PER_SERVICE_ALARMS_OFF))
    spec = tmp_path / "big.yaml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("synth", "--spec", spec, "--out", out, "--no-lint")
    assert result.exit_code == 2, result.output
    line, column = last_route(text)
    assert result.stderr.splitlines() == [
        f"{spec}:{line}:{column}: observability.services.obs50.route: ALB listener: 101 routed hosts, "
        "over the limit of 100; ask AWS for a higher quota or add a listener",
        "Over a CloudFormation or service limit; nothing was written.",
    ]
    assert not out.exists()


def test_synth_refuses_a_platform_template_over_500_resources_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    # 71 routed services: 71 listener rules (under the 80% warning) but over 500 platform resources.
    spec = tmp_path / "big.yaml"
    spec.write_text(generated_spec(platform=71), encoding="utf-8")
    out = tmp_path / "out"
    result = run("synth", "--spec", spec, "--out", out, "--no-lint")
    assert result.exit_code == 2, result.output
    over = re.compile(
        rf"^{re.escape(str(out / 'platform.yaml'))}: (?P<count>[\d,]+) resources, over the limit of 500; "
        r".*split the layer",
        re.MULTILINE,
    )
    found = over.search(result.stderr)
    assert found, result.stderr
    assert int(found["count"].replace(",", "")) > 500
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_synth_says_which_templates_are_over_51200_bytes_and_must_be_staged_in_s3(tmp_path: Path) -> None:
    spec = tmp_path / "wide.yaml"
    spec.write_text(generated_spec(platform=15), encoding="utf-8")
    result = run("synth", "--spec", spec, "--out", tmp_path / "out", "--no-lint")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    sizes = {layer: (tmp_path / "out" / f"{layer}.yaml").stat().st_size for layer in lines}
    assert sizes["platform"] > limits.INLINE_TEMPLATE_BYTES > sizes["network"]
    staged = {layer for layer, line in lines.items() if "over 51,200 bytes: deploy stages it in S3" in line}
    assert staged == {layer for layer, size in sizes.items() if size > limits.INLINE_TEMPLATE_BYTES}
