"""NetworkStack compiled from spec/production.yaml: VPC, subnets, routing, NAT, endpoints, groups, CloudMap, flow logs.

Expected values are the design's (shared/design/infrastructure-design.md, NetworkStack), written out here
rather than read back from the spec, so a wrong spec value fails as loudly as a wrong builder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cfncompiler.gate.lint import Gate
from cfncompiler.naming import logical_id
from cfncompiler.spec.load import load_spec
from cfncompiler.spec.model import Spec
from tests.conftest import (
    TemplateDict,
    build_layer,
    careless_stateful_resources,
    edit,
    get_att,
    minimal_text,
    one_resource_of_type,
    properties,
    ref,
    resources_of_type,
    walk,
)

VPC_CIDR = "10.0.0.0/16"
ANYWHERE = "0.0.0.0/0"
INTERFACE_SERVICES = {"ecr.api", "ecr.dkr", "secretsmanager", "logs", "bedrock-runtime", "sts", "elasticfilesystem"}


def group_id(name: str) -> dict[str, list[str]]:
    return get_att(f"SecurityGroup{name}", "GroupId")


def ingress_rules(template: TemplateDict) -> set[tuple[Any, ...]]:
    """(group, protocol, port, source) for every standalone ingress rule, sources as written in the template."""
    rules = set()
    for body in resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values():
        props = body["Properties"]
        assert props["FromPort"] == props["ToPort"], "one rule per port"
        group = props["GroupId"]["Fn::GetAtt"][0]
        source = props.get("CidrIp") or props["SourceSecurityGroupId"]["Fn::GetAtt"][0]
        rules.add((group, props["IpProtocol"], props["FromPort"], source))
    return rules


# --------------------------------------------------------------------------- VPC and subnets


def test_vpc_has_the_design_cidr_and_the_dns_that_private_endpoints_need(network_template: TemplateDict) -> None:
    vpc = one_resource_of_type(network_template, "AWS::EC2::VPC")["Properties"]
    assert vpc["CidrBlock"] == VPC_CIDR
    assert vpc["EnableDnsSupport"] is True
    assert vpc["EnableDnsHostnames"] is True


def test_six_subnets_with_the_design_cidrs_and_az_indexes(network_template: TemplateDict) -> None:
    subnets = {
        name: (body["Properties"]["CidrBlock"], body["Properties"]["AvailabilityZone"])
        for name, body in resources_of_type(network_template, "AWS::EC2::Subnet").items()
    }

    def az(index: int) -> dict[str, Any]:
        return {"Fn::Select": [index, {"Fn::GetAZs": ""}]}

    assert subnets == {
        "SubnetPublicA": ("10.0.0.0/24", az(0)),
        "SubnetPublicB": ("10.0.1.0/24", az(1)),
        "SubnetAppA": ("10.0.10.0/24", az(0)),
        "SubnetAppB": ("10.0.11.0/24", az(1)),
        "SubnetDataA": ("10.0.20.0/24", az(0)),
        "SubnetDataB": ("10.0.21.0/24", az(1)),
    }


def test_no_subnet_hands_out_public_addresses_and_all_sit_in_the_vpc(network_template: TemplateDict) -> None:
    for body in resources_of_type(network_template, "AWS::EC2::Subnet").values():
        assert body["Properties"]["MapPublicIpOnLaunch"] is False
        assert body["Properties"]["VpcId"] == ref("Vpc")


# --------------------------------------------------------------------------- routing and NAT


def test_exactly_one_nat_gateway_in_public_a_with_an_elastic_ip(network_template: TemplateDict) -> None:
    nat = one_resource_of_type(network_template, "AWS::EC2::NatGateway")["Properties"]
    assert nat["SubnetId"] == ref("SubnetPublicA")
    [(eip_name, eip)] = resources_of_type(network_template, "AWS::EC2::EIP").items()
    assert nat["AllocationId"] == get_att(eip_name, "AllocationId")
    assert eip["Properties"]["Domain"] == "vpc"


def test_each_subnet_uses_its_tiers_route_table(network_template: TemplateDict) -> None:
    associations = {
        body["Properties"]["SubnetId"]["Ref"]: body["Properties"]["RouteTableId"]["Ref"]
        for body in resources_of_type(network_template, "AWS::EC2::SubnetRouteTableAssociation").values()
    }
    assert associations == {
        "SubnetPublicA": "RouteTablePublic",
        "SubnetPublicB": "RouteTablePublic",
        "SubnetAppA": "RouteTableApp",
        "SubnetAppB": "RouteTableApp",
        "SubnetDataA": "RouteTableData",
        "SubnetDataB": "RouteTableData",
    }


def test_public_routes_to_the_internet_gateway_app_through_nat_and_data_nowhere(
    network_template: TemplateDict,
) -> None:
    default_routes = {
        body["Properties"]["RouteTableId"]["Ref"]: body["Properties"]
        for body in resources_of_type(network_template, "AWS::EC2::Route").values()
        if body["Properties"]["DestinationCidrBlock"] == ANYWHERE
    }
    assert set(default_routes) == {"RouteTablePublic", "RouteTableApp"}
    assert default_routes["RouteTablePublic"]["GatewayId"] == ref("InternetGateway")
    assert default_routes["RouteTableApp"]["NatGatewayId"] == ref("NatGateway")
    attachment = one_resource_of_type(network_template, "AWS::EC2::VPCGatewayAttachment")["Properties"]
    assert attachment == {"VpcId": ref("Vpc"), "InternetGatewayId": ref("InternetGateway")}


# --------------------------------------------------------------------------- endpoints


def test_s3_gateway_endpoint_serves_the_app_and_data_route_tables(network_template: TemplateDict) -> None:
    gateways = [
        body["Properties"]
        for body in resources_of_type(network_template, "AWS::EC2::VPCEndpoint").values()
        if body["Properties"]["VpcEndpointType"] == "Gateway"
    ]
    assert gateways == [
        {
            "VpcId": ref("Vpc"),
            "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
            "VpcEndpointType": "Gateway",
            "RouteTableIds": [ref("RouteTableApp"), ref("RouteTableData")],
        }
    ]


def test_seven_interface_endpoints_with_private_dns_in_the_app_subnets_behind_their_group(
    network_template: TemplateDict,
) -> None:
    interfaces = [
        body["Properties"]
        for body in resources_of_type(network_template, "AWS::EC2::VPCEndpoint").values()
        if body["Properties"]["VpcEndpointType"] == "Interface"
    ]
    prefix = "com.amazonaws.${AWS::Region}."
    services = {props["ServiceName"]["Fn::Sub"].removeprefix(prefix) for props in interfaces}
    assert services == INTERFACE_SERVICES
    assert len(interfaces) == len(INTERFACE_SERVICES)
    for props in interfaces:
        assert props["PrivateDnsEnabled"] is True
        assert props["SubnetIds"] == [ref("SubnetAppA"), ref("SubnetAppB")]
        assert props["SecurityGroupIds"] == [group_id("VpcEndpoints")]


# --------------------------------------------------------------------------- security groups


def test_the_seven_security_groups_exist_in_the_vpc(network_template: TemplateDict) -> None:
    groups = resources_of_type(network_template, "AWS::EC2::SecurityGroup")
    assert set(groups) == {
        "SecurityGroupAlb",
        "SecurityGroupEcsServices",
        "SecurityGroupEcsWorkspaces",
        "SecurityGroupRds",
        "SecurityGroupRedis",
        "SecurityGroupEfs",
        "SecurityGroupVpcEndpoints",
    }
    assert all(body["Properties"]["VpcId"] == ref("Vpc") for body in groups.values())


@pytest.mark.parametrize(
    ("group", "source", "ports"),
    [
        pytest.param("SecurityGroupAlb", VPC_CIDR, {443}, id="alb-443-from-vpc"),
        pytest.param("SecurityGroupEcsServices", "SecurityGroupAlb", {7080, 9000, 4000, 3000, 8100}, id="services"),
        pytest.param("SecurityGroupEcsWorkspaces", "SecurityGroupAlb", {13337}, id="workspaces-13337-from-alb"),
        pytest.param("SecurityGroupRds", "SecurityGroupEcsServices", {5432}, id="rds-5432-from-services"),
        pytest.param("SecurityGroupRedis", "SecurityGroupEcsServices", {6379}, id="redis-6379-from-services"),
        pytest.param("SecurityGroupEfs", "SecurityGroupEcsServices", {2049}, id="efs-2049-from-services"),
        pytest.param("SecurityGroupEfs", "SecurityGroupEcsWorkspaces", {2049}, id="efs-2049-from-workspaces"),
        pytest.param("SecurityGroupVpcEndpoints", VPC_CIDR, {443}, id="endpoints-443-from-vpc"),
    ],
)
def test_group_admits_the_design_ports_from_the_design_source(
    network_template: TemplateDict, group: str, source: str, ports: set[int]
) -> None:
    admitted = {port for g, protocol, port, s in ingress_rules(network_template) if (g, s) == (group, source)}
    assert admitted == ports
    assert all(p == "tcp" for g, p, _, s in ingress_rules(network_template) if (g, s) == (group, source))


def test_ingress_rules_are_exactly_those_of_the_spec(network_template: TemplateDict, production_spec: Spec) -> None:
    def source(peer: str) -> str:
        return VPC_CIDR if peer == "vpc" else logical_id("security-group", peer)

    expected = {
        (logical_id("security-group", name), rule.protocol, port, source(rule.peer))
        for name, group in production_spec.network.security_groups.items()
        for rule in group.ingress
        for port in rule.ports
    }
    assert ingress_rules(network_template) == expected
    assert len(resources_of_type(network_template, "AWS::EC2::SecurityGroupIngress")) == len(expected)


def test_nothing_admits_traffic_from_anywhere(network_template: TemplateDict) -> None:
    ingress = [
        value
        for body in network_template["Resources"].values()
        if body["Type"] in {"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroup"}
        for path, key, value in walk(body)
        if key in {"CidrIp", "CidrIpv6"} and "SecurityGroupEgress" not in path
    ]
    assert ingress, "the walk must see the ingress CIDRs at all"
    assert ANYWHERE not in ingress
    assert "::/0" not in ingress


def test_workspaces_egress_is_litellm_dns_https_and_nfs_only(network_template: TemplateDict) -> None:
    # The design lists LiteLLM, DNS and HTTPS; NFS to the EFS group is the spec's addition
    # (sg-efs admits 2049 from workspaces, which is useless unless they may send it).
    # Rules to address ranges sit inline; rules to other groups are SecurityGroupEgress resources
    # (so two groups may name each other without a dependency cycle).
    inline = properties(network_template, "SecurityGroupEcsWorkspaces")["SecurityGroupEgress"]
    standalone = [
        r["Properties"]
        for r in network_template["Resources"].values()
        if r["Type"] == "AWS::EC2::SecurityGroupEgress"
        and r["Properties"]["GroupId"] == {"Fn::GetAtt": ["SecurityGroupEcsWorkspaces", "GroupId"]}
    ]
    reduced = sorted(
        (
            rule["IpProtocol"],
            rule["FromPort"],
            rule["ToPort"],
            rule.get("CidrIp") or rule["DestinationSecurityGroupId"]["Fn::GetAtt"][0],
        )
        for rule in [*inline, *standalone]
    )
    assert reduced == sorted(
        [
            ("tcp", 4000, 4000, "SecurityGroupEcsServices"),
            ("udp", 53, 53, VPC_CIDR),
            ("tcp", 53, 53, VPC_CIDR),
            ("tcp", 443, 443, ANYWHERE),
            ("tcp", 2049, 2049, "SecurityGroupEfs"),
        ]
    )


@pytest.mark.parametrize(
    "group", ["SecurityGroupRds", "SecurityGroupRedis", "SecurityGroupEfs", "SecurityGroupVpcEndpoints"]
)
def test_groups_with_egress_none_carry_only_a_rule_that_matches_nothing(
    network_template: TemplateDict, group: str
) -> None:
    [rule] = properties(network_template, group)["SecurityGroupEgress"]
    # Without a rule CloudFormation would add allow-all; this one admits no real traffic.
    assert rule["CidrIp"] == "255.255.255.255/32"
    assert rule["IpProtocol"] == "icmp"


@pytest.mark.parametrize("group", ["SecurityGroupAlb", "SecurityGroupEcsServices"])
def test_groups_with_egress_all_allow_all_outbound(network_template: TemplateDict, group: str) -> None:
    [rule] = properties(network_template, group)["SecurityGroupEgress"]
    assert (rule["IpProtocol"], rule["CidrIp"]) == ("-1", ANYWHERE)


# --------------------------------------------------------------------------- CloudMap and flow logs


def test_cloudmap_private_namespace_is_coder_production_local_in_the_vpc(network_template: TemplateDict) -> None:
    namespace = one_resource_of_type(network_template, "AWS::ServiceDiscovery::PrivateDnsNamespace")["Properties"]
    assert namespace["Name"] == "coder-production.local"
    assert namespace["Vpc"] == ref("Vpc")


def test_vpc_flow_logs_send_all_traffic_to_an_encrypted_log_group(network_template: TemplateDict) -> None:
    flow_log = one_resource_of_type(network_template, "AWS::EC2::FlowLog")["Properties"]
    assert flow_log["ResourceId"] == ref("Vpc")
    assert (flow_log["ResourceType"], flow_log["TrafficType"]) == ("VPC", "ALL")
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    [(group_name, group)] = resources_of_type(network_template, "AWS::Logs::LogGroup").items()
    assert flow_log["LogGroupName"] == ref(group_name)
    assert group["Properties"]["RetentionInDays"] == 365
    assert group["Properties"]["KmsKeyId"] == get_att("EncryptionKey", "Arn")


def test_flow_log_role_is_assumable_by_flow_logs_and_writes_only_its_log_group(network_template: TemplateDict) -> None:
    flow_log = one_resource_of_type(network_template, "AWS::EC2::FlowLog")["Properties"]
    role_name = flow_log["DeliverLogsPermissionArn"]["Fn::GetAtt"][0]
    role = properties(network_template, role_name)
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Action"] == ["sts:AssumeRole"]
    [policy] = role["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Resource"] == [get_att("FlowLogGroup", "Arn")]
    assert "logs:PutLogEvents" in statement["Action"]


def test_network_key_lets_cloudwatch_logs_use_it_only_for_this_accounts_log_groups(
    network_template: TemplateDict,
) -> None:
    key = one_resource_of_type(network_template, "AWS::KMS::Key")["Properties"]
    assert key["EnableKeyRotation"] is True
    logs_statements = [s for s in key["KeyPolicy"]["Statement"] if s.get("Sid") == "CloudWatchLogsEncrypt"]
    [statement] = logs_statements
    assert "ArnLike" in statement["Condition"]


def test_every_stateful_network_resource_keeps_its_data_on_delete_and_on_replace(
    network_template: TemplateDict,
) -> None:
    # The KMS key and the flow-log group (months of audit history) are in stateful.STATEFUL_TYPES.
    assert careless_stateful_resources(network_template) == {}


# --------------------------------------------------------------------------- outputs


def test_outputs_publish_vpc_subnets_per_tier_groups_and_namespace(network_template: TemplateDict) -> None:
    outputs = network_template["Outputs"]
    assert outputs["VpcId"]["Value"] == ref("Vpc")
    assert outputs["AppSubnetIds"]["Value"] == {"Fn::Join": [",", [ref("SubnetAppA"), ref("SubnetAppB")]]}
    assert outputs["DataSubnetIds"]["Value"] == {"Fn::Join": [",", [ref("SubnetDataA"), ref("SubnetDataB")]]}
    assert outputs["PublicSubnetIds"]["Value"] == {"Fn::Join": [",", [ref("SubnetPublicA"), ref("SubnetPublicB")]]}
    for group in resources_of_type(network_template, "AWS::EC2::SecurityGroup"):
        name = group.removeprefix("SecurityGroup")
        assert outputs[f"{name}SecurityGroupId"]["Value"] == get_att(group, "GroupId")
    assert outputs["NamespaceId"]["Value"] == get_att("Namespace", "Id")


def test_outputs_are_not_exported(network_template: TemplateDict) -> None:
    # An export pins this stack until every importer lets go: values cross layers as Parameters.
    assert all("Export" not in output for output in network_template["Outputs"].values())


# --------------------------------------------------------------------------- shapes the production spec lacks


def _network_of(write_spec: Callable[[str], Path], *edits: tuple[str, str]) -> TemplateDict:
    spec = load_spec(write_spec(edit(minimal_text(), *edits)))
    result: TemplateDict = build_layer("network", spec)
    return result


def test_without_an_internet_gateway_tier_there_is_no_gateway_nat_or_default_route(
    write_spec: Callable[[str], Path],
) -> None:
    template = _network_of(
        write_spec,
        ("  nat_gateway:\n    subnet: public-a\n", ""),
        ("    public: internet-gateway", "    public: none"),
        ("    app: nat", "    app: none"),
    )
    for resource_type in ("AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::EIP", "AWS::EC2::Route"):
        assert resources_of_type(template, resource_type) == {}, resource_type


def test_flow_log_traffic_and_log_retention_follow_the_spec(minimal_templates: dict[str, TemplateDict]) -> None:
    template = minimal_templates["network"]
    assert one_resource_of_type(template, "AWS::EC2::FlowLog")["Properties"]["TrafficType"] == "REJECT"
    assert one_resource_of_type(template, "AWS::Logs::LogGroup")["Properties"]["RetentionInDays"] == 30


def test_udp_egress_to_the_vpc_uses_the_vpc_cidr(minimal_templates: dict[str, TemplateDict]) -> None:
    egress = properties(minimal_templates["network"], "SecurityGroupService")["SecurityGroupEgress"]
    assert {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "CidrIp": "10.1.0.0/16", "Description": "DNS"} in egress


def test_interface_endpoints_are_left_out_when_the_spec_lists_none(write_spec: Callable[[str], Path]) -> None:
    template = _network_of(write_spec, ("    interface: [sts, logs]\n", ""))
    endpoints = resources_of_type(template, "AWS::EC2::VPCEndpoint")
    assert [body["Properties"]["VpcEndpointType"] for body in endpoints.values()] == ["Gateway"]


NFS_EGRESS = "        - to: files\n          ports: [2049]\n          description: NFS\n"
CALLBACK_EGRESS = "      egress:\n        - to: service\n          ports: [111]\n          description: Callbacks"


def test_groups_whose_egress_rules_name_each_other_compile_to_a_template_the_gate_accepts(
    write_spec: Callable[[str], Path], gate: Gate
) -> None:
    # The services reach NFS and the file servers call back: a legal spec. Inline egress rules that
    # name another group make each group depend on the other, a cycle CloudFormation refuses (E3004).
    template = _network_of(
        write_spec,
        ("        - to: anywhere\n", NFS_EGRESS + "        - to: anywhere\n"),
        ("Services to NFS\n      egress: none", "Services to NFS\n" + CALLBACK_EGRESS),
    )
    assert gate.lint([("network.json", json.dumps(template))], "eu-west-1") == []


def test_every_resource_is_named_after_the_project(network_template: TemplateDict) -> None:
    tagged = [body for body in network_template["Resources"].values() if "Tags" in body.get("Properties", {})]
    assert tagged
    for body in tagged:
        names = [tag["Value"] for tag in body["Properties"]["Tags"] if tag["Key"] == "Name"]
        assert len(names) == 1
        assert names[0].startswith("coder-production-")
