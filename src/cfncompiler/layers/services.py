"""A Fargate service from its spec entry: task definition, roles' grants, logs, EFS access points,
service discovery, ALB route and the ECS service itself. Platform and observability both use it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from awacs import bedrock, ecr, elasticfilesystem, kms, secretsmanager
from awacs import logs as alogs
from awacs import s3 as as3
from awacs.aws import Condition, Statement, StringEquals, StringLike
from troposphere import AWSHelperFn, GetAtt, Join, Ref, Sub, ecs, efs, logs, servicediscovery
from troposphere import elasticloadbalancingv2 as elbv2

from cfncompiler import contract
from cfncompiler.layers import bootstrap
from cfncompiler.layers.alarms import service_alarms
from cfncompiler.layers.common import Layer, file_system_arn, log_group, optional
from cfncompiler.layers.iam import allow, task_role
from cfncompiler.layers.workspaces import workspace_admin_statements
from cfncompiler.naming import WILDCARD_PRIORITY, listener_priority, logical_id
from cfncompiler.spec.model import DATABASE_SECRET, SecretRef, Service, Volume

CAPACITY_PROVIDERS = {"fargate": "FARGATE", "fargate-spot": "FARGATE_SPOT"}
ASSETS_VOLUME = "assets"
ASSET_FETCHER = "fetch-assets"
ECR_IMAGE = re.compile(
    r"^(?P<account>\$\{account\}|\d{12})\.dkr\.ecr\.(?P<region>\$\{region\}|[a-z0-9-]+)\.amazonaws\.com/(?P<repo>[^:@]+)"
)


@dataclass
class ExecutionGrants:
    """What the layer's shared execution role must be able to do for the tasks it starts."""

    log_groups: list[object] = field(default_factory=list)
    secrets: dict[str, object] = field(default_factory=dict)
    repositories: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceContext:
    """What every service of a layer shares."""

    # Called per service: a layer without services must not declare the cluster Parameter.
    cluster: Callable[[], object]
    execution_role_arn: object
    log_key_arn: object
    # Called only when a service is routed: an unrouted layer must not declare the Parameter.
    listener_arn: Callable[[], object]
    asset_prefixes: Mapping[str, str]
    asset_sources: Mapping[str, str]
    depends_on: tuple[str, ...] = ()


def add_service(layer: Layer, name: str, service: Service, ctx: ServiceContext, grants: ExecutionGrants) -> None:
    logs_group = layer.add(log_group(logical_id(name, "logs"), layer.spec, ctx.log_key_arn))
    grants.log_groups.append(GetAtt(logs_group, "Arn"))
    for ref in [*service.secrets.values(), *_bootstrap_secrets(layer, name)]:
        grants.secrets.setdefault(ref.secret, _secret_arn(layer, ref))
    images = [service.image] + ([layer.spec.platform.asset_fetcher_image] if service.assets else [])
    for image in images:
        repository = ecr_repository_arn(layer, image)
        if repository is not None:
            grants.repositories.setdefault(image, repository)

    access_points = [_access_point(layer, name, i, v) for i, v in enumerate(service.volumes)]
    asset = _asset(layer, name, service, ctx)
    role = layer.add(_task_role(layer, name, service, access_points, asset))
    task = layer.add(_task_definition(layer, name, service, ctx, logs_group, role, access_points, asset))

    depends = list(ctx.depends_on)
    load_balancers = []
    if service.route is not None:
        target_group, rule = _route(layer, name, service, ctx)
        load_balancers = [
            ecs.LoadBalancer(ContainerName=name, ContainerPort=service.port, TargetGroupArn=Ref(target_group))
        ]
        depends.append(rule.title)  # ECS refuses a target group that no listener forwards to yet

    registries = []
    if service.discovery is not None:
        discovery = layer.add(
            servicediscovery.Service(
                logical_id(name, "discovery"),
                Name=service.discovery,
                NamespaceId=layer.resolve(contract.namespace_id()),
                DnsConfig=servicediscovery.DnsConfig(
                    DnsRecords=[servicediscovery.DnsRecord(Type="A", TTL=10)], RoutingPolicy="MULTIVALUE"
                ),
                HealthCheckCustomConfig=servicediscovery.HealthCheckCustomConfig(FailureThreshold=1),
            )
        )
        registries = [ecs.ServiceRegistry(RegistryArn=GetAtt(discovery, "Arn"))]

    layer.add(
        ecs.Service(
            logical_id(name, "service"),
            Cluster=ctx.cluster(),
            TaskDefinition=Ref(task),
            DesiredCount=service.replicas,
            CapacityProviderStrategy=capacity_strategy(service),
            NetworkConfiguration=ecs.NetworkConfiguration(
                AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                    AssignPublicIp="DISABLED",
                    Subnets=layer.resolve(contract.subnet_ids(service.subnet_tier)),
                    SecurityGroups=[layer.resolve(contract.security_group_id(service.security_group))],
                )
            ),
            DeploymentConfiguration=ecs.DeploymentConfiguration(
                DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
                MinimumHealthyPercent=100,
                MaximumPercent=200,
            ),
            PropagateTags="SERVICE",
            EnableECSManagedTags=True,
            **optional(
                LoadBalancers=load_balancers or None,
                HealthCheckGracePeriodSeconds=120 if load_balancers else None,
                ServiceRegistries=registries or None,
                DependsOn=depends or None,
            ),
        )
    )
    service_alarms(layer, name, service, logs_group)


