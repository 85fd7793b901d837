"""The observability layer (ClickHouse, Langfuse web and worker), and how every layer takes values from above."""

from __future__ import annotations

import pytest

from cfncompiler.layers import ORDER
from cfncompiler.naming import listener_priority
from tests.spec_edit import Compiled, TemplateDict, container, props, ref, resources_of_type, walk

# --------------------------------------------------------------------------- Langfuse route


def test_langfuse_host_is_routed_on_the_platform_listener_passed_as_a_parameter(
    compiled_observability: TemplateDict,
) -> None:
    assert "AlbListenerArn" in compiled_observability["Parameters"]
    rule = props(compiled_observability, "LangfuseWebRoute")
    assert rule["ListenerArn"] == ref("AlbListenerArn")
    assert rule["Conditions"] == [{"Field": "host-header", "HostHeaderConfig": {"Values": ["langfuse.company.com"]}}]
    assert rule["Actions"] == [{"Type": "forward", "TargetGroupArn": ref("LangfuseWebTargetGroup")}]
    assert rule["Priority"] == listener_priority("langfuse.company.com", None)


def test_langfuse_target_group_checks_the_public_health_endpoint_on_3000(
    compiled_observability: TemplateDict,
) -> None:
    group = props(compiled_observability, "LangfuseWebTargetGroup")
    assert (group["TargetType"], group["Protocol"], group["Port"]) == ("ip", "HTTP", 3000)
    assert group["HealthCheckPath"] == "/api/public/health"
    assert group["VpcId"] == ref("VpcId")


def test_observability_creates_no_load_balancer_or_listener_of_its_own(compiled_observability: TemplateDict) -> None:
    for kind in ("LoadBalancer", "Listener"):
        assert not resources_of_type(compiled_observability, f"AWS::ElasticLoadBalancingV2::{kind}")


def test_langfuse_worker_has_no_load_balancer(compiled_observability: TemplateDict) -> None:
    assert "LoadBalancers" not in props(compiled_observability, "LangfuseWorkerService")
    assert len(resources_of_type(compiled_observability, "AWS::ElasticLoadBalancingV2::TargetGroup")) == 1


# --------------------------------------------------------------------------- ClickHouse


def test_clickhouse_exposes_http_and_native_ports(compiled_observability: TemplateDict) -> None:
    clickhouse = container(compiled_observability, "ClickhouseTask", "clickhouse")
    assert [m["ContainerPort"] for m in clickhouse["PortMappings"]] == [8123, 9000]


def test_clickhouse_keeps_its_data_on_efs(compiled_observability: TemplateDict) -> None:
    clickhouse = container(compiled_observability, "ClickhouseTask", "clickhouse")
    assert [m["ContainerPath"] for m in clickhouse["MountPoints"]] == ["/var/lib/clickhouse"]


def test_clickhouse_is_a_single_writer(compiled_observability: TemplateDict) -> None:
    assert props(compiled_observability, "ClickhouseService")["DesiredCount"] == 1


def test_langfuse_reaches_clickhouse_by_its_discovery_name(compiled: Compiled) -> None:
    observability = compiled.templates["observability"]
    assert props(observability, "ClickhouseDiscovery")["Name"] == "clickhouse"
    host = f"clickhouse.{compiled.spec.network.service_discovery.namespace}"
    for task, name in (("LangfuseWebTask", "langfuse-web"), ("LangfuseWorkerTask", "langfuse-worker")):
        env = {v["Name"]: v["Value"] for v in container(observability, task, name)["Environment"]}
        assert env["CLICKHOUSE_URL"] == f"http://{host}:8123"
        assert env["CLICKHOUSE_MIGRATION_URL"] == f"clickhouse://{host}:9000"


@pytest.mark.parametrize("port", [8123, 9000])
def test_network_admits_clickhouse_ports_between_services(compiled: Compiled, port: int) -> None:
    services_group = {"Fn::GetAtt": ["SecurityGroupEcsServices", "GroupId"]}
    rules = [
        body["Properties"]
        for body in resources_of_type(compiled.templates["network"], "AWS::EC2::SecurityGroupIngress").values()
        if body["Properties"]["GroupId"] == services_group
        and body["Properties"].get("SourceSecurityGroupId") == services_group
    ]
    assert any(r["IpProtocol"] == "tcp" and r["FromPort"] <= port <= r["ToPort"] for r in rules)


# --------------------------------------------------------------------------- platform values as Parameters


def test_observability_services_run_on_the_platform_cluster(compiled_observability: TemplateDict) -> None:
    assert "ClusterArn" in compiled_observability["Parameters"]
    assert not resources_of_type(compiled_observability, "AWS::ECS::Cluster")
    for body in resources_of_type(compiled_observability, "AWS::ECS::Service").values():
        assert body["Properties"]["Cluster"] == ref("ClusterArn")


def test_observability_has_its_own_execution_role(compiled_observability: TemplateDict) -> None:
    assert "TaskExecutionRole" in compiled_observability["Resources"]
    for body in resources_of_type(compiled_observability, "AWS::ECS::TaskDefinition").values():
        assert body["Properties"]["ExecutionRoleArn"] == {"Fn::GetAtt": ["TaskExecutionRole", "Arn"]}


@pytest.mark.parametrize("layer", ORDER)
def test_no_template_uses_import_value(compiled: Compiled, layer: str) -> None:
    template = compiled.templates[layer]
    assert not [node for node in walk(template) if isinstance(node, dict) and "Fn::ImportValue" in node]
    assert not [o for o in template.get("Outputs", {}).values() if "Export" in o]


@pytest.mark.parametrize("layer", ORDER)
def test_every_parameter_is_an_output_of_an_earlier_layer(compiled: Compiled, layer: str) -> None:
    earlier = ORDER[: ORDER.index(layer)]
    published = {name for above in earlier for name in compiled.templates[above].get("Outputs", {})}
    parameters = set(compiled.templates[layer].get("Parameters", {}))
    assert parameters <= published, f"{layer} takes {sorted(parameters - published)} that no earlier layer outputs"


def test_observability_takes_the_platform_values_it_needs(compiled: Compiled) -> None:
    parameters = set(compiled.templates["observability"]["Parameters"])
    platform_outputs = set(compiled.templates["platform"]["Outputs"])
    # The cluster and listener for its services; the names its alarms and the dashboard read.
    assert parameters & platform_outputs == {
        "ClusterArn",
        "AlbListenerArn",
        "ClusterName",
        "LoadBalancerFullName",
        "ServiceNames",
        "TargetGroupFullNames",
    }


@pytest.mark.parametrize("layer", ORDER)
def test_every_parameter_is_used(compiled: Compiled, layer: str) -> None:
    template = compiled.templates[layer]
    body = {key: value for key, value in template.items() if key != "Parameters"}
    used = {node["Ref"] for node in walk(body) if isinstance(node, dict) and "Ref" in node}
    used |= {
        name
        for node in walk(body)
        if isinstance(node, dict) and "Fn::Sub" in node and isinstance(node["Fn::Sub"], str)
        for name in template.get("Parameters", {})
        if f"${{{name}}}" in node["Fn::Sub"]
    }
    assert set(template.get("Parameters", {})) <= used
