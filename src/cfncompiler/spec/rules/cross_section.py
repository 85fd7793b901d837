"""Rules that relate the sections of a spec: every name a service uses must exist, and every
route must actually be able to carry traffic."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfncompiler import contract
from cfncompiler.contract import platform_outputs
from cfncompiler.naming import (
    DIRECT_PATH_PRIORITY,
    ROUTE_PRIORITIES,
    WILDCARD_PRIORITY,
    listener_priority,
    logical_id,
    reserved_priority,
)
from cfncompiler.spec.model import (
    ANYWHERE_PEER,
    DATABASE_SECRET,
    DATABASE_SECRET_KEYS,
    S3_NAME_MAX,
    S3_NAME_OVERHEAD,
    RouteKind,
    Service,
    Spec,
    wildcard_record,
)
from cfncompiler.spec.reach import HTTPS_PORT, RESERVED_NAMES, flows, unmet_needs
from cfncompiler.spec.references import CrossLayer, UnknownReference, meaning, references
from cfncompiler.spec.rules.base import SPEC, WARNING, Loc, Violation, rule, unknown_group, unknown_tier
from cfncompiler.spec.rules.network import one_subnet_per_az

ServiceEntry = tuple[Loc, str, Service]


def all_services(spec: Spec) -> Iterator[ServiceEntry]:
    for section, name, service in spec.services():
        yield (section, "services", name), name, service


@rule("S401", "service names are unique across layers and name no other part of the spec", SPEC)
def service_names_unique(spec: Spec) -> Iterator[Violation]:

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


@rule("S402", "everything placed in the network names a tier and a security group that exist", SPEC)
def placements_exist(spec: Spec) -> Iterator[Violation]:
    net = spec.network
    data = spec.data
    platform = spec.platform
    placements: list[tuple[Loc, str, str, str]] = [
        (("data", "database"), "subnet_tier", data.database.subnet_tier, data.database.security_group),
        (("data", "cache"), "subnet_tier", data.cache.subnet_tier, data.cache.security_group),
        (("data", "file_system"), "mount_tier", data.file_system.mount_tier, data.file_system.security_group),
        (
            ("platform", "load_balancer"),
            "subnet_tier",
            platform.load_balancer.subnet_tier,
            platform.load_balancer.security_group,
        ),
        (
            ("platform", "workspaces"),
            "subnet_tier",
            platform.workspaces.subnet_tier,
            platform.workspaces.security_group,
        ),
    ]
    placements += [(where, "subnet_tier", s.subnet_tier, s.security_group) for where, _, s in all_services(spec)]
    for where, tier_field, tier, group in placements:
        if tier not in net.tiers:
            yield (*where, tier_field), unknown_tier(tier, net.tiers)
        if group not in net.security_groups:
            yield (*where, "security_group"), unknown_group(group, net.security_groups)


@rule("S403", "every bucket name fits S3's 63 characters once the project and account id are added", SPEC)
def bucket_names_fit(spec: Spec) -> Iterator[Violation]:
    longest = max((b for b, v in spec.data.buckets.items() if v.name is None), key=len, default="")
    length = len(spec.project) + len(longest) + S3_NAME_OVERHEAD
    if longest and length > S3_NAME_MAX:
        yield (
            ("data", "buckets", longest),
            (
                f"the bucket name {spec.project}-{longest}-<account id> would be "
                f"{length} characters; S3 allows {S3_NAME_MAX} (shorten the bucket or the project name)"
            ),
        )


@rule("S404", "the file system's tier has one subnet per AZ (one mount target each)", SPEC)
def one_mount_target_per_az(spec: Spec) -> Iterator[Violation]:
    net = spec.network
    fs = spec.data.file_system
    if fs.mount_tier in net.tiers:
        yield from one_subnet_per_az(net, fs.mount_tier, ("data", "file_system", "mount_tier"), "EFS mount targets")


@rule("S405", "the database's tier spans at least two availability zones (RDS requires it)", SPEC)
def database_spans_two_azs(spec: Spec) -> Iterator[Violation]:
    net = spec.network
    tier = spec.data.database.subnet_tier
    if tier in net.tiers and len({net.subnets[s].az for s in net.subnets_in(tier)}) < 2:
        yield ("data", "database", "subnet_tier"), "RDS needs subnets in at least two availability zones"


@rule("S406", "a service's secrets and the direct path's client name secrets (and keys) that exist", SPEC)
def secrets_exist(spec: Spec) -> Iterator[Violation]:

    secrets = spec.data.secrets
    yield from _direct_path_client_exists(spec)
    for where, _, service in all_services(spec):
        for env, ref in service.secrets.items():
            at = (*where, "secrets", env)
            if ref.secret == DATABASE_SECRET or ref.secret in spec.data.database.login_secrets:
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


def _direct_path_client_exists(spec: Spec) -> Iterator[Violation]:
    """The ALB reads the client id and secret as two JSON keys of one provided secret."""
    direct = spec.platform.direct_path
    if direct is None:
        return
    client = direct.oidc.client
    at: Loc = ("platform", "direct_path", "oidc", "client")
    secret = spec.data.secrets.get(client.secret)
    if secret is None:
        yield (*at, "secret"), f"unknown secret '{client.secret}' (data.secrets has: {', '.join(spec.data.secrets)})"
        return
    if secret.provided is None:
        yield (
            (*at, "secret"),
            (
                f"secret '{client.secret}' is generated, but the OIDC client's id and secret come from the "
                f"provider: make it 'provided: [{client.id_key}, {client.secret_key}]'"
            ),
        )
        return
    for field, key in (("id_key", client.id_key), ("secret_key", client.secret_key)):
        if key not in secret.keys:
            yield (*at, field), f"secret '{client.secret}' has no key '{key}' (keys: {', '.join(secret.keys)})"
    if client.id_key == client.secret_key:
        yield (*at, "secret_key"), f"the client id and the client secret cannot both be key '{client.id_key}'"


@rule("S407", "a service's buckets and asset bucket exist", SPEC)
def buckets_exist(spec: Spec) -> Iterator[Violation]:
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


@rule("S408", "every ${...} reference names something the spec has", SPEC)
def references_resolve(spec: Spec) -> Iterator[Violation]:
    texts: list[tuple[Loc, str]] = []
    texts.append((("platform", "asset_fetcher_image"), spec.platform.asset_fetcher_image))
    if spec.data.database.bootstrap_image is not None:
        texts.append((("data", "database", "bootstrap_image"), spec.data.database.bootstrap_image))
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


@rule("S409", "a routed port is open from the ALB to the service", SPEC)
def routes_are_open(spec: Spec) -> Iterator[Violation]:
    """A routed port must be reachable from the ALB (its group lets it out, the service's group lets it in)."""

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


@rule("S410", "a service asks only for capacity providers the cluster offers", SPEC)
def capacity_is_offered(spec: Spec) -> Iterator[Violation]:
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


@rule(
    "S411",
    "routes have distinct hosts and listener priorities outside the reserved ones, each host on the certificate",
    SPEC,
)
def routes_are_distinct(spec: Spec) -> Iterator[Violation]:
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
        reserved = reserved_priority(priority)
        if reserved is not None:
            yield (
                (*where, "route", "priority"),
                (
                    f"listener priority {priority} is reserved for {reserved}; "
                    f"choose {ROUTE_PRIORITIES[0]}-{ROUTE_PRIORITIES[-1]}"
                ),
            )
        elif priority in priorities:
            yield (
                (*where, "route"),
                (f"listener priority {priority} is already taken by '{priorities[priority]}'; set route.priority"),
            )
        priorities.setdefault(priority, name)
        if not covered(route.host, spec.platform.certificate.names):
            yield (
                (*where, "route", "host"),
                (f"{route.host} is not covered by the certificate ({', '.join(spec.platform.certificate.names)})"),
            )


def covered(host: str, names: list[str]) -> bool:
    for name in names:
        if name == host:
            return True
        if name.startswith("*.") and host.endswith(name[1:]) and "." not in host[: -len(name) + 1]:
            return True
    return False


# Wildcard characters one listener rule may hold, across all its condition values (an ALB quota).
RULE_WILDCARDS = 5


def alb_matches(pattern: str, host: str) -> bool:
    """The ALB's host-header match: case-insensitive, * for any characters (dots too), ? for exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, host, re.IGNORECASE) is not None


def wildcard_hosts(spec: Spec) -> Iterator[tuple[Loc, str, str]]:
    """Every route's wildcard host: (where, service name, pattern)."""
    for where, name, service in all_services(spec):
        if service.route is not None:
            for index, pattern in enumerate(service.route.wildcard_hosts):
                yield (*where, "route", "wildcard_hosts", index), name, pattern


@rule(
    "S423",
    "a route's host is exact; its wildcard hosts are on the certificate, fit one listener rule, and one service "
    "claims them",
    SPEC,
)
def wildcard_hosts_are_served(spec: Spec) -> Iterator[Violation]:
    """The wildcard rule has one priority, after every exact host's: a second service's would need another
    number there, and which of two overlapping wildcards answered would depend on it."""
    names = spec.platform.certificate.names
    claimed: dict[str, str] = {}
    owner: str | None = None
    for where, name, service in all_services(spec):
        route = service.route
        if route is None:
            continue
        if "*" in route.host or "?" in route.host:
            yield (
                (*where, "route", "host"),
                (
                    f"host {route.host} is a pattern, and a route's rule may be evaluated before other services' "
                    "exact hosts that it matches; name one exact host here and the pattern under "
                    "route.wildcard_hosts (evaluated after every exact host)"
                ),
            )
        count = sum(pattern.count("*") + pattern.count("?") for pattern in route.wildcard_hosts)
        if count > RULE_WILDCARDS:
            yield (
                (*where, "route", "wildcard_hosts"),
                f"these host patterns hold {count} wildcard characters; one ALB listener rule allows {RULE_WILDCARDS}",
            )
        for index, pattern in enumerate(route.wildcard_hosts):
            at: Loc = (*where, "route", "wildcard_hosts", index)
            if pattern in route.wildcard_hosts[:index]:
                yield at, f"wildcard host {pattern} is listed more than once"
            elif pattern in claimed:
                yield at, f"wildcard host {pattern} is claimed by '{claimed[pattern]}' already"
            elif owner is not None and owner != name:
                yield (
                    at,
                    (
                        f"'{owner}' answers wildcard hosts already; the ALB's wildcard rule has one priority "
                        f"({WILDCARD_PRIORITY}, after every exact host), so one service may have them"
                    ),
                )
            elif not covered(wildcard_record(pattern), names):
                yield (
                    at,
                    (
                        f"{pattern} is not covered by the certificate ({', '.join(names)}); add "
                        f"{wildcard_record(pattern)} to platform.certificate.alternative_names"
                    ),
                )
            claimed.setdefault(pattern, name)
            owner = owner or name


@rule("S424", "a route's wildcard host matches none of the direct path's hosts", SPEC)
def wildcard_hosts_spare_the_direct_path(spec: Spec) -> Iterator[Violation]:
    """The direct path's sign-in rule has the ALB's last priority, so no rule can come after it: a wildcard
    rule matching its host would come before, and take that host's requests past the sign-in."""
    direct = spec.platform.direct_path
    if direct is None:
        return
    for where, _, pattern in wildcard_hosts(spec):
        for host in direct.hosts:
            if alb_matches(pattern, host):
                rest = pattern.split(".", 1)[1]
                yield (
                    where,
                    (
                        f"{pattern} also matches {host}, the direct path's host, whose sign-in rule has the ALB's "
                        f"last priority ({DIRECT_PATH_PRIORITY}); the wildcard rule ({WILDCARD_PRIORITY}) would "
                        f"take {host}'s requests past the sign-in. Narrow the pattern so it cannot match {host} "
                        f"(Coder's app hosts all contain '--': *--*.{rest})"
                    ),
                )


@rule("S412", "discovery names are unique", SPEC)
def discovery_names_unique(spec: Spec) -> Iterator[Violation]:
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


@rule("S413", "a bridge value named like a platform Output is that Output", SPEC)
def bridge_names_keep_their_meaning(spec: Spec) -> Iterator[Violation]:
    """A bridge value named like one of the platform's own Outputs must be that same value, or the
    Output and the SSM parameter of that name would disagree."""

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


@rule("S414", "what a service or the workspaces need, the security groups allow", SPEC)
def needs_are_reachable(spec: Spec) -> Iterator[Violation]:
    yield from unmet_needs(spec)


@rule("S415", "the direct path's hosts are on the certificate, listed once, and routed to no service", SPEC)
def direct_path_hosts_are_served(spec: Spec) -> Iterator[Violation]:
    direct = spec.platform.direct_path
    if direct is None:
        return
    names = spec.platform.certificate.names
    routed = {s.route.host: name for _, name, s in spec.services() if s.route is not None}
    for index, host in enumerate(direct.hosts):
        where: Loc = ("platform", "direct_path", "hosts", index)
        if host in direct.hosts[:index]:
            yield where, f"host {host} is listed more than once"
        elif not covered(host, names):
            yield (
                where,
                (
                    f"{host} is not covered by the certificate ({', '.join(names)}); add it to "
                    "platform.certificate.alternative_names, or a wildcard over it"
                ),
            )
        if host in routed:
            yield (
                where,
                (
                    f"host {host} is routed to '{routed[host]}' already; the direct path needs a host of its own "
                    "(a service behind it would be reached without the sign-in)"
                ),
            )


@rule("S416", "the direct path's ALB can reach the OIDC provider and the workspaces", SPEC)
def direct_path_is_reachable(spec: Spec) -> Iterator[Violation]:
    """The ALB itself calls the provider's token and user-info endpoints; being internal, it has
    private addresses only, so it reaches them through a NAT gateway and an egress rule for 443."""
    direct = spec.platform.direct_path
    lb = spec.platform.load_balancer
    groups = spec.network.security_groups
    if direct is None or lb.security_group not in groups or lb.subnet_tier not in spec.network.tiers:
        return  # placements_exist reports an unknown group or tier once
    route = spec.network.tiers[lb.subnet_tier]
    if route is not RouteKind.NAT:
        yield (
            ("platform", "load_balancer", "subnet_tier"),
            (
                f"the direct path's ALB calls the OIDC provider's token and user-info endpoints itself, and an "
                f"internal ALB reaches the internet only through a NAT gateway; tier '{lb.subnet_tier}' routes "
                f"to {route.value}"
            ),
        )
    egress = groups[lb.security_group].egress
    if egress != "all" and not any(
        rule.peer == ANYWHERE_PEER and rule.protocol == "tcp" and HTTPS_PORT in rule.ports
        for rule in (egress if isinstance(egress, list) else [])
    ):
        yield (
            ("network", "security_groups", lb.security_group, "egress"),
            (
                f"the direct path's ALB calls the OIDC provider over HTTPS, but security group "
                f"'{lb.security_group}' does not let tcp 443 out to anywhere"
            ),
        )
    if not any(f.source == "alb" and f.target == "workspaces" for f in flows(spec)):
        group = spec.platform.workspaces.security_group
        yield (
            ("platform", "direct_path", "hosts"),
            (
                f"the direct path leads to no workspace: security group '{group}' admits no port from "
                f"'{lb.security_group}' that '{lb.security_group}' lets out "
                f"(network.security_groups.{group}.ingress / .{lb.security_group}.egress)"
            ),
        )


@rule(
    "S418",
    "an application database's services exist, each uses one database, and each says it needs the database",
    SPEC,
)
def database_users_exist(spec: Spec) -> Iterator[Violation]:
    services = {name: (where, service) for where, name, service in all_services(spec)}
    users: dict[str, str] = {}
    for database, entry in spec.data.database.databases.items():
        for index, name in enumerate(entry.services):
            at: Loc = ("data", "database", "databases", database, "services", index)
            if name not in services:
                yield at, f"unknown service '{name}' (services: {', '.join(services)})"
                continue
            if name in users:
                yield at, f"service '{name}' already uses database '{users[name]}'; a service logs in to one database"
                continue
            users[name] = database
            where, service = services[name]
            if "database" not in service.needs:
                yield (
                    (*where, "needs"),
                    f"{name} uses database '{database}' (its bootstrap and its app connect to it): add 'database' "
                    "to its needs, so synth checks that the security groups let it through",
                )


@rule("S419", "a service logs in to the database as its own login, never as the master user or another's", SPEC)
def services_use_their_own_login(spec: Spec) -> Iterator[Violation]:
    """Only the bootstrap logs in as the master user; an app that did could read every other app's data."""
    db = spec.data.database
    for where, name, service in all_services(spec):
        own = db.database_of(name)
        own_secret = db.databases[own].secret if own is not None else None
        advice = (
            f"read its own login's secret {{secret: {own_secret}, key: ...}}"
            if own_secret is not None
            else f"give it a database of its own under data.database.databases (services: [{name}])"
        )
        for env, ref in service.secrets.items():
            at: Loc = (*where, "secrets", env, "secret")
            if ref.secret == DATABASE_SECRET:
                yield at, f"'{DATABASE_SECRET}' is the master user's secret, which only the bootstrap reads; {advice}"
            elif ref.secret in db.login_secrets and ref.secret != own_secret:
                yield at, f"secret '{ref.secret}' is the login of database '{db.login_secrets[ref.secret]}'; {advice}"
        texts = [((*where, "env", k), v) for k, v in service.env.items()]
        texts += [((*where, "command", i), part) for i, part in enumerate(service.command or [])]
        for at, text in texts:
            for reference in references(text):
                parts = reference.split(".")
                if parts == ["database", "username"]:
                    yield at, f"'${{database.username}}' is the master user, only the bootstrap's login; {advice}"
                elif len(parts) == 3 and parts[0] == "database" and parts[1] in db.databases and parts[1] != own:
                    yield at, f"'${{{reference}}}' is database '{parts[1]}', which {name} does not use; {advice}"


def secret_users(spec: Spec) -> dict[str, list[str]]:
    """Secret name -> what in the spec uses it: services, the direct path's listener rule, the cache, the bridge."""
    users: dict[str, list[str]] = {}
    for _, name, service in all_services(spec):
        for ref in service.secrets.values():
            users.setdefault(ref.secret, []).append(f"service '{name}'")
    if spec.platform.direct_path is not None:
        users.setdefault(spec.platform.direct_path.oidc.client.secret, []).append("the direct path's listener rule")
    users.setdefault(spec.data.cache.auth_token_secret, []).append("the cache's AUTH token")
    for hook in spec.alarms.notify.https:
        users.setdefault(hook.secret, []).append("the alarm topic's webhook subscription")
    arns = {contract.secret_arn(secret).name: secret for secret in spec.data.secrets}
    for name, text in spec.platform.terraform_bridge.values.items():
        for reference in references(text):
            try:
                target = meaning(spec, reference)
            except UnknownReference:
                continue
            if isinstance(target, CrossLayer) and target.value.name in arns:
                users.setdefault(arns[target.value.name], []).append(f"bridge value '{name}'")
    return users


@rule(
    "S417",
    "every secret is used by a service, the direct path, the cache or the bridge, or says why it is kept",
    SPEC,
    severity=WARNING,
)
def secrets_are_used(spec: Spec) -> Iterator[Violation]:
    """A secret nothing reads is created, encrypted and paid for, and usually means a step is missing
    (as prod/alb/oidc was, before the direct path existed)."""
    users = secret_users(spec)
    for name, secret in spec.data.secrets.items():
        used = users.get(name, [])
        if not used and secret.kept_for is None:
            yield (
                ("data", "secrets", name),
                (
                    f"secret '{name}' is used by no service, listener rule, cache or bridge value; use it, "
                    "remove it, or say why it is kept with 'kept_for: <reason>'"
                ),
            )
        elif used and secret.kept_for is not None:
            yield (
                ("data", "secrets", name, "kept_for"),
                f"secret '{name}' is used by {used[0]}; 'kept_for' no longer says anything true, remove it",
            )


RULES = (
    service_names_unique,
    placements_exist,
    bucket_names_fit,
    one_mount_target_per_az,
    database_spans_two_azs,
    secrets_exist,
    buckets_exist,
    references_resolve,
    routes_are_open,
    capacity_is_offered,
    routes_are_distinct,
    wildcard_hosts_are_served,
    wildcard_hosts_spare_the_direct_path,
    discovery_names_unique,
    bridge_names_keep_their_meaning,
    needs_are_reachable,
    direct_path_hosts_are_served,
    direct_path_is_reachable,
    secrets_are_used,
    database_users_exist,
    services_use_their_own_login,
)