def capacity_strategy(service: Service) -> list[ecs.CapacityProviderStrategyItem]:
    weights = {service.capacity: 1} if isinstance(service.capacity, str) else service.capacity
    return [
        ecs.CapacityProviderStrategyItem(CapacityProvider=CAPACITY_PROVIDERS[provider], Weight=weight)
        for provider, weight in weights.items()
    ]


def ecr_repository_arn(layer: Layer, image: str) -> AWSHelperFn | None:
    """The repository ARN of an image in ECR (the execution role may pull from it), else None."""
    match = ECR_IMAGE.match(image)
    if match is None:
        return None
    account = "${AWS::AccountId}" if match["account"] == "${account}" else match["account"]
    region = layer.spec.region if match["region"] == "${region}" else match["region"]
    return Sub(f"arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{match['repo']}")


def _bootstrap_secrets(layer: Layer, name: str) -> list[SecretRef]:
    """What the database bootstrap of service ``name`` reads: the master password and its login's password."""
    db = layer.spec.data.database
    database = db.database_of(name)
    if database is None:
        return []
    return [
        SecretRef(secret=DATABASE_SECRET, key="password"),
        SecretRef(secret=db.databases[database].secret, key="password"),
    ]


def _bootstrap_container(layer: Layer, name: str, logs: ecs.LogConfiguration) -> ecs.ContainerDefinition | None:
    """The one-shot init container that bootstraps the database service ``name`` uses, if it uses one."""
    db = layer.spec.data.database
    database = db.database_of(name)
    if database is None or db.bootstrap_image is None:
        return None
    master, login = _bootstrap_secrets(layer, name)
    environment = {
        "PGHOST": layer.resolve(contract.database_endpoint()),
        "PGPORT": str(db.port),
        "PGDATABASE": db.name,
        "PGUSER": db.username,
        # RDS refuses a connection without TLS when rds.force_ssl is on.
        "PGSSLMODE": "require" if db.require_ssl else "prefer",
        bootstrap.SCRIPT_VARIABLE: bootstrap.script(database, db.databases[database].login),
    }
    return ecs.ContainerDefinition(
        Name=bootstrap.CONTAINER,
        Image=layer.interpolate(db.bootstrap_image),
        Essential=False,
        Command=bootstrap.COMMAND,
        Environment=[ecs.Environment(Name=k, Value=v) for k, v in environment.items()],
        Secrets=[
            ecs.Secret(Name="PGPASSWORD", ValueFrom=_secret_value_from(layer, master)),
            ecs.Secret(Name=bootstrap.PASSWORD_VARIABLE, ValueFrom=_secret_value_from(layer, login)),
        ],
        LogConfiguration=logs,
    )


