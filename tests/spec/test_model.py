"""The spec model's rules, each with a good and a bad case.

Every bad case is a small edit of ``fixtures/minimal.yaml`` and expects exactly one problem at
the dotted path given, whose message contains the fragment given, located at the line and
column of a token of the edited text (``Where``: the line holding ``marker``, the column of
``token`` on it, ``|`` marking the exact column). Positions are looked up in the edited text
rather than written as numbers so the fixture can grow with the model.
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Network
from pathlib import Path

import pytest
from pydantic import ValidationError

from cfncompiler.spec.load import load_spec
from cfncompiler.spec.model import Database, Network, RouteKind, Secret, Spec
from cfncompiler.spec.rules.base import duplicate_ids
from tests.conftest import Edit, Where
from tests.spec_edit import edited_spec, only_problem, problems_of

DATABASE_PLACEMENT = "    subnet_tier: data\n    security_group: db\n  cache:"
CACHE_PLACEMENT = "    subnet_tier: data\n    security_group: db\n    auth_token_secret"
WEB_INGRESS = "description: Load balancer\n      ingress:\n        - from: vpc"
NAT_GATEWAY = "  nat_gateway:\n    subnet: public-a\n"
LAST_SUBNET = "    data-b: {cidr: 10.1.21.0/24, az: 1, tier: data}\n"
PROVIDED = "      provided: [api_key, api_base]\n"
LAST_SECRET = "      generate: {length: 64, alphabet: alphanumeric}\n"
INTERFACE_ENDPOINTS = "    interface_tier: app\n    security_group: vpce\n"

# (edits, path, message fragment, where)
CROSS_FIELD_RULES = [
    pytest.param(
        [("cidr: 10.1.20.0/24", "cidr: 10.2.20.0/24")],
        "network.subnets.data-a.cidr",
        "10.2.20.0/24 is outside the VPC's 10.1.0.0/16",
        Where("10.2.20.0/24"),
        id="subnet-outside-vpc",
    ),
    pytest.param(
        [("cidr: 10.1.21.0/24", "cidr: 10.1.20.128/25")],
        "network.subnets.data-b.cidr",
        "10.1.20.128/25 overlaps subnet 'data-a' (10.1.20.0/24)",
        Where("10.1.20.128/25"),
        id="subnets-overlap",
    ),
    pytest.param(
        [("10.1.21.0/24, az: 1", "10.1.21.0/24, az: 2")],
        "network.subnets.data-b.az",
        "AZ index 2 does not exist: the VPC spans 2 availability zones (0-1)",
        Where("data-b:", "az: |2"),
        id="az-index-out-of-range",
    ),
    pytest.param(
        [("az: 1, tier: data}", "az: 1, tier: dta}")],
        "network.subnets.data-b.tier",
        "unknown tier 'dta' (tiers: public, app, data)",
        Where("data-b:", "dta"),
        id="subnet-unknown-tier",
    ),
    pytest.param(
        [("    data: none\n", "    data: none\n    spare: none\n")],
        "network.tiers.spare",
        "tier 'spare' has no subnets",
        Where("spare: none", "none"),
        id="tier-without-subnets",
    ),
    pytest.param(
        [("subnet: public-a", "subnet: public-z")],
        "network.nat_gateway.subnet",
        "unknown subnet 'public-z'",
        Where("public-z"),
        id="nat-gateway-unknown-subnet",
    ),
    pytest.param(
        [("subnet: public-a", "subnet: app-a")],
        "network.nat_gateway.subnet",
        "must sit in a subnet whose tier routes to the internet gateway; 'app-a' is in tier 'app'",
        Where("subnet: app-a", "app-a"),
        id="nat-gateway-not-in-internet-gateway-tier",
    ),
    pytest.param(
        [(NAT_GATEWAY, "")],
        "network.tiers.app",
        "this tier routes through a NAT gateway, but no nat_gateway is declared",
        Where("app: nat", "nat"),
        id="nat-tier-without-nat-gateway",
    ),
    pytest.param(
        [("        - from: web\n", "        - from: webb\n")],
        "network.security_groups.service.ingress[0].from",
        "unknown security group 'webb' (groups: web, service, db, files, vpce)",
        Where("from: webb", "webb"),
        id="ingress-unknown-group",
    ),
    pytest.param(
        [("- to: anywhere", "- to: nowhere")],
        "network.security_groups.service.egress[0].to",
        "unknown security group 'nowhere'",
        Where("nowhere"),
        id="egress-unknown-group",
    ),
    pytest.param(
        [("security_group: vpce", "security_group: vpcee")],
        "network.endpoints.security_group",
        "unknown security group 'vpcee'",
        Where("vpcee"),
        id="endpoints-unknown-group",
    ),
    pytest.param(
        [(WEB_INGRESS, WEB_INGRESS.replace("from: vpc", "from: anywhere"))],
        "network.security_groups.web.ingress[0].from",
        "ingress from anywhere (0.0.0.0/0) is not allowed",
        Where("from: anywhere", "anywhere"),
        id="ingress-from-anywhere",
    ),
    pytest.param(
        [("gateway: [s3]", "gateway: [s3, s3]")],
        "network.endpoints.gateway",
        "listed more than once: s3",
        Where("gateway: [s3, s3]", "gateway"),
        id="duplicate-gateway-endpoint",
    ),
    pytest.param(
        [("interface: [sts, logs]", "interface: [sts, logs, sts]")],
        "network.endpoints.interface",
        "listed more than once: sts",
        Where("interface: [sts, logs, sts]", "interface"),
        id="duplicate-interface-endpoint",
    ),
    pytest.param(
        [("gateway_tiers: [app, data]", "gateway_tiers: [app, dta]")],
        "network.endpoints.gateway_tiers[1]",
        "unknown tier 'dta'",
        Where("gateway_tiers:", "dta"),
        id="gateway-endpoint-unknown-tier",
    ),
    pytest.param(
        [("interface_tier: app", "interface_tier: dta")],
        "network.endpoints.interface_tier",
        "unknown tier 'dta'",
        Where("interface_tier:", "dta"),
        id="interface-endpoint-unknown-tier",
    ),
    pytest.param(
        [(INTERFACE_ENDPOINTS, "    security_group: vpce\n")],
        "network.endpoints.interface_tier",
        "interface endpoints need a subnet tier",
        Where("  endpoints:", "endpoints"),
        id="interface-endpoints-without-tier",
    ),
    pytest.param(
        [(INTERFACE_ENDPOINTS, "    interface_tier: app\n")],
        "network.endpoints.security_group",
        "interface endpoints need a security group",
        Where("  endpoints:", "endpoints"),
        id="interface-endpoints-without-group",
    ),
    pytest.param(
        # In a tier of its own: a second app subnet in AZ 0 would also break one-subnet-per-AZ.
        [
            ("    data: none\n", "    data: none\n    spare: none\n"),
            (LAST_SUBNET, LAST_SUBNET + "    app--a: {cidr: 10.1.12.0/24, az: 0, tier: spare}\n"),
        ],
        "network.subnets.app--a",
        "subnet 'app--a' clashes with 'app-a' (both become 'AppA'); rename one",
        Where("app--a:", "app--a"),
        id="subnet-names-collapse",
    ),
    pytest.param(
        [("    service:\n", "    web-:\n      description: Web again\n      egress: all\n    service:\n")],
        "network.security_groups.web-",
        "security group 'web-' clashes with 'web' (both become 'Web')",
        Where("web-:", "web-"),
        id="security-group-names-collapse",
    ),
    pytest.param(
        [("    storage_gb: 20", "    storage_gb: 50")],
        "data.database.max_storage_gb",
        "40 GB is below the allocated 50 GB",
        Where("max_storage_gb:", "40"),
        id="max-storage-below-storage",
    ),
    pytest.param(
        [(DATABASE_PLACEMENT, DATABASE_PLACEMENT.replace("security_group: db", "security_group: dbb"))],
        "data.database.security_group",
        "unknown security group 'dbb'",
        Where("dbb"),
        id="database-unknown-group",
    ),
    pytest.param(
        [(CACHE_PLACEMENT, CACHE_PLACEMENT.replace("security_group: db", "security_group: dbb"))],
        "data.cache.security_group",
        "unknown security group 'dbb'",
        Where("dbb"),
        id="cache-unknown-group",
    ),
    pytest.param(
        [("security_group: files", "security_group: filez")],
        "data.file_system.security_group",
        "unknown security group 'filez'",
        Where("filez"),
        id="file-system-unknown-group",
    ),
    pytest.param(
        [(DATABASE_PLACEMENT, DATABASE_PLACEMENT.replace("subnet_tier: data", "subnet_tier: dta"))],
        "data.database.subnet_tier",
        "unknown tier 'dta' (tiers: public, app, data)",
        Where("subnet_tier: dta", "dta"),
        id="database-unknown-tier",
    ),
    pytest.param(
        [(CACHE_PLACEMENT, CACHE_PLACEMENT.replace("subnet_tier: data", "subnet_tier: dta"))],
        "data.cache.subnet_tier",
        "unknown tier 'dta'",
        Where("subnet_tier: dta", "dta"),
        id="cache-unknown-tier",
    ),
    pytest.param(
        [("mount_tier: app", "mount_tier: dta")],
        "data.file_system.mount_tier",
        "unknown tier 'dta'",
        Where("mount_tier:", "dta"),
        id="file-system-unknown-tier",
    ),
    pytest.param(
        [("10.1.21.0/24, az: 1", "10.1.21.0/24, az: 0")],
        "data.database.subnet_tier",
        "RDS needs subnets in at least two availability zones",
        Where("subnet_tier:", "data", after="  database:"),
        id="database-tier-in-one-az",
    ),
    pytest.param(
        [(PROVIDED, PROVIDED + "      generate: {length: 32}\n")],
        "data.secrets.demo/provided",
        "give exactly one of 'provided' (operator fills it) or 'generate'",
        Where("demo/provided:", "demo/provided"),
        id="secret-both-provided-and-generate",
    ),
    pytest.param(
        [(PROVIDED, "")],
        "data.secrets.demo/provided",
        "give exactly one of 'provided' (operator fills it) or 'generate'",
        Where("demo/provided:", "demo/provided"),
        id="secret-neither-provided-nor-generate",
    ),
    pytest.param(
        [("[api_key, api_base]", "[api_key, api_key]")],
        "data.secrets.demo/provided.provided",
        "a key is listed more than once",
        Where("provided: [api_key, api_key]", "provided"),
        id="secret-duplicate-provided-key",
    ),
    pytest.param(
        [("    media: {versioned: false}", "    media: {versioned: false}\n    media-: {versioned: false}")],
        "data.buckets.media-",
        "bucket 'media-' clashes with 'media' (both become 'Media')",
        Where("media-:", "media-"),
        id="bucket-names-collapse",
    ),
    pytest.param(
        [("  secrets:\n", "    locks_: {hash_key: id, hash_key_type: string}\n  secrets:\n")],
        "data.tables.locks_",
        "table 'locks_' clashes with 'locks' (both become 'Locks')",
        Where("locks_:", "locks_"),
        id="table-names-collapse",
    ),
    pytest.param(
        [(LAST_SECRET, LAST_SECRET + "    demo-generated: {description: Clash, generate: {length: 32}}\n")],
        "data.secrets.demo-generated",
        "secret 'demo-generated' clashes with 'demo/generated' (both become 'DemoGenerated')",
        Where("demo-generated:", "demo-generated"),
        id="secret-names-collapse",
    ),
    pytest.param(
        [("    media: {versioned: false}", "    media: {versioned: false, old_versions_days: 30}")],
        "data.buckets.media.old_versions_days",
        "only a versioned bucket has old versions to expire",
        Where("media:", "old_versions_days: |30"),
        id="old-versions-on-unversioned-bucket",
    ),
    pytest.param(
        [
            ("      versioned: true\n", "      versioned: true\n      receives_access_logs: true\n"),
            ("    media: {versioned: false}", "    media: {versioned: false, receives_access_logs: true}"),
        ],
        "data.buckets.media.receives_access_logs",
        "only one bucket can receive access logs; 'state' already does",
        Where("media:", "receives_access_logs: |true"),
        id="two-access-log-buckets",
    ),
    pytest.param(
        [("auth_token_secret: demo/cache-token", "auth_token_secret: demo/nothing")],
        "data.cache.auth_token_secret",
        "unknown secret 'demo/nothing'",
        Where("demo/nothing"),
        id="cache-token-unknown-secret",
    ),
    pytest.param(
        [("auth_token_secret: demo/cache-token", "auth_token_secret: demo/generated")],
        "data.cache.auth_token_secret",
        "must be generated with alphabet: alphanumeric and length up to 128",
        Where("auth_token_secret:", "demo/generated"),
        id="cache-token-not-alphanumeric",
    ),
    pytest.param(
        [("ports: [8080, 9090]", "ports: [8080, 8080]")],
        "network.security_groups.service.ingress[0].ports",
        "tcp 8080 for 'web' is already allowed by this rule",
        Where("ports: [8080, 8080]", "ports"),
        id="group-port-twice",
    ),
    pytest.param(
        [
            (
                "      ports: [9411]\n",
                "      ports: [9411]\n      env: {DEMO: x}\n      secrets: {DEMO: {secret: demo/generated}}\n",
            )
        ],
        "observability.services.tracer.secrets.DEMO",
        "DEMO is set both in env and in secrets",
        Where("secrets: {DEMO", "DEMO"),
        id="env-and-secret",
    ),
    pytest.param(
        [("ports: [9411]", "ports: [9411, 9411]")],
        "observability.services.tracer.ports",
        "port listed more than once: 9411",
        Where("ports: [9411, 9411]", "ports"),
        id="service-port-twice",
    ),
    pytest.param(
        [("      ports: [9411]\n", "      ports: [9411]\n      capacity: {fargate: 0}\n")],
        "observability.services.tracer.capacity",
        "at least one capacity provider needs a weight above 0",
        Where("capacity: {fargate: 0}", "capacity"),
        id="capacity-without-weight",
    ),
    pytest.param(
        [
            ("project: demo", "project: demo-with-a-long-project-name"),
            ("    media: {versioned: false}", "    media-bucket-with-a-long-name: {versioned: false}"),
        ],
        "data.buckets.media-bucket-with-a-long-name",
        "would be 72 characters; S3 allows 63",
        Where("media-bucket-with-a-long-name:", "media-bucket-with-a-long-name"),
        id="bucket-name-too-long",
    ),
    pytest.param(
        [
            ("    data: none\n", "    data: none\n    files: none\n"),
            (
                "    data-b: {cidr: 10.1.21.0/24, az: 1, tier: data}\n",
                "    data-b: {cidr: 10.1.21.0/24, az: 1, tier: data}\n"
                "    files-a: {cidr: 10.1.30.0/24, az: 0, tier: files}\n"
                "    files-b: {cidr: 10.1.31.0/24, az: 0, tier: files}\n",
            ),
            ("    mount_tier: app", "    mount_tier: files"),
        ],
        "data.file_system.mount_tier",
        "EFS mount targets take one subnet per availability zone, but tier 'files' has 'files-a' and 'files-b'",
        Where("mount_tier: files", "files"),
        id="two-mount-targets-in-one-az",
    ),
]

# Structure and types: strict mode, ranges, patterns, unknown keys.
FIELD_RULES = [
    pytest.param(
        [("10.1.0.0/24, az: 0", "10.1.0.0/24, az: '0'")],
        "network.subnets.public-a.az",
        "Input should be a valid integer (got '0')",
        Where("public-a:", "'0'"),
        id="string-for-int-az",
    ),
    pytest.param(
        [("    port: 5432", '    port: "5432"')],
        "data.database.port",
        "Input should be a valid integer (got '5432')",
        Where('"5432"'),
        id="string-for-int-port",
    ),
    pytest.param(
        [("availability_zones: 2", 'availability_zones: "2"')],
        "network.availability_zones",
        "Input should be a valid integer",
        Where("availability_zones:", '"2"'),
        id="string-for-int-availability-zones",
    ),
    pytest.param(
        [("    replicas: 1\n", "    replicas: true\n")],
        "data.cache.replicas",
        "Input should be a valid integer (got True)",
        Where("replicas: true", "true"),
        id="bool-for-int-replicas",
    ),
    pytest.param(
        [("multi_az: false", 'multi_az: "false"')],
        "data.database.multi_az",
        "Input should be a valid boolean (got 'false')",
        Where("multi_az:", '"false"'),
        id="string-for-bool",
    ),
    pytest.param(
        [('version: "16.9"', "version: 16.9")],
        "data.database.version",
        "Input should be a valid string (got 16.9)",
        Where("version: 16.9", "16.9"),
        id="number-for-string-version",
    ),
    pytest.param(
        [("ports: [8080, 9090]", "ports: [0, 9090]")],
        "network.security_groups.service.ingress[0].ports[0]",
        "greater than or equal to 1 (got 0)",
        Where("ports: [0, 9090]", "|0"),
        id="ingress-port-zero",
    ),
    pytest.param(
        [("ports: [8080, 9090]", "ports: [8080, 65536]")],
        "network.security_groups.service.ingress[0].ports[1]",
        "less than or equal to 65535 (got 65536)",
        Where("65536"),
        id="ingress-port-above-65535",
    ),
    pytest.param(
        [("- to: anywhere\n          ports: [443]", "- to: anywhere\n          ports: [70000]")],
        "network.security_groups.service.egress[0].ports[0]",
        "less than or equal to 65535 (got 70000)",
        Where("70000"),
        id="egress-port-above-65535",
    ),
    pytest.param(
        [("    port: 5432", "    port: 0")],
        "data.database.port",
        "greater than or equal to 1 (got 0)",
        Where("    port: 0", "|0"),
        id="database-port-zero",
    ),
    pytest.param(
        [("ports: [8080, 9090]", "ports: []")],
        "network.security_groups.service.ingress[0].ports",
        "at least 1 item",
        Where("ports: []", "ports"),
        id="ingress-without-ports",
    ),
    pytest.param(
        [("  cidr: 10.1.0.0/16", "  cidr: 10.1.0.1/16")],
        "network.cidr",
        "not a valid IPv4 network (got '10.1.0.1/16')",
        Where("10.1.0.1/16"),
        id="cidr-with-host-bits",
    ),
    pytest.param(
        [("    app: nat", "    app: nat-gateway")],
        "network.tiers.app",
        "Input should be 'internet-gateway', 'nat' or 'none'",
        Where("app: nat-gateway", "nat-gateway"),
        id="unknown-route-kind",
    ),
    pytest.param(
        [("      egress: all\n    service:", "      egress: some\n    service:")],
        "network.security_groups.web.egress",
        "Input should be 'all' or 'none' (got 'some')",
        Where("egress: some", "some"),
        id="unknown-egress-word",
    ),
    pytest.param(
        [("retention_days: 30", "retention_days: 31")],
        "logs.retention_days",
        "(got 31)",
        Where("retention_days: 31", "31"),
        id="log-retention-cloudwatch-rejects",
    ),
    pytest.param(
        [("engine: postgres", "engine: mysql")],
        "data.database.engine",
        "Input should be 'postgres' (got 'mysql')",
        Where("mysql"),
        id="database-engine-not-postgres",
    ),
    pytest.param(
        [("backup_retention_days: 7", "backup_retention_days: 36")],
        "data.database.backup_retention_days",
        "less than or equal to 35",
        Where("backup_retention_days:", "36"),
        id="backups-beyond-35-days",
    ),
    pytest.param(
        [("enhanced_monitoring_seconds: 0", "enhanced_monitoring_seconds: 2")],
        "data.database.enhanced_monitoring_seconds",
        "(got 2)",
        Where("enhanced_monitoring_seconds:", "|2"),
        id="monitoring-interval-rds-rejects",
    ),
    pytest.param(
        [("        length: 32\n", "        length: 8\n")],
        "data.secrets.demo/generated.generate.length",
        "greater than or equal to 16 (got 8)",
        Where("length: 8", "8"),
        id="generated-secret-too-short",
    ),
    pytest.param(
        [("traffic: reject", "traffic: some")],
        "network.flow_logs.traffic",
        "Input should be 'all', 'accept' or 'reject' (got 'some')",
        Where("traffic: some", "some"),
        id="flow-log-traffic-unknown",
    ),
    pytest.param(
        [("  cidr: 10.1.0.0/16", "  cidrr: 10.1.0.0/16")],
        "network.cidrr",
        "unknown key 'cidrr'; did you mean 'cidr'?",
        Where("cidrr:", "cidrr"),
        id="unknown-key-network",
    ),
    pytest.param(
        [("hash_key: LockID", "hashkey: LockID")],
        "data.tables.locks.hashkey",
        "unknown key 'hashkey'; did you mean 'hash_key'?",
        Where("hashkey:", "hashkey"),
        id="unknown-key-table",
    ),
]


@pytest.mark.parametrize(("edits", "path", "fragment", "where"), CROSS_FIELD_RULES)
def test_cross_field_rule_reports_one_located_problem(
    minimal_edited: Callable[..., Path], edits: list[Edit], path: str, fragment: str, where: Where
) -> None:
    spec = minimal_edited(*edits)
    problem = only_problem(spec)
    assert (problem.path, problem.line, problem.column) == (path, *where.of(spec))
    assert fragment in problem.message


@pytest.mark.parametrize(("edits", "path", "fragment", "where"), FIELD_RULES)
def test_field_rule_reports_the_offending_value(
    minimal_edited: Callable[..., Path], edits: list[Edit], path: str, fragment: str, where: Where
) -> None:
    spec = minimal_edited(*edits)
    problems = [p for p in problems_of(spec) if p.path == path]
    assert len(problems) == 1, f"expected one problem at {path}"
    assert (problems[0].line, problems[0].column) == where.of(spec)
    assert fragment in problems[0].message


# --------------------------------------------------------------------------- good cases

# Each rule's boundary on the accepting side, with what the model must make of it.
GOOD_CASES = [
    pytest.param(
        [("cidr: 10.1.21.0/24", "cidr: 10.1.255.0/24")],
        lambda s: s.network.subnets["data-b"].cidr == IPv4Network("10.1.255.0/24"),
        id="subnet-at-the-end-of-the-vpc",
    ),
    pytest.param(
        [("cidr: 10.1.20.0/24", "cidr: 10.1.20.0/25"), ("cidr: 10.1.21.0/24", "cidr: 10.1.20.128/25")],
        lambda s: s.network.subnets["data-b"].cidr == IPv4Network("10.1.20.128/25"),
        id="adjacent-subnets-do-not-overlap",
    ),
    pytest.param(
        [("availability_zones: 2", "availability_zones: 3"), ("10.1.21.0/24, az: 1", "10.1.21.0/24, az: 2")],
        lambda s: s.network.subnets["data-b"].az == 2,
        id="highest-az-index",
    ),
    pytest.param(
        [(NAT_GATEWAY, ""), ("    app: nat", "    app: none")],
        lambda s: s.network.nat_gateway is None and s.network.tiers_routed_by(RouteKind.NAT) == [],
        id="no-nat-tier-needs-no-nat-gateway",
    ),
    pytest.param(
        [],
        lambda s: s.network.nat_gateway is not None and s.network.nat_gateway.subnet == "public-a",
        id="nat-gateway-in-internet-gateway-tier",
    ),
    pytest.param(
        [("    storage_gb: 20", "    storage_gb: 40")],
        lambda s: s.data.database.storage_gb == s.data.database.max_storage_gb == 40,
        id="max-storage-equal-to-storage",
    ),
    pytest.param(
        [("ports: [8080, 9090]", "ports: [1, 65535]")],
        lambda s: s.network.security_groups["service"].ingress[0].ports == [1, 65535],
        id="ports-at-both-limits",
    ),
    pytest.param(
        [(WEB_INGRESS, WEB_INGRESS.replace("from: vpc", "from: service"))],
        lambda s: s.network.security_groups["web"].ingress[0].peer == "service",
        id="ingress-from-a-group",
    ),
    pytest.param(
        [],
        lambda s: (
            isinstance(s.network.security_groups["service"].egress, list)
            and s.network.security_groups["service"].egress[0].peer == "anywhere"
        ),
        id="egress-to-anywhere-is-allowed",
    ),
    pytest.param(
        [("    media: {versioned: false}", "    media: {versioned: false}\n    media-archive: {versioned: true}")],
        lambda s: list(s.data.buckets) == ["state", "media", "media-archive"],
        id="names-with-distinct-logical-ids",
    ),
    pytest.param(
        [],
        lambda s: (
            s.data.secrets["demo/provided"].keys == ["api_key", "api_base"]
            and s.data.secrets["demo/generated"].generate is not None
        ),
        id="secrets-with-exactly-one-source",
    ),
    pytest.param(
        [],
        lambda s: {s.network.subnets[n].az for n in s.network.subnets_in("data")} == {0, 1},
        id="database-tier-in-two-azs",
    ),
    pytest.param(
        [("      versioned: true\n", "      versioned: true\n      old_versions_days: 30\n")],
        lambda s: s.data.buckets["state"].old_versions_days == 30,
        id="old-versions-on-a-versioned-bucket",
    ),
]


@pytest.mark.parametrize(("edits", "check"), GOOD_CASES)
def test_value_on_the_accepting_side_of_a_rule_loads(
    minimal_edited: Callable[..., Path], edits: list[Edit], check: Callable[[Spec], bool]
) -> None:
    spec = load_spec(minimal_edited(*edits))
    assert check(spec)


def test_minimal_fixture_is_a_valid_spec(minimal_spec: Spec) -> None:
    assert minimal_spec.project == "demo"
    assert list(minimal_spec.network.subnets) == ["public-a", "app-a", "app-b", "data-a", "data-b"]
    assert minimal_spec.network.tiers == {
        "public": RouteKind.INTERNET_GATEWAY,
        "app": RouteKind.NAT,
        "data": RouteKind.NONE,
    }


# --------------------------------------------------------------------------- all at once


def test_every_cross_field_problem_of_a_section_is_reported_together(minimal_edited: Callable[..., Path]) -> None:
    spec = minimal_edited(
        ("cidr: 10.1.20.0/24", "cidr: 10.2.20.0/24"),
        ("- to: anywhere", "- to: nowhere"),
        (WEB_INGRESS, WEB_INGRESS.replace("from: vpc", "from: anywhere")),
    )
    assert [p.path for p in problems_of(spec)] == [
        "network.subnets.data-a.cidr",
        "network.security_groups.web.ingress[0].from",
        "network.security_groups.service.egress[0].to",
    ]


def test_type_errors_in_different_sections_are_reported_together(minimal_edited: Callable[..., Path]) -> None:
    spec = minimal_edited(("10.1.0.0/24, az: 0", "10.1.0.0/24, az: '0'"), ("    port: 5432", '    port: "5432"'))
    assert [p.path for p in problems_of(spec)] == ["network.subnets.public-a.az", "data.database.port"]


def test_a_type_error_does_not_hide_cross_field_problems_elsewhere_in_the_spec(
    minimal_edited: Callable[..., Path],
) -> None:
    # A typo in one security group must not hide a subnet outside the VPC in the same section
    # (the loader's lax second pass runs the section's rules past the typo).
    spec = minimal_edited(
        ("ports: [8080, 9090]", 'ports: [8080, "9090"]'),
        ("cidr: 10.1.20.0/24", "cidr: 10.2.20.0/24"),
    )
    assert [p.path for p in problems_of(spec)] == [
        "network.subnets.data-a.cidr",
        "network.security_groups.service.ingress[0].ports[1]",
    ]


def test_a_type_error_does_not_hide_a_placement_naming_a_missing_group(
    minimal_edited: Callable[..., Path],
) -> None:
    # Rules across sections run once every section is valid; a quoted port no longer blocks them.
    spec = minimal_edited(
        ("ports: [8080, 9090]", 'ports: [8080, "9090"]'),
        ("security_group: files", "security_group: filez"),
    )
    assert [p.path for p in problems_of(spec)] == [
        "network.security_groups.service.ingress[0].ports[1]",
        "data.file_system.security_group",
    ]


# --------------------------------------------------------------------------- AWS placement facts

SHARED_TIER = [
    ("    data: none\n", "    data: none\n    shared: none\n"),
    (
        LAST_SUBNET,
        LAST_SUBNET
        + "    shared-a: {cidr: 10.1.30.0/24, az: 0, tier: shared}\n"
        + "    shared-b: {cidr: 10.1.31.0/24, az: 0, tier: shared}\n",
    ),
]


@pytest.mark.parametrize(
    ("edit_", "path"),
    [
        # EFS accepts one mount target per availability zone (MountTargetConflict otherwise).
        pytest.param(("mount_tier: app", "mount_tier: shared"), "data.file_system.mount_tier", id="efs-mount-tier"),
        # An interface endpoint accepts one subnet per availability zone (DuplicateSubnetsInSameZone).
        pytest.param(
            ("interface_tier: app", "interface_tier: shared"), "network.endpoints.interface_tier", id="endpoint-tier"
        ),
    ],
)
def test_a_tier_with_two_subnets_in_one_az_is_refused_where_aws_allows_one_per_az(
    minimal_edited: Callable[..., Path], edit_: Edit, path: str
) -> None:
    problems = problems_of(minimal_edited(*SHARED_TIER, edit_))
    assert path in [p.path for p in problems]


def test_a_tier_that_nothing_spreads_across_azs_may_keep_its_subnets_in_one_az(
    minimal_edited: Callable[..., Path],
) -> None:
    spec = load_spec(minimal_edited(*SHARED_TIER))
    assert spec.network.subnets_in("shared") == ["shared-a", "shared-b"]


# --------------------------------------------------------------------------- model API


def test_spec_is_strict_about_types_without_the_loader(minimal_spec: Spec) -> None:
    document = minimal_spec.model_dump(mode="json", by_alias=True)
    document["data"]["database"]["port"] = "5432"
    with pytest.raises(ValidationError) as caught:
        Spec.model_validate(document)
    assert [e["loc"] for e in caught.value.errors()] == [("data", "database", "port")]


def test_spec_round_trips_through_its_own_dump(minimal_spec: Spec) -> None:
    document = minimal_spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert Spec.model_validate(document) == minimal_spec


def test_a_validated_spec_cannot_be_changed(minimal_spec: Spec) -> None:
    with pytest.raises(ValidationError):
        minimal_spec.__setattr__("project", "other")


def test_duplicate_ids_names_the_later_clashing_name() -> None:
    found = list(duplicate_ids("bucket", ["logs", "media", "logs-", "Media"], ("buckets",)))
    assert found == [
        (("buckets", "logs-"), "bucket 'logs-' clashes with 'logs' (both become 'Logs'); rename one"),
        (("buckets", "Media"), "bucket 'Media' clashes with 'media' (both become 'Media'); rename one"),
    ]


def test_subnets_in_and_tiers_routed_by_keep_spec_order(minimal_spec: Spec) -> None:
    network: Network = minimal_spec.network
    assert network.subnets_in("app") == ["app-a", "app-b"]
    assert network.subnets_in("nowhere") == []
    assert network.tiers_routed_by(RouteKind.NAT) == ["app"]
    assert network.tiers_routed_by(RouteKind.INTERNET_GATEWAY) == ["public"]


def test_database_major_version_is_the_part_before_the_dot(minimal_spec: Spec) -> None:
    database: Database = minimal_spec.data.database
    assert database.version == "16.9"
    assert database.major_version == "16"


def test_generated_secret_has_no_keys_and_provided_secret_lists_its_keys(minimal_spec: Spec) -> None:
    secrets: dict[str, Secret] = minimal_spec.data.secrets
    assert secrets["demo/generated"].keys == []
    assert secrets["demo/provided"].keys == ["api_key", "api_base"]


def test_production_spec_holds_the_designs_network_and_data_values(production_spec: Spec) -> None:
    net = production_spec.network
    assert (production_spec.project, production_spec.region) == ("coder-production", "us-west-2")
    assert (net.cidr, net.availability_zones) == (IPv4Network("10.0.0.0/16"), 2)
    assert {name: (str(s.cidr), s.az, s.tier) for name, s in net.subnets.items()} == {
        "public-a": ("10.0.0.0/24", 0, "public"),
        "public-b": ("10.0.1.0/24", 1, "public"),
        "app-a": ("10.0.10.0/24", 0, "app"),
        "app-b": ("10.0.11.0/24", 1, "app"),
        "data-a": ("10.0.20.0/24", 0, "data"),
        "data-b": ("10.0.21.0/24", 1, "data"),
    }
    assert set(net.security_groups) == {"alb", "ecs-services", "ecs-workspaces", "rds", "redis", "efs", "vpc-endpoints"}
    custom = [s for s in production_spec.data.secrets.values() if "CUSTOM_LLM_API_KEY" in s.keys]
    assert len(custom) == 1
    assert custom[0].keys == ["CUSTOM_LLM_API_KEY", "CUSTOM_LLM_API_BASE", "CUSTOM_LLM_CLAUDE_API_BASE"]


# --------------------------------------------------------------------------- the workspaces' direct path

ISSUER = "      issuer: https://login.microsoftonline.com/company.onmicrosoft.com/v2.0\n"
TOKEN_ENDPOINT = "      token_endpoint: https://login.microsoftonline.com/"
DIRECT_HOSTS = "    hosts: [ide.company.com]"
SCOPE = "      scope: openid profile email"
SESSION = "      session_timeout_seconds: 28800"

# (edits of spec/production.yaml, path, message fragment, where); each is a schema problem (S004).
DIRECT_PATH_FIELDS = [
    pytest.param(
        [(ISSUER, ISSUER.replace("https://", "http://"))],
        "platform.direct_path.oidc.issuer",
        "'http://login.microsoftonline.com/company.onmicrosoft.com/v2.0' is not an https:// URL",
        Where("issuer: http://", "http://"),
        id="issuer-over-plain-http",
    ),
    pytest.param(
        [(TOKEN_ENDPOINT, TOKEN_ENDPOINT.replace("https://", "https://alb:hunter2@"))],
        "platform.direct_path.oidc.token_endpoint",
        "carries a user name or password; credentials belong in data.secrets",
        Where("token_endpoint:", "https://"),
        id="token-endpoint-with-credentials",
    ),
    pytest.param(
        [(SCOPE, "      scope: profile email")],
        "platform.direct_path.oidc.scope",
        "scope 'profile email' does not include openid, which OIDC sign-in requires",
        Where("scope: profile", "profile"),
        id="scope-without-openid",
    ),
    pytest.param(
        [(DIRECT_HOSTS, '    hosts: ["*.company.com"]')],
        "platform.direct_path.hosts[0]",
        "'*.company.com' is not a valid value here",
        Where('    hosts: ["*.company.com"]', '"*'),
        id="wildcard-direct-path-host",
    ),
    pytest.param(
        [(SESSION, "      session_timeout_seconds: 604801")],
        "platform.direct_path.oidc.session_timeout_seconds",
        "less than or equal to 604800",
        Where("session_timeout_seconds:", "604801"),
        id="session-longer-than-the-alb-allows",
    ),
]


@pytest.mark.parametrize(("edits", "path", "fragment", "where"), DIRECT_PATH_FIELDS)
def test_a_direct_path_setting_the_alb_cannot_use_is_a_located_schema_problem(
    tmp_path: Path, edits: list[Edit], path: str, fragment: str, where: Where
) -> None:
    spec = edited_spec(tmp_path, *edits)
    problems = [p for p in problems_of(spec) if p.path == path]
    assert len(problems) == 1, f"expected one problem at {path}, got {problems_of(spec)}"
    assert (problems[0].line, problems[0].column) == where.of(spec)
    assert fragment in problems[0].message
    assert problems[0].rule == "S004"


def test_the_production_spec_describes_the_direct_path_of_the_design(production_spec: Spec) -> None:
    direct = production_spec.platform.direct_path
    assert direct is not None
    assert direct.hosts == ["ide.company.com"]
    assert (direct.oidc.client.secret, direct.oidc.client.id_key, direct.oidc.client.secret_key) == (
        "prod/alb/oidc",
        "client_id",
        "client_secret",
    )
    assert all(
        url.startswith("https://")
        for url in (
            direct.oidc.issuer,
            direct.oidc.authorization_endpoint,
            direct.oidc.token_endpoint,
            direct.oidc.user_info_endpoint,
        )
    )
