"""A compiled template's monthly cost, resource by resource, from the snapshot's prices and the
spec's usage assumptions.

Every resource gets a row: priced (its charges, each a quantity times a snapshot price), no charge
(AWS bills nothing for it, or bills it through another row, which is named), or not priced (its type
or an input is unknown here; never counted as zero in silence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cfncompiler.cost.snapshot import Price, RegionPrices
from cfncompiler.spec.model import Usage

# AWS's pricing pages count a month as 730 hours (365 days x 24 / 12).
HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
KB_PER_GB = 1024.0 * 1024.0

PRICED = "priced"
NO_CHARGE = "no charge"
NOT_PRICED = "not priced"


@dataclass(frozen=True)
class Charge:
    """``quantity`` of ``price.unit`` a month, at ``price.usd`` each."""

    what: str
    quantity: float
    price: Price

    @property
    def monthly(self) -> float:
        return self.quantity * self.price.usd


@dataclass(frozen=True)
class ResourceCost:
    logical_id: str
    resource_type: str
    state: str
    charges: tuple[Charge, ...] = ()
    # Why a resource costs nothing or cannot be priced, or what the estimate leaves out of it.
    note: str = ""
    # The usage assumptions (Usage field names) the charges rest on.
    assumptions: tuple[str, ...] = ()

    @property
    def monthly(self) -> float:
        return sum(c.monthly for c in self.charges)


@dataclass(frozen=True)
class LayerCost:
    layer: str
    resources: tuple[ResourceCost, ...]

    @property
    def monthly(self) -> float:
        return sum(r.monthly for r in self.resources)

    @property
    def assumptions(self) -> set[str]:
        return {a for r in self.resources for a in r.assumptions}


@dataclass(frozen=True)
class _Context:
    """What a pricer may read: the whole template (to follow a Ref), the region's prices, the usage."""

    resources: Mapping[str, Mapping[str, Any]]
    prices: RegionPrices
    usage: Usage


@dataclass
class _Bill:
    """Charges gathered for one resource; a price the snapshot lacks makes the resource not priced."""

    context: _Context
    charges: list[Charge] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, what: str, quantity: float, *assumptions: str) -> None:
        price = self.context.prices.get(key)
        if price is None:
            self.missing.append(key)
            return
        self.charges.append(Charge(what, quantity, price))
        self.assumptions.extend(a for a in assumptions if a not in self.assumptions)

    def result(self, logical_id: str, resource_type: str) -> ResourceCost:
        if self.missing:
            return ResourceCost(
                logical_id,
                resource_type,
                NOT_PRICED,
                note=(
                    f"the price snapshot has no {', '.join(self.missing)} for {self.context.prices.region}; "
                    "add it with `cfncompiler prices refresh`"
                ),
            )
        return ResourceCost(
            logical_id, resource_type, PRICED, tuple(self.charges), "; ".join(self.notes), tuple(self.assumptions)
        )


Pricer = Callable[[_Context, _Bill, Mapping[str, Any]], "str | None"]
"""Adds a resource's charges to the bill; returns a reason when the resource cannot be priced."""


def price_template(layer: str, document: Mapping[str, Any], prices: RegionPrices, usage: Usage) -> LayerCost:
    """Every resource of the template, in template order, with what it costs a month."""
    resources: Mapping[str, Mapping[str, Any]] = document.get("Resources") or {}
    context = _Context(resources, prices, usage)
    return LayerCost(layer, tuple(_price_resource(context, lid, r) for lid, r in resources.items()))


def _price_resource(context: _Context, logical_id: str, resource: Mapping[str, Any]) -> ResourceCost:
    kind = str(resource.get("Type", ""))
    properties: Mapping[str, Any] = resource.get("Properties") or {}
    if kind in NO_CHARGE_TYPES:
        return ResourceCost(logical_id, kind, NO_CHARGE, note=NO_CHARGE_TYPES[kind])
    pricer = PRICERS.get(kind)
    if pricer is None:
        why = UNPRICED_TYPES.get(kind, f"cfncompiler does not price {kind}")
        return ResourceCost(logical_id, kind, NOT_PRICED, note=why)
    bill = _Bill(context)
    refusal = pricer(context, bill, properties)
    if refusal is not None:
        return ResourceCost(logical_id, kind, NOT_PRICED, note=refusal)
    if not bill.charges and not bill.missing:
        return ResourceCost(logical_id, kind, NO_CHARGE, note="; ".join(bill.notes))
    return bill.result(logical_id, kind)


