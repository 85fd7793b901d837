"""The platform's names in Route 53 (layers/dns.py): the certificate validated through the zone and an alias
record to the ALB for every host, with a DNS section (staging's); neither without one (production's)."""

from __future__ import annotations

import pytest

from cfncompiler.layers.dns import record_id
from cfncompiler.spec.load import load_spec
from cfncompiler.spec.model import Spec
from tests.spec_edit import ROOT, Compiled, TemplateDict, compile_templates, get_att, props, resources_of_type

STAGING_SPEC = ROOT / "spec" / "staging.yaml"


@pytest.fixture(scope="module")
def staging() -> Spec:
    return load_spec(STAGING_SPEC)


@pytest.fixture(scope="module")
def staging_platform() -> TemplateDict:
    return compile_templates(STAGING_SPEC)["platform"]


def test_with_a_zone_the_certificate_validates_every_name_in_the_public_zone(
    staging: Spec, staging_platform: TemplateDict
) -> None:
    dns = staging.platform.dns
    assert dns is not None and dns.validation_zone_id is not None
    options = props(staging_platform, "Certificate")["DomainValidationOptions"]
    assert options == [
        {"DomainName": name, "HostedZoneId": dns.validation_zone_id} for name in staging.platform.certificate.names
    ]


def test_with_a_zone_every_host_and_the_wildcard_access_host_get_an_alias_record_to_the_alb(
    staging: Spec, staging_platform: TemplateDict
) -> None:
    dns = staging.platform.dns
    assert dns is not None
    records = resources_of_type(staging_platform, "AWS::Route53::RecordSet")
    hosts = [
        "coder.staging.company.com",
        "ai.staging.company.com",
        "admin.staging.company.com",
        "langfuse.staging.company.com",  # routed by the observability layer, through the platform's ALB
        "ide.staging.company.com",
        "*.staging.company.com",  # from Coder's route.wildcard_hosts (*--*.staging...), not from extra_hosts
    ]
    assert sorted(records) == sorted(record_id(host) for host in hosts)
    for host in hosts:
        assert props(staging_platform, record_id(host)) == {
            "HostedZoneId": dns.zone_id,
            "Name": host,
            "Type": "A",
            "AliasTarget": {
                "DNSName": get_att("LoadBalancer", "DNSName"),
                "HostedZoneId": get_att("LoadBalancer", "CanonicalHostedZoneID"),
                "EvaluateTargetHealth": False,
            },
        }


def test_the_wildcard_record_is_not_the_apex_record() -> None:
    assert record_id("*.company.com") == "DnsWildcardCompanyCom" != record_id("company.com")


def test_without_a_zone_there_is_no_record_and_no_validation_option(compiled: Compiled) -> None:
    platform = compiled.templates["platform"]
    assert compiled.spec.platform.dns is None
    assert resources_of_type(platform, "AWS::Route53::RecordSet") == {}
    assert "DomainValidationOptions" not in props(platform, "Certificate")


def test_the_platform_publishes_the_albs_dns_name_for_the_records_to_create(compiled: Compiled) -> None:
    assert compiled.templates["platform"]["Outputs"]["AlbDnsName"]["Value"] == get_att("LoadBalancer", "DNSName")
