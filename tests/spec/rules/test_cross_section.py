"""Rules across sections (spec/rules/cross_section.py) and the Fargate size rule, each as a located edit of the
production spec.

A bad case edits ``spec/production.yaml`` and expects a problem at a dotted path, on the line and
column the offending text has in the edited file, with a message containing the fragment given.
A good case is an edit right beside the rule's boundary that must still load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncompiler.errors import Problem
from cfncompiler.naming import listener_priority
from cfncompiler.spec.load import load, rule_problems, rule_warnings
from cfncompiler.spec.rules.cross_section import secret_users
from tests.env_support import run
from tests.spec_edit import (
    Edit,
    edit,
    edited_spec,
    position,
    problem_at,
    problems_of,
    production,
    production_text,
)

CODER_OIDC_ID = "CODER_OIDC_CLIENT_ID: {secret: prod/coder/oidc, key: client_id}"
PGPASSWORD = "PGPASSWORD: {secret: prod/coder/database, key: password}"
KP_SECRET = "KEY_PROVISIONER_SECRET: {secret: prod/key-provisioner/secret}"
LANGFUSE_BUCKETS = "buckets: {langfuse-events: read-write,"
ASSETS_BUCKET = "bucket: artifacts}"
CODER_PLACEMENT = "      subnet_tier: app\n      discovery: coder\n"
CLICKHOUSE_PLACEMENT = "      security_group: ecs-services\n      subnet_tier: app\n      discovery: clickhouse\n"
LB_TIER = "  load_balancer:\n    subnet_tier: app\n"
LB_GROUP = "    security_group: alb\n    tls_policy"
WORKSPACES = "  workspaces:\n    security_group: ecs-workspaces\n    subnet_tier: app\n"
LANGFUSE_ROUTE = "      route: {host: langfuse.company.com, health_path: /api/public/health}"
ALB_TO_SERVICES = "        - {from: alb, ports: [7080, 9000, 4000, 3000, 8100]"
LANGFUSE_DISCOVERY = "      discovery: langfuse\n"
LANGFUSE_WORKER = "    langfuse-worker:\n"
LITELLM_URL = "LITELLM_URL: http://${service.litellm.host}:${service.litellm.port}"
CODER_IMAGE = "      image: ghcr.io/coder/coder:v2.18.5"
SUBNET_BRIDGE = "private-subnet-ids: ${subnets.app}"
CODER_SIZE = "      cpu: 1024        # 1 vCPU\n      memory: 4096     # 4 GB\n"
KP_SIZE = "      cpu: 256         # 0.25 vCPU\n      memory: 512\n"
CODER_PRIORITY = listener_priority("coder.company.com", None)
CODER_WILDCARD = 'wildcard_hosts: ["*--*.company.com"]'
SERVICE_TO_SERVICE = "        - {from: ecs-services, ports: [4000, 8123, 9000], description: Service to service}"
CLUSTER_PROVIDERS = "    capacity_providers: [fargate, fargate-spot]"
KP_NEEDS = "      needs: [litellm]\n"
DIRECT_HOSTS = "    hosts: [ide.company.com]"
DIRECT_CLIENT = "client: {secret: prod/alb/oidc, id_key: client_id, secret_key: client_secret}"
CERTIFICATE_NAMES = '    alternative_names: ["*.company.com", ide.company.com]'
ALB_EGRESS = "      egress: all\n    ecs-services:"
WORKSPACES_FROM_ALB = "        - {from: alb, ports: [13337], description: ALB to code-server}"

LANGFUSE_DB_USERS = "services: [langfuse-web, langfuse-worker]"
CODER_DB_USERS = "        services: [coder]\n"
LITELLM_LOGIN = "        login: litellm\n"
LANGFUSE_LOGIN = "        login: langfuse\n"
LITELLM_DB_SECRET = "        secret: prod/litellm/database\n"
BOOTSTRAP_IMAGE = "    bootstrap_image: public.ecr.aws/docker/library/postgres:16.9-alpine\n"
LITELLM_DB_PASSWORD = "DATABASE_PASSWORD: {secret: prod/litellm/database, key: password}"
LITELLM_DB_USER = "DATABASE_USERNAME: ${database.litellm.username}"
LITELLM_NEEDS = "      needs: [database]\n"


def route(host: str, extra: str = "") -> str:
    return f"      route: {{host: {host}, health_path: /api/public/health{extra}}}"


# (edits, dotted path, message fragment, (line marker, token) of the reported position)
BAD = [
    # database_logins_are_distinct
    pytest.param(
        [(LITELLM_LOGIN, "        login: coder_admin\n")],
        "data.database.databases.litellm.login",
        "'coder_admin' is the master user; the application needs a login of its own",
        ("login: coder_admin", "coder_admin"),
        id="database-login-is-the-master-user",
    ),
    pytest.param(
        [(LANGFUSE_LOGIN, "        login: litellm  # again\n")],
        "data.database.databases.langfuse.login",
        "login 'litellm' already owns database 'litellm'; a login owns one database",
        ("login: litellm  # again", "litellm"),
        id="database-login-owns-two-databases",
    ),
    pytest.param(
        [(LITELLM_LOGIN, "        login: pg_monitor\n")],
        "data.database.databases.litellm.login",
        "login 'pg_monitor' is a name PostgreSQL or RDS keeps for itself",
        ("login: pg_monitor", "pg_monitor"),
        id="database-login-reserved",
    ),
    pytest.param(
        [(LITELLM_DB_SECRET, "        secret: prod/litellm/master-key  # taken\n")],
        "data.database.databases.litellm.secret",
        "secret 'prod/litellm/master-key' is already a secret under data.secrets",
        ("secret: prod/litellm/master-key  # taken", "prod/litellm/master-key"),
        id="database-secret-is-another-secret",
    ),
    # bootstrap_has_an_image
    pytest.param(
        [(BOOTSTRAP_IMAGE, "")],
        "data.database.databases",
        "name an image that has it in 'bootstrap_image'",
        ("    databases:", "databases"),
        id="database-bootstrap-without-image",
    ),
    # database_users_exist
    pytest.param(
        [(LANGFUSE_DB_USERS, "services: [langfuse-web, langfuse-workr]")],
        "data.database.databases.langfuse.services[1]",
        "unknown service 'langfuse-workr' (services: coder, litellm,",
        ("services: [langfuse-web", "langfuse-workr"),
        id="database-unknown-service",
    ),
    pytest.param(
        [(CODER_DB_USERS, "        services: [coder, litellm]\n")],
        "data.database.databases.litellm.services[0]",
        "service 'litellm' already uses database 'coder'; a service logs in to one database",
        ("        services: [litellm]", "litellm"),
        id="database-service-in-two-databases",
    ),
    pytest.param(
        [(LITELLM_NEEDS, "      needs: []\n")],
        "platform.services.litellm.needs",
        "litellm uses database 'litellm' (its bootstrap and its app connect to it): add 'database' to its needs",
        ("needs: []", "needs"),
        id="database-user-does-not-need-the-database",
    ),
    # services_use_their_own_login
    pytest.param(
        [(LITELLM_DB_PASSWORD, "DATABASE_PASSWORD: {secret: database, key: password}")],
        "platform.services.litellm.secrets.DATABASE_PASSWORD.secret",
        "'database' is the master user's secret, which only the bootstrap reads; read its own login's secret "
        "{secret: prod/litellm/database, key: ...}",
        ("DATABASE_PASSWORD: {secret: database", "secret: |database"),
        id="login-master-secret",
    ),
    pytest.param(
        [(LITELLM_DB_PASSWORD, "DATABASE_PASSWORD: {secret: prod/langfuse/database, key: password}  # not its own")],
        "platform.services.litellm.secrets.DATABASE_PASSWORD.secret",
        "secret 'prod/langfuse/database' is the login of database 'langfuse'",
        ("password}  # not its own", "prod/langfuse/database"),
        id="login-another-services-secret",
    ),
    pytest.param(
        [(LITELLM_DB_USER, "DATABASE_USERNAME: ${database.username}")],
        "platform.services.litellm.env.DATABASE_USERNAME",
        "'${database.username}' is the master user, only the bootstrap's login",
        ("DATABASE_USERNAME: ${database.username}", "${database.username}"),
        id="login-master-username",
    ),
    pytest.param(
        [(LITELLM_DB_USER, "DATABASE_USERNAME: ${database.langfuse.username}  # not its own")],
        "platform.services.litellm.env.DATABASE_USERNAME",
        "'${database.langfuse.username}' is database 'langfuse', which litellm does not use",
        ("username}  # not its own", "${database.langfuse.username}"),
        id="login-another-services-username",
    ),
    pytest.param(
        [(KP_SECRET, KP_SECRET + "\n        PGPASSWORD: {secret: database, key: password}")],
        "platform.services.key-provisioner.secrets.PGPASSWORD.secret",
        "give it a database of its own under data.database.databases (services: [key-provisioner])",
        ("PGPASSWORD: {secret: database", "secret: |database"),
        id="login-master-secret-without-a-database",
    ),
    # secrets_exist
    pytest.param(
        [(CODER_OIDC_ID, CODER_OIDC_ID.replace("prod/coder/oidc", "prod/coder/oidcx"))],
        "platform.services.coder.secrets.CODER_OIDC_CLIENT_ID.secret",
        "unknown secret 'prod/coder/oidcx' (data.secrets has: prod/coder/oidc,",
        ("CODER_OIDC_CLIENT_ID:", "prod/coder/oidcx"),
        id="secrets-unknown-secret",
    ),
    pytest.param(
        [(CODER_OIDC_ID, CODER_OIDC_ID.replace("client_id}", "nope}"))],
        "platform.services.coder.secrets.CODER_OIDC_CLIENT_ID.key",
        "secret 'prod/coder/oidc' has no key 'nope' (keys: client_id, client_secret)",
        ("CODER_OIDC_CLIENT_ID:", "nope"),
        id="secrets-unknown-key",
    ),
    pytest.param(
        [(CODER_OIDC_ID, "CODER_OIDC_CLIENT_ID: {secret: prod/coder/oidc}")],
        "platform.services.coder.secrets.CODER_OIDC_CLIENT_ID",
        "secret 'prod/coder/oidc' holds keys client_id, client_secret; say which one with 'key:'",
        ("CODER_OIDC_CLIENT_ID:", "CODER_OIDC_CLIENT_ID"),
        id="secrets-missing-key-for-json-secret",
    ),
    pytest.param(
        [(KP_SECRET, KP_SECRET.replace("}", ", key: value}"))],
        "platform.services.key-provisioner.secrets.KEY_PROVISIONER_SECRET.key",
        "secret 'prod/key-provisioner/secret' is a plain string; it has no key 'value'",
        ("KEY_PROVISIONER_SECRET:", "value"),
        id="secrets-key-on-plain-secret",
    ),
    pytest.param(
        [(PGPASSWORD, PGPASSWORD.replace("key: password", "key: pass"))],
        "platform.services.coder.secrets.PGPASSWORD.key",
        "secret 'prod/coder/database' has no key 'pass' (keys: username, password)",
        ("PGPASSWORD:", "pass}"),
        id="secrets-unknown-database-key",
    ),
    pytest.param(
        [(PGPASSWORD, "PGPASSWORD: {secret: prod/coder/database}")],
        "platform.services.coder.secrets.PGPASSWORD",
        "secret 'prod/coder/database' holds keys username, password; say which one with 'key:'",
        ("PGPASSWORD:", "PGPASSWORD"),
        id="secrets-missing-database-key",
    ),
    # buckets_exist
    pytest.param(
        [(LANGFUSE_BUCKETS, LANGFUSE_BUCKETS.replace("langfuse-events", "langfuse-eventz"))],
        "observability.services.langfuse-web.access.buckets.langfuse-eventz",
        "unknown bucket 'langfuse-eventz' (buckets: terraform-state, backups, artifacts, langfuse-events,",
        ("langfuse-eventz", "read-write"),
        id="buckets-unknown-access-bucket",
    ),
    pytest.param(
        [(ASSETS_BUCKET, "bucket: artifactz}")],
        "platform.services.litellm.assets.bucket",
        "unknown bucket 'artifactz'",
        ("assets: {path:", "artifactz"),
        id="buckets-unknown-assets-bucket",
    ),
    # placements_exist
    pytest.param(
        [(CODER_PLACEMENT, CODER_PLACEMENT.replace("app", "apps"))],
        "platform.services.coder.subnet_tier",
        "unknown tier 'apps' (tiers: public, app, data)",
        ("subnet_tier: apps", "apps"),
        id="placements-unknown-service-tier",
    ),
    pytest.param(
        [(CLICKHOUSE_PLACEMENT, CLICKHOUSE_PLACEMENT.replace("ecs-services", "ecs-svc"))],
        "observability.services.clickhouse.security_group",
        "unknown security group 'ecs-svc' (groups: alb, ecs-services, ecs-workspaces,",
        ("security_group: ecs-svc", "ecs-svc"),
        id="placements-unknown-service-group",
    ),
    pytest.param(
        [(LB_TIER, LB_TIER.replace("app", "apps"))],
        "platform.load_balancer.subnet_tier",
        "unknown tier 'apps'",
        ("subnet_tier: apps", "apps"),
        id="placements-unknown-load-balancer-tier",
    ),
    pytest.param(
        [(LB_GROUP, LB_GROUP.replace("alb", "albs"))],
        "platform.load_balancer.security_group",
        "unknown security group 'albs'",
        ("security_group: albs", "albs"),
        id="placements-unknown-load-balancer-group",
    ),
    pytest.param(
        [(WORKSPACES, WORKSPACES.replace("subnet_tier: app", "subnet_tier: wks"))],
        "platform.workspaces.subnet_tier",
        "unknown tier 'wks'",
        ("subnet_tier: wks", "wks"),
        id="placements-unknown-workspaces-tier",
    ),
    pytest.param(
        [(WORKSPACES, WORKSPACES.replace("ecs-workspaces", "ecs-ws"))],
        "platform.workspaces.security_group",
        "unknown security group 'ecs-ws'",
        ("security_group: ecs-ws", "ecs-ws"),
        id="placements-unknown-workspaces-group",
    ),
    # routes_are_distinct
    pytest.param(
        [(LANGFUSE_ROUTE, route("ai.company.com"))],
        "observability.services.langfuse-web.route.host",
        "host ai.company.com is already routed to 'litellm'",
        ("/api/public/health", "ai.company.com"),
        id="routes-duplicate-host",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.other.com"))],
        "observability.services.langfuse-web.route.host",
        "langfuse.other.com is not covered by the certificate (coder.company.com, *.company.com, ide.company.com)",
        ("/api/public/health", "langfuse.other.com"),
        id="routes-host-outside-the-certificate",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("eu.langfuse.company.com"))],
        "observability.services.langfuse-web.route.host",
        "eu.langfuse.company.com is not covered by the certificate",
        ("/api/public/health", "eu.langfuse.company.com"),
        id="routes-wildcard-covers-one-label-only",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.company.com", f", priority: {CODER_PRIORITY}"))],
        "observability.services.langfuse-web.route",
        f"listener priority {CODER_PRIORITY} is already taken by 'coder'; set route.priority",
        ("/api/public/health", "route"),
        id="routes-priority-taken",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.company.com", ", priority: 49500"))],
        "observability.services.langfuse-web.route.priority",
        "listener priority 49500 is reserved for workspace templates' own rules (49000-49999); choose 1-48998",
        ("/api/public/health", "49500"),
        id="routes-priority-in-the-workspace-block",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.company.com", ", priority: 50000"))],
        "observability.services.langfuse-web.route.priority",
        "listener priority 50000 is reserved for the workspaces' direct path (50000); choose 1-48998",
        ("/api/public/health", "50000"),
        id="routes-priority-of-the-direct-path",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.company.com", ", priority: 48999"))],
        "observability.services.langfuse-web.route.priority",
        "listener priority 48999 is reserved for the routes' wildcard hosts (48999); choose 1-48998",
        ("/api/public/health", "48999"),
        id="routes-priority-of-the-wildcard-rule",
    ),
    # wildcard_hosts_are_served
    pytest.param(
        [(LANGFUSE_ROUTE, route('"*.company.com"'))],
        "observability.services.langfuse-web.route.host",
        "host *.company.com is a pattern, and a route's rule may be evaluated before other services' exact hosts",
        ("/api/public/health", '"*.company.com"'),
        id="wildcard-as-a-route-host",
    ),
    pytest.param(
        [(CODER_WILDCARD, CODER_WILDCARD.replace("company.com", "apps.company.com"))],
        "platform.services.coder.route.wildcard_hosts[0]",
        "*--*.apps.company.com is not covered by the certificate (coder.company.com, *.company.com, ide.company.com); "
        "add *.apps.company.com to platform.certificate.alternative_names",
        ("wildcard_hosts:", '"*--*.apps.company.com"'),
        id="wildcard-host-not-on-the-certificate",
    ),
    pytest.param(
        [(CODER_WILDCARD, 'wildcard_hosts: ["*--*.company.com", "*--*.company.com"]')],
        "platform.services.coder.route.wildcard_hosts[1]",
        "wildcard host *--*.company.com is listed more than once",
        ("wildcard_hosts:", '|"*--*.company.com"]'),
        id="wildcard-host-twice",
    ),
    pytest.param(
        [(CODER_WILDCARD, 'wildcard_hosts: ["*--*.company.com", "*-?-*-?.company.com"]')],
        "platform.services.coder.route.wildcard_hosts",
        "these host patterns hold 6 wildcard characters; one ALB listener rule allows 5",
        ("wildcard_hosts:", "wildcard_hosts"),
        id="wildcard-hosts-over-the-rule-quota",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.company.com", ', wildcard_hosts: ["*--*.company.com"]'))],
        "observability.services.langfuse-web.route.wildcard_hosts[0]",
        "wildcard host *--*.company.com is claimed by 'coder' already",
        ("/api/public/health", '"*--*.company.com"'),
        id="wildcard-host-claimed-twice",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.company.com", ', wildcard_hosts: ["lf-*.company.com"]'))],
        "observability.services.langfuse-web.route.wildcard_hosts[0]",
        "'coder' answers wildcard hosts already; the ALB's wildcard rule has one priority (48999, after every exact",
        ("/api/public/health", '"lf-*.company.com"'),
        id="wildcard-hosts-of-a-second-service",
    ),
    # wildcard_hosts_spare_the_direct_path
    pytest.param(
        [(CODER_WILDCARD, 'wildcard_hosts: ["*.company.com"]')],
        "platform.services.coder.route.wildcard_hosts[0]",
        "*.company.com also matches ide.company.com, the direct path's host, whose sign-in rule has the ALB's last "
        "priority (50000); the wildcard rule (48999) would take ide.company.com's requests past the sign-in. Narrow "
        "the pattern so it cannot match ide.company.com (Coder's app hosts all contain '--': *--*.company.com)",
        ("wildcard_hosts:", '"*.company.com"'),
        id="wildcard-host-matching-the-direct-path",
    ),
    pytest.param(
        [(CODER_WILDCARD, 'wildcard_hosts: ["i?e.company.com"]')],
        "platform.services.coder.route.wildcard_hosts[0]",
        "i?e.company.com also matches ide.company.com, the direct path's host",
        ("wildcard_hosts:", '"i?e.company.com"'),
        id="wildcard-host-matching-the-direct-path-one-character",
    ),
    # direct_path_hosts_are_served
    pytest.param(
        [(CERTIFICATE_NAMES, "    alternative_names: [ai.company.com, admin.company.com, langfuse.company.com]")],
        "platform.direct_path.hosts[0]",
        "ide.company.com is not covered by the certificate "
        "(coder.company.com, ai.company.com, admin.company.com, langfuse.company.com); "
        "add it to platform.certificate.alternative_names",
        (DIRECT_HOSTS, "ide.company.com"),
        id="direct-path-host-missing-from-the-certificate",
    ),
    pytest.param(
        [(DIRECT_HOSTS, "    hosts: [ide.eu.company.com]")],
        "platform.direct_path.hosts[0]",
        "ide.eu.company.com is not covered by the certificate (coder.company.com, *.company.com, ide.company.com)",
        ("hosts: [ide.eu", "ide.eu.company.com"),
        id="direct-path-host-below-the-wildcard",
    ),
    pytest.param(
        [(DIRECT_HOSTS, "    hosts: [ide.company.com, ide.company.com]")],
        "platform.direct_path.hosts[1]",
        "host ide.company.com is listed more than once",
        ("hosts: [ide.company.com, ide", "ide.company.com]"),
        id="direct-path-host-listed-twice",
    ),
    pytest.param(
        [(DIRECT_HOSTS, "    hosts: [ide.company.com, ai.company.com]")],
        "platform.direct_path.hosts[1]",
        "host ai.company.com is routed to 'litellm' already; the direct path needs a host of its own",
        ("hosts: [ide.company.com, ai", "ai.company.com"),
        id="direct-path-host-routed-to-a-service",
    ),
    # secrets_exist, for the direct path's client
    pytest.param(
        [(DIRECT_CLIENT, DIRECT_CLIENT.replace("prod/alb/oidc", "prod/alb/oidcx"))],
        "platform.direct_path.oidc.client.secret",
        "unknown secret 'prod/alb/oidcx' (data.secrets has: prod/coder/oidc, prod/alb/oidc,",
        ("client: {secret:", "prod/alb/oidcx"),
        id="direct-path-client-unknown-secret",
    ),
    pytest.param(
        [(DIRECT_CLIENT, DIRECT_CLIENT.replace("prod/alb/oidc", "prod/litellm/master-key"))],
        "platform.direct_path.oidc.client.secret",
        "secret 'prod/litellm/master-key' is generated, but the OIDC client's id and secret come from the provider",
        ("client: {secret:", "prod/litellm/master-key"),
        id="direct-path-client-generated-secret",
    ),
    pytest.param(
        [(DIRECT_CLIENT, DIRECT_CLIENT.replace("id_key: client_id", "id_key: clientid"))],
        "platform.direct_path.oidc.client.id_key",
        "secret 'prod/alb/oidc' has no key 'clientid' (keys: client_id, client_secret)",
        ("client: {secret:", "clientid"),
        id="direct-path-client-unknown-key",
    ),
    # direct_path_is_reachable
    pytest.param(
        [(LB_TIER, LB_TIER.replace("subnet_tier: app", "subnet_tier: data   # no NAT here"))],
        "platform.load_balancer.subnet_tier",
        "an internal ALB reaches the internet only through a NAT gateway; tier 'data' routes to none",
        ("# no NAT here", "data"),
        id="direct-path-alb-without-a-nat-gateway",
    ),
    pytest.param(
        [
            (
                ALB_EGRESS,
                "      egress:   # no way to the provider\n"
                "        - {to: ecs-services, ports: [7080, 9000, 4000, 3000, 8100], description: Services}\n"
                "        - {to: ecs-workspaces, ports: [13337], description: Workspaces}\n"
                "    ecs-services:",
            )
        ],
        "network.security_groups.alb.egress",
        "security group 'alb' does not let tcp 443 out to anywhere",
        ("# no way to the provider", "egress"),
        id="direct-path-alb-cannot-call-the-provider",
    ),
    pytest.param(
        [(WORKSPACES_FROM_ALB, WORKSPACES_FROM_ALB.replace("from: alb", "from: vpc"))],
        "platform.direct_path.hosts",
        "the direct path leads to no workspace: security group 'ecs-workspaces' admits no port from 'alb'",
        (DIRECT_HOSTS, "hosts"),
        id="direct-path-alb-cannot-reach-the-workspaces",
    ),
    # routes_are_open
    pytest.param(
        [(ALB_TO_SERVICES, ALB_TO_SERVICES.replace("7080, ", ""))],
        "platform.services.coder.ports[0]",
        "coder is routed on port 7080, but the ALB cannot reach it: "
        "security group 'ecs-services' must admit 7080 from 'alb' and 'alb' must let it out",
        ("ports: [7080]", "7080"),
        id="routes-port-closed-in-service-group",
    ),
    # discovery_names_unique
    pytest.param(
        [(LANGFUSE_DISCOVERY, "      discovery: litellm   # clash\n")],
        "observability.services.langfuse-web.discovery",
        "discovery name 'litellm' is already used by 'litellm'",
        ("# clash", "litellm"),
        id="discovery-duplicate-name",
    ),
    # bridge_names_keep_their_meaning
    pytest.param(
        [("      cluster-arn: ${cluster.arn}", "      cluster-arn: ${listener.arn}")],
        "platform.terraform_bridge.values.cluster-arn",
        "'cluster-arn' becomes the Output ClusterArn, which the platform already publishes",
        ("cluster-arn: ${listener.arn}", "${listener.arn}"),
        id="bridge-name-shadows-a-platform-output",
    ),
    # service_names_unique
    pytest.param(
        [(LANGFUSE_WORKER, "    coder:   # clash\n")],
        "observability.services.coder",
        "service 'coder' clashes with 'coder' (a service name must be unique across layers)",
        ("# clash", "coder"),
        id="services-duplicate-name-across-layers",
    ),
    # references_resolve
    pytest.param(
        [(LITELLM_URL, "LITELLM_URL: http://${service.litellm.hostname}:4000")],
        "platform.services.key-provisioner.env.LITELLM_URL",
        "'${service.litellm.hostname}' must be ${service.NAME.host} or ${service.NAME.port}",
        ("LITELLM_URL:", "http"),
        id="references-unknown-in-env",
    ),
    pytest.param(
        [(LITELLM_URL, "LITELLM_URL: http://${service.langfuse-worker.host}:3030")],
        "platform.services.key-provisioner.env.LITELLM_URL",
        "service 'langfuse-worker' has no discovery name, so it has no host",
        ("LITELLM_URL:", "http"),
        id="references-host-of-undiscoverable-service",
    ),
    pytest.param(
        [(CODER_IMAGE, "      image: ghcr.io/coder/coder:${version}")],
        "platform.services.coder.image",
        "unknown reference '${version}' (known: account, bucket, cache,",
        ("coder/coder:", "ghcr.io"),
        id="references-unknown-in-image",
    ),
    pytest.param(
        [(SUBNET_BRIDGE, "private-subnet-ids: ${subnets.private}")],
        "platform.terraform_bridge.values.private-subnet-ids",
        "'${subnets.private}' names no tier (known: public, app, data)",
        ("private-subnet-ids:", "${"),
        id="references-unknown-in-bridge-value",
    ),
    # capacity_is_offered
    pytest.param(
        [(CLUSTER_PROVIDERS, "    capacity_providers: [fargate]")],
        "platform.services.litellm.capacity",
        "litellm asks for fargate-spot, which the cluster does not offer "
        "(platform.cluster.capacity_providers: fargate)",
        ("capacity: {fargate: 1, fargate-spot: 1}", "capacity"),
        id="capacity-provider-the-cluster-lacks",
    ),
    # needs_are_reachable
    pytest.param(
        [(SERVICE_TO_SERVICE, SERVICE_TO_SERVICE.replace("8123, ", ""))],
        "observability.services.langfuse-web.needs[2]",
        "langfuse-web cannot reach clickhouse:8123: security group 'ecs-services' must admit 8123 from 'ecs-services'",
        ("&langfuse-needs", '"clickhouse:8123"'),
        id="needs-port-closed-between-services",
    ),
    pytest.param(
        [(KP_NEEDS, "      needs: [grafana]\n")],
        "platform.services.key-provisioner.needs[0]",
        "unknown need 'grafana' (choose from: database, cache, file_system,",
        ("needs: [grafana]", "grafana"),
        id="needs-unknown-target",
    ),
    pytest.param(
        [(KP_NEEDS, '      needs: ["litellm:4001"]\n')],
        "platform.services.key-provisioner.needs[0]",
        "litellm does not listen on port 4001",
        ("litellm:4001", '"litellm:4001"'),
        id="needs-port-the-target-does-not-listen-on",
    ),
    # Service._fargate_size
    pytest.param(
        [(CODER_SIZE, CODER_SIZE.replace("memory: 4096", "memory: 3000"))],
        "platform.services.coder.memory",
        "3000 is not a valid Fargate memory size for 1024 CPU units (choose 2048-8192 in steps of 1024)",
        ("memory: 3000", "3000"),
        id="fargate-memory-outside-the-cpu-range",
    ),
    pytest.param(
        [(KP_SIZE, KP_SIZE.replace("memory: 512", "memory: 4096   # too big"))],
        "platform.services.key-provisioner.memory",
        "4096 is not a valid Fargate memory size for 256 CPU units (choose 512-2048 in steps of 512)",
        ("# too big", "4096"),
        id="fargate-memory-too-large-for-quarter-vcpu",
    ),
    pytest.param(
        [(CODER_SIZE, CODER_SIZE.replace("cpu: 1024", "cpu: 1000"))],
        "platform.services.coder.cpu",
        "1000 is not a Fargate CPU size (choose one of 256, 512, 1024, 2048, 4096, 8192, 16384)",
        ("cpu: 1000", "1000"),
        id="fargate-cpu-not-a-size",
    ),
]


@pytest.mark.parametrize(("edits", "path", "fragment", "at"), BAD)
def test_rule_reports_the_problem_at_its_line(
    tmp_path: Path, edits: list[Edit], path: str, fragment: str, at: tuple[str, str]
) -> None:
    text = edit(production_text(), *edits)
    problem = problem_at(problems_of(edited_spec(tmp_path, *edits)), path)
    assert fragment in problem.message
    marker, token = at
    assert (problem.line, problem.column) == position(text, marker, token)
    assert problem.file.endswith("production.yaml")


GOOD = [
    pytest.param([(CODER_OIDC_ID, CODER_OIDC_ID.replace("client_id}", "client_secret}"))], id="secrets-other-json-key"),
    pytest.param([(PGPASSWORD, PGPASSWORD.replace("password}", "username}"))], id="secrets-database-username"),
    pytest.param([(KP_SECRET, "KEY_PROVISIONER_SECRET: {secret: prod/litellm/master-key}")], id="secrets-plain-no-key"),
    pytest.param([(LANGFUSE_BUCKETS, "buckets: {backups: read,")], id="buckets-other-known-bucket"),
    pytest.param([(ASSETS_BUCKET, "bucket: backups}")], id="buckets-assets-in-other-bucket"),
    pytest.param([(WORKSPACES, WORKSPACES.replace("subnet_tier: app", "subnet_tier: data"))], id="placements-known"),
    pytest.param([(CODER_PLACEMENT, CODER_PLACEMENT.replace("app", "data"))], id="placements-service-in-other-tier"),
    pytest.param([(LANGFUSE_ROUTE, route("traces.company.com"))], id="routes-host-under-the-wildcard"),
    pytest.param(
        [(LANGFUSE_ROUTE, route("ide.company.com")), (DIRECT_HOSTS, "    hosts: [ws.company.com]")],
        id="routes-host-named-by-the-certificate",
    ),
    pytest.param([(LANGFUSE_ROUTE, route("langfuse.company.com", ", priority: 1"))], id="routes-explicit-priority"),
    pytest.param(
        [(LANGFUSE_ROUTE, route("langfuse.company.com", ", priority: 48998"))], id="routes-last-priority-of-the-block"
    ),
    pytest.param(
        [(ALB_TO_SERVICES, ALB_TO_SERVICES.replace("9000, ", ""))], id="routes-closing-an-unrouted-port-is-fine"
    ),
    pytest.param(
        [
            (CODER_WILDCARD, 'wildcard_hosts: ["*.company.com"]'),
            (DIRECT_HOSTS, "    hosts: [ide.company.net]"),
            (CERTIFICATE_NAMES, CERTIFICATE_NAMES.replace("ide.company.com", "ide.company.net")),
        ],
        id="plain-wildcard-without-a-direct-path-host-under-it",
    ),
    pytest.param(
        [(CODER_WILDCARD, 'wildcard_hosts: ["*--*.company.com", "*-?-*.company.com"]')],
        id="wildcard-hosts-with-five-wildcards",
    ),
    pytest.param(
        [(LANGFUSE_ROUTE, route("lf--x.company.com"))], id="exact-route-host-the-wildcard-matches-comes-first"
    ),
    pytest.param([(LANGFUSE_DISCOVERY, "      discovery: langfuse-web\n")], id="discovery-another-unique-name"),
    pytest.param(
        [
            (LANGFUSE_WORKER, "    langfuse-worker-2:\n"),
            (LANGFUSE_DB_USERS, "services: [langfuse-web, langfuse-worker-2]"),
            # A renamed service takes its alarm overrides along (S501 names an override of nothing).
            ("    langfuse-worker: {log_errors", "    langfuse-worker-2: {log_errors"),
        ],
        id="services-another-unique-name",
    ),
    pytest.param(
        [(LITELLM_URL, "LITELLM_URL: http://${service.langfuse-web.host}:${service.langfuse-web.port}/${project}")],
        id="references-service-and-project-in-env",
    ),
    pytest.param(
        [(CODER_IMAGE, "      image: ${account}.dkr.ecr.${region}.amazonaws.com/coder:v2.18.5")],
        id="references-account-and-region-in-image",
    ),
    pytest.param(
        [(CLUSTER_PROVIDERS, "    capacity_providers: [fargate-spot, fargate]")], id="capacity-providers-in-any-order"
    ),
    pytest.param([(KP_NEEDS, '      needs: ["litellm:4000", database]\n')], id="needs-explicit-port-and-database"),
    pytest.param([(SUBNET_BRIDGE, "private-subnet-ids: ${subnets.data}")], id="references-other-tier-in-bridge"),
    pytest.param(
        [("      cluster-arn: ${cluster.arn}", "      cluster-name: ${cluster.name}")],
        id="bridge-may-reuse-a-name-for-its-value",
    ),
    pytest.param([(DIRECT_HOSTS, "    hosts: [ide.company.com, workspaces.company.com]")], id="direct-path-two-hosts"),
    pytest.param(
        [(DIRECT_CLIENT, DIRECT_CLIENT.replace("prod/alb/oidc", "prod/coder/oidc"))],
        id="direct-path-client-shared-with-coder",
    ),
    pytest.param(
        [
            (
                ALB_EGRESS,
                "      egress:\n"
                "        - {to: ecs-services, ports: [7080, 9000, 4000, 3000, 8100], description: Services}\n"
                "        - {to: ecs-workspaces, ports: [13337], description: Workspaces}\n"
                "        - {to: anywhere, ports: [443], description: The OIDC provider}\n"
                "    ecs-services:",
            )
        ],
        id="direct-path-alb-lets-out-only-what-it-routes-and-443",
    ),
    pytest.param([(CODER_SIZE, CODER_SIZE.replace("memory: 4096", "memory: 8192"))], id="fargate-largest-for-1-vcpu"),
    pytest.param([(KP_SIZE, KP_SIZE.replace("memory: 512", "memory: 2048"))], id="fargate-largest-for-quarter-vcpu"),
]


@pytest.mark.parametrize("edits", GOOD)
def test_edit_beside_the_rule_boundary_still_loads(tmp_path: Path, edits: list[Edit]) -> None:
    load(edited_spec(tmp_path, *edits))


def test_the_production_spec_breaks_no_rule() -> None:
    loaded = production().loaded
    assert rule_problems(loaded.document, str(loaded.path), loaded.spec) == []


# --------------------------------------------------------------------------- gaps these tests found (now fixed)


def test_an_unknown_load_balancer_group_is_one_problem_not_one_per_route(tmp_path: Path) -> None:
    """A typo in the ALB's group is one mistake; routes_are_open must not also blame every routed service
    (its advice, admitting the port from a group that does not exist, cannot be followed)."""
    problems = problems_of(edited_spec(tmp_path, (LB_GROUP, LB_GROUP.replace("alb", "albs"))))
    assert [p.path for p in problems] == ["platform.load_balancer.security_group"], "\n".join(map(str, problems))


def test_a_route_is_dead_when_the_load_balancer_group_does_not_let_the_port_out(tmp_path: Path) -> None:
    """The ALB's egress counts too: letting only 7080 out leaves ai., admin. and langfuse.company.com dead."""
    alb_egress = "      egress: all\n    ecs-services:"
    only_coder = (
        "      egress:\n        - {to: ecs-services, ports: [7080], description: Coder only}\n    ecs-services:"
    )
    problems = problems_of(edited_spec(tmp_path, (alb_egress, only_coder)))
    # (The direct path is cut off too, reported by S416; this test is about the routes.)
    dead = {p.path: p.message for p in problems if p.rule == "S409"}
    assert sorted(dead) == [
        "observability.services.langfuse-web.ports[0]",
        "platform.services.key-provisioner.ports[0]",
        "platform.services.litellm.ports[0]",
    ]
    assert "litellm is routed on port 4000, but the ALB cannot reach it" in dead["platform.services.litellm.ports[0]"]


