"""CloudWatch alarms, their SNS topic and the dashboard: what a senior SRE sets up in the first week.

Each layer alarms its own resources by calling the functions here; the topic lives in the network
layer (the first, which owns the NAT gateway) and its ARN reaches the others through the contract.
Every alarm's threshold, period and periods come from ``ALARM_DEFAULTS`` in the spec model, tuned
by the spec's ``alarms:`` section per kind, then per service, or switched off with a reason.
Alarms send to the topic when they go to ALARM and when they come back to OK.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from awacs import kms as akms
from awacs import sns as asns
from awacs.aws import Allow, ArnLike, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import AWSObject, GetAtt, Join, Ref, Select, Split, Sub, cloudwatch, events, logs, rds, sns
from troposphere import kms as tkms

from cfncompiler import contract
from cfncompiler.layers.common import Layer
from cfncompiler.naming import logical_id
from cfncompiler.spec.model import (
    ALARM_DEFAULTS,
    INSTANCE_MEMORY_GIB,
    AlarmTuning,
    OneServiceAlarms,
    Service,
    Spec,
)

# AWS services that publish to the topic, each with what the key and topic policies let them do.
# CloudWatch sends alarm state changes, EventBridge the ECS deployment events, RDS its own events.
PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com", "events.rds.amazonaws.com")
# RDS PostgreSQL's default max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000).
POSTGRES_BYTES_PER_CONNECTION = 9531392
POSTGRES_MAX_CONNECTIONS = 5000
GIB = 1024**3
# The database events worth a page: failures, failovers, low storage (including storage autoscaling
# that will reach max_storage_gb), availability (restarts, shutdowns) and notifications (autoscaling).
DATABASE_EVENT_CATEGORIES = ["availability", "failover", "failure", "low storage", "notification"]
ABOVE = "GreaterThanOrEqualToThreshold"
BELOW = "LessThanOrEqualToThreshold"


@dataclass(frozen=True)
class Setting:
    """One alarm as compiled: the default, tuned by the spec (per kind, then per service)."""

    kind: str
    alarm: str
    threshold: float
    period_seconds: int
    periods: int

    @property
    def spec_key(self) -> str:
        return f"alarms.{self.kind}.{self.alarm}" if self.kind != "log_errors" else "alarms.services.*.log_errors"


def levels(spec: Spec, kind: str, alarm: str, service: str | None = None) -> list[AlarmTuning]:
    """What the spec says about one alarm, from the most general to the most specific."""
    found: list[AlarmTuning] = []
    kinds = getattr(spec.alarms, kind, None)
    if kinds is not None and getattr(kinds, alarm, None) is not None:
        found.append(getattr(kinds, alarm))
    own: OneServiceAlarms | None = spec.alarms.services.get(service) if service else None
    section = getattr(own, kind, None) if own is not None else None
    if section is not None and getattr(section, alarm, None) is not None:
        found.append(getattr(section, alarm))
    return found


def setting(spec: Spec, kind: str, alarm: str, service: str | None = None) -> Setting | None:
    """The alarm as it compiles, or None when the spec switched it off (the most specific word wins)."""
    default = ALARM_DEFAULTS[kind][alarm]
    threshold, period, periods = default.threshold, default.period_seconds, default.periods
    on = True
    for tuning in levels(spec, kind, alarm, service):
        if tuning.off is not None:
            on = False
            continue
        if tuning.tuned:
            on = True
        threshold = tuning.threshold if tuning.threshold is not None else threshold
        period = tuning.period_seconds if tuning.period_seconds is not None else period
        periods = tuning.periods if tuning.periods is not None else periods
    return Setting(kind, alarm, threshold, period, periods) if on else None


def switched_off(spec: Spec) -> Iterator[tuple[str, str]]:
    """(spec key, reason) of every alarm the spec switched off, for the README and the tests."""
    for kind, alarms in ALARM_DEFAULTS.items():
        for alarm in alarms:
            section = getattr(spec.alarms, kind, None)
            tuning = getattr(section, alarm, None) if section is not None else None
            if tuning is not None and tuning.off is not None:
                yield f"alarms.{kind}.{alarm}", tuning.off
    for name, own in spec.alarms.services.items():
        for kind in ("service", "route"):
            section = getattr(own, kind)
            for alarm in ALARM_DEFAULTS[kind]:
                tuning = getattr(section, alarm, None) if section is not None else None
                if tuning is not None and tuning.off is not None:
                    yield f"alarms.services.{name}.{kind}.{alarm}", tuning.off


# --------------------------------------------------------------------------- the topic


def topic_key_statements() -> list[Statement]:
    """Key policy statements that let the publishing services encrypt messages for the topic."""
    return [
        Statement(
            Sid="AlarmPublishersEncrypt",
            Effect=Allow,
            Principal=Principal("Service", list(PUBLISHERS)),
            Action=[akms.Decrypt, akms.Action("GenerateDataKey*")],
            Resource=["*"],
        )
    ]


def notification_topic(layer: Layer, key: tkms.Key) -> sns.Topic:
    """The alarm topic, encrypted with the layer's key, with its email subscribers; its ARN is published."""
    topic = layer.add(
        sns.Topic(
            "AlarmTopic",
            DisplayName=f"{layer.spec.project} alarms",
            KmsMasterKeyId=GetAtt(key, "Arn"),
        )
    )
    account = Sub("${AWS::AccountId}")
    layer.add(
        sns.TopicPolicy(
            "AlarmTopicPolicy",
            Topics=[Ref(topic)],
            PolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    Statement(
                        Sid="AlarmsInThisAccount",
                        Effect=Allow,
                        Principal=Principal("Service", "cloudwatch.amazonaws.com"),
                        Action=[asns.Publish],
                        Resource=[Ref(topic)],
                        Condition=Condition(
                            [
                                ArnLike(
                                    "aws:SourceArn",
                                    Sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"),
                                ),
                                StringEquals("aws:SourceAccount", account),
                            ]
                        ),
                    ),
                    Statement(
                        Sid="EventsInThisAccount",
                        Effect=Allow,
                        Principal=Principal("Service", ["events.amazonaws.com", "events.rds.amazonaws.com"]),
                        Action=[asns.Publish],
                        Resource=[Ref(topic)],
                        Condition=Condition(StringEquals("aws:SourceAccount", account)),
                    ),
                ],
            ),
        )
    )
    for index, address in enumerate(layer.spec.alarms.notify.emails):
        with layer.at("alarms", "notify", "emails", index):
            layer.add(
                sns.SubscriptionResource(
                    logical_id("alarm", "email", str(index)), TopicArn=Ref(topic), Protocol="email", Endpoint=address
                )
            )
    layer.publish(contract.alarm_topic_arn(), Ref(topic))
    return topic