def _secret_arn(layer: Layer, ref: SecretRef) -> object:
    if ref.secret == DATABASE_SECRET:
        return layer.resolve(contract.database_secret_arn())
    return layer.resolve(contract.secret_arn(ref.secret))


def _secret_value_from(layer: Layer, ref: SecretRef) -> object:
    """ECS's valueFrom: the secret's ARN, plus ':key::' to pick one JSON key."""
    arn = _secret_arn(layer, ref)
    return arn if ref.key is None else Join("", [arn, f":{ref.key}::"])


@dataclass(frozen=True)
class _Asset:
    prefix: str
    bucket_name: object


def _asset(layer: Layer, name: str, service: Service, ctx: ServiceContext) -> _Asset | None:
    if service.assets is None:
        return None
    prefix = ctx.asset_prefixes[name]
    bucket_value = contract.bucket_name(service.assets.bucket)
    bucket = layer.resolve(bucket_value)
    manifest = layer.template.metadata.setdefault("cfncompiler", {}).setdefault("assets", [])
    manifest.append(
        {
            "name": name,
            "source": ctx.asset_sources.get(name, service.assets.path),
            "prefix": prefix,
            "bucket_parameter": bucket_value.name,
        }
    )
    return _Asset(prefix, bucket)


def _access_point(layer: Layer, name: str, index: int, volume: Volume) -> efs.AccessPoint:
    return layer.add(
        efs.AccessPoint(
            logical_id(name, "access-point", str(index)),
            FileSystemId=layer.resolve(contract.file_system_id()),
            PosixUser=efs.PosixUser(Uid=str(volume.uid), Gid=str(volume.gid)),
            RootDirectory=efs.RootDirectory(
                Path=volume.efs_directory,
                CreationInfo=efs.CreationInfo(OwnerUid=str(volume.uid), OwnerGid=str(volume.gid), Permissions="750"),
            ),
        )
    )


def bucket_arn(layer: Layer, bucket: str, suffix: str = "") -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:s3:::${{Bucket}}{suffix}", Bucket=layer.resolve(contract.bucket_name(bucket)))


def _task_role(
    layer: Layer, name: str, service: Service, access_points: list[efs.AccessPoint], asset: _Asset | None
) -> object:
    statements: list[Statement] = []
    for point in access_points:
        statements.append(
            allow(
                [elasticfilesystem.ClientMount, elasticfilesystem.ClientWrite],
                [file_system_arn(layer)],
                Condition(StringEquals("elasticfilesystem:AccessPointArn", GetAtt(point, "Arn"))),
            )
        )
    encrypted_objects = False
    for bucket, mode in service.access.buckets.items():
        actions = [as3.GetObject] + (
            [as3.PutObject, as3.DeleteObject, as3.AbortMultipartUpload] if mode == "read-write" else []
        )
        statements.append(allow(actions, [bucket_arn(layer, bucket, "/*")]))
        statements.append(allow([as3.ListBucket], [bucket_arn(layer, bucket)]))
        encrypted_objects = True
    if asset is not None and service.assets is not None:
        statements.append(allow([as3.GetObject], [bucket_arn(layer, service.assets.bucket, f"/{asset.prefix}*")]))
        statements.append(
            allow(
                [as3.ListBucket],
                [bucket_arn(layer, service.assets.bucket)],
                Condition(StringLike("s3:prefix", f"{asset.prefix}*")),
            )
        )
        encrypted_objects = True
    if encrypted_objects:
        # Buckets are encrypted with the data layer's key (SSE-KMS).
        statements.append(allow([kms.Decrypt, kms.GenerateDataKey], [layer.resolve(contract.data_key_arn())]))
    if service.access.bedrock_models:
        statements.append(
            allow(
                [bedrock.InvokeModel, bedrock.InvokeModelWithResponseStream],
                # Region "*": cross-region inference serves a model from the partner regions.
                [
                    Sub(f"arn:${{AWS::Partition}}:bedrock:*::foundation-model/{model}")
                    for model in service.access.bedrock_models
                ],
            )
        )
    if service.access.workspaces:
        statements += workspace_admin_statements(layer)
    return task_role(logical_id(name, "task-role"), f"Task role of {name}", statements)


