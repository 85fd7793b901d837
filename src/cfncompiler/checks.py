"""Rules that relate the layers of a spec: every name a service uses must exist,
and every route must actually be able to carry traffic.

Each rule is a small function yielding ``(path, message)``; the model runs
them all after the structure is valid, and the loader turns the paths into
``file:line:col``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from cfncompiler.naming import logical_id
from cfncompiler.references import UnknownReference, meaning, references

if TYPE_CHECKING:
    from cfncompiler.model import Service, Spec

Problem = tuple[tuple[str | int, ...], str]
ServiceEntry = tuple[tuple[str | int, ...], str, "Service"]


def cross_layer_problems(spec: Spec) -> list[Problem]:
    return [problem for rule in RULES for problem in rule(spec)]


def all_services(spec: Spec) -> Iterator[ServiceEntry]:
    for section, name, service in spec.services():
        yield (section, "services", name), name, service


def listener_priority(host: str, explicit: int | None) -> int:
    """A route's rule priority: stable under adding or reordering routes, unlike a position."""
    return explicit if explicit is not None else 1 + zlib.crc32(host.encode()) % 49999


def service_names_unique(spec: Spec) -> Iterator[Problem]:
    from cfncompiler.reach import RESERVED_NAMES

    seen: dict[str, str] = {}
    for where, name, _ in all_services(spec):
        if name in RESERVED_NAMES:
            yield (
                where,
                (
                    f"'{name}' names something else in this spec ({', '.join(sorted(RESERVED_NAMES))}); "
                    "choose another service name"
                ),
            )
        key = logical_id(name)
        if key in seen:
            yield where, f"service '{name}' clashes with '{seen[key]}' (a service name must be unique across layers)"
        seen.setdefault(key, name)


def placements_exist(spec: Spec) -> Iterator[Problem]:
    net = spec.network
    placements: list[tuple[tuple[str | int, ...], str, str]] = [
        (
            ("platform", "load_balancer"),
            spec.platform.load_balancer.subnet_tier,
            spec.platform.load_balancer.security_group,
        ),
        (("platform", "workspaces"), spec.platform.workspaces.subnet_tier, spec.platform.workspaces.security_group),
    ]
    placements += [(where, s.subnet_tier, s.security_group) for where, _, s in all_services(spec)]
    for where, tier, group in placements:
        if tier not in net.tiers:
            yield (*where, "subnet_tier"), f"unknown tier '{tier}' (tiers: {', '.join(net.tiers)})"
        if group not in net.security_groups:
            yield (*where, "security_group"), net._unknown_group(group)


def secrets_exist(spec: Spec) -> Iterator[Problem]:
    from cfncompiler.model import DATABASE_SECRET, DATABASE_SECRET_KEYS

    secrets = spec.data.secrets
    for where, _, service in all_services(spec):
        for env, ref in service.secrets.items():
            at = (*where, "secrets", env)
            if ref.secret == DATABASE_SECRET:
                keys: list[str] | None = list(DATABASE_SECRET_KEYS)
            elif ref.secret in secrets:
                keys = secrets[ref.secret].keys or None
            else:
                yield (
                    (*at, "secret"),
                    f"unknown secret '{ref.secret}' (data.secrets has: {', '.join(secrets)}, or 'database')",
                )
                continue
            if keys is None and ref.key is not None:
                yield (*at, "key"), f"secret '{ref.secret}' is a plain string; it has no key '{ref.key}'"
            elif keys is not None and ref.key is None:
                yield at, f"secret '{ref.secret}' holds keys {', '.join(keys)}; say which one with 'key:'"
            elif keys is not None and ref.key not in keys:
                yield (*at, "key"), f"secret '{ref.secret}' has no key '{ref.key}' (keys: {', '.join(keys)})"


def buckets_exist(spec: Spec) -> Iterator[Problem]:
    buckets = spec.data.buckets
    for where, _, service in all_services(spec):
        for bucket in service.access.buckets:
            if bucket not in buckets:
                yield (
                    (*where, "access", "buckets", bucket),
                    f"unknown bucket '{bucket}' (buckets: {', '.join(buckets)})",
                )
        if service.assets is not None and service.assets.bucket not in buckets:
            yield (
                (*where, "assets", "bucket"),
                f"unknown bucket '{service.assets.bucket}' (buckets: {', '.join(buckets)})",
            )


def references_resolve(spec: Spec) -> Iterator[Problem]:
    texts: list[tuple[tuple[str | int, ...], str]] = []
    texts.append((("platform", "asset_fetcher_image"), spec.platform.asset_fetcher_image))
    for where, _, service in all_services(spec):
        texts.append(((*where, "image"), service.image))
        texts += [((*where, "env", name), value) for name, value in service.env.items()]
        texts += [((*where, "command", index), part) for index, part in enumerate(service.command or [])]
    texts += [
        (("platform", "terraform_bridge", "values", k), v) for k, v in spec.platform.terraform_bridge.values.items()
    ]
    for at, text in texts:
        for reference in references(text):
            try:
                meaning(spec, reference)
            except UnknownReference as exc:
                yield at, str(exc)