# --------------------------------------------------------------------------- warnings: secrets_are_used

LAST_SECRET = (
    "    prod/redis/auth-token:\n"
    "      description: Redis AUTH token\n"
    "      generate: {length: 64, alphabet: alphanumeric}\n"
)
SPARE_SECRET = (
    "    prod/later/webhook:\n      description: Signing key of a webhook not built yet\n      generate: {length: 48}\n"
)
ALB_OIDC_SECRET = "    prod/alb/oidc:\n      description: Azure AD client for the ALB's direct OIDC path\n"

# (edits, dotted path, message fragment, (line marker, token) of the reported position)
WARNED = [
    pytest.param(
        [(LAST_SECRET, LAST_SECRET + SPARE_SECRET)],
        "data.secrets.prod/later/webhook",
        "secret 'prod/later/webhook' is used by no service, listener rule, cache or bridge value; use it, remove it, "
        "or say why it is kept with 'kept_for: <reason>'",
        ("prod/later/webhook:", "prod/later/webhook"),
        id="secret-nothing-uses",
    ),
    pytest.param(
        [(ALB_OIDC_SECRET, ALB_OIDC_SECRET + "      kept_for: the ALB direct path, a later step\n")],
        "data.secrets.prod/alb/oidc.kept_for",
        "secret 'prod/alb/oidc' is used by the direct path's listener rule; 'kept_for' no longer says anything true",
        ("kept_for: the ALB", "the ALB"),
        id="secret-kept-for-later-but-used-now",
    ),
]