def execution_statements(layer: Layer, grants: ExecutionGrants) -> list[Statement]:
    statements: list[Statement] = [
        allow([alogs.CreateLogStream, alogs.PutLogEvents], grants.log_groups),
    ]
    if grants.secrets:
        statements.append(allow([secretsmanager.GetSecretValue], list(grants.secrets.values())))
        # Every secret, the RDS-managed one included, is encrypted with the data layer's key.
        statements.append(allow([kms.Decrypt], [layer.resolve(contract.data_key_arn())]))
    if grants.repositories:
        statements.append(allow([ecr.GetAuthorizationToken], ["*"]))
        statements.append(
            allow(
                [ecr.BatchCheckLayerAvailability, ecr.GetDownloadUrlForLayer, ecr.BatchGetImage],
                list(grants.repositories.values()),
            )
        )
    return statements


def _task_definition(
    layer: Layer,
    name: str,
    service: Service,
    ctx: ServiceContext,
    log_group: logs.LogGroup,
    role: object,
    access_points: list[efs.AccessPoint],
    asset: _Asset | None,
) -> ecs.TaskDefinition:
    def log_config(prefix: str) -> ecs.LogConfiguration:
        return ecs.LogConfiguration(
            LogDriver="awslogs",
            Options={
                "awslogs-group": Ref(log_group),
                "awslogs-region": Ref("AWS::Region"),
                "awslogs-stream-prefix": prefix,
            },
        )

    volumes = [
        ecs.Volume(
            Name=f"efs-{i}",
            EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(
                FilesystemId=layer.resolve(contract.file_system_id()),
                TransitEncryption="ENABLED",
                AuthorizationConfig=ecs.AuthorizationConfig(AccessPointId=Ref(point), IAM="ENABLED"),
            ),
        )
        for i, point in enumerate(access_points)
    ]
    mounts = [
        ecs.MountPoint(SourceVolume=f"efs-{i}", ContainerPath=v.path, ReadOnly=False)
        for i, v in enumerate(service.volumes)
    ]
    containers = []
    depends_on = []
    if asset is not None and service.assets is not None:
        volumes.append(ecs.Volume(Name=ASSETS_VOLUME))
        mounts.append(ecs.MountPoint(SourceVolume=ASSETS_VOLUME, ContainerPath=service.assets.mount, ReadOnly=True))
        containers.append(
            ecs.ContainerDefinition(
                Name=ASSET_FETCHER,
                Image=layer.interpolate(layer.spec.platform.asset_fetcher_image),
                Essential=False,
                Command=[
                    "s3",
                    "cp",
                    "--recursive",
                    Sub(f"s3://${{Bucket}}/{asset.prefix}", Bucket=asset.bucket_name),
                    "/assets",
                ],
                MountPoints=[ecs.MountPoint(SourceVolume=ASSETS_VOLUME, ContainerPath="/assets", ReadOnly=False)],
                LogConfiguration=log_config(ASSET_FETCHER),
            )
        )
        depends_on = [ecs.ContainerDependency(ContainerName=ASSET_FETCHER, Condition="SUCCESS")]
    database_bootstrap = _bootstrap_container(layer, name, log_config(bootstrap.CONTAINER))
    if database_bootstrap is not None:
        # The app logs in as its own login, which exists (with this task's password) only once this succeeded.
        containers.append(database_bootstrap)
        depends_on.append(ecs.ContainerDependency(ContainerName=bootstrap.CONTAINER, Condition="SUCCESS"))
    containers.insert(
        0,
        ecs.ContainerDefinition(
            Name=name,
            Image=layer.interpolate(service.image),
            Essential=True,
            PortMappings=[ecs.PortMapping(ContainerPort=port, Protocol="tcp") for port in service.ports],
            Environment=[ecs.Environment(Name=k, Value=layer.interpolate(v)) for k, v in service.env.items()],
            Secrets=[
                ecs.Secret(Name=k, ValueFrom=_secret_value_from(layer, ref)) for k, ref in service.secrets.items()
            ],
            LogConfiguration=log_config(name),
            **optional(
                MountPoints=mounts or None,
                Command=[layer.interpolate(part) for part in service.command] if service.command else None,
                DependsOn=depends_on or None,
                HealthCheck=ecs.HealthCheck(
                    Command=["CMD-SHELL", service.health_check.command],
                    Interval=30,
                    Timeout=5,
                    Retries=3,
                    StartPeriod=service.health_check.start_period_seconds,
                )
                if service.health_check
                else None,
            ),
        ),
    )
    return ecs.TaskDefinition(
        logical_id(name, "task"),
        Family=f"{layer.spec.project}-{name}",
        Cpu=str(service.cpu),
        Memory=str(service.memory),
        NetworkMode="awsvpc",
        RequiresCompatibilities=["FARGATE"],
        RuntimePlatform=ecs.RuntimePlatform(OperatingSystemFamily="LINUX", CpuArchitecture="X86_64"),
        ExecutionRoleArn=ctx.execution_role_arn,
        TaskRoleArn=GetAtt(role, "Arn"),
        ContainerDefinitions=containers,
        **optional(Volumes=volumes or None),
    )