def webhook_subscriptions(layer: Layer) -> None:
    """HTTPS subscribers, their URL read from a secret at deploy time (a webhook URL carries its token)."""
    for index, hook in enumerate(layer.spec.alarms.notify.https):
        secret = layer.resolve(contract.secret_arn(hook.secret))
        with layer.at("alarms", "notify", "https", index):
            layer.add(
                sns.SubscriptionResource(
                    logical_id("alarm", "webhook", str(index)),
                    TopicArn=layer.resolve(contract.alarm_topic_arn()),
                    Protocol="https",
                    Endpoint=Sub(f"{{{{resolve:secretsmanager:${{Secret}}:SecretString:{hook.key}}}}}", Secret=secret),
                )
            )


# --------------------------------------------------------------------------- one alarm


@dataclass(frozen=True)
class Watch:
    """What one alarm reads: a metric, or a metric-math expression over named metrics."""

    namespace: str
    metric: str
    statistic: str
    dimensions: dict[str, object]
    expression: str | None = None
    # id -> (metric name, statistic) of the metrics the expression reads (same namespace and dimensions)
    inputs: tuple[tuple[str, str, str], ...] = ()
    missing: str = "notBreaching"


def add_alarm(
    layer: Layer,
    subject: str,
    setting: Setting,
    watch: Watch,
    *,
    comparison: str = ABOVE,
    scale: float = 1.0,
    says: str = "",
) -> cloudwatch.Alarm:
    """One alarm on ``subject``'s metric, sending to the topic on ALARM and on OK."""
    default = ALARM_DEFAULTS[setting.kind][setting.alarm]
    topic = layer.resolve(contract.alarm_topic_arn())
    name = f"{layer.spec.project}-{subject}-{setting.alarm.replace('_', '-')}"
    description = (
        f"{subject}: {default.watches}, {setting.threshold:g} {default.unit}{says} for {setting.periods} x "
        f"{setting.period_seconds} s. Tune or switch off in the spec: {setting.spec_key}"
    )
    dimensions = [cloudwatch.MetricDimension(Name=k, Value=v) for k, v in watch.dimensions.items()]
    shape: dict[str, Any]
    if watch.expression is None:
        shape = {
            "Namespace": watch.namespace,
            "MetricName": watch.metric,
            "Dimensions": dimensions,
            "Period": setting.period_seconds,
            **(
                {"ExtendedStatistic": watch.statistic}
                if watch.statistic.startswith("p")
                else {"Statistic": watch.statistic}
            ),
        }
    else:
        shape = {
            "Metrics": [
                cloudwatch.MetricDataQuery(
                    Id="value", Expression=watch.expression, Label=setting.alarm, ReturnData=True
                ),
                *(
                    cloudwatch.MetricDataQuery(
                        Id=metric_id,
                        ReturnData=False,
                        MetricStat=cloudwatch.MetricStat(
                            Metric=cloudwatch.Metric(
                                Namespace=watch.namespace, MetricName=metric, Dimensions=dimensions
                            ),
                            Period=setting.period_seconds,
                            Stat=statistic,
                        ),
                    )
                    for metric_id, metric, statistic in watch.inputs
                ),
            ]
        }
    return layer.add(
        cloudwatch.Alarm(
            logical_id(subject, setting.alarm, "alarm"),
            AlarmName=name,
            AlarmDescription=description[:1024],
            ComparisonOperator=comparison,
            Threshold=round(setting.threshold * scale, 6),
            EvaluationPeriods=setting.periods,
            TreatMissingData=watch.missing,
            AlarmActions=[topic],
            OKActions=[topic],
            **shape,
        )
    )