# --------------------------------------------------------------------------- reading properties


def _number(value: Any) -> float | None:
    """A template number (CloudFormation writes many as strings); None for an intrinsic function."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _local(context: _Context, reference: Any, kind: str) -> Mapping[str, Any] | None:
    """The properties of the resource of type ``kind`` a ``Ref`` names in this template, if it does."""
    if isinstance(reference, Mapping) and set(reference) == {"Ref"}:
        target = context.resources.get(str(reference["Ref"]))
        if target is not None and target.get("Type") == kind:
            found: Mapping[str, Any] = target.get("Properties") or {}
            return found
    return None


# --------------------------------------------------------------------------- compute


def _fargate_service(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    if props.get("LaunchType") not in (None, "FARGATE"):
        return f"launch type {props.get('LaunchType')}: only Fargate is priced"
    task = _local(context, props.get("TaskDefinition"), "AWS::ECS::TaskDefinition")
    if task is None:
        return "its task definition is not in this template, so its size is unknown"
    cpu, memory = _number(task.get("Cpu")), _number(task.get("Memory"))
    desired = _number(props.get("DesiredCount", 1))
    if cpu is None or memory is None or desired is None:
        return "its task size or desired count is not a plain number in the template"
    arch = "arm" if (task.get("RuntimePlatform") or {}).get("CpuArchitecture") == "ARM64" else "x86"
    shares = _capacity_shares(context, props, desired)
    if shares is None:
        return "its capacity provider strategy names a provider other than FARGATE and FARGATE_SPOT"
    vcpu, gb = cpu / 1024, memory / 1024
    arch_word = "ARM" if arch == "arm" else "x86"
    for provider, tasks in shares:
        if not tasks:
            continue
        market = "fargate-spot" if provider == "FARGATE_SPOT" else "fargate"
        label = "Spot" if market == "fargate-spot" else "On-Demand"
        hours = tasks * HOURS_PER_MONTH
        bill.add(f"{market}.{arch}.vcpu-hours", f"{label} {arch_word} vCPU: {vcpu:g} x {tasks:g} task(s)", vcpu * hours)
        bill.add(f"{market}.{arch}.gb-hours", f"{label} {arch_word} memory: {gb:g} GB x {tasks:g} task(s)", gb * hours)
    extra_storage = (_number((task.get("EphemeralStorage") or {}).get("SizeInGiB")) or 20) - 20
    if extra_storage > 0:
        bill.add(
            "fargate.ephemeral-storage.gb-hours",
            f"ephemeral storage over 20 GB: {extra_storage:g} GB",
            extra_storage * desired * HOURS_PER_MONTH,
        )
    return None


def _capacity_shares(context: _Context, props: Mapping[str, Any], desired: float) -> list[tuple[str, float]] | None:
    """Tasks per capacity provider: each provider's Base first, the rest split by Weight, as ECS places them."""
    strategy = props.get("CapacityProviderStrategy")
    if strategy is None and props.get("LaunchType") is None:
        # No strategy of its own: the cluster's default, when that is in this template.
        defaults = [
            (r.get("Properties") or {}).get("DefaultCapacityProviderStrategy")
            for r in context.resources.values()
            if r.get("Type") == "AWS::ECS::ClusterCapacityProviderAssociations"
        ]
        strategy = next((d for d in defaults if d), None)
    if not strategy:
        return [("FARGATE", desired)]
    entries = [
        (str(s.get("CapacityProvider")), _number(s.get("Base", 0)) or 0, _number(s.get("Weight", 0)) or 0)
        for s in strategy
    ]
    if any(provider not in ("FARGATE", "FARGATE_SPOT") for provider, _, _ in entries):
        return None
    remaining = desired
    placed = {provider: 0.0 for provider, _, _ in entries}
    for provider, base, _ in entries:
        taken = min(base, remaining)
        placed[provider] += taken
        remaining -= taken
    total_weight = sum(weight for _, _, weight in entries)
    for provider, _, weight in entries:
        if total_weight:
            placed[provider] += remaining * weight / total_weight
    return list(placed.items())


