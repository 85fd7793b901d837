"""NetworkStack: VPC, subnets and routing, NAT, VPC endpoints, security groups, CloudMap, flow logs."""

from __future__ import annotations

from awacs import logs as alogs
from troposphere import GetAtt, GetAZs, Join, Ref, Select, Sub, Template, ec2, iam, servicediscovery
from troposphere import kms as tkms

from cfncompiler import contract
from cfncompiler.layers import Inputs, alarms
from cfncompiler.layers.common import Layer, log_group
from cfncompiler.layers.encryption import key_arn, layer_key
from cfncompiler.layers.iam import allow, policy, service_trust
from cfncompiler.naming import logical_id
from cfncompiler.spec.model import ANYWHERE_PEER, VPC_PEER, EgressRule, IngressRule, RouteKind, SecurityGroup, Spec

ANYWHERE_CIDR = "0.0.0.0/0"
# EC2 has no "no egress" switch: CloudFormation adds allow-all unless a rule is
# given, so a closed group carries one rule that can match nothing (the trick CDK uses).
MATCH_NOTHING = {"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}


def build(spec: Spec, inputs: Inputs) -> Template:
    layer = Layer(spec, "network", "VPC, subnets, NAT, endpoints, security groups, service discovery")
    net = spec.network
    vpc = layer.add(
        ec2.VPC(
            "Vpc",
            CidrBlock=str(net.cidr),
            EnableDnsHostnames=True,  # interface endpoints with private DNS need both
            EnableDnsSupport=True,
            Tags=layer.name_tags("vpc"),
        )
    )
    layer.publish(contract.vpc_id(), Ref(vpc))
    layer.publish(contract.vpc_cidr(), GetAtt(vpc, "CidrBlock"))

    subnets = _subnets(layer, vpc)
    route_tables = _routing(layer, vpc, subnets)
    groups = _security_groups(layer, vpc)
    _endpoints(layer, vpc, subnets, route_tables, groups)
    _service_discovery(layer, vpc)
    key = layer_key(
        layer, "VPC flow logs and alarm notifications", for_log_groups=True, also=alarms.topic_key_statements()
    )
    _flow_logs(layer, vpc, key)
    alarms.notification_topic(layer, key)
    alarms.network_alarms(layer)
    return layer.template


def _subnets(layer: Layer, vpc: ec2.VPC) -> dict[str, ec2.Subnet]:
    net = layer.spec.network
    subnets: dict[str, ec2.Subnet] = {}
    for name, subnet in net.subnets.items():
        with layer.at("network", "subnets", name):
            subnets[name] = layer.add(
                ec2.Subnet(
                    logical_id("subnet", name),
                    VpcId=Ref(vpc),
                    CidrBlock=str(subnet.cidr),
                    AvailabilityZone=Select(subnet.az, GetAZs("")),
                    MapPublicIpOnLaunch=False,  # nothing here should get a public address by default
                    Tags=layer.name_tags(name),
                )
            )
    for tier in net.tiers:
        layer.publish(contract.subnet_ids(tier), Join(",", [Ref(subnets[s]) for s in net.subnets_in(tier)]))
    return subnets


def _routing(layer: Layer, vpc: ec2.VPC, subnets: dict[str, ec2.Subnet]) -> dict[str, ec2.RouteTable]:
    net = layer.spec.network
    route_tables: dict[str, ec2.RouteTable] = {}
    attachment = gateway = None
    if net.tiers_routed_by(RouteKind.INTERNET_GATEWAY):
        gateway = layer.add(ec2.InternetGateway("InternetGateway", Tags=layer.name_tags("igw")))
        attachment = layer.add(
            ec2.VPCGatewayAttachment("InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(gateway))
        )
    nat = None
    if net.nat_gateway is not None and attachment is not None:
        eip = layer.add(ec2.EIP("NatAddress", Domain="vpc", DependsOn=attachment.title, Tags=layer.name_tags("nat")))
        nat = layer.add(
            ec2.NatGateway(
                "NatGateway",
                AllocationId=GetAtt(eip, "AllocationId"),
                SubnetId=Ref(subnets[net.nat_gateway.subnet]),
                Tags=layer.name_tags("nat"),
            )
        )
    for tier, route in net.tiers.items():
        with layer.at("network", "tiers", tier):
            table = layer.add(
                ec2.RouteTable(logical_id("route-table", tier), VpcId=Ref(vpc), Tags=layer.name_tags(tier))
            )
        route_tables[tier] = table
        for name in net.subnets_in(tier):
            with layer.at("network", "subnets", name):
                layer.add(
                    ec2.SubnetRouteTableAssociation(
                        logical_id("route-table", name), SubnetId=Ref(subnets[name]), RouteTableId=Ref(table)
                    )
                )
        with layer.at("network", "tiers", tier):
            _default_route(layer, tier, route, table, gateway, attachment, nat)
    return route_tables


def _default_route(
    layer: Layer,
    tier: str,
    route: RouteKind,
    table: ec2.RouteTable,
    gateway: ec2.InternetGateway | None,
    attachment: ec2.VPCGatewayAttachment | None,
    nat: ec2.NatGateway | None,
) -> None:
    if route is RouteKind.INTERNET_GATEWAY and attachment is not None and gateway is not None:
        layer.add(
            ec2.Route(
                logical_id("default-route", tier),
                RouteTableId=Ref(table),
                DestinationCidrBlock=ANYWHERE_CIDR,
                GatewayId=Ref(gateway),
                DependsOn=attachment.title,
            )
        )
    elif route is RouteKind.NAT and nat is not None:
        layer.add(
            ec2.Route(
                logical_id("default-route", tier),
                RouteTableId=Ref(table),
                DestinationCidrBlock=ANYWHERE_CIDR,
                NatGatewayId=Ref(nat),
            )
        )


def _security_groups(layer: Layer, vpc: ec2.VPC) -> dict[str, ec2.SecurityGroup]:
    net = layer.spec.network
    groups: dict[str, ec2.SecurityGroup] = {}
    # Groups first, then rules as their own resources: rules between groups
    # would otherwise make two groups depend on each other.
    for name, group in net.security_groups.items():
        with layer.at("network", "security_groups", name):
            groups[name] = layer.add(
                ec2.SecurityGroup(
                    logical_id("security-group", name),
                    GroupDescription=group.description,
                    VpcId=Ref(vpc),
                    SecurityGroupEgress=_egress(layer, group),
                    Tags=layer.name_tags(name),
                )
            )
        layer.publish(contract.security_group_id(name), GetAtt(groups[name], "GroupId"))
    for name, group in net.security_groups.items():
        _group_egress(layer, name, group, groups)
        for index, rule in enumerate(group.ingress):
            for port in rule.ports:
                _standalone_rule(
                    layer, name, "ingress", index, rule, port, groups[name], _ingress_source(layer, rule, groups)
                )
    return groups


def _ingress_source(layer: Layer, rule: IngressRule, groups: dict[str, ec2.SecurityGroup]) -> dict[str, object]:
    if rule.peer == VPC_PEER:
        return {"CidrIp": str(layer.spec.network.cidr)}
    return {"SourceSecurityGroupId": GetAtt(groups[rule.peer], "GroupId")}


def _egress(layer: Layer, group: SecurityGroup) -> list[ec2.SecurityGroupRule]:
    """The group's inline egress: rules to address ranges. Rules to other groups are resources of
    their own (see _group_egress), like ingress, so two groups may name each other without a cycle."""
    if group.egress == "all":
        return [ec2.SecurityGroupRule(IpProtocol="-1", CidrIp=ANYWHERE_CIDR, Description="All outbound traffic")]
    inline = [
        ec2.SecurityGroupRule(
            IpProtocol=rule.protocol,
            FromPort=port,
            ToPort=port,
            Description=rule.description,
            CidrIp=str(layer.spec.network.cidr) if rule.peer == VPC_PEER else ANYWHERE_CIDR,
        )
        for rule in (group.egress if isinstance(group.egress, list) else [])
        if rule.peer in (VPC_PEER, ANYWHERE_PEER)
        for port in rule.ports
    ]
    # Without any inline rule CloudFormation would add allow-all; this one matches nothing.
    return inline or [ec2.SecurityGroupRule(Description="No other outbound traffic", **MATCH_NOTHING)]


def _group_egress(layer: Layer, name: str, group: SecurityGroup, groups: dict[str, ec2.SecurityGroup]) -> None:
    rules = group.egress if isinstance(group.egress, list) else []
    for index, rule in enumerate(rules):
        if rule.peer in (VPC_PEER, ANYWHERE_PEER):
            continue
        destination = {"DestinationSecurityGroupId": GetAtt(groups[rule.peer], "GroupId")}
        for port in rule.ports:
            _standalone_rule(layer, name, "egress", index, rule, port, groups[name], destination)


def _standalone_rule(
    layer: Layer,
    name: str,
    direction: str,
    index: int,
    rule: IngressRule | EgressRule,
    port: int,
    group: ec2.SecurityGroup,
    peer: dict[str, object],
) -> None:
    """One rule for one port as a resource of its own (SecurityGroupIngress or SecurityGroupEgress)."""
    kind, word = (ec2.SecurityGroupIngress, "from") if direction == "ingress" else (ec2.SecurityGroupEgress, "to")
    with layer.at("network", "security_groups", name, direction, index):
        layer.add(
            kind(
                logical_id("security-group", name, word, rule.peer, rule.protocol, str(port)),
                GroupId=GetAtt(group, "GroupId"),
                IpProtocol=rule.protocol,
                FromPort=port,
                ToPort=port,
                Description=rule.description,
                **peer,
            )
        )


def _endpoints(
    layer: Layer,
    vpc: ec2.VPC,
    subnets: dict[str, ec2.Subnet],
    route_tables: dict[str, ec2.RouteTable],
    groups: dict[str, ec2.SecurityGroup],
) -> None:
    endpoints = layer.spec.network.endpoints
    gateway_tables = [Ref(route_tables[tier]) for tier in endpoints.gateway_tiers]
    for index, gateway in enumerate(endpoints.gateway):
        _endpoint(layer, vpc, "gateway", index, gateway, VpcEndpointType="Gateway", RouteTableIds=gateway_tables)
    if not endpoints.interface or endpoints.interface_tier is None or endpoints.security_group is None:
        return
    tier_subnets = [Ref(subnets[s]) for s in layer.spec.network.subnets_in(endpoints.interface_tier)]
    group_id = GetAtt(groups[endpoints.security_group], "GroupId")
    for index, service in enumerate(endpoints.interface):
        _endpoint(
            layer,
            vpc,
            "interface",
            index,
            service,
            VpcEndpointType="Interface",
            PrivateDnsEnabled=True,
            SubnetIds=tier_subnets,
            SecurityGroupIds=[group_id],
        )


def _endpoint(layer: Layer, vpc: ec2.VPC, kind: str, index: int, service: str, **placement: object) -> None:
    with layer.at("network", "endpoints", kind, index):
        layer.add(
            ec2.VPCEndpoint(
                logical_id("endpoint", service),
                VpcId=Ref(vpc),
                ServiceName=Sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
                **placement,
            )
        )


def _service_discovery(layer: Layer, vpc: ec2.VPC) -> None:
    namespace = layer.add(
        servicediscovery.PrivateDnsNamespace(
            "Namespace",
            Name=layer.spec.network.service_discovery.namespace,
            Vpc=Ref(vpc),
            Description=f"Service discovery for {layer.spec.project}",
        )
    )
    layer.publish(contract.namespace_id(), GetAtt(namespace, "Id"))


def _flow_logs(layer: Layer, vpc: ec2.VPC, key: tkms.Key) -> None:
    group = layer.add(log_group("FlowLogGroup", layer.spec, key_arn(key)))
    role = layer.add(
        iam.Role(
            "FlowLogRole",
            Description="Lets VPC flow logs write to their log group",
            AssumeRolePolicyDocument=service_trust("vpc-flow-logs.amazonaws.com"),
            Policies=[
                iam.Policy(
                    PolicyName="write-flow-logs",
                    PolicyDocument=policy(
                        [
                            allow(
                                [alogs.CreateLogStream, alogs.PutLogEvents, alogs.DescribeLogStreams],
                                [GetAtt(group, "Arn")],
                            )
                        ]
                    ),
                )
            ],
        )
    )
    layer.add(
        ec2.FlowLog(
            "FlowLog",
            ResourceId=Ref(vpc),
            ResourceType="VPC",
            TrafficType=layer.spec.network.flow_logs.traffic.upper(),
            LogDestinationType="cloud-watch-logs",
            LogGroupName=Ref(group),
            DeliverLogsPermissionArn=GetAtt(role, "Arn"),
        )
    )