def _each(layer: Layer, kind: str, service: str | None = None) -> Iterator[Setting]:
    for alarm in ALARM_DEFAULTS[kind]:
        found = setting(layer.spec, kind, alarm, service)
        if found is not None:
            yield found


# --------------------------------------------------------------------------- network


def nat_gateway_alarms(layer: Layer, nat: AWSObject) -> None:
    dimensions: dict[str, object] = {"NatGatewayId": Ref(nat)}
    for found in _each(layer, "nat_gateway"):
        with layer.at("alarms", "nat_gateway", found.alarm):
            if found.alarm == "port_allocation_errors":
                add_alarm(layer, "nat", found, Watch("AWS/NATGateway", "ErrorPortAllocation", "Sum", dimensions))
            else:
                add_alarm(
                    layer,
                    "nat",
                    found,
                    Watch(
                        "AWS/NATGateway",
                        "PacketsDropCount",
                        "Sum",
                        dimensions,
                        expression="100 * dropped / (from_source + from_destination)",
                        inputs=(
                            ("dropped", "PacketsDropCount", "Sum"),
                            ("from_source", "PacketsInFromSource", "Sum"),
                            ("from_destination", "PacketsInFromDestination", "Sum"),
                        ),
                    ),
                )


# --------------------------------------------------------------------------- data


def database_alarms(layer: Layer, instance: AWSObject) -> None:
    db = layer.spec.data.database
    dimensions: dict[str, object] = {"DBInstanceIdentifier": Ref(instance)}
    memory = INSTANCE_MEMORY_GIB.get(db.instance_class)
    for found in _each(layer, "database"):
        with layer.at("alarms", "database", found.alarm):
            if found.alarm == "cpu":
                add_alarm(layer, "database", found, Watch("AWS/RDS", "CPUUtilization", "Average", dimensions))
            elif found.alarm == "free_storage":
                add_alarm(
                    layer,
                    "database",
                    found,
                    Watch("AWS/RDS", "FreeStorageSpace", "Minimum", dimensions),
                    comparison=BELOW,
                    scale=db.storage_gb * GIB / 100,
                    says=f" ({db.storage_gb} GB)",
                )
            elif found.alarm == "freeable_memory" and memory is not None:
                add_alarm(
                    layer,
                    "database",
                    found,
                    Watch("AWS/RDS", "FreeableMemory", "Average", dimensions),
                    comparison=BELOW,
                    scale=memory * GIB / 100,
                    says=f" ({db.instance_class}: {memory:g} GiB)",
                )
            elif found.alarm == "connections" and memory is not None:
                limit = max_connections(db.instance_class)
                add_alarm(
                    layer,
                    "database",
                    found,
                    Watch("AWS/RDS", "DatabaseConnections", "Maximum", dimensions),
                    scale=limit / 100,
                    says=f" ({db.instance_class}: max_connections {limit})",
                )
    layer.add(
        rds.EventSubscription(
            "DatabaseEvents",
            SnsTopicArn=layer.resolve(contract.alarm_topic_arn()),
            SourceType="db-instance",
            SourceIds=[Ref(instance)],
            EventCategories=DATABASE_EVENT_CATEGORIES,
            Enabled=True,
        )
    )


