"""Rules of the hosts the ALB answers and the Route 53 zone they live in (platform.dns)."""

from __future__ import annotations

from collections.abc import Iterator

from cfncompiler.spec.model import Spec, wildcard_record
from cfncompiler.spec.rules.base import SPEC, Loc, Violation, rule
from cfncompiler.spec.rules.cross_section import all_services, covered, wildcard_hosts


def in_domain(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or a name under it (a wildcard included): what a zone of ``domain`` can hold."""
    return host == domain or host.endswith(f".{domain}")


def located_hosts(spec: Spec) -> Iterator[tuple[Loc, str]]:
    """Every host name that leads to the ALB, with where the spec writes it."""
    for where, _, service in all_services(spec):
        if service.route is not None:
            yield (*where, "route", "host"), service.route.host
    if spec.platform.direct_path is not None:
        for index, host in enumerate(spec.platform.direct_path.hosts):
            yield ("platform", "direct_path", "hosts", index), host
    for where, _, pattern in wildcard_hosts(spec):
        yield where, pattern
    for index, host in enumerate(spec.platform.load_balancer.extra_hosts):
        yield ("platform", "load_balancer", "extra_hosts", index), host


@rule("S420", "with a DNS zone, every host and every certificate name lies inside the zone's domain", SPEC)
def hosts_are_in_the_zone(spec: Spec) -> Iterator[Violation]:
    dns = spec.platform.dns
    if dns is None:
        return
    certificate = spec.platform.certificate
    names: list[tuple[Loc, str]] = [(("platform", "certificate", "domain"), certificate.domain)]
    names += [
        (("platform", "certificate", "alternative_names", index), name)
        for index, name in enumerate(certificate.alternative_names)
    ]
    for where, name in names:
        if not in_domain(name, dns.domain):
            yield (
                where,
                (
                    f"certificate name {name} is outside the DNS zone {dns.domain}, so CloudFormation cannot "
                    "validate it there; name it inside the zone or change platform.dns"
                ),
            )
    for where, host in located_hosts(spec):
        if not in_domain(host, dns.domain):
            yield (
                where,
                f"host {host} is outside the DNS zone {dns.domain} (platform.dns.domain), so it gets no record there",
            )


@rule("S421", "a private DNS zone names a public zone for the certificate's validation, a public zone none", SPEC)
def certificate_validates_in_public_dns(spec: Spec) -> Iterator[Violation]:
    """ACM looks the validation records up in public DNS: a private zone's records are invisible to it,
    and a certificate validated there stays pending until the stack times out."""
    dns = spec.platform.dns
    if dns is None:
        return
    if dns.private and dns.validation_zone_id is None:
        yield (
            ("platform", "dns", "private"),
            (
                f"ACM validates the certificate through public DNS only, and zone {dns.zone_id} is private; name the "
                f"public zone of {dns.domain} in platform.dns.validation_zone_id"
            ),
        )
    elif dns.private and dns.validation_zone_id == dns.zone_id:
        yield (
            ("platform", "dns", "validation_zone_id"),
            f"validation_zone_id is the private zone {dns.zone_id} itself; name the public zone of {dns.domain}",
        )
    elif not dns.private and dns.validation_zone_id is not None:
        yield (
            ("platform", "dns", "validation_zone_id"),
            (
                f"zone {dns.zone_id} is public and validates the certificate itself; leave validation_zone_id out "
                "(it is for a private zone)"
            ),
        )


@rule(
    "S422",
    "the ALB's extra hosts are on the certificate, listed once, and named by no route, wildcard host or direct path",
    SPEC,
)
def extra_hosts_are_served(spec: Spec) -> Iterator[Violation]:
    platform = spec.platform
    names = platform.certificate.names
    elsewhere = {s.route.host: f"routed to '{n}'" for _, n, s in all_services(spec) if s.route is not None}
    if platform.direct_path is not None:
        elsewhere |= {host: "on the direct path" for host in platform.direct_path.hosts}
    # A route's wildcard host gets its DNS name without being listed here, where it would be written twice.
    elsewhere |= {
        wildcard_record(pattern): f"the DNS name of '{name}''s wildcard host {pattern}"
        for _, name, pattern in wildcard_hosts(spec)
    }
    extra = platform.load_balancer.extra_hosts
    for index, host in enumerate(extra):
        where: Loc = ("platform", "load_balancer", "extra_hosts", index)
        if host in extra[:index]:
            yield where, f"host {host} is listed more than once"
        elif host in elsewhere:
            yield where, f"host {host} is {elsewhere[host]} already; an extra host is one nothing else names"
        elif not covered(host, names):
            yield (
                where,
                (
                    f"{host} is not covered by the certificate ({', '.join(names)}); add it to "
                    "platform.certificate.alternative_names, or a wildcard over it"
                ),
            )


RULES = (hosts_are_in_the_zone, certificate_validates_in_public_dns, extra_hosts_are_served)
