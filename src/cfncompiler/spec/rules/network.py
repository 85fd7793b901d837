"""Rules of the network section: subnets, tiers, the NAT gateway, endpoints and security groups."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from ipaddress import IPv4Network

from cfncompiler.spec.model import ANYWHERE_PEER, VPC_PEER, EgressRule, Endpoints, IngressRule, Network, RouteKind
from cfncompiler.spec.model import SecurityGroup as Group
from cfncompiler.spec.rules.base import (
    ENDPOINTS,
    NETWORK,
    SECURITY_GROUP,
    Loc,
    Violation,
    duplicate_ids,
    rule,
    unknown_group,
    unknown_tier,
)


@rule("S101", "interface endpoints have a tier and a security group; no endpoint is listed twice", ENDPOINTS)
def endpoints_are_placed(endpoints: Endpoints) -> Iterator[Violation]:
    if endpoints.interface and endpoints.interface_tier is None:
        yield ("interface_tier",), "interface endpoints need a subnet tier to live in"
    if endpoints.interface and endpoints.security_group is None:
        yield ("security_group",), "interface endpoints need a security group"
    lists: tuple[tuple[str, list[str]], ...] = (
        ("gateway", list(endpoints.gateway)),
        ("interface", endpoints.interface),
    )
    for field, values in lists:
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            yield (field,), f"listed more than once: {', '.join(dupes)}"


def _repeated_ports(rules: Sequence[IngressRule | EgressRule], kind: str) -> Iterator[Violation]:
    seen: dict[tuple[str, str, int], int] = {}
    for index, group_rule in enumerate(rules):
        for port in group_rule.ports:
            key = (group_rule.peer, group_rule.protocol, port)
            if key in seen:
                earlier = "this rule" if seen[key] == index else f"{kind}[{seen[key]}]"
                yield (
                    (kind, index, "ports"),
                    f"{group_rule.protocol} {port} for '{group_rule.peer}' is already allowed by {earlier}",
                )
            seen.setdefault(key, index)


@rule("S102", "a security group allows each port for a peer once (EC2 refuses a rule given twice)", SECURITY_GROUP)
def group_rules_are_distinct(group: Group) -> Iterator[Violation]:
    egress = group.egress if isinstance(group.egress, list) else []
    yield from _repeated_ports(group.ingress, "ingress")
    yield from _repeated_ports(egress, "egress")


@rule("S103", "subnets lie inside the VPC, do not overlap, sit in an AZ it spans and a tier that exists", NETWORK)
def subnets_fit_the_vpc(net: Network) -> Iterator[Violation]:
    seen: list[tuple[str, IPv4Network]] = []
    for name, subnet in net.subnets.items():
        where: Loc = ("subnets", name)
        if not subnet.cidr.subnet_of(net.cidr):
            yield (*where, "cidr"), f"{subnet.cidr} is outside the VPC's {net.cidr}"
        for other, other_cidr in seen:
            if subnet.cidr.overlaps(other_cidr):
                yield (*where, "cidr"), f"{subnet.cidr} overlaps subnet '{other}' ({other_cidr})"
        seen.append((name, subnet.cidr))
        if subnet.az >= net.availability_zones:
            yield (
                (*where, "az"),
                (
                    f"AZ index {subnet.az} does not exist: the VPC spans {net.availability_zones} "
                    f"availability zones (0-{net.availability_zones - 1})"
                ),
            )
        if subnet.tier not in net.tiers:
            yield (*where, "tier"), unknown_tier(subnet.tier, net.tiers)
    for tier in net.tiers:
        if not net.subnets_in(tier):
            yield ("tiers", tier), f"tier '{tier}' has no subnets"


@rule("S104", "a tier routed through NAT has a NAT gateway, in a subnet routed to the internet gateway", NETWORK)
def nat_gateway_is_placed(net: Network) -> Iterator[Violation]:
    nat_tiers = net.tiers_routed_by(RouteKind.NAT)
    if net.nat_gateway is None:
        if nat_tiers:
            yield ("tiers", nat_tiers[0]), "this tier routes through a NAT gateway, but no nat_gateway is declared"
        return
    subnet = net.subnets.get(net.nat_gateway.subnet)
    if subnet is None:
        yield ("nat_gateway", "subnet"), f"unknown subnet '{net.nat_gateway.subnet}'"
    elif net.tiers.get(subnet.tier) is not RouteKind.INTERNET_GATEWAY:
        yield (
            ("nat_gateway", "subnet"),
            (
                f"the NAT gateway must sit in a subnet whose tier routes to the internet gateway; "
                f"'{net.nat_gateway.subnet}' is in tier '{subnet.tier}'"
            ),
        )


def one_subnet_per_az(net: Network, tier: str, where: Loc, what: str) -> Iterator[Violation]:
    """AWS puts at most one mount target or interface endpoint ENI in each AZ."""
    seen: dict[int, str] = {}
    for name in net.subnets_in(tier):
        az = net.subnets[name].az
        if az in seen:
            yield (
                where,
                (
                    f"{what} take one subnet per availability zone, but tier '{tier}' has "
                    f"'{seen[az]}' and '{name}' both in AZ {az}"
                ),
            )
        seen.setdefault(az, name)


@rule("S105", "endpoints name tiers and a group that exist, with one interface subnet per AZ", NETWORK)
def endpoints_are_known(net: Network) -> Iterator[Violation]:
    endpoints = net.endpoints
    for i, tier in enumerate(endpoints.gateway_tiers):
        if tier not in net.tiers:
            yield ("endpoints", "gateway_tiers", i), f"unknown tier '{tier}'"
    if endpoints.interface_tier is not None and endpoints.interface_tier not in net.tiers:
        yield ("endpoints", "interface_tier"), f"unknown tier '{endpoints.interface_tier}'"
    elif endpoints.interface_tier is not None and endpoints.interface:
        yield from one_subnet_per_az(
            net, endpoints.interface_tier, ("endpoints", "interface_tier"), "interface endpoints"
        )
    if endpoints.security_group is not None and endpoints.security_group not in net.security_groups:
        yield ("endpoints", "security_group"), unknown_group(endpoints.security_group, net.security_groups)


@rule("S106", "security-group rules name groups that exist; nothing is let in from anywhere", NETWORK)
def group_rules_name_groups(net: Network) -> Iterator[Violation]:
    for name, group in net.security_groups.items():
        for i, ingress in enumerate(group.ingress):
            where: Loc = ("security_groups", name, "ingress", i, "from")
            if ingress.peer == ANYWHERE_PEER:
                yield where, "ingress from anywhere (0.0.0.0/0) is not allowed; name a group or 'vpc'"
            elif ingress.peer != VPC_PEER and ingress.peer not in net.security_groups:
                yield where, unknown_group(ingress.peer, net.security_groups)
        if isinstance(group.egress, list):
            for i, egress in enumerate(group.egress):
                peer = egress.peer
                if peer not in (VPC_PEER, ANYWHERE_PEER) and peer not in net.security_groups:
                    yield ("security_groups", name, "egress", i, "to"), unknown_group(peer, net.security_groups)


@rule("S107", "subnet, tier and group names stay distinct as CloudFormation names", NETWORK)
def network_names_stay_distinct(net: Network) -> Iterator[Violation]:
    yield from duplicate_ids("subnet", net.subnets, ("subnets",))
    yield from duplicate_ids("tier", net.tiers, ("tiers",))
    yield from duplicate_ids("security group", net.security_groups, ("security_groups",))


RULES = (
    endpoints_are_placed,
    group_rules_are_distinct,
    subnets_fit_the_vpc,
    nat_gateway_is_placed,
    endpoints_are_known,
    group_rules_name_groups,
    network_names_stay_distinct,
)
