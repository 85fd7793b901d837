"""The spec's schema: what each key is, its type, range and description, in pydantic v2.

Only the shape lives here. Rules that relate several values (a subnet inside the
VPC, a rule naming a group that exists) are in :mod:`cfncompiler.spec.rules`, each
with an id; the JSON schema for editors is generated from these classes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
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


class Route(SpecModel):
    host: Annotated[str, Field(pattern=r"^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")] = Field(
        description="host name the ALB routes to this service"
    )
    health_path: Annotated[str, Field(pattern=r"^/\S*$", description="HTTP path the ALB polls")]
    priority: int | None = Field(
        default=None,
        ge=1,
        le=50000,
        description=(
            "listener rule priority, 1-48999 (49000-50000 are kept for the workspaces' direct path); "
            "derived from the host when omitted"
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
    services: dict[Name, Service] = Field(description="Fargate services of the platform layer, by name")


class Observability(SpecModel):
    services: dict[Name, Service] = Field(description="Fargate services of the observability layer, by name")


# --------------------------------------------------------------------------- spec


class Logs(SpecModel):
    retention_days: LogRetentionDays = Field(description="days CloudWatch keeps every log group")


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

    def services(self) -> Iterator[tuple[str, str, Service]]:
        """Every service of every layer, in spec order: (layer section, name, service)."""
        for section, services in (("platform", self.platform.services), ("observability", self.observability.services)):
            for name, service in services.items():
                yield section, name, service
