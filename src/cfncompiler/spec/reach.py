"""Who can reach whom, on which port: computed from the security-group rules and the ALB routes.

Every spec entity sits in one security group: each service, the database,
the cache, the file system, the load balancer, the workspaces and the VPC
endpoints. A flow ``a -> b:port`` exists when b's group admits the port from
a's group (or from the whole VPC), a's group lets it out, and b listens on
it. ``needs`` in the spec are checked against these flows.
"""

from __future__ import annotations

from dataclasses import dataclass

from cfncompiler.spec.model import ANYWHERE_PEER, VPC_PEER, SecurityGroup, Spec

# Port every EFS mount target listens on (NFS); an AWS fact, not a design value.
NFS_PORT = 2049
HTTPS_PORT = 443
VPC = "vpc"
# Entities that are not services; a service may not take one of these names.
RESERVED_NAMES = frozenset({"alb", "workspaces", "database", "cache", "file_system", "vpc-endpoints", VPC})
DIRECT_PATH_SIGN_IN = "oidc"


@dataclass(frozen=True)
class Entity:
    name: str
    group: str
    ports: tuple[int, ...] | None  # None: listens on whatever its group admits (workspaces)


@dataclass(frozen=True, order=True)
class Flow:
    source: str
    target: str
    port: int
    protocol: str = "tcp"
    route: str | None = None  # the host, when the flow is an ALB route
    sign_in: str | None = None  # "oidc": the ALB signs the user in before anything passes (the direct path)

    def __str__(self) -> str:
        text = f"{self.source} -> {self.target}:{self.port}"
        if self.protocol != "tcp":
            text += f"/{self.protocol}"
        if self.route is None:
            return text
        return text + f"  (route {self.route}" + (", OIDC sign-in first)" if self.sign_in else ")")


def entities(spec: Spec) -> list[Entity]:
    data, platform = spec.data, spec.platform
    found = [
        Entity("alb", platform.load_balancer.security_group, (HTTPS_PORT,)),
        Entity("workspaces", platform.workspaces.security_group, None),
        Entity("database", data.database.security_group, (data.database.port,)),
        Entity("cache", data.cache.security_group, (data.cache.port,)),
        Entity("file_system", data.file_system.security_group, (NFS_PORT,)),
    ]
    if spec.network.endpoints.security_group is not None:
        found.append(Entity("vpc-endpoints", spec.network.endpoints.security_group, (HTTPS_PORT,)))
    found += [Entity(name, service.security_group, tuple(service.ports)) for _, name, service in spec.services()]
    return found


def flows(spec: Spec) -> list[Flow]:
    groups = spec.network.security_groups
    members = entities(spec)
    routes = {name: service.route.host for _, name, service in spec.services() if service.route is not None}
    signed_in: dict[str, str] = {}
    if spec.platform.direct_path is not None:
        # The direct path: the ALB reaches the workspaces on its hosts only after an OIDC sign-in.
        routes["workspaces"] = ", ".join(spec.platform.direct_path.hosts)
        signed_in["workspaces"] = DIRECT_PATH_SIGN_IN
    found: set[Flow] = set()
    for target in members:
        group = groups.get(target.group)
        if group is None:
            continue
        for rule in group.ingress:
            for port in rule.ports:
                if target.ports is not None and port not in target.ports:
                    continue
                if rule.peer == VPC_PEER:
                    found.add(Flow(VPC, target.name, port, rule.protocol))
                    continue
                for source in members:
                    if source is target or source.group != rule.peer:
                        continue
                    if _egress_allows(groups.get(source.group), target.group, port, rule.protocol):
                        route = routes.get(target.name) if source.name == "alb" else None
                        sign_in = signed_in.get(target.name) if route else None
                        found.add(Flow(source.name, target.name, port, rule.protocol, route, sign_in))
    return sorted(found)


def _egress_allows(group: SecurityGroup | None, target_group: str, port: int, protocol: str) -> bool:
    if group is None or group.egress == "none":
        return False
    if group.egress == "all":
        return True
    return any(
        port in rule.ports and rule.protocol == protocol and rule.peer in (target_group, VPC_PEER, ANYWHERE_PEER)
        for rule in group.egress
    )


def unmet_needs(spec: Spec) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, message) for every ``needs`` entry the security groups do not allow."""
    members = {entity.name: entity for entity in entities(spec)}
    groups = spec.network.security_groups
    all_flows = flows(spec)
    needers: list[tuple[tuple[str | int, ...], str, str, list[str]]] = [
        (
            ("platform", "workspaces"),
            "workspaces",
            spec.platform.workspaces.security_group,
            spec.platform.workspaces.needs,
        )
    ]
    needers += [((section, "services", name), name, s.security_group, s.needs) for section, name, s in spec.services()]
    reachable = [n for n in members if n not in ("alb", "workspaces", "vpc-endpoints")]
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for at, name, group, needs in needers:
        for index, need in enumerate(needs):
            where = (*at, "needs", index)
            target_name, _, port_text = need.partition(":")
            target = members.get(target_name)
            if target is None or target_name not in reachable:
                problems.append((where, f"unknown need '{target_name}' (choose from: {', '.join(reachable)})"))
                continue
            port = int(port_text) if port_text else (target.ports[0] if target.ports else 0)
            if target.ports is not None and port not in target.ports:
                problems.append((where, f"{target_name} does not listen on port {port}"))
                continue
            direct = any(f.source == name and f.target == target_name and f.port == port for f in all_flows)
            from_vpc = any(f.source == VPC and f.target == target_name and f.port == port for f in all_flows)
            if direct or (from_vpc and _egress_allows(groups.get(group), target.group, port, "tcp")):
                continue
            problems.append(
                (
                    where,
                    f"{name} cannot reach {target_name}:{port}: security group '{target.group}' must admit {port} "
                    f"from '{group}' and '{group}' must let it out "
                    f"(network.security_groups.{target.group}.ingress / .{group}.egress)",
                )
            )
    return problems