def _route(
    layer: Layer, name: str, service: Service, ctx: ServiceContext
) -> tuple[elbv2.TargetGroup, elbv2.ListenerRule]:
    assert service.route is not None
    route = service.route
    target_group = layer.add(
        elbv2.TargetGroup(
            logical_id(name, "target-group"),
            TargetType="ip",
            Protocol="HTTP",
            Port=service.port,
            VpcId=layer.resolve(contract.vpc_id()),
            HealthCheckPath=route.health_path,
            HealthCheckIntervalSeconds=15,
            HealthyThresholdCount=2,
            UnhealthyThresholdCount=3,
            Matcher=elbv2.Matcher(HttpCode="200-399"),
            TargetGroupAttributes=[
                # Fargate tasks drain fast; the default 300 s makes every deploy slow.
                elbv2.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="30"),
            ],
        )
    )
    rule = layer.add(
        _forward(
            logical_id(name, "route"), ctx, listener_priority(route.host, route.priority), [route.host], target_group
        )
    )
    if route.wildcard_hosts:
        # Same target group, so the route's alarms already watch what this rule sends (none of its own);
        # after every exact host, which the patterns may match too (ai.company.com under *.company.com).
        layer.add(
            _forward(logical_id(name, "wildcard-route"), ctx, WILDCARD_PRIORITY, route.wildcard_hosts, target_group)
        )
    return target_group, rule


def _forward(
    title: str, ctx: ServiceContext, priority: int, hosts: list[str], target_group: elbv2.TargetGroup
) -> elbv2.ListenerRule:
    """A listener rule that sends requests for ``hosts`` to ``target_group``."""
    return elbv2.ListenerRule(
        title,
        ListenerArn=ctx.listener_arn(),
        Priority=priority,
        Conditions=[elbv2.Condition(Field="host-header", HostHeaderConfig=elbv2.HostHeaderConfig(Values=hosts))],
        Actions=[elbv2.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(target_group))],
    )
