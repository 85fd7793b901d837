"""The platform's names in Route 53 (platform.dns): the certificate's validation through the zone, and an
alias record to the internal ALB for every host that leads to it."""

from __future__ import annotations

from troposphere import GetAtt, route53
from troposphere import certificatemanager as acm

from cfncompiler.layers.common import Layer
from cfncompiler.naming import logical_id


def validation_options(layer: Layer) -> list[acm.DomainValidationOption] | None:
    """One option per certificate name, so CloudFormation writes every validation record into the zone
    and the certificate is issued without anyone's hands; None (no option) without a DNS section."""
    dns = layer.spec.platform.dns
    if dns is None:
        return None
    return [
        acm.DomainValidationOption(DomainName=name, HostedZoneId=dns.certificate_zone_id)
        for name in layer.spec.platform.certificate.names
    ]


def record_id(host: str) -> str:
    """'coder.company.com' -> 'DnsCoderCompanyCom'; '*.company.com' -> 'DnsWildcardCompanyCom' (never the apex's)."""
    return logical_id("dns", host.replace("*", "wildcard"))


def host_records(layer: Layer, balancer: object) -> None:
    """An A alias record to the ALB for every host of the spec (routes, direct path, extra hosts)."""
    dns = layer.spec.platform.dns
    if dns is None:
        return
    for host in layer.spec.alb_hosts():
        layer.add(
            route53.RecordSetType(
                record_id(host),
                HostedZoneId=dns.zone_id,
                Name=host,
                Type="A",
                # An alias costs nothing per query and follows the ALB's addresses as they change.
                AliasTarget=route53.AliasTarget(
                    DNSName=GetAtt(balancer, "DNSName"),
                    HostedZoneId=GetAtt(balancer, "CanonicalHostedZoneID"),
                    EvaluateTargetHealth=False,
                ),
            )
        )