def max_connections(instance_class: str) -> int:
    """RDS PostgreSQL's default max_connections for a class (from its memory)."""
    return min(
        int(INSTANCE_MEMORY_GIB[instance_class] * GIB // POSTGRES_BYTES_PER_CONNECTION), POSTGRES_MAX_CONNECTIONS
    )


def cache_nodes(spec: Spec) -> list[str]:
    """The member clusters of the replication group: <group id>-001 is the first primary."""
    return [f"{index:03d}" for index in range(1, spec.data.cache.replicas + 2)]


def cache_node_id(group: object, node: str) -> Sub:
    return Sub(f"${{Group}}-{node}", Group=group)


def cache_alarms(layer: Layer, group: AWSObject) -> None:
    metrics = {
        "cpu": ("EngineCPUUtilization", "Average"),
        "memory": ("DatabaseMemoryUsagePercentage", "Average"),
        "evictions": ("Evictions", "Sum"),
        "replication_lag": ("ReplicationLag", "Maximum"),
        "connections": ("CurrConnections", "Maximum"),
    }
    for found in _each(layer, "cache"):
        if found.alarm == "replication_lag" and layer.spec.data.cache.replicas == 0:
            continue
        metric, statistic = metrics[found.alarm]
        for node in cache_nodes(layer.spec):
            # Replication lag is measured on replicas; which node is one changes on failover, so every node has it.
            with layer.at("alarms", "cache", found.alarm):
                add_alarm(
                    layer,
                    f"cache-{node}",
                    found,
                    Watch("AWS/ElastiCache", metric, statistic, {"CacheClusterId": cache_node_id(Ref(group), node)}),
                )


def file_system_alarms(layer: Layer, system: AWSObject) -> None:
    fs = layer.spec.data.file_system
    dimensions: dict[str, object] = {"FileSystemId": Ref(system)}
    for found in _each(layer, "file_system"):
        with layer.at("alarms", "file_system", found.alarm):
            if found.alarm == "burst_credits" and fs.throughput_mode == "bursting":
                add_alarm(
                    layer,
                    "efs",
                    found,
                    Watch("AWS/EFS", "BurstCreditBalance", "Minimum", dimensions),
                    comparison=BELOW,
                    scale=GIB,
                )
            elif found.alarm == "io_limit" and fs.performance_mode == "general-purpose":
                add_alarm(layer, "efs", found, Watch("AWS/EFS", "PercentIOLimit", "Maximum", dimensions))


# --------------------------------------------------------------------------- platform and observability


def service_alarms(layer: Layer, name: str, service: Service, log_group: AWSObject) -> None:
    """A service's task alarms, its target group's (when routed) and its log error alarm (when it has a pattern)."""
    cluster = layer.resolve(contract.cluster_name())
    service_name = GetAtt(logical_id(name, "service"), "Name")
    tasks = {"ClusterName": cluster, "ServiceName": service_name}
    for found in _each(layer, "service", name):
        with layer.at("alarms", "services", name):
            if found.alarm == "running_tasks":
                add_alarm(
                    layer,
                    name,
                    found,
                    Watch(
                        "ECS/ContainerInsights",
                        "RunningTaskCount",
                        "Average",
                        tasks,
                        expression="desired - running",
                        inputs=(("desired", "DesiredTaskCount", "Average"), ("running", "RunningTaskCount", "Average")),
                    ),
                )
            else:
                metric = {"cpu": "CPUUtilization", "memory": "MemoryUtilization"}[found.alarm]
                add_alarm(layer, name, found, Watch("AWS/ECS", metric, "Average", tasks))
    if service.route is not None:
        route_alarms(layer, name)
    own = layer.spec.alarms.services.get(name)
    if own is not None and own.log_errors is not None:
        log_error_alarm(layer, name, log_group)


def route_alarms(layer: Layer, name: str) -> None:
    dimensions: dict[str, object] = {
        "TargetGroup": GetAtt(logical_id(name, "target-group"), "TargetGroupFullName"),
        "LoadBalancer": layer.resolve(contract.load_balancer_full_name()),
    }
    for found in _each(layer, "route", name):
        with layer.at("alarms", "services", name):
            if found.alarm == "unhealthy_hosts":
                add_alarm(
                    layer,
                    f"{name}-route",
                    found,
                    Watch("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", dimensions),
                )
            elif found.alarm == "errors_5xx":
                add_alarm(
                    layer,
                    f"{name}-route",
                    found,
                    Watch(
                        "AWS/ApplicationELB",
                        "HTTPCode_Target_5XX_Count",
                        "Sum",
                        dimensions,
                        expression="100 * FILL(errors, 0) / requests",
                        inputs=(("errors", "HTTPCode_Target_5XX_Count", "Sum"), ("requests", "RequestCount", "Sum")),
                    ),
                )
            else:
                add_alarm(
                    layer, f"{name}-route", found, Watch("AWS/ApplicationELB", "TargetResponseTime", "p95", dimensions)
                )


def log_error_alarm(layer: Layer, name: str, log_group: AWSObject) -> None:
    own = layer.spec.alarms.services[name]
    assert own.log_errors is not None
    errors = own.log_errors
    default = ALARM_DEFAULTS["log_errors"]["errors"]
    namespace = f"{layer.spec.project}/logs"
    metric = f"{name}-errors"
    with layer.at("alarms", "services", name, "log_errors"):
        layer.add(
            logs.MetricFilter(
                logical_id(name, "error-lines"),
                LogGroupName=Ref(log_group),
                FilterPattern=errors.pattern,
                MetricTransformations=[
                    logs.MetricTransformation(
                        MetricNamespace=namespace, MetricName=metric, MetricValue="1", DefaultValue=0
                    )
                ],
            )
        )
        found = Setting(
            "log_errors",
            "errors",
            errors.threshold if errors.threshold is not None else default.threshold,
            errors.period_seconds or default.period_seconds,
            errors.periods or default.periods,
        )
        add_alarm(layer, name, found, Watch(namespace, metric, "Sum", {}))


def load_balancer_alarms(layer: Layer) -> None:
    """The ALB's own alarms; publishes its metrics name first, which every route's alarms read."""
    balancer = layer.template.resources["LoadBalancer"]
    layer.publish(contract.load_balancer_full_name(), GetAtt(balancer, "LoadBalancerFullName"))
    dimensions: dict[str, object] = {"LoadBalancer": GetAtt(balancer, "LoadBalancerFullName")}
    metrics = {"errors_5xx": "HTTPCode_ELB_5XX_Count", "rejected_connections": "RejectedConnectionCount"}
    for found in _each(layer, "load_balancer"):
        with layer.at("alarms", "load_balancer", found.alarm):
            add_alarm(layer, "alb", found, Watch("AWS/ApplicationELB", metrics[found.alarm], "Sum", dimensions))


def deployment_failures(layer: Layer, cluster: AWSObject) -> None:
    """The circuit breaker's rollbacks, sent to the topic: ECS reports them as events, not as a metric."""
    layer.add(
        events.Rule(
            "DeploymentFailures",
            Description=f"{layer.spec.project}: ECS deployments the circuit breaker failed and rolled back",
            State="ENABLED",
            EventPattern={
                "source": ["aws.ecs"],
                "detail-type": ["ECS Deployment State Change"],
                "detail": {"eventName": ["SERVICE_DEPLOYMENT_FAILED"]},
                "resources": [
                    {
                        "prefix": Sub(
                            f"arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:service/{layer.spec.project}/"
                        )
                    }
                ],
            },
            Targets=[events.Target(Id="alarm-topic", Arn=layer.resolve(contract.alarm_topic_arn()))],
        )
    )


# --------------------------------------------------------------------------- the dashboard


@dataclass(frozen=True)
class _Body:
    """The dashboard's JSON with ${...} placeholders, and the values Fn::Sub fills them with."""

    widgets: list[dict[str, Any]]
    values: dict[str, object]

    def place(self, key: str, value: object) -> str:
        self.values[key] = value
        return f"${{{key}}}"


def dashboard(layer: Layer) -> cloudwatch.Dashboard:
    """One dashboard per environment: a row per layer, a widget per service, the ALB per host, data, NAT."""
    spec = layer.spec
    body = _Body([], {})
    region = spec.region
    y = 0

    def text(line: str) -> None:
        nonlocal y
        body.widgets.append(
            {"type": "text", "x": 0, "y": y, "width": 24, "height": 1, "properties": {"markdown": line}}
        )
        y += 1

    def row(graphs: Sequence[tuple[str, list[list[object]]]]) -> None:
        nonlocal y
        width = max(6, 24 // max(len(graphs), 1))
        for index, (title, metrics) in enumerate(graphs):
            x = (index * width) % 24
            line = y + (index * width) // 24 * 6
            body.widgets.append(
                {
                    "type": "metric",
                    "x": x,
                    "y": line,
                    "width": width,
                    "height": 6,
                    "properties": {
                        "title": title,
                        "region": region,
                        "metrics": metrics,
                        "view": "timeSeries",
                        "stat": "Average",
                        "period": 300,
                    },
                }
            )
        y += 6 * ((len(graphs) * width + 23) // 24)

    cluster = body.place("ClusterName", layer.resolve(contract.cluster_name()))
    balancer = body.place("LoadBalancer", layer.resolve(contract.load_balancer_full_name()))
    nat = spec.network.nat_gateway is not None
    if nat:
        text("## network: NAT gateway")
        gateway = body.place("NatGateway", layer.resolve(contract.nat_gateway_id()))
        row(
            [
                (
                    "NAT gateway: port allocation errors, dropped packets",
                    [
                        ["AWS/NATGateway", "ErrorPortAllocation", "NatGatewayId", gateway, {"stat": "Sum"}],
                        ["AWS/NATGateway", "PacketsDropCount", "NatGatewayId", gateway, {"stat": "Sum"}],
                    ],
                ),
                (
                    "NAT gateway: bytes out",
                    [["AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", gateway, {"stat": "Sum"}]],
                ),
            ]
        )
    text("## data: PostgreSQL, Redis, EFS")
    database = body.place("Database", layer.resolve(contract.database_id()))
    group = layer.resolve(contract.cache_id())
    nodes = [body.place(f"CacheNode{node}", cache_node_id(group, node)) for node in cache_nodes(spec)]
    file_system = body.place("FileSystem", layer.resolve(contract.file_system_id()))
    row(
        [
            (
                "PostgreSQL: CPU %, connections",
                [
                    ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", database],
                    ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", database, {"yAxis": "right"}],
                ],
            ),
            (
                "PostgreSQL: free storage, freeable memory (bytes)",
                [
                    ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", database, {"stat": "Minimum"}],
                    ["AWS/RDS", "FreeableMemory", "DBInstanceIdentifier", database],
                ],
            ),
            (
                "Redis: engine CPU %, memory %",
                _per_node(nodes, [("EngineCPUUtilization", {}), ("DatabaseMemoryUsagePercentage", {})]),
            ),
            (
                "Redis: evictions, connections",
                _per_node(nodes, [("Evictions", {"stat": "Sum"}), ("CurrConnections", {"yAxis": "right"})]),
            ),
            (
                "EFS: burst credits (bytes), I/O limit %",
                [
                    ["AWS/EFS", "BurstCreditBalance", "FileSystemId", file_system, {"stat": "Minimum"}],
                    ["AWS/EFS", "PercentIOLimit", "FileSystemId", file_system, {"yAxis": "right", "stat": "Maximum"}],
                ],
            ),
        ]
    )
    platform_names = Split(",", layer.resolve(contract.service_names())) if spec.platform.services else None
    platform_groups = (
        Split(",", layer.resolve(contract.target_group_full_names())) if routed(spec.platform.services) else None
    )
    for section, services in (("platform", spec.platform.services), ("observability", spec.observability.services)):
        if not services:
            continue
        text(f"## {section}: services (tasks, CPU %, memory %) and their routes")
        graphs: list[tuple[str, list[list[object]]]] = []
        route_index = 0
        for index, (name, service) in enumerate(services.items()):
            key = logical_id(name)
            if section == "platform" and platform_names is not None:
                service_name = body.place(f"{key}Service", Select(index, platform_names))
            else:
                service_name = body.place(f"{key}Service", GetAtt(logical_id(name, "service"), "Name"))
            graphs.append(
                (
                    f"{name}: tasks, CPU %, memory %",
                    [
                        [
                            "ECS/ContainerInsights",
                            "RunningTaskCount",
                            "ClusterName",
                            cluster,
                            "ServiceName",
                            service_name,
                            {"yAxis": "right"},
                        ],
                        [
                            "ECS/ContainerInsights",
                            "DesiredTaskCount",
                            "ClusterName",
                            cluster,
                            "ServiceName",
                            service_name,
                            {"yAxis": "right"},
                        ],
                        ["AWS/ECS", "CPUUtilization", "ClusterName", cluster, "ServiceName", service_name],
                        ["AWS/ECS", "MemoryUtilization", "ClusterName", cluster, "ServiceName", service_name],
                    ],
                )
            )
            if service.route is None:
                continue
            if section == "platform" and platform_groups is not None:
                group_name = body.place(f"{key}TargetGroup", Select(route_index, platform_groups))
            else:
                group_name = body.place(
                    f"{key}TargetGroup", GetAtt(logical_id(name, "target-group"), "TargetGroupFullName")
                )
            route_index += 1
            dims = ["TargetGroup", group_name, "LoadBalancer", balancer]
            graphs.append(
                (
                    f"{service.route.host}: requests, target 5xx, p95 response time (s)",
                    [
                        ["AWS/ApplicationELB", "RequestCount", *dims, {"stat": "Sum"}],
                        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", *dims, {"stat": "Sum"}],
                        ["AWS/ApplicationELB", "TargetResponseTime", *dims, {"stat": "p95", "yAxis": "right"}],
                    ],
                )
            )
        row(graphs)
    text("## the internal ALB")
    row(
        [
            (
                "ALB: requests, ELB 5xx, rejected connections",
                [
                    ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", balancer, {"stat": "Sum"}],
                    [
                        "AWS/ApplicationELB",
                        "HTTPCode_ELB_5XX_Count",
                        "LoadBalancer",
                        balancer,
                        {"stat": "Sum", "yAxis": "right"},
                    ],
                    [
                        "AWS/ApplicationELB",
                        "RejectedConnectionCount",
                        "LoadBalancer",
                        balancer,
                        {"stat": "Sum", "yAxis": "right"},
                    ],
                ],
            ),
        ]
    )
    return layer.add(
        cloudwatch.Dashboard(
            "Dashboard",
            DashboardName=spec.project,
            DashboardBody=Sub(json.dumps({"widgets": body.widgets}, sort_keys=True), **body.values),
        )
    )


def _per_node(nodes: list[str], metrics: list[tuple[str, dict[str, str]]]) -> list[list[object]]:
    """One line per cache node and metric (ElastiCache measures each member cluster on its own)."""
    return [
        ["AWS/ElastiCache", metric, "CacheClusterId", node, options] for node in nodes for metric, options in metrics
    ]


def routed(services: dict[str, Service]) -> list[str]:
    """Names of the routed services, in spec order (the order of the target group names the platform publishes)."""
    return [name for name, service in services.items() if service.route is not None]


def publish_service_names(layer: Layer) -> None:
    """The platform's service and target group names for the dashboard, one Output each for all services:
    a pair of Outputs per service would run into the 200-Output limit long before the services do."""
    services = layer.spec.platform.services
    if services:
        names = [GetAtt(logical_id(name, "service"), "Name") for name in services]
        layer.publish(contract.service_names(), Join(",", names))
    groups = [GetAtt(logical_id(name, "target-group"), "TargetGroupFullName") for name in routed(services)]
    if groups:
        layer.publish(contract.target_group_full_names(), Join(",", groups))


# --------------------------------------------------------------------------- what each layer calls


def network_alarms(layer: Layer) -> None:
    nat = layer.template.resources.get("NatGateway")
    if nat is not None:
        layer.publish(contract.nat_gateway_id(), Ref(nat))
        nat_gateway_alarms(layer, nat)


def data_alarms(layer: Layer) -> None:
    resources = layer.template.resources
    layer.publish(contract.database_id(), Ref(resources["Database"]))
    layer.publish(contract.cache_id(), Ref(resources["Cache"]))
    database_alarms(layer, resources["Database"])
    cache_alarms(layer, resources["Cache"])
    file_system_alarms(layer, resources["FileSystem"])


def platform_alarms(layer: Layer) -> None:
    resources = layer.template.resources
    deployment_failures(layer, resources["Cluster"])
    publish_service_names(layer)
