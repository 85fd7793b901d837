"""Rules of the ALB's hosts and the Route 53 zone (spec/rules/dns.py), each as a located edit of the production spec
with a DNS section added (the production spec has none; staging has one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncompiler.spec.load import load
from tests.spec.rules.test_cross_section import (
    test_rule_reports_the_problem_at_its_line as reports_the_problem_at_its_line,
)
from tests.spec_edit import Edit, edited_spec

# The load balancer's last line: the zone and extra hosts are written after it.
LB_END = "    idle_timeout_seconds: 3600   # Coder terminals and IDEs hold websockets open\n"
CODER_WILDCARD = 'wildcard_hosts: ["*--*.company.com"]'
PRIVATE_ZONE = (
    "  dns:\n"
    "    domain: company.com\n"
    "    zone_id: Z0PRIVATE0000000000A\n"
    "    private: true\n"
    "    validation_zone_id: Z0PUBLIC00000000000B\n"
)
WITH_ZONE = (LB_END, LB_END + PRIVATE_ZONE)
LANGFUSE_ROUTE = "      route: {host: langfuse.company.com, health_path: /api/public/health}"
CERTIFICATE_NAMES = '    alternative_names: ["*.company.com", ide.company.com]'


def zone(replace: str, by: str) -> Edit:
    return (LB_END, LB_END + PRIVATE_ZONE.replace(replace, by))


def extra_hosts(hosts: str) -> Edit:
    return (LB_END, LB_END + f"    extra_hosts: [{hosts}]\n")


# (edits, dotted path, message fragment, (line marker, token) of the reported position)
BAD = [
    pytest.param(
        [
            WITH_ZONE,
            (LANGFUSE_ROUTE, LANGFUSE_ROUTE.replace("langfuse.company.com", "langfuse.company.org")),
            (CERTIFICATE_NAMES, CERTIFICATE_NAMES.replace("]", ", langfuse.company.org]")),
        ],
        "observability.services.langfuse-web.route.host",
        "host langfuse.company.org is outside the DNS zone company.com (platform.dns.domain)",
        ("route: {host: langfuse.company.org", "langfuse.company.org"),
        id="zone-routed-host-outside",
    ),
    pytest.param(
        [WITH_ZONE, (CERTIFICATE_NAMES, CERTIFICATE_NAMES.replace("ide.company.com", "ide.company.org"))],
        "platform.certificate.alternative_names[1]",
        "certificate name ide.company.org is outside the DNS zone company.com",
        ("alternative_names:", "ide.company.org"),
        id="zone-certificate-name-outside",
    ),
    pytest.param(
        [zone("    domain: company.com\n", "    domain: corp.company.com\n")],
        "platform.direct_path.hosts[0]",
        "host ide.company.com is outside the DNS zone corp.company.com",
        ("hosts: [ide.company.com]", "ide.company.com"),
        id="zone-direct-path-host-outside",
    ),
    pytest.param(
        [zone("    validation_zone_id: Z0PUBLIC00000000000B\n", "")],
        "platform.dns.private",
        "ACM validates the certificate through public DNS only, and zone Z0PRIVATE0000000000A is private",
        ("    private: true", "true"),
        id="private-zone-without-a-public-one",
    ),
    pytest.param(
        [zone("Z0PUBLIC00000000000B", "Z0PRIVATE0000000000A")],
        "platform.dns.validation_zone_id",
        "validation_zone_id is the private zone Z0PRIVATE0000000000A itself",
        ("validation_zone_id:", "Z0PRIVATE0000000000A"),
        id="private-zone-validating-itself",
    ),
    pytest.param(
        [zone("private: true", "private: false")],
        "platform.dns.validation_zone_id",
        "zone Z0PRIVATE0000000000A is public and validates the certificate itself; leave validation_zone_id out",
        ("validation_zone_id:", "Z0PUBLIC00000000000B"),
        id="public-zone-with-a-validation-zone",
    ),
    pytest.param(
        [extra_hosts('ws.company.com, "*.apps.company.com"')],
        "platform.load_balancer.extra_hosts[1]",
        "*.apps.company.com is not covered by the certificate (coder.company.com, *.company.com, ide.company.com)",
        ("extra_hosts:", '"*.apps.company.com"'),
        id="extra-host-not-on-the-certificate",
    ),
    pytest.param(
        [extra_hosts("ws.company.com, ai.company.com")],
        "platform.load_balancer.extra_hosts[1]",
        "host ai.company.com is routed to 'litellm' already",
        ("extra_hosts:", "ai.company.com"),
        id="extra-host-routed",
    ),
    pytest.param(
        [extra_hosts("ws.company.com, ide.company.com")],
        "platform.load_balancer.extra_hosts[1]",
        "host ide.company.com is on the direct path already",
        ("extra_hosts:", "ide.company.com"),
        id="extra-host-on-the-direct-path",
    ),
    pytest.param(
        [extra_hosts("ws.company.com, ws.company.com")],
        "platform.load_balancer.extra_hosts[1]",
        "host ws.company.com is listed more than once",
        ("extra_hosts:", "|ws.company.com]"),
        id="extra-host-twice",
    ),
    pytest.param(
        [extra_hosts('"*.company.com"')],
        "platform.load_balancer.extra_hosts[0]",
        "host *.company.com is the DNS name of 'coder''s wildcard host *--*.company.com already",
        ("extra_hosts:", '"*.company.com"'),
        id="extra-host-a-wildcard-host-names-already",
    ),
    pytest.param(
        [
            WITH_ZONE,
            (CODER_WILDCARD, CODER_WILDCARD.replace("company.com", "company.org")),
            (CERTIFICATE_NAMES, CERTIFICATE_NAMES.replace("]", ', "*.company.org"]')),
        ],
        "platform.services.coder.route.wildcard_hosts[0]",
        "host *--*.company.org is outside the DNS zone company.com (platform.dns.domain)",
        ("wildcard_hosts:", '"*--*.company.org"'),
        id="zone-wildcard-host-outside",
    ),
]


@pytest.mark.parametrize(("edits", "path", "fragment", "at"), BAD)
def test_rule_reports_the_problem_at_its_line(
    tmp_path: Path, edits: list[Edit], path: str, fragment: str, at: tuple[str, str]
) -> None:
    reports_the_problem_at_its_line(tmp_path, edits, path, fragment, at)


GOOD = [
    pytest.param([WITH_ZONE], id="private-zone-with-a-public-one"),
    pytest.param(
        [(LB_END, LB_END + PRIVATE_ZONE.replace("true", "false").split("    validation_zone_id")[0])],
        id="public-zone-alone",
    ),
    pytest.param([extra_hosts("ws.company.com")], id="extra-host-under-wildcard"),
]


@pytest.mark.parametrize("edits", GOOD)
def test_edit_beside_the_rule_boundary_still_loads(tmp_path: Path, edits: list[Edit]) -> None:
    load(edited_spec(tmp_path, *edits))
