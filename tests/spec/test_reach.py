"""Who can reach whom: flows computed from the security groups and ALB routes, and ``needs`` checked against them.

A flow ``a -> b:port`` needs three things: b's group admits the port from a's group (or the VPC),
a's group lets it out, and b listens on it. Removing any one of them must remove the flow; a
``needs`` entry without its flow is a located error that stops synth with exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cfncompiler.spec.model import SecurityGroup, Spec
from cfncompiler.spec.reach import Flow, flows, unmet_needs
from tests.env_support import run, with_group
from tests.spec_edit import PRODUCTION_SPEC, edit, edited_spec, position, production, production_text

WORKSPACES_TO_EFS = "        - {to: efs, ports: [2049], description: NFS to EFS}\n"
RDS_INGRESS = "        - {from: ecs-services, ports: [5432], description: Services to PostgreSQL}"
WORKSPACE_NEEDS = "    needs: [litellm, file_system]"


def spec() -> Spec:
    return production().spec


def group(name: str) -> SecurityGroup:
    return spec().network.security_groups[name]


def egress_without(group_name: str, peer: str) -> list[Any]:
    rules = group(group_name).egress
    assert isinstance(rules, list), f"{group_name} has no egress rules to remove"
    return [rule for rule in rules if rule.peer != peer]


def flow_texts(found: list[Flow]) -> set[str]:
    return {str(flow) for flow in found}


# --------------------------------------------------------------------------- production flows


@pytest.mark.parametrize(
    "expected",
    [
        "alb -> coder:7080  (route coder.company.com)",
        "coder -> database:5432",
        "workspaces -> litellm:4000",
        "workspaces -> file_system:2049",
        "litellm -> database:5432",
        "langfuse-web -> clickhouse:8123",
        "langfuse-web -> cache:6379",
        "vpc -> alb:443",
        "vpc -> vpc-endpoints:443",
        "alb -> workspaces:13337  (route ide.company.com, OIDC sign-in first)",
    ],
)
def test_the_production_spec_allows_the_flows_its_design_needs(expected: str) -> None:
    assert expected in flow_texts(flows(spec()))


def test_every_route_is_a_flow_from_the_alb_to_the_routed_port_labelled_with_its_host() -> None:
    found = set(flows(spec()))
    routed = [(name, s) for _, name, s in spec().services() if s.route is not None]
    assert len(routed) == 4
    for name, service in routed:
        assert service.route is not None
        assert Flow("alb", name, service.port, "tcp", service.route.host) in found


def test_the_direct_path_is_the_alb_reaching_the_workspaces_only_after_an_oidc_sign_in() -> None:
    to_workspaces = [f for f in flows(spec()) if f.source == "alb" and f.target == "workspaces"]
    assert to_workspaces == [Flow("alb", "workspaces", 13337, "tcp", "ide.company.com", "oidc")]
    assert [f for f in flows(spec()) if f.sign_in] == to_workspaces


def test_without_a_direct_path_the_alb_reaches_the_workspaces_by_port_alone() -> None:
    without = spec().model_copy(update={"platform": spec().platform.model_copy(update={"direct_path": None})})
    assert "alb -> workspaces:13337" in flow_texts(flows(without))


def test_a_port_the_group_admits_but_the_target_does_not_listen_on_is_no_flow() -> None:
    # ecs-services admits 9000 from the ALB for ClickHouse; Coder, in the same group, listens on 7080 only.
    texts = flow_texts(flows(spec()))
    assert "alb -> clickhouse:9000" in texts
    assert not any(t.startswith("alb -> coder:") and ":7080" not in t for t in texts)


def test_nothing_reaches_a_data_store_from_a_group_it_does_not_admit() -> None:
    found = flows(spec())
    assert not any(f.source in ("alb", "workspaces", "vpc") and f.target == "database" for f in found)
    assert not any(f.source == "database" for f in found), "RDS lets nothing out (egress: none)"


def test_flows_are_sorted_and_unique() -> None:
    found = flows(spec())
    assert found == sorted(set(found))


# --------------------------------------------------------------------------- removing a rule removes the flow


def test_removing_the_target_groups_ingress_removes_the_flow_and_only_flows_into_that_group() -> None:
    before = set(flows(spec()))
    after = set(flows(with_group(spec(), "rds", ingress=[])))
    assert {str(f) for f in before - after} == {f"{s} -> database:5432" for s in services_in("ecs-services")}
    assert after <= before


def test_removing_the_source_groups_egress_rule_removes_the_flow_and_only_that_one() -> None:
    egress = egress_without("ecs-workspaces", "efs")
    after = flow_texts(flows(with_group(spec(), "ecs-workspaces", egress=egress)))
    assert "workspaces -> file_system:2049" not in after
    assert "workspaces -> litellm:4000" in after


def test_a_source_group_that_lets_nothing_out_reaches_nothing() -> None:
    after = flows(with_group(spec(), "ecs-workspaces", egress="none"))
    assert [f for f in after if f.source == "workspaces"] == []


def test_an_egress_rule_for_another_protocol_does_not_open_a_tcp_flow() -> None:
    rules = group("ecs-workspaces").egress
    assert isinstance(rules, list)
    udp = [r.model_copy(update={"protocol": "udp"}) if r.peer == "efs" else r for r in rules]
    assert "workspaces -> file_system:2049" not in flow_texts(flows(with_group(spec(), "ecs-workspaces", egress=udp)))


def services_in(group_name: str) -> list[str]:
    return [name for _, name, s in spec().services() if s.security_group == group_name]


# --------------------------------------------------------------------------- needs


def test_the_production_spec_meets_every_need_it_states() -> None:
    assert unmet_needs(spec()) == []


def test_a_need_without_its_flow_is_reported_at_the_need() -> None:
    egress = egress_without("ecs-workspaces", "efs")
    problems = unmet_needs(with_group(spec(), "ecs-workspaces", egress=egress))
    assert problems == [
        (
            ("platform", "workspaces", "needs", 1),
            "workspaces cannot reach file_system:2049: security group 'efs' must admit 2049 from 'ecs-workspaces' "
            "and 'ecs-workspaces' must let it out (network.security_groups.efs.ingress / .ecs-workspaces.egress)",
        )
    ]


def test_a_need_met_through_an_ingress_from_the_whole_vpc_counts() -> None:
    ingress = [rule.model_copy(update={"peer": "vpc"}) for rule in group("efs").ingress]
    assert unmet_needs(with_group(spec(), "efs", ingress=ingress)) == []


def test_synth_stops_with_exit_2_at_the_line_of_an_unmet_need_and_writes_nothing(tmp_path: Path) -> None:
    spec_path = edited_spec(tmp_path, (WORKSPACES_TO_EFS, ""))
    out = tmp_path / "out"
    result = run("synth", "--spec", spec_path, "--out", out, "--no-lint")
    assert result.exit_code == 2, result.output
    line, column = position(spec_path.read_text(encoding="utf-8"), WORKSPACE_NEEDS, "file_system")
    assert result.stderr.splitlines() == [
        f"{spec_path}:{line}:{column}: platform.workspaces.needs[1]: workspaces cannot reach file_system:2049: "
        "security group 'efs' must admit 2049 from 'ecs-workspaces' and 'ecs-workspaces' must let it out "
        "(network.security_groups.efs.ingress / .ecs-workspaces.egress) [S414]",
        "1 problem(s) in the spec; nothing was written.",
    ]
    assert not out.exists()


def test_a_service_named_like_a_data_store_cannot_stand_in_for_it_in_needs(tmp_path: Path) -> None:
    # Nothing may reach RDS any more, yet every `needs: [database]` would be met by a service
    # named "database" that listens on 4000: either the name must be refused or the needs reported.
    text = edit(
        production_text(),
        (RDS_INGRESS, "        - {from: ecs-workspaces, ports: [5432], description: Not the services}"),
        (
            "    langfuse-worker:\n",
            "    database:\n      image: example/db-proxy:1.0\n      cpu: 256\n      memory: 512\n"
            "      ports: [4000]\n      replicas: 1\n      security_group: ecs-services\n      subnet_tier: app\n"
            "    langfuse-worker:\n",
        ),
    )
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(text, encoding="utf-8")
    result = run("reach", "--spec", spec_path)
    assert result.exit_code == 2, (
        "a spec in which nothing reaches RDS loaded because a service is named 'database':\n" + result.output
    )


# --------------------------------------------------------------------------- the command


def test_reach_prints_one_line_per_flow_in_order() -> None:
    result = run("reach", "--spec", PRODUCTION_SPEC)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [str(f) for f in flows(spec())]
    assert "alb -> coder:7080  (route coder.company.com)" in lines
    assert "coder -> database:5432" in lines


def test_reach_json_lists_each_flow_with_its_ports_protocol_and_route() -> None:
    result = run("reach", "--spec", PRODUCTION_SPEC, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == len(flows(spec()))
    plain = {"protocol": "tcp", "sign_in": None}
    assert {"from": "alb", "to": "coder", "port": 7080, "route": "coder.company.com", **plain} in rows
    assert {"from": "coder", "to": "database", "port": 5432, "route": None, **plain} in rows
    assert {"from": "workspaces", "to": "file_system", "port": 2049, "route": None, **plain} in rows
    direct = {"protocol": "tcp", "route": "ide.company.com", "sign_in": "oidc"}
    assert {"from": "alb", "to": "workspaces", "port": 13337, **direct} in rows


def test_reach_on_a_bad_spec_exits_2_with_the_located_problem(tmp_path: Path) -> None:
    spec_path = edited_spec(tmp_path, (WORKSPACES_TO_EFS, ""))
    result = run("reach", "--spec", spec_path)
    assert result.exit_code == 2
    line, column = position(spec_path.read_text(encoding="utf-8"), WORKSPACE_NEEDS, "file_system")
    assert result.stderr.startswith(f"{spec_path}:{line}:{column}: platform.workspaces.needs[1]: ")
    assert result.stdout == ""