def warnings_of(spec_path: Path) -> list[Problem]:
    return rule_warnings(load(spec_path))


@pytest.mark.parametrize(("edits", "path", "fragment", "at"), WARNED)
def test_a_warning_rule_reports_at_its_line_and_the_spec_still_loads(
    tmp_path: Path, edits: list[Edit], path: str, fragment: str, at: tuple[str, str]
) -> None:
    text = edit(production_text(), *edits)
    (warning,) = warnings_of(edited_spec(tmp_path, *edits))
    assert (warning.path, warning.rule) == (path, "S417")
    assert fragment in warning.message
    assert (warning.line, warning.column) == position(text, *at)


def test_a_secret_kept_for_a_reason_is_not_reported(tmp_path: Path) -> None:
    kept = SPARE_SECRET + "      kept_for: the release webhook of the next step\n"
    assert warnings_of(edited_spec(tmp_path, (LAST_SECRET, LAST_SECRET + kept))) == []


def test_the_production_spec_uses_every_secret_it_creates() -> None:
    assert rule_warnings(production().loaded) == []


def test_a_secret_counts_as_used_by_a_service_the_cache_the_direct_path_and_the_bridge() -> None:
    users = secret_users(production().spec)
    assert users["prod/alb/oidc"] == ["the direct path's listener rule", "bridge value 'direct-path-oidc-secret-arn'"]
    assert users["prod/redis/auth-token"] == [
        "service 'langfuse-web'",
        "service 'langfuse-worker'",
        "the cache's AUTH token",
    ]
    assert users["prod/coder/oidc"] == ["service 'coder'", "service 'coder'"]


def test_synth_prints_an_unused_secret_as_a_located_warning_and_still_writes(tmp_path: Path) -> None:
    spec_path = edited_spec(tmp_path, (LAST_SECRET, LAST_SECRET + SPARE_SECRET))
    out = tmp_path / "out"
    result = run("synth", "--spec", spec_path, "--out", out, "--no-lint")
    assert result.exit_code == 0, result.output
    line, column = position(spec_path.read_text(encoding="utf-8"), "prod/later/webhook:", "prod/later/webhook")
    assert result.stderr.splitlines() == [
        f"warning: {spec_path}:{line}:{column}: data.secrets.prod/later/webhook: secret 'prod/later/webhook' is used "
        "by no service, listener rule, cache or bridge value; use it, remove it, or say why it is kept with "
        "'kept_for: <reason>' [S417]"
    ]
    assert sorted(p.name for p in out.iterdir()) == ["data.yaml", "network.yaml", "observability.yaml", "platform.yaml"]