def routes_are_open(spec: Spec) -> Iterator[Problem]:
    """A routed port must be reachable from the ALB (its group lets it out, the service's group lets it in)."""
    from cfncompiler.reach import flows

    alb = spec.platform.load_balancer.security_group
    groups = spec.network.security_groups
    if alb not in groups:
        return  # placements_exist reports the unknown group once; every route would repeat it
    routed = {(f.target, f.port) for f in flows(spec) if f.source == "alb"}
    for where, name, service in all_services(spec):
        if service.route is None or service.security_group not in groups or (name, service.port) in routed:
            continue
        yield (
            (*where, "ports", 0),
            (
                f"{name} is routed on port {service.port}, but the ALB cannot reach it: security group "
                f"'{service.security_group}' must admit {service.port} from '{alb}' and '{alb}' must let it out "
                f"(network.security_groups.{service.security_group}.ingress / .{alb}.egress)"
            ),
        )


def capacity_is_offered(spec: Spec) -> Iterator[Problem]:
    offered = set(spec.platform.cluster.capacity_providers)
    for where, name, service in all_services(spec):
        wanted = [service.capacity] if isinstance(service.capacity, str) else list(service.capacity)
        for provider in wanted:
            if provider not in offered:
                yield (
                    (*where, "capacity"),
                    (
                        f"{name} asks for {provider}, which the cluster does not offer "
                        f"(platform.cluster.capacity_providers: {', '.join(sorted(offered))})"
                    ),
                )


def routes_are_distinct(spec: Spec) -> Iterator[Problem]:
    hosts: dict[str, str] = {}
    priorities: dict[int, str] = {}
    for where, name, service in all_services(spec):
        if service.route is None:
            continue
        route = service.route
        if route.host in hosts:
            yield (*where, "route", "host"), f"host {route.host} is already routed to '{hosts[route.host]}'"
        hosts.setdefault(route.host, name)
        priority = listener_priority(route.host, route.priority)
        if priority in priorities:
            yield (
                (*where, "route"),
                (f"listener priority {priority} is already taken by '{priorities[priority]}'; set route.priority"),
            )
        priorities.setdefault(priority, name)
        if not _covered(route.host, spec.platform.certificate.names):
            yield (
                (*where, "route", "host"),
                (f"{route.host} is not covered by the certificate ({', '.join(spec.platform.certificate.names)})"),
            )


def _covered(host: str, names: list[str]) -> bool:
    for name in names:
        if name == host:
            return True
        if name.startswith("*.") and host.endswith(name[1:]) and "." not in host[: -len(name) + 1]:
            return True
    return False


def discovery_names_unique(spec: Spec) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for where, name, service in all_services(spec):
        if service.discovery is None:
            continue
        if service.discovery in seen:
            yield (
                (*where, "discovery"),
                f"discovery name '{service.discovery}' is already used by '{seen[service.discovery]}'",
            )
        seen.setdefault(service.discovery, name)


def bridge_names_keep_their_meaning(spec: Spec) -> Iterator[Problem]:
    """A bridge value named like one of the platform's own Outputs must be that same value, or the
    Output and the SSM parameter of that name would disagree."""
    from cfncompiler.layers.contract import platform_outputs
    from cfncompiler.references import CrossLayer

    own = {value.name: value for value in platform_outputs()}
    for name, text in spec.platform.terraform_bridge.values.items():
        value = own.get(logical_id(name))
        if value is None:
            continue
        found = references(text)
        try:
            same = text == f"${{{found[0]}}}" and meaning(spec, found[0]) == CrossLayer(value)
        except (IndexError, UnknownReference):
            same = False
        if not same:
            yield (
                ("platform", "terraform_bridge", "values", name),
                (
                    f"'{name}' becomes the Output {value.name}, which the platform already publishes as "
                    f"{value.description}; give this value another name"
                ),
            )


def needs_are_reachable(spec: Spec) -> Iterator[Problem]:
    from cfncompiler.reach import unmet_needs

    yield from unmet_needs(spec)


RULES: tuple[Callable[[Spec], Iterator[Problem]], ...] = (
    service_names_unique,
    placements_exist,
    secrets_exist,
    buckets_exist,
    references_resolve,
    routes_are_open,
    capacity_is_offered,
    routes_are_distinct,
    discovery_names_unique,
    bridge_names_keep_their_meaning,
    needs_are_reachable,
)
