"""The spec's schema: what each key is, its type, range and description, in pydantic v2.

Only the shape lives here. Rules that relate several values (a subnet inside the
VPC, a rule naming a group that exists) are in :mod:`cfncompiler.spec.rules`, each
with an id; the JSON schema for editors is generated from these classes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Network
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from cfncompiler.naming import aws_regions


class SpecModel(BaseModel):
    # strict: a YAML string "1024" must not pass for the number 1024.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Name = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=40, description="lower-case name: letters, digits, hyphens"),
]
Port = Annotated[int, Field(ge=1, le=65535, description="TCP/UDP port 1-65535")]


def _cidr_text(value: Any) -> Any:
    # Lax mode would read `true` or `167772160` as an address; a CIDR is only ever written as text.
    if not isinstance(value, str):
        raise ValueError(f"a CIDR is written as text such as 10.0.0.0/16, not {type(value).__name__} {value!r}")
    return value


Cidr = Annotated[
    IPv4Network, BeforeValidator(_cidr_text), Field(strict=False, description="IPv4 network, e.g. 10.0.0.0/16")
]
Description = Annotated[str, Field(min_length=1, max_length=255)]
# EC2 accepts only these characters in security-group and rule descriptions.
GroupDescription = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9 ._\-:/()#,@+=&;{}!$*]*$")]

# CloudWatch Logs accepts only these retention periods.
LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]

# S3 bucket names: at most 63 characters; ours are <project>-<name>-<12-digit account id>.
S3_NAME_MAX = 63
S3_NAME_OVERHEAD = 2 + 12

# Words a security-group rule may use instead of a group name.
VPC_PEER = "vpc"
ANYWHERE_PEER = "anywhere"


# --------------------------------------------------------------------------- network


class RouteKind(StrEnum):
    INTERNET_GATEWAY = "internet-gateway"
    NAT = "nat"
    NONE = "none"


class Subnet(SpecModel):
    cidr: Cidr
    az: int = Field(ge=0, description="index into the region's availability zones")
    tier: Name


class NatGateway(SpecModel):
    subnet: Name = Field(description="public subnet that holds the single NAT gateway")


class Endpoints(SpecModel):
    gateway: list[Literal["s3", "dynamodb"]] = Field(
        description="gateway endpoints (free): s3, dynamodb", default_factory=list
    )
    gateway_tiers: list[Name] = Field(
        default_factory=list, description="tiers whose route tables get the gateway endpoints"
    )
    interface: list[Annotated[str, Field(pattern=r"^[a-z0-9]+([.-][a-z0-9]+)*$")]] = Field(
        default_factory=list, description="service names after com.amazonaws.<region>."
    )
    interface_tier: Name | None = Field(default=None, description="tier whose subnets hold the interface endpoints")
    security_group: Name | None = Field(default=None, description="group the interface endpoints sit in")


class IngressRule(SpecModel):
    peer: Name = Field(alias="from", description="a security group name, or 'vpc'")
    ports: list[Port] = Field(description="destination ports", min_length=1)
    protocol: Literal["tcp", "udp"] = Field(default="tcp", description="tcp or udp")
    description: GroupDescription = Field(description="why the rule exists")


class EgressRule(SpecModel):
    peer: Name = Field(alias="to", description="a security group name, 'vpc' or 'anywhere'")
    ports: list[Port] = Field(description="destination ports", min_length=1)
    protocol: Literal["tcp", "udp"] = Field(default="tcp", description="tcp or udp")
    description: GroupDescription = Field(description="why the rule exists")


def _egress_kind(value: Any) -> str:
    return "rules" if isinstance(value, list) else "word"


Egress = Annotated[
    Annotated[Literal["all", "none"], Tag("word")] | Annotated[list[EgressRule], Tag("rules")],
    Discriminator(_egress_kind),
]


class SecurityGroup(SpecModel):
    description: GroupDescription = Field(description="what the group is for")
    ingress: list[IngressRule] = Field(description="who may connect in", default_factory=list)
    egress: Egress = Field(description="'all', 'none' or a list of rules")


class ServiceDiscovery(SpecModel):
    namespace: Annotated[str, Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")] = Field(
        description="private DNS namespace"
    )


class FlowLogs(SpecModel):
    traffic: Literal["all", "accept", "reject"] = Field(description="which traffic to log: all, accept or reject")


class Network(SpecModel):
    cidr: Cidr
    availability_zones: int = Field(description="how many AZs the VPC spans", ge=1, le=6)
    tiers: dict[Name, Annotated[RouteKind, Field(strict=False)]] = Field(
        description="subnet tiers and how each reaches the internet", min_length=1
    )
    subnets: dict[Name, Subnet] = Field(description="subnets by name", min_length=1)
    nat_gateway: NatGateway | None = Field(default=None, description="the NAT gateway, if any tier routes through one")
    endpoints: Endpoints = Field(description="VPC endpoints", default_factory=Endpoints)
    security_groups: dict[Name, SecurityGroup] = Field(description="security groups by name")
    service_discovery: ServiceDiscovery = Field(description="the CloudMap namespace")
    flow_logs: FlowLogs = Field(description="VPC flow logs")

    def subnets_in(self, tier: str) -> list[str]:
        return [name for name, subnet in self.subnets.items() if subnet.tier == tier]

    def tiers_routed_by(self, kind: RouteKind) -> list[str]:
        return [tier for tier, route in self.tiers.items() if route is kind]


# --------------------------------------------------------------------------- data


class Generate(SpecModel):
    length: int = Field(description="number of characters", ge=16, le=4096)
    alphabet: Literal["default", "hex", "alphanumeric"] = Field(
        default="default", description="default (letters, digits, punctuation), alphanumeric or hex"
    )


SecretName = Annotated[str, Field(pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")]
Image = Annotated[str, Field(pattern=r"^\S+$", min_length=1, max_length=512)]


# A PostgreSQL identifier the bootstrap writes into its SQL: this pattern is what keeps the SQL safe.
PgIdentifier = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$", description="lower-case PostgreSQL name: letters, digits, _")
]


class AppDatabase(SpecModel):
    login: PgIdentifier = Field(
        description="the login that owns this database and may connect to it, and to no other application's"
    )
    secret: SecretName = Field(
        description=(
            "Secrets Manager secret created with the login's generated password (JSON keys username and "
            "password); the services read it, never the master user's"
        )
    )
    password: Generate = Field(description="how Secrets Manager generates the login's password")
    services: list[Name] = Field(
        min_length=1,
        description=(
            "services that log in as this login; each task first runs the bootstrap (as the master user) "
            "and starts its app only once that succeeded"
        ),
    )


class Database(SpecModel):
    engine: Literal["postgres"] = Field(description="database engine")
    version: Annotated[str, Field(pattern=r"^\d+\.\d+$", description="full engine version, e.g. 16.9")]
    instance_class: Annotated[str, Field(pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")] = Field(
        description="RDS instance class, e.g. db.r6g.large"
    )
    multi_az: bool = Field(description="run a standby in a second AZ")
    storage_gb: int = Field(description="allocated storage in GB", ge=20, le=65536)
    max_storage_gb: int = Field(description="storage autoscaling ceiling in GB", ge=20, le=65536)
    backup_retention_days: int = Field(description="days of automated backups", ge=1, le=35)
    enhanced_monitoring_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = Field(
        description="OS metrics interval; 0 turns enhanced monitoring off"
    )
    require_ssl: bool = Field(description="refuse connections without TLS (rds.force_ssl)")
    identifier: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,62}$")] | None = Field(
        default=None,
        description=(
            "the DB instance identifier; leave it out for a generated one. An adopted database keeps its "
            "own (changing it replaces the instance)"
        ),
    )
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")] = Field(description="database created at launch")
    username: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")] = Field(
        description="master user; RDS generates and keeps the password"
    )
    port: Port
    subnet_tier: Name
    security_group: Name
    databases: dict[PgIdentifier, AppDatabase] = Field(
        default_factory=dict,
        description=(
            "each application's own database, by name, with its own login: created (or taken over) by the "
            "bootstrap, which runs as the master user in the tasks of the services that use it"
        ),
    )
    bootstrap_image: Image | None = Field(
        default=None,
        description="image with psql (15 or later) that runs the bootstrap; required when databases are listed",
    )

    @property
    def major_version(self) -> str:
        return self.version.split(".")[0]

    def database_of(self, service: str) -> str | None:
        """The database a service logs in to as its own login, if it uses one."""
        return next((name for name, db in self.databases.items() if service in db.services), None)

    @property
    def login_secrets(self) -> dict[str, str]:
        """Login secret name -> the database whose login it holds."""
        return {db.secret: name for name, db in self.databases.items()}


class Cache(SpecModel):
    engine: Literal["redis", "valkey"] = Field(description="redis or valkey")
    version: Annotated[str, Field(pattern=r"^\d+\.\d+$")] = Field(description="engine version, e.g. 7.1")
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")] = Field(
        description="ElastiCache node type, e.g. cache.r6g.large"
    )
    replicas: int = Field(ge=0, le=5, description="read replicas besides the primary")
    port: Port
    subnet_tier: Name
    security_group: Name
    auth_token_secret: Annotated[str, Field(min_length=1)] = Field(
        description="generated alphanumeric secret under data.secrets that clients present (Redis AUTH)"
    )
    identifier: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")] | None = Field(
        default=None,
        description=(
            "the replication group id; leave it out for a generated one. An adopted cache keeps its own "
            "(changing it replaces the cache)"
        ),
    )


class FileSystem(SpecModel):
    performance_mode: Literal["general-purpose", "max-io"] = Field(description="EFS performance mode")
    throughput_mode: Literal["bursting", "elastic"] = Field(description="EFS throughput mode")
    transition_to_ia_days: Literal[1, 7, 14, 30, 60, 90, 180, 270, 365] = Field(
        description="days before files move to Infrequent Access"
    )
    mount_tier: Name
    security_group: Name


class Bucket(SpecModel):
    versioned: bool = Field(description="keep every version of every object")
    old_versions_days: int | None = Field(
        default=None, ge=1, le=3650, description="delete replaced object versions after this many days"
    )
    receives_access_logs: bool = Field(
        default=False, description="the bucket every other bucket and the ALB write access logs to"
    )
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")] | None = Field(
        default=None,
        description=(
            "the bucket's name in S3; default <project>-<key>-<account id>. An adopted bucket keeps its own "
            "(a bucket cannot be renamed: a new name is a new, empty bucket)"
        ),
    )


class Table(SpecModel):
    hash_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,255}$")] = Field(description="partition key attribute")
    hash_key_type: Literal["string", "number", "binary"] = Field(description="string, number or binary")


SecretKey = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class Secret(SpecModel):
    description: Description = Field(description="what the secret is for")
    provided: list[SecretKey] | None = Field(
        default=None, description="JSON keys an operator fills in after the first deploy"
    )
    generate: Generate | None = Field(default=None, description="let Secrets Manager create the value")
    kept_for: Description | None = Field(
        default=None,
        description=(
            "why the secret exists though nothing in the spec uses it yet (a later step, a reader outside "
            "the spec); without it an unused secret is a warning (S417)"
        ),
    )

    @property
    def keys(self) -> list[str]:
        return list(self.provided or [])


BucketName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")]
TableName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{3,255}$")]


class Data(SpecModel):
    database: Database = Field(description="the PostgreSQL instance")
    cache: Cache = Field(description="the Redis replication group")
    file_system: FileSystem = Field(description="the shared EFS file system")
    buckets: dict[BucketName, Bucket] = Field(description="S3 buckets by name")
    tables: dict[TableName, Table] = Field(description="DynamoDB tables by name")
    secrets: dict[SecretName, Secret] = Field(description="Secrets Manager entries by name")

    @property
    def access_log_bucket(self) -> str | None:
        return next((name for name, bucket in self.buckets.items() if bucket.receives_access_logs), None)


# --------------------------------------------------------------------------- services

# Fargate's valid task sizes: CPU units -> allowed memory (MiB). An AWS fact, not a design value.
FARGATE_MEMORY: dict[int, range] = {
    256: range(512, 2048 + 1, 512),
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}

# The RDS-managed master secret, named in a service's secrets as `secret: database`.
DATABASE_SECRET = "database"
DATABASE_SECRET_KEYS = ("username", "password")

EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class SecretRef(SpecModel):
    secret: Annotated[str, Field(min_length=1, description="a secret under data.secrets, or 'database'")]
    key: SecretKey | None = Field(default=None, description="JSON key inside the secret")


class Volume(SpecModel):
    path: Annotated[str, Field(pattern=r"^/\S*$", description="mount path inside the container")]
    efs_directory: Annotated[str, Field(pattern=r"^/\S+$", description="directory on the shared EFS file system")]
    uid: int = Field(ge=0, le=4294967295, description="owner of the directory and of every file written")
    gid: int = Field(description="group of the directory and of every file written", ge=0, le=4294967295)


# A host name the ALB answers, possibly a wildcard: coder.company.com, *.company.com.
WILDCARD_HOST_PATTERN = r"^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"


# A host pattern as the ALB matches it: a first label with * (any characters) or ? (one character) in it,
# under plain labels: *.company.com, or *--*.company.com (Coder's app hosts, which all contain '--').
ALB_HOST_PATTERN = r"^[a-z0-9*?-]*[*?][a-z0-9*?-]*(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"
ALB_HOST_MAX = 128  # characters of one host-header condition value


def wildcard_record(pattern: str) -> str:
    """The DNS name that leads a host pattern's hosts to the ALB: '*--*.company.com' -> '*.company.com'
    (a DNS wildcard is a whole first label)."""
    return "*." + pattern.split(".", 1)[1]


class Route(SpecModel):
    host: Annotated[str, Field(pattern=WILDCARD_HOST_PATTERN)] = Field(
        description="host name the ALB routes to this service"
    )
    health_path: Annotated[str, Field(pattern=r"^/\S*$", description="HTTP path the ALB polls")]
    priority: int | None = Field(
        default=None,
        ge=1,
        le=50000,
        description=(
            "listener rule priority, 1-48998 (48999-50000 are kept for the wildcard hosts and the workspaces' "
            "direct path); derived from the host when omitted"
        ),
    )
    wildcard_hosts: list[Annotated[str, Field(pattern=ALB_HOST_PATTERN, max_length=ALB_HOST_MAX)]] = Field(
        default_factory=list,
        max_length=5,
        description=(
            "host patterns the service also answers, * for any characters and ? for one (Coder's wildcard access "
            "URL: *.company.com, or *--*.company.com beside a direct path); one listener rule evaluated after every "
            "exact host, on the same target group. Each gets a DNS record (its first label as *) and must be on "
            "the certificate"
        ),
    )


class ContainerCheck(SpecModel):
    command: Annotated[str, Field(min_length=1, description="shell command; exit 0 means healthy")]
    start_period_seconds: int = Field(description="grace period before failures count", default=60, ge=0, le=300)


class Assets(SpecModel):
    path: Annotated[str, Field(pattern=r"^[^/~]", description="directory, relative to this spec file")]
    mount: Annotated[str, Field(pattern=r"^/\S*$", description="where the files appear in the container")]
    bucket: BucketName = Field(description="bucket (under data.buckets) the files are uploaded to")


class Access(SpecModel):
    buckets: dict[BucketName, Literal["read", "read-write"]] = Field(
        description="buckets the task may use: read, or read-write", default_factory=dict
    )
    bedrock_models: list[Annotated[str, Field(pattern=r"^[a-z0-9.*:-]+$")]] = Field(
        default_factory=list, description="foundation model ids the task may invoke (wildcards allowed)"
    )
    workspaces: bool = Field(
        default=False, description="run Coder workspaces: manage ECS services and task definitions on this cluster"
    )


CapacityProvider = Literal["fargate", "fargate-spot"]


def _capacity_kind(value: Any) -> str:
    return "weights" if isinstance(value, dict) else "one"


Capacity = Annotated[
    Annotated[CapacityProvider, Tag("one")]
    | Annotated[dict[CapacityProvider, Annotated[int, Field(ge=0, le=1000)]], Tag("weights")],
    Discriminator(_capacity_kind),
]


NEEDS_HELP = (
    "what this must reach: database, cache, file_system, or a service (NAME or NAME:PORT); "
    "synth fails when the security groups do not allow it"
)
Needs = list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*(:[0-9]{1,5})?$")]]


class Service(SpecModel):
    image: Image = Field(description="container image; ${account} and ${region} allowed")
    cpu: int = Field(description="CPU units: 1024 = 1 vCPU")
    memory: int = Field(description="MiB")
    ports: list[Port] = Field(min_length=1, description="container ports; the first is the one routed and registered")
    replicas: int = Field(description="tasks to run", ge=0, le=100)
    capacity: Capacity = Field(default="fargate", description="fargate, fargate-spot, or weights of each")
    security_group: Name
    subnet_tier: Name
    discovery: Name | None = Field(default=None, description="name in the CloudMap namespace")
    route: Route | None = Field(default=None, description="ALB host route, if the service is reached through the ALB")
    command: list[str] | None = Field(default=None, description="container command (arguments)")
    env: dict[EnvName, str] = Field(description="environment; ${...} references allowed", default_factory=dict)
    secrets: dict[EnvName, SecretRef] = Field(
        description="environment variables filled from Secrets Manager", default_factory=dict
    )
    volumes: list[Volume] = Field(description="EFS directories mounted into the container", default_factory=list)
    assets: Assets | None = Field(default=None, description="a directory of files shipped to the task")
    access: Access = Field(description="AWS resources the task role may use", default_factory=Access)
    health_check: ContainerCheck | None = Field(default=None, description="container health check command")
    needs: Needs = Field(default_factory=list, description=NEEDS_HELP)

    @property
    def port(self) -> int:
        return self.ports[0]


class Certificate(SpecModel):
    domain: Annotated[str, Field(pattern=r"^[a-z0-9.*-]+$")] = Field(description="the certificate's main name")
    alternative_names: list[Annotated[str, Field(pattern=r"^[a-z0-9.*-]+$")]] = Field(
        description="further names, wildcards allowed", default_factory=list
    )

    @property
    def names(self) -> list[str]:
        return [self.domain, *self.alternative_names]


def _https_url(value: str) -> str:
    # The ALB calls the token and user-info endpoints itself and sends browsers to the authorization
    # endpoint; it accepts nothing but https, and a URL with user:password@ would put a credential here.
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an https:// URL (the ALB speaks to the OIDC provider over TLS only)")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{value!r} carries a user name or password; credentials belong in data.secrets")
    return value


HttpsUrl = Annotated[
    str,
    AfterValidator(_https_url),
    Field(min_length=9, max_length=2048, json_schema_extra={"pattern": r"^https://[^\s/?#@]+(/\S*)?$"}),
]
# A host name without a wildcard: a direct path names the hosts it guards one by one.
HostName = Annotated[
    str, Field(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", max_length=253)
]
# OAuth scopes: printable ASCII words (no quote or backslash) separated by single spaces.
Scope = Annotated[str, Field(pattern=r"^[!#-\[\]-~]+( [!#-\[\]-~]+)*$", max_length=1024)]


class OidcClient(SpecModel):
    secret: SecretName = Field(
        description=(
            "a provided secret under data.secrets holding the OIDC client's id and secret as JSON keys; "
            "the ALB reads it through dynamic references, never as a value in a template"
        )
    )
    id_key: SecretKey = Field(description="JSON key of the client id inside that secret")
    secret_key: SecretKey = Field(description="JSON key of the client secret inside that secret")


class OidcProvider(SpecModel):
    issuer: HttpsUrl = Field(description="the provider's issuer, exactly as its discovery document gives it")
    authorization_endpoint: HttpsUrl = Field(description="where the ALB sends a browser to sign in")
    token_endpoint: HttpsUrl = Field(description="where the ALB exchanges the sign-in code for tokens")
    user_info_endpoint: HttpsUrl = Field(description="where the ALB reads the signed-in user's claims")
    scope: Scope = Field(description="OAuth scopes the ALB asks for, separated by spaces; must include openid")
    session_timeout_seconds: int = Field(
        ge=1, le=604800, description="how long an ALB sign-in session lasts before the user signs in again (max 7 days)"
    )
    client: OidcClient = Field(description="which secret holds the client id and secret the ALB signs in with")

    @field_validator("scope")
    @classmethod
    def _asks_for_openid(cls, scope: str) -> str:
        if "openid" not in scope.split(" "):
            raise ValueError(f"scope {scope!r} does not include openid, which OIDC sign-in requires")
        return scope


class DirectPath(SpecModel):
    hosts: list[HostName] = Field(
        min_length=1,
        max_length=5,
        description=(
            "host names of the workspaces' direct path through the ALB (at most 5, one listener rule's "
            "condition values); each must be on the certificate"
        ),
    )
    oidc: OidcProvider = Field(
        description="the OIDC provider the ALB signs users in with before anything on these hosts is reached"
    )


class Cluster(SpecModel):
    container_insights: bool = Field(description="collect Container Insights metrics")
    capacity_providers: list[CapacityProvider] = Field(
        description="Fargate capacity the services may use", min_length=1
    )


class LoadBalancer(SpecModel):
    subnet_tier: Name
    security_group: Name
    tls_policy: Annotated[str, Field(pattern=r"^ELBSecurityPolicy-TLS13-1-[23]-\S+$")] = Field(
        description="an ELB security policy allowing TLS 1.2+ only"
    )
    idle_timeout_seconds: int = Field(
        description="seconds an idle connection stays open (websockets)", default=60, ge=1, le=4000
    )
    extra_hosts: list[Annotated[str, Field(pattern=WILDCARD_HOST_PATTERN, max_length=253)]] = Field(
        default_factory=list,
        description=(
            "further host names that lead to the ALB though no route, wildcard host or direct path names them, "
            "wildcards allowed; each must be on the certificate (a route's wildcard_hosts get their DNS names "
            "without being listed here)"
        ),
    )


ZoneId = Annotated[
    str, Field(pattern=r"^[A-Z0-9]{1,32}$", description="a Route 53 hosted zone id, e.g. Z0123456789ABC")
]


class Dns(SpecModel):
    """The Route 53 zone the hosts live in: with it, CloudFormation validates the certificate and points every
    host at the ALB on its own; without it, deploy prints the records to create by hand."""

    domain: HostName = Field(description="the zone's domain name, e.g. company.com; every host lies inside it")
    zone_id: ZoneId = Field(description="the hosted zone that gets an alias record to the ALB for every host")
    private: bool = Field(
        description=(
            "the zone is private (associated with the VPC; the natural choice for an internal ALB) rather than public"
        )
    )
    validation_zone_id: ZoneId | None = Field(
        default=None,
        description=(
            "the public hosted zone of the same domain that gets the certificate's validation records; required "
            "when the zone is private (ACM validates through public DNS only), left out when it is public"
        ),
    )

    @property
    def certificate_zone_id(self) -> str:
        """The zone ACM reads the validation records from: the public one."""
        return self.validation_zone_id or self.zone_id


class Workspaces(SpecModel):
    security_group: Name
    subnet_tier: Name
    needs: Needs = Field(default_factory=list, description=NEEDS_HELP)


BridgeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]


class TerraformBridge(SpecModel):
    parameter_prefix: Annotated[str, Field(pattern=r"^(/[A-Za-z0-9_.-]+)+$")] = Field(
        description="SSM parameter path prefix"
    )
    values: dict[BridgeName, Annotated[str, Field(pattern=r"^\$\{[a-z0-9_.-]+\}$")]] = Field(
        description="name -> ${...} reference, published as an Output and an SSM parameter", min_length=1
    )


class Platform(SpecModel):
    cluster: Cluster = Field(description="the ECS cluster")
    certificate: Certificate = Field(description="the ACM certificate of the ALB")
    load_balancer: LoadBalancer = Field(description="the internal ALB")
    asset_fetcher_image: Image = Field(description="image that copies a service's assets from S3 before it starts")
    workspaces: Workspaces = Field(description="how Coder workspaces run")
    terraform_bridge: TerraformBridge = Field(description="values published for Terraform workspace templates")
    direct_path: DirectPath | None = Field(
        default=None,
        description=(
            "the workspaces' direct path through the ALB: its hosts answer only after an OIDC sign-in "
            "at the ALB (then 404, until a workspace template adds its own rule)"
        ),
    )
    dns: Dns | None = Field(
        default=None,
        description=(
            "the Route 53 zone of the hosts: the certificate validates through it and every host gets an alias "
            "record to the ALB; without it, deploy and status print the records to create"
        ),
    )
    services: dict[Name, Service] = Field(description="Fargate services of the platform layer, by name")


class Observability(SpecModel):
    services: dict[Name, Service] = Field(description="Fargate services of the observability layer, by name")


# --------------------------------------------------------------------------- alarms


@dataclass(frozen=True)
class AlarmDefault:
    """What an alarm watches and fires at before anyone tunes it, and why that value.

    Sources: the CloudWatch user guide's "Recommended alarms" (per-service thresholds, statistics
    and periods), adjusted where this design differs; each ``why`` says how.
    """

    watches: str
    threshold: float
    unit: str
    period_seconds: int
    periods: int
    why: str

    def describe(self) -> str:
        return (
            f"{self.watches}. Default: alarm at {self.threshold:g} {self.unit}, {self.periods} period(s) of "
            f"{self.period_seconds} s in a row. Why: {self.why}"
        )


# kind -> alarm -> default. The kinds are the keys of `alarms:` in the spec; the builders read the
# same table, so a default written here is the one compiled and the one the schema describes.
ALARM_DEFAULTS: dict[str, dict[str, AlarmDefault]] = {
    "service": {
        "running_tasks": AlarmDefault(
            "tasks running below the desired count (Container Insights RunningTaskCount and DesiredTaskCount)",
            1,
            "or more tasks missing",
            60,
            5,
            "a crash loop or a failed deployment; a rolling deploy starts new tasks before stopping old "
            "ones (minimum healthy 100%), so five minutes short is never a deploy in progress",
        ),
        "cpu": AlarmDefault(
            "average CPU utilisation of the service's tasks",
            80,
            "% or more",
            60,
            5,
            "CloudWatch's recommended ECS threshold: above it, latency grows before tasks fail",
        ),
        "memory": AlarmDefault(
            "average memory utilisation of the service's tasks",
            80,
            "% or more",
            60,
            5,
            "CloudWatch's recommended ECS threshold; at 100% Fargate kills the task (out of memory)",
        ),
    },
    "route": {
        "unhealthy_hosts": AlarmDefault(
            "targets the ALB finds unhealthy in the service's target group (maximum)",
            1,
            "or more targets",
            60,
            5,
            "one failing health check path means a task that takes traffic and cannot serve it",
        ),
        "errors_5xx": AlarmDefault(
            "share of the service's requests its tasks answer with 5xx",
            5,
            "% or more",
            300,
            3,
            "a few 5xx are normal during deploys; one request in twenty for fifteen minutes is an outage "
            "for the users behind it",
        ),
        "response_time": AlarmDefault(
            "95th percentile of the time the service's tasks take to answer (TargetResponseTime)",
            3,
            "seconds or more",
            300,
            3,
            "interactive pages answer in well under a second; a service that streams or proxies slow "
            "calls (LiteLLM) sets its own",
        ),
    },
    "load_balancer": {
        "errors_5xx": AlarmDefault(
            "5xx answers the ALB itself gives (HTTPCode_ELB_5XX_Count: no healthy target, target timeouts)",
            10,
            "or more per period",
            300,
            2,
            "the ALB answers 5xx only when no target can: ten in five minutes, twice, is users seeing errors",
        ),
        "rejected_connections": AlarmDefault(
            "connections the ALB rejected because it reached its maximum (RejectedConnectionCount)",
            1,
            "or more per period",
            300,
            1,
            "CloudWatch's recommended threshold: any rejected connection is a client that got nothing",
        ),
    },
    "database": {
        "cpu": AlarmDefault(
            "average CPU utilisation of the PostgreSQL instance",
            80,
            "% or more",
            300,
            3,
            "sustained high CPU on a single instance slows every service at once; fifteen minutes rules out "
            "vacuum and backup spikes",
        ),
        "free_storage": AlarmDefault(
            "free storage space of the PostgreSQL instance (minimum)",
            10,
            "% or less of data.database.storage_gb",
            300,
            1,
            "storage autoscaling grows the volume when free space falls under 10% of it, at most every "
            "6 hours and never past max_storage_gb; free space below 10% of the first allocation means "
            "autoscaling is cooling down or at its ceiling, and a full disk stops every write. The "
            "database's event subscription reports autoscaling approaching the ceiling before that",
        ),
        "freeable_memory": AlarmDefault(
            "freeable memory of the PostgreSQL instance (average)",
            10,
            "% or less of the instance class's memory",
            300,
            3,
            "derived from the class's memory (see INSTANCE_MEMORY_GIB), not a fixed figure: below a tenth, "
            "PostgreSQL starts to swap",
        ),
        "connections": AlarmDefault(
            "open connections to the PostgreSQL instance (maximum)",
            80,
            "% or more of max_connections",
            300,
            2,
            "max_connections defaults to LEAST(class memory / 9531392, 5000) on RDS PostgreSQL, so the "
            "figure is derived from the instance class; past it, new connections fail",
        ),
    },
    "cache": {
        "cpu": AlarmDefault(
            "Redis engine CPU utilisation of each node (EngineCPUUtilization: Redis runs on one core)",
            90,
            "% or more",
            60,
            5,
            "CloudWatch's recommended ElastiCache threshold",
        ),
        "memory": AlarmDefault(
            "memory used by each node's data, as a share of its maxmemory (DatabaseMemoryUsagePercentage)",
            80,
            "% or more",
            60,
            5,
            "a share of the node type's own memory, so it follows the class; past it Redis evicts",
        ),
        "evictions": AlarmDefault(
            "keys each node evicted for lack of memory",
            1,
            "or more per period",
            300,
            1,
            "Langfuse keeps its ingestion queues in Redis: an evicted key is a lost job, not a cache miss",
        ),
        "replication_lag": AlarmDefault(
            "how far each replica is behind the primary (only with data.cache.replicas above 0)",
            5,
            "seconds or more",
            60,
            5,
            "a replica seconds behind loses those writes on failover",
        ),
        "connections": AlarmDefault(
            "client connections to each node (maximum)",
            500,
            "or more",
            300,
            2,
            "the platform's clients (Langfuse web and worker) hold a few dozen each; hundreds is a leak, "
            "long before ElastiCache's fixed limit of 65,000",
        ),
    },
    "file_system": {
        "burst_credits": AlarmDefault(
            "the EFS file system's burst credit balance (minimum; only in bursting throughput mode)",
            500,
            "GiB of credits or less",
            300,
            1,
            "in bursting mode a small file system lives on credits: at 100 MiB/s, 500 GiB is about 85 "
            "minutes of full burst, time to switch to elastic throughput before every workspace stalls",
        ),
        "io_limit": AlarmDefault(
            "how close the file system is to its I/O limit (PercentIOLimit, maximum; general-purpose mode)",
            90,
            "% or more",
            300,
            3,
            "CloudWatch's recommended EFS alarm: at 100% every read and write waits",
        ),
    },
    "nat_gateway": {
        "port_allocation_errors": AlarmDefault(
            "connections the NAT gateway could not give a source port (ErrorPortAllocation)",
            1,
            "or more per period",
            300,
            1,
            "CloudWatch's recommended threshold: every error is an outbound call that failed",
        ),
        "dropped_packets": AlarmDefault(
            "share of packets the NAT gateway dropped (PacketsDropCount over packets in)",
            0.01,
            "% or more",
            300,
            3,
            "CloudWatch's recommended NAT threshold (0.01% of traffic)",
        ),
    },
    "log_errors": {
        "errors": AlarmDefault(
            "log lines matching the service's error pattern (a metric filter on its log group)",
            10,
            "or more per period",
            300,
            1,
            "a handful of errors is a bad request; ten in five minutes is the service failing",
        ),
    },
}

# RDS instance class -> memory in GiB, to derive thresholds that depend on the class (connections,
# freeable memory). An AWS fact table, from the RDS user guide's "DB instance classes" hardware
# specifications; a class missing here is a located error (S503) unless its alarms set no default.
INSTANCE_MEMORY_GIB: dict[str, float] = {
    **{
        f"db.{family}.{size}": gib
        for family in ("t3", "t4g")
        for size, gib in (("micro", 1), ("small", 2), ("medium", 4), ("large", 8), ("xlarge", 16), ("2xlarge", 32))
    },
    **{
        f"db.{family}.{size}": 8 * vcpus
        for family in ("r5", "r6g", "r6i", "r7g", "r7i")
        for size, vcpus in (
            ("large", 2),
            ("xlarge", 4),
            ("2xlarge", 8),
            ("4xlarge", 16),
            ("8xlarge", 32),
            ("12xlarge", 48),
            ("16xlarge", 64),
        )
    },
    **{
        f"db.{family}.{size}": 4 * vcpus
        for family in ("m5", "m6g", "m6i", "m7g", "m7i")
        for size, vcpus in (
            ("large", 2),
            ("xlarge", 4),
            ("2xlarge", 8),
            ("4xlarge", 16),
            ("8xlarge", 32),
            ("12xlarge", 48),
            ("16xlarge", 64),
        )
    },
}

AlarmPeriod = Literal[60, 300, 900, 3600]


class AlarmTuning(SpecModel):
    threshold: float | None = Field(
        default=None, ge=0, description="the value the alarm fires at, in the unit its description gives"
    )
    period_seconds: AlarmPeriod | None = Field(default=None, description="length of one period: 60, 300, 900 or 3600")
    periods: int | None = Field(
        default=None, ge=1, le=24, description="how many periods in a row must breach before the alarm fires"
    )
    off: Description | None = Field(
        default=None, description="switch the alarm off, saying why (the reason stays in the spec for the next reader)"
    )

    @model_validator(mode="after")
    def _off_alone(self) -> AlarmTuning:
        if self.off is not None and (self.threshold, self.period_seconds, self.periods) != (None, None, None):
            raise ValueError("an alarm switched off takes no threshold, period_seconds or periods")
        return self

    @property
    def tuned(self) -> bool:
        return (self.threshold, self.period_seconds, self.periods) != (None, None, None)


def _tuning(kind: str, alarm: str) -> Any:
    return Field(default=None, description=ALARM_DEFAULTS[kind][alarm].describe())


class ServiceAlarms(SpecModel):
    running_tasks: AlarmTuning | None = _tuning("service", "running_tasks")
    cpu: AlarmTuning | None = _tuning("service", "cpu")
    memory: AlarmTuning | None = _tuning("service", "memory")


class RouteAlarms(SpecModel):
    unhealthy_hosts: AlarmTuning | None = _tuning("route", "unhealthy_hosts")
    errors_5xx: AlarmTuning | None = _tuning("route", "errors_5xx")
    response_time: AlarmTuning | None = _tuning("route", "response_time")


class LoadBalancerAlarms(SpecModel):
    errors_5xx: AlarmTuning | None = _tuning("load_balancer", "errors_5xx")
    rejected_connections: AlarmTuning | None = _tuning("load_balancer", "rejected_connections")


class DatabaseAlarms(SpecModel):
    cpu: AlarmTuning | None = _tuning("database", "cpu")
    free_storage: AlarmTuning | None = _tuning("database", "free_storage")
    freeable_memory: AlarmTuning | None = _tuning("database", "freeable_memory")
    connections: AlarmTuning | None = _tuning("database", "connections")


class CacheAlarms(SpecModel):
    cpu: AlarmTuning | None = _tuning("cache", "cpu")
    memory: AlarmTuning | None = _tuning("cache", "memory")
    evictions: AlarmTuning | None = _tuning("cache", "evictions")
    replication_lag: AlarmTuning | None = _tuning("cache", "replication_lag")
    connections: AlarmTuning | None = _tuning("cache", "connections")


class FileSystemAlarms(SpecModel):
    burst_credits: AlarmTuning | None = _tuning("file_system", "burst_credits")
    io_limit: AlarmTuning | None = _tuning("file_system", "io_limit")


class NatGatewayAlarms(SpecModel):
    port_allocation_errors: AlarmTuning | None = _tuning("nat_gateway", "port_allocation_errors")
    dropped_packets: AlarmTuning | None = _tuning("nat_gateway", "dropped_packets")


class LogErrors(SpecModel):
    pattern: Annotated[str, Field(min_length=1, max_length=1024)] = Field(
        description=(
            'CloudWatch Logs filter pattern matching the service\'s error lines, e.g. { $.level = "error" } '
            "for JSON logs; the service's log format must allow it"
        )
    )
    threshold: float | None = Field(default=None, ge=0, description=ALARM_DEFAULTS["log_errors"]["errors"].describe())
    period_seconds: AlarmPeriod | None = Field(default=None, description="length of one period: 60, 300, 900 or 3600")
    periods: int | None = Field(
        default=None, ge=1, le=24, description="how many periods in a row must breach before the alarm fires"
    )


class OneServiceAlarms(SpecModel):
    service: ServiceAlarms | None = Field(default=None, description="this service's task alarms, over alarms.service")
    route: RouteAlarms | None = Field(default=None, description="this service's target group alarms, over alarms.route")
    log_errors: LogErrors | None = Field(
        default=None, description="a metric filter on the service's log group and an alarm on the lines it counts"
    )


Email = Annotated[str, Field(pattern=r"^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", max_length=254)]


class WebhookSecret(SpecModel):
    secret: SecretName = Field(
        description=(
            "a provided secret under data.secrets holding the endpoint's https:// URL (a chat webhook or an "
            "incident tool's SNS integration; its URL carries a token, so it is never written in a template)"
        )
    )
    key: SecretKey = Field(description="JSON key of the URL inside that secret")


class Notify(SpecModel):
    emails: list[Email] = Field(
        default_factory=list, description="addresses subscribed to the alarm topic (each confirms once by email)"
    )
    https: list[WebhookSecret] = Field(
        default_factory=list,
        description=(
            "HTTPS endpoints subscribed to the alarm topic, each read from a secret when the observability "
            "layer deploys (fill the secret before that)"
        ),
    )


class Alarms(SpecModel):
    notify: Notify = Field(
        default_factory=Notify,
        description="who hears about it: the alarm topic's subscribers, sent every change to ALARM and back to OK",
    )
    service: ServiceAlarms = Field(default_factory=ServiceAlarms, description="every ECS service of every layer")
    route: RouteAlarms = Field(default_factory=RouteAlarms, description="the target group of every routed service")
    load_balancer: LoadBalancerAlarms = Field(default_factory=LoadBalancerAlarms, description="the internal ALB")
    database: DatabaseAlarms = Field(default_factory=DatabaseAlarms, description="the PostgreSQL instance")
    cache: CacheAlarms = Field(default_factory=CacheAlarms, description="every node of the Redis replication group")
    file_system: FileSystemAlarms = Field(default_factory=FileSystemAlarms, description="the shared EFS file system")
    nat_gateway: NatGatewayAlarms = Field(default_factory=NatGatewayAlarms, description="the NAT gateway")
    services: dict[Name, OneServiceAlarms] = Field(
        default_factory=dict,
        description="one service by name: its own tuning over the kinds above, and its log error alarm",
    )


# --------------------------------------------------------------------------- spec


class Logs(SpecModel):
    retention_days: LogRetentionDays = Field(description="days CloudWatch keeps every log group")


class Usage(SpecModel):
    """What the estimate cannot read from a template: how much flows, is stored and is asked for.

    `cfncompiler cost` and `diff` price the compiled templates; these figures stand in for what only
    running the platform would tell, and the estimate prints every one it used. Each name carries its unit.
    """

    nat_gb_per_month: float = Field(
        default=100, ge=0, description="GB each NAT gateway processes a month (image pulls, model APIs, updates)"
    )
    endpoint_gb_per_month: float = Field(
        default=20, ge=0, description="GB each interface VPC endpoint processes a month"
    )
    alb_average_lcus: float = Field(
        default=1, ge=0, description="load balancer capacity units the ALB uses in an average hour"
    )
    s3_gb_stored_per_bucket: float = Field(
        default=20, ge=0, description="GB each S3 bucket holds, old versions included (S3 Standard)"
    )
    efs_gb_stored: float = Field(default=100, ge=0, description="GB each EFS file system holds")
    efs_infrequent_access_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share (0-1) of EFS data in Infrequent Access once the lifecycle rule has moved it",
    )
    logs_gb_ingested_per_group_per_month: float = Field(
        default=5, ge=0, description="GB each CloudWatch log group takes in a month"
    )
    dynamodb_million_writes_per_table_per_month: float = Field(
        default=0.1, ge=0, description="millions of on-demand write request units each DynamoDB table uses a month"
    )
    dynamodb_million_reads_per_table_per_month: float = Field(
        default=0.1, ge=0, description="millions of on-demand read request units each DynamoDB table uses a month"
    )
    database_backup_gb_stored: float = Field(
        default=150,
        ge=0,
        description="GB of automated backups RDS keeps; as much as the allocated storage is free, the rest is billed",
    )
    enhanced_monitoring_kb_per_sample: float = Field(
        default=10, ge=0, description="KB of OS metrics RDS Enhanced Monitoring writes to CloudWatch Logs per sample"
    )
    dns_million_queries_per_zone_per_month: float = Field(
        default=1, ge=0, description="millions of DNS queries each hosted zone answers a month"
    )


class Spec(SpecModel):
    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        known = aws_regions()
        if known and region not in known:
            hint = difflib.get_close_matches(region, known, n=1)
            raise ValueError(f"unknown AWS region '{region}'" + (f"; did you mean '{hint[0]}'?" if hint else ""))
        return region

    extends: str | None = Field(
        default=None, description="a spec file (relative to this one) whose values this one overrides"
    )
    project: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,30}$", description="prefix of every stack name")]
    account: Annotated[str, Field(pattern=r"^[0-9]{12}$")] | None = Field(
        default=None,
        description=(
            "the AWS account id (12 digits, written as text) this spec deploys to; every command that talks "
            "to AWS refuses other credentials' accounts. Without it deploys are not pinned (a warning says so)"
        ),
    )
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")] = Field(
        description="AWS region, e.g. us-west-2"
    )
    logs: Logs = Field(description="log settings")
    network: Network = Field(description="NetworkStack")
    data: Data = Field(description="DataStack")
    platform: Platform = Field(description="PlatformStack")
    observability: Observability = Field(description="ObservabilityStack")
    usage: Usage = Field(
        default_factory=Usage,
        description="usage assumptions for the cost estimate (`cfncompiler cost`): what templates cannot say",
    )
    alarms: Alarms = Field(
        default_factory=Alarms,
        description=(
            "CloudWatch alarms on every resource that can hurt, their topic and subscribers, and one dashboard; "
            "without this section every alarm runs on its default and nobody is subscribed"
        ),
    )

    def alb_hosts(self) -> list[str]:
        """Every host name that leads to the ALB, once each in spec order: routes, the direct path, the routes'
        wildcard hosts (as DNS names), extra hosts."""
        routes = [service.route for _, _, service in self.services() if service.route is not None]
        hosts = [route.host for route in routes]
        if self.platform.direct_path is not None:
            hosts += self.platform.direct_path.hosts
        hosts += [wildcard_record(pattern) for route in routes for pattern in route.wildcard_hosts]
        hosts += self.platform.load_balancer.extra_hosts
        return list(dict.fromkeys(hosts))

    def services(self) -> Iterator[tuple[str, str, Service]]:
        """Every service of every layer, in spec order: (layer section, name, service)."""
        for section, services in (("platform", self.platform.services), ("observability", self.observability.services)):
            for name, service in services.items():
                yield section, name, service