def _ecs_cluster(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    insights = [s for s in props.get("ClusterSettings") or [] if s.get("Name") == "containerInsights"]
    if any(s.get("Value") in ("enabled", "enhanced") for s in insights):
        return "the cluster is free; its Container Insights metrics (CloudWatch custom metrics) are not estimated"
    bill.notes.append("the cluster itself is free: its tasks are priced with their services")
    return None


# --------------------------------------------------------------------------- data


def _rds_instance(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    engine = str(props.get("Engine", ""))
    if engine != "postgres":
        return f"engine {engine or '(none)'}: only PostgreSQL is priced"
    instance_class = str(props.get("DBInstanceClass", ""))
    deployment = "multi-az" if props.get("MultiAZ") in (True, "true") else "single-az"
    copies = "Multi-AZ" if deployment == "multi-az" else "Single-AZ"
    bill.add(f"rds.postgres.{deployment}.{instance_class}", f"{instance_class} {copies}", HOURS_PER_MONTH)
    storage = _number(props.get("AllocatedStorage")) or 0
    kind = str(props.get("StorageType", "gp2"))
    bill.add(f"rds.storage.{kind}.{deployment}", f"{kind} storage: {storage:g} GB", storage)
    if kind == "gp3":
        # gp3 includes 3,000 IOPS and 125 MiB/s below 400 GB, 12,000 and 500 MiB/s from 400 GB (PostgreSQL).
        base_iops, base_throughput = (12000, 500) if storage >= 400 else (3000, 125)
        extra_iops = (_number(props.get("Iops")) or base_iops) - base_iops
        extra_throughput = (_number(props.get("StorageThroughput")) or base_throughput) - base_throughput
        if extra_iops > 0:
            bill.add(f"rds.gp3.iops.{deployment}", f"provisioned IOPS over {base_iops:,}", extra_iops)
        if extra_throughput > 0:
            bill.add(f"rds.gp3.throughput.{deployment}", f"throughput over {base_throughput} MiB/s", extra_throughput)
    backup = max(0.0, context.usage.database_backup_gb_stored - storage)
    if context.usage.database_backup_gb_stored:
        bill.add(
            "rds.backup",
            f"backup storage beyond the free {storage:g} GB: {backup:g} GB",
            backup,
            "database_backup_gb_stored",
        )
    interval = _number(props.get("MonitoringInterval")) or 0
    if interval > 0:
        kb = context.usage.enhanced_monitoring_kb_per_sample
        gb = SECONDS_PER_MONTH / interval * kb / KB_PER_GB
        bill.add(
            "logs.ingested.gb",
            f"Enhanced Monitoring every {interval:g} s: {gb:.2f} GB to CloudWatch Logs",
            gb,
            "enhanced_monitoring_kb_per_sample",
        )
    exports = list(props.get("EnableCloudwatchLogsExports") or [])
    if exports:
        gb = len(exports) * context.usage.logs_gb_ingested_per_group_per_month
        bill.add(
            "logs.ingested.gb",
            f"log exports ({', '.join(map(str, exports))}): {gb:g} GB",
            gb,
            "logs_gb_ingested_per_group_per_month",
        )
        bill.notes.append("the exported logs' storage is not estimated (their groups are RDS's, outside the template)")
    if props.get("ManageMasterUserPassword") in (True, "true"):
        bill.add("secretsmanager.secret-months", "the master user secret RDS keeps in Secrets Manager", 1)
    if (_number(props.get("MaxAllocatedStorage")) or 0) > storage:
        bill.notes.append("priced at the allocated storage; autoscaling may grow it")
    return None


def _cache(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    engine = str(props.get("Engine", "redis")).lower()
    node_type = str(props.get("CacheNodeType", ""))
    clusters = _number(props.get("NumCacheClusters"))
    if clusters is None:
        groups = _number(props.get("NumNodeGroups", 1)) or 1
        clusters = groups * ((_number(props.get("ReplicasPerNodeGroup", 0)) or 0) + 1)
    bill.add(f"elasticache.{engine}.{node_type}", f"{clusters:g} x {node_type} ({engine})", clusters * HOURS_PER_MONTH)
    bill.notes.append("backup storage beyond one snapshot per node is not estimated")
    return None


def _cache_cluster(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    engine = str(props.get("Engine", "")).lower()
    if engine not in ("redis", "valkey"):
        return f"engine {engine or '(none)'}: only Redis and Valkey are priced"
    nodes = _number(props.get("NumCacheNodes", 1)) or 1
    node_type = str(props.get("CacheNodeType", ""))
    bill.add(f"elasticache.{engine}.{node_type}", f"{nodes:g} x {node_type} ({engine})", nodes * HOURS_PER_MONTH)
    return None


def _file_system(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    stored = context.usage.efs_gb_stored
    lifecycle = [p for p in props.get("LifecyclePolicies") or [] if "TransitionToIA" in p]
    share = context.usage.efs_infrequent_access_share if lifecycle else 0.0
    bill.add("efs.standard.gb-month", f"Standard: {stored * (1 - share):g} GB", stored * (1 - share), "efs_gb_stored")
    if lifecycle:
        bill.add(
            "efs.infrequent-access.gb-month",
            f"Infrequent Access: {stored * share:g} GB",
            stored * share,
            "efs_gb_stored",
            "efs_infrequent_access_share",
        )
        bill.notes.append("Infrequent Access reads and transitions are not estimated")
    if props.get("ThroughputMode") == "elastic":
        bill.notes.append("elastic throughput's charge per GB read and written is not estimated")
    if props.get("ThroughputMode") == "provisioned":
        return "provisioned throughput is not priced"
    return None


def _bucket(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    stored = context.usage.s3_gb_stored_per_bucket
    bill.add("s3.standard.gb-month", f"S3 Standard: {stored:g} GB", stored, "s3_gb_stored_per_bucket")
    bill.notes.append("requests are not estimated")
    return None


def _table(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    if props.get("BillingMode") != "PAY_PER_REQUEST":
        return "provisioned capacity is not priced (only on-demand tables are)"
    writes = context.usage.dynamodb_million_writes_per_table_per_month
    reads = context.usage.dynamodb_million_reads_per_table_per_month
    bill.add(
        "dynamodb.write-request-units",
        f"on-demand writes: {writes:g} million",
        writes * 1e6,
        "dynamodb_million_writes_per_table_per_month",
    )
    bill.add(
        "dynamodb.read-request-units",
        f"on-demand reads: {reads:g} million",
        reads * 1e6,
        "dynamodb_million_reads_per_table_per_month",
    )
    bill.notes.append("storage is not estimated")
    return None


def _key(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    bill.add("kms.key-months", "customer managed key", 1)
    bill.notes.append("requests are not estimated")
    return None


def _secret(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    bill.add("secretsmanager.secret-months", "secret", 1)
    return None


# --------------------------------------------------------------------------- network


def _nat_gateway(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    if props.get("ConnectivityType") == "private":
        bill.add("nat.hours", "private NAT gateway hours", HOURS_PER_MONTH)
    else:
        bill.add("nat.hours", "NAT gateway hours", HOURS_PER_MONTH)
    gb = context.usage.nat_gb_per_month
    bill.add("nat.gb", f"data processed: {gb:g} GB", gb, "nat_gb_per_month")
    return None


def _address(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    bill.add("public-ipv4.hours", "public IPv4 address in use", HOURS_PER_MONTH)
    return None


def _endpoint(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    kind = props.get("VpcEndpointType", "Gateway")
    if kind == "Gateway":
        bill.notes.append("gateway endpoints are free")
        return None
    if kind != "Interface":
        return f"{kind} endpoints are not priced"
    subnets = props.get("SubnetIds")
    if not isinstance(subnets, list):
        return "its subnets are not listed in the template, so the number of AZs it is billed for is unknown"
    gb = context.usage.endpoint_gb_per_month
    bill.add("endpoint.az-hours", f"{len(subnets)} AZ(s)", len(subnets) * HOURS_PER_MONTH)
    bill.add("endpoint.gb", f"data processed: {gb:g} GB", gb, "endpoint_gb_per_month")
    return None


def _load_balancer(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    if props.get("Type", "application") != "application":
        return f"{props.get('Type')} load balancers are not priced (only application ones are)"
    lcus = context.usage.alb_average_lcus
    bill.add("alb.hours", "load balancer hours", HOURS_PER_MONTH)
    bill.add("alb.lcu-hours", f"{lcus:g} LCU on average", lcus * HOURS_PER_MONTH, "alb_average_lcus")
    return None


def _hosted_zone(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    queries = context.usage.dns_million_queries_per_zone_per_month
    bill.add("route53.hosted-zone-months", "hosted zone", 1)
    bill.add(
        "route53.queries", f"queries: {queries:g} million", queries * 1e6, "dns_million_queries_per_zone_per_month"
    )
    return None


def _namespace(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    # Cloud Map answers a DNS namespace's names from a Route 53 hosted zone it creates and bills.
    bill.add("route53.hosted-zone-months", "the Route 53 hosted zone Cloud Map creates", 1)
    bill.notes.append("its queries come from inside the VPC (Route 53 Resolver, no query charge)")
    return None


# --------------------------------------------------------------------------- observability


def _log_group(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    gb = context.usage.logs_gb_ingested_per_group_per_month
    retention = _number(props.get("RetentionInDays"))
    # Steady state: a month's logs are kept for the retention period (capped at a year: what is billed
    # after the first year keeps growing only for groups that keep logs longer).
    months = min(retention / (365 / 12), 12.0) if retention else 12.0
    bill.add("logs.ingested.gb", f"ingested: {gb:g} GB", gb, "logs_gb_ingested_per_group_per_month")
    bill.add(
        "logs.stored.gb-month",
        f"stored: {gb:g} GB x {months:.1f} month(s) kept",
        gb * months,
        "logs_gb_ingested_per_group_per_month",
    )
    if not retention or retention > 365:
        bill.notes.append("storage shown after one year; it keeps growing while logs are kept")
    return None


def _alarm(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    metrics = [m for m in props.get("Metrics") or [] if "MetricStat" in m]
    count = max(1, len(metrics))
    period = _number(props.get("Period"))
    if period is None and metrics:
        period = min((_number(m["MetricStat"].get("Period")) or 60) for m in metrics)
    high = period is not None and period < 60
    key = "cloudwatch.high-resolution-alarm-months" if high else "cloudwatch.alarm-months"
    what = "high-resolution alarm" if high else "standard-resolution alarm"
    bill.add(key, f"{what} on {count} metric(s)", count)
    return None


def _composite_alarm(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    bill.add("cloudwatch.composite-alarm-months", "composite alarm", 1)
    return None


def _dashboard(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    bill.add("cloudwatch.dashboard-months", "dashboard", 1)
    return None


def _parameter(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    if props.get("Tier") == "Advanced":
        bill.add("ssm.advanced-parameter-months", "advanced parameter", 1)
    else:
        bill.notes.append("standard parameters are free")
    return None


def _flow_log(context: _Context, bill: _Bill, props: Mapping[str, Any]) -> str | None:
    if props.get("LogDestinationType", "cloud-watch-logs") != "cloud-watch-logs":
        return f"flow logs to {props.get('LogDestinationType')} are not priced"
    bill.notes.append("its records are priced as its log group's ingestion")
    return None


PRICERS: Mapping[str, Pricer] = {
    "AWS::ECS::Service": _fargate_service,
    "AWS::ECS::Cluster": _ecs_cluster,
    "AWS::RDS::DBInstance": _rds_instance,
    "AWS::ElastiCache::ReplicationGroup": _cache,
    "AWS::ElastiCache::CacheCluster": _cache_cluster,
    "AWS::EFS::FileSystem": _file_system,
    "AWS::S3::Bucket": _bucket,
    "AWS::DynamoDB::Table": _table,
    "AWS::KMS::Key": _key,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::EC2::NatGateway": _nat_gateway,
    "AWS::EC2::EIP": _address,
    "AWS::EC2::VPCEndpoint": _endpoint,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::Route53::HostedZone": _hosted_zone,
    "AWS::ServiceDiscovery::PrivateDnsNamespace": _namespace,
    "AWS::ServiceDiscovery::PublicDnsNamespace": _namespace,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::CloudWatch::CompositeAlarm": _composite_alarm,
    "AWS::CloudWatch::Dashboard": _dashboard,
    "AWS::SSM::Parameter": _parameter,
    "AWS::EC2::FlowLog": _flow_log,
}

# Types AWS bills nothing for, or bills through another resource's row (named here).
NO_CHARGE_TYPES: Mapping[str, str] = {
    "AWS::EC2::VPC": "free",
    "AWS::EC2::Subnet": "free",
    "AWS::EC2::RouteTable": "free",
    "AWS::EC2::Route": "free",
    "AWS::EC2::SubnetRouteTableAssociation": "free",
    "AWS::EC2::InternetGateway": "free (data out to the internet is not estimated)",
    "AWS::EC2::VPCGatewayAttachment": "free",
    "AWS::EC2::SecurityGroup": "free",
    "AWS::EC2::SecurityGroupIngress": "free",
    "AWS::EC2::SecurityGroupEgress": "free",
    "AWS::IAM::Role": "free",
    "AWS::IAM::Policy": "free",
    "AWS::IAM::ManagedPolicy": "free",
    "AWS::IAM::InstanceProfile": "free",
    "AWS::KMS::Alias": "free",
    "AWS::EFS::MountTarget": "free: storage is priced on the file system",
    "AWS::EFS::AccessPoint": "free: storage is priced on the file system",
    "AWS::RDS::DBSubnetGroup": "free",
    "AWS::RDS::DBParameterGroup": "free",
    "AWS::ElastiCache::SubnetGroup": "free",
    "AWS::ElastiCache::ParameterGroup": "free",
    "AWS::S3::BucketPolicy": "free",
    "AWS::ECS::TaskDefinition": "free: its tasks are priced on the service that runs them",
    "AWS::ECS::ClusterCapacityProviderAssociations": "free",
    "AWS::ElasticLoadBalancingV2::Listener": "free: priced on the load balancer (hours and LCUs)",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "free: priced on the load balancer (hours and LCUs)",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "free: priced on the load balancer (hours and LCUs)",
    "AWS::CertificateManager::Certificate": "free (public certificate)",
    "AWS::Route53::RecordSet": "free: queries are priced on the hosted zone",
    "AWS::Route53::RecordSetGroup": "free: queries are priced on the hosted zone",
    "AWS::Logs::MetricFilter": "free",
    "AWS::SNS::Topic": "free at alarm volumes: SNS's free tier is 1M publishes and 1,000 emails a month",
    "AWS::SNS::TopicPolicy": "free",
    "AWS::SNS::Subscription": "free: deliveries are priced on the topic",
    "AWS::RDS::EventSubscription": "free: its notifications are priced on the topic",
    "AWS::Events::Rule": "free: AWS service events on the default bus cost nothing",
}


# Types that cost money in ways the estimate does not model; listed with why, never counted as zero.
UNPRICED_TYPES: Mapping[str, str] = {
    "AWS::ServiceDiscovery::Service": "Cloud Map bills each registered task and each API lookup; not estimated",
}


def layer_assumptions(costs: Sequence[LayerCost]) -> list[str]:
    """The usage assumptions some priced resource rests on, in the order Usage declares them."""
    used = {a for c in costs for a in c.assumptions}
    return [name for name in Usage.model_fields if name in used]
