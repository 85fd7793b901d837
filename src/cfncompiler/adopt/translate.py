"""How a resource of the Terraform AWS provider (v5) corresponds to a CloudFormation resource.

Data and small pure functions, no I/O. Per Terraform type: the CloudFormation type, which
Terraform attribute holds each key of CloudFormation's primary identifier (what an IMPORT change
set's ``ResourceIdentifier`` needs), the property holding the physical name, the properties that
single a nameless resource out, and how the live values become CloudFormation properties, for the
properties that decide whether adopting is safe: a table of property -> attribute where that says
it, a small function where the shapes differ.

Some Terraform types configure part of another resource (since provider v4 a bucket's encryption
is ``aws_s3_bucket_server_side_encryption_configuration``): they are :data:`PARTS`, with no
CloudFormation resource of their own; their values join their whole's in :func:`live_properties`.

What the translation leaves out, on purpose: ``Tags`` (CloudFormation adds its own, and provider
``default_tags`` blur what was asked for) except the ``Name`` tag for matching; a value Terraform
stores as unset (null, ``""``, an empty list); secret values (``secret_string``, passwords).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cfncompiler.adopt.terraform import Instance
from cfncompiler.errors import BadInput

Attributes = Mapping[str, Any]
Properties = dict[str, Any]

# The pseudo-property of match_attributes() for the resource's `Name` tag (a template's
# `Tags: [{Key: Name, Value: ...}]`): our templates name every network resource that way.
NAME_TAG = "Tags.Name"


# --------------------------------------------------------------------------- value helpers


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _From:
    """Where a property's value comes from: the first of ``names`` that is set, then ``convert``ed."""

    names: tuple[str, ...]
    convert: Callable[[Any], Any] = _same


def _from(*names: str, convert: Callable[[Any], Any] = _same) -> _From:
    return _From(names, convert)


# CloudFormation property -> the Terraform attribute (or _From) its value comes from.
Spec = Mapping[str, str | _From]
# How live values become properties: a Spec, or a function for shapes a Spec cannot say.
Recipe = Spec | Callable[[Attributes], Properties]


def _is_set(value: Any) -> bool:
    # Terraform writes an unset optional attribute as null, "" or an empty collection.
    return value is not None and value != "" and value != [] and value != {}


def _fields(attributes: Attributes, spec: Spec) -> Properties:
    """Each property of ``spec`` whose attribute is set; a converter returning None drops the
    property (a 0 that means "off", for instance)."""
    out: Properties = {}
    for prop, source in spec.items():
        origin = _From((source,)) if isinstance(source, str) else source
        value = next((attributes[n] for n in origin.names if _is_set(attributes.get(n))), None)
        if value is None:
            continue
        converted = origin.convert(value)
        if converted is not None:
            out[prop] = converted
    return out


def _cook(recipe: Recipe, attributes: Attributes) -> Properties:
    return _fields(attributes, recipe) if isinstance(recipe, Mapping) else recipe(attributes)


def _block(attributes: Attributes, name: str) -> Attributes:
    """The one element of a nested block Terraform stores as a list (MaxItems 1), {} when absent."""
    value = attributes.get(name)
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        first: Attributes = value[0]
        return first
    return {}


def _sorted(value: Any) -> list[Any]:
    # Terraform sets have no order of their own; a sorted list compares equal however it was written.
    return sorted(value)


def _text(value: Any) -> str:
    # Numbers that CloudFormation's schema types as strings (RDS AllocatedStorage and Port, POSIX ids).
    return str(value)


def _positive(value: Any) -> Any:
    # Terraform writes 0 where the feature is off (storage autoscaling, log expiry): no property.
    return value if isinstance(value, int) and value > 0 else None


def _flag(value: Any) -> bool:
    # ElastiCache keeps some booleans as the strings "true" and "false".
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _document(value: Any) -> Any:
    """A policy Terraform stores as JSON text, as the object a template holds."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _attribute_text(value: Any) -> str:
    # Load balancer and target group attributes are strings; booleans are spelt in lower case.
    return str(value).lower() if isinstance(value, bool) else str(value)


def _pairs(items: Iterable[Attributes], key: str, value: str, key_name: str, value_name: str) -> list[Properties]:
    """Terraform's set of {key, value} blocks as CloudFormation's list of pairs, sorted by key."""
    return sorted(({key_name: i[key], value_name: i[value]} for i in items), key=lambda p: str(p[key_name]))


# --------------------------------------------------------------------------- shapes a Spec cannot say


def _vpc_endpoint(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "VpcId": "vpc_id",
            "ServiceName": "service_name",
            "VpcEndpointType": "vpc_endpoint_type",
            "SubnetIds": _from("subnet_ids", convert=_sorted),
            "SecurityGroupIds": _from("security_group_ids", convert=_sorted),
            "RouteTableIds": _from("route_table_ids", convert=_sorted),
            "PolicyDocument": _from("policy", convert=_document),
        },
    )
    # Terraform writes false for a gateway endpoint, where CloudFormation does not accept the property.
    if a.get("vpc_endpoint_type") == "Interface":
        props.update(_fields(a, {"PrivateDnsEnabled": "private_dns_enabled"}))
    return props


def _flow_log(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "TrafficType": "traffic_type",
            "LogDestinationType": "log_destination_type",
            "DeliverLogsPermissionArn": "iam_role_arn",
            "MaxAggregationInterval": "max_aggregation_interval",
        },
    )
    for attribute, resource_type in (("vpc_id", "VPC"), ("subnet_id", "Subnet"), ("eni_id", "NetworkInterface")):
        if _is_set(a.get(attribute)):
            props.update(ResourceId=a[attribute], ResourceType=resource_type)
            break
    destination = a.get("log_destination")
    if a.get("log_destination_type") == "cloud-watch-logs" and _is_set(destination):
        # Our templates name the log group; the provider keeps its ARN (log_group_name is deprecated).
        props["LogGroupName"] = str(destination).split(":log-group:", 1)[-1].removesuffix(":*")
    elif _is_set(destination):
        props["LogDestination"] = destination
    return props


def _iam_role(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "RoleName": "name",
            "Path": "path",
            "Description": "description",
            "AssumeRolePolicyDocument": _from("assume_role_policy", convert=_document),
            "MaxSessionDuration": "max_session_duration",
            "PermissionsBoundary": "permissions_boundary",
            "ManagedPolicyArns": _from("managed_policy_arns", convert=_sorted),
        },
    )
    # The provider writes one empty inline policy when the role has none.
    policies = [p for p in a.get("inline_policy") or [] if _is_set(p.get("name"))]
    if policies:
        props["Policies"] = sorted(
            ({"PolicyName": p["name"], "PolicyDocument": _document(p.get("policy"))} for p in policies),
            key=lambda p: str(p["PolicyName"]),
        )
    return props


def _db_instance(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "DBInstanceIdentifier": "identifier",
            "Engine": "engine",
            # engine_version is what the configuration asked for ("16" runs as 16.9); _actual is what runs.
            "EngineVersion": _from("engine_version_actual", "engine_version"),
            "DBInstanceClass": "instance_class",
            # db_name since provider v4; v3 called it name.
            "DBName": _from("db_name", "name"),
            "MasterUsername": "username",
            "AllocatedStorage": _from("allocated_storage", convert=_text),
            "MaxAllocatedStorage": _from("max_allocated_storage", convert=_positive),
            "StorageType": "storage_type",
            "StorageEncrypted": "storage_encrypted",
            "KmsKeyId": "kms_key_id",
            "MultiAZ": "multi_az",
            "Port": _from("port", convert=_text),
            "BackupRetentionPeriod": "backup_retention_period",
            "PubliclyAccessible": "publicly_accessible",
            "DeletionProtection": "deletion_protection",
            "CopyTagsToSnapshot": "copy_tags_to_snapshot",
            "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
            "EnableIAMDatabaseAuthentication": "iam_database_authentication_enabled",
            "EnableCloudwatchLogsExports": _from("enabled_cloudwatch_logs_exports", convert=_sorted),
            "MonitoringInterval": "monitoring_interval",
            "MonitoringRoleArn": "monitoring_role_arn",
            "DBSubnetGroupName": "db_subnet_group_name",
            "DBParameterGroupName": "parameter_group_name",
            "VPCSecurityGroups": _from("vpc_security_group_ids", convert=_sorted),
            "ManageMasterUserPassword": "manage_master_user_password",
        },
    )
    secret_key = _block(a, "master_user_secret").get("kms_key_id")
    if _is_set(secret_key):
        props["MasterUserSecret"] = {"KmsKeyId": secret_key}
    return props


def _db_parameter_group(a: Attributes) -> Properties:
    props = _fields(a, {"DBParameterGroupName": "name", "Family": "family", "Description": "description"})
    parameters = a.get("parameter") or []
    if parameters:
        props["Parameters"] = {p["name"]: p["value"] for p in sorted(parameters, key=lambda p: str(p["name"]))}
    return props


def _efs_file_system(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "Encrypted": "encrypted",
            "KmsKeyId": "kms_key_id",
            "PerformanceMode": "performance_mode",
            "ThroughputMode": "throughput_mode",
            "ProvisionedThroughputInMibps": _from("provisioned_throughput_in_mibps", convert=_positive),
        },
    )
    # Terraform writes one block per transition, its two other fields "".
    transitions = {
        "TransitionToIA": "transition_to_ia",
        "TransitionToPrimaryStorageClass": "transition_to_primary_storage_class",
        "TransitionToArchive": "transition_to_archive",
    }
    policies = [p for p in (_fields(b, transitions) for b in a.get("lifecycle_policy") or []) if p]
    if policies:
        props["LifecyclePolicies"] = policies
    return props


def _efs_access_point(a: Attributes) -> Properties:
    props = _fields(a, {"FileSystemId": "file_system_id"})
    user = _block(a, "posix_user")
    if user:
        posix: Properties = {"Uid": _text(user["uid"]), "Gid": _text(user["gid"])}
        if user.get("secondary_gids"):
            posix["SecondaryGids"] = sorted(_text(g) for g in user["secondary_gids"])
        props["PosixUser"] = posix
    root = _block(a, "root_directory")
    if root:
        directory = _fields(root, {"Path": "path"})
        info = _block(root, "creation_info")
        if info:
            directory["CreationInfo"] = {
                "OwnerUid": _text(info["owner_uid"]),
                "OwnerGid": _text(info["owner_gid"]),
                "Permissions": info["permissions"],
            }
        props["RootDirectory"] = directory
    return props


_BUCKET_LOGGING: Spec = {"DestinationBucketName": "target_bucket", "LogFilePrefix": "target_prefix"}


def _s3_bucket(a: Attributes) -> Properties:
    props = _fields(a, {"BucketName": "bucket"})
    # The bucket's own copies of its configuration are deprecated since provider v4 and may be
    # empty (never read back): the separate aws_s3_bucket_* parts then carry it, see PARTS.
    rules = _block(a, "server_side_encryption_configuration").get("rule")
    if rules:
        props["BucketEncryption"] = _encryption(rules)
    # enabled=false is either "never versioned" or "suspended": only aws_s3_bucket_versioning tells.
    if _block(a, "versioning").get("enabled") is True:
        props["VersioningConfiguration"] = {"Status": "Enabled"}
    logging = _fields(_block(a, "logging"), _BUCKET_LOGGING)
    if logging:
        props["LoggingConfiguration"] = logging
    return props


def _encryption(rules: Iterable[Attributes]) -> Properties:
    """A bucket's encryption rules: the same shape on the bucket and on its separate resource."""
    return {
        "ServerSideEncryptionConfiguration": [
            {
                "ServerSideEncryptionByDefault": _fields(
                    _block(rule, "apply_server_side_encryption_by_default"),
                    {"SSEAlgorithm": "sse_algorithm", "KMSMasterKeyID": "kms_master_key_id"},
                ),
                "BucketKeyEnabled": rule.get("bucket_key_enabled") is True,
            }
            for rule in rules
        ]
    }


def _bucket_encryption_part(a: Attributes) -> Properties:
    return {"BucketEncryption": _encryption(a.get("rule") or [])}


def _bucket_versioning_part(a: Attributes) -> Properties:
    status = _block(a, "versioning_configuration").get("status")
    # "Disabled" only exists for a bucket that was never versioned: CloudFormation has no word for it.
    return {"VersioningConfiguration": {"Status": status}} if status in ("Enabled", "Suspended") else {}


def _bucket_public_access_part(a: Attributes) -> Properties:
    spec = {
        "BlockPublicAcls": "block_public_acls",
        "BlockPublicPolicy": "block_public_policy",
        "IgnorePublicAcls": "ignore_public_acls",
        "RestrictPublicBuckets": "restrict_public_buckets",
    }
    return {"PublicAccessBlockConfiguration": _fields(a, spec)}


def _bucket_ownership_part(a: Attributes) -> Properties:
    ownership = _block(a, "rule").get("object_ownership")
    return {"OwnershipControls": {"Rules": [{"ObjectOwnership": ownership}]}} if _is_set(ownership) else {}


def _bucket_logging_part(a: Attributes) -> Properties:
    return {"LoggingConfiguration": _fields(a, _BUCKET_LOGGING)}


def _efs_backup_part(a: Attributes) -> Properties:
    status = _block(a, "backup_policy").get("status")
    return {"BackupPolicy": {"Status": status}} if _is_set(status) else {}


def _dynamodb_table(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "TableName": "name",
            "BillingMode": "billing_mode",
            "TableClass": "table_class",
            "DeletionProtectionEnabled": "deletion_protection_enabled",
        },
    )
    props["KeySchema"] = [
        {"AttributeName": a[key], "KeyType": kind}
        for key, kind in (("hash_key", "HASH"), ("range_key", "RANGE"))
        if _is_set(a.get(key))
    ]
    props["AttributeDefinitions"] = _pairs(a.get("attribute") or [], "name", "type", "AttributeName", "AttributeType")
    if a.get("billing_mode") == "PROVISIONED":
        props["ProvisionedThroughput"] = {
            "ReadCapacityUnits": a.get("read_capacity"),
            "WriteCapacityUnits": a.get("write_capacity"),
        }
    sse = _block(a, "server_side_encryption")
    if sse.get("enabled") is True:
        # Without kms_key_arn the table uses the AWS managed key aws/dynamodb.
        props["SSESpecification"] = {
            "SSEEnabled": True,
            "SSEType": "KMS",
            **_fields(sse, {"KMSMasterKeyId": "kms_key_arn"}),
        }
    else:
        # No block, or enabled=false: an AWS owned key, which CloudFormation calls SSEEnabled false.
        props["SSESpecification"] = {"SSEEnabled": False}
    recovery = _block(a, "point_in_time_recovery").get("enabled") is True
    props["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": recovery}
    if a.get("stream_enabled") is True:
        props["StreamSpecification"] = {"StreamViewType": a.get("stream_view_type")}
    ttl = _block(a, "ttl")
    if ttl.get("enabled") is True:
        props["TimeToLiveSpecification"] = {"AttributeName": ttl.get("attribute_name"), "Enabled": True}
    return props


def _ecs_cluster(a: Attributes) -> Properties:
    props = _fields(a, {"ClusterName": "name"})
    settings = a.get("setting") or []
    if settings:
        props["ClusterSettings"] = _pairs(settings, "name", "value", "Name", "Value")
    return props


def _ecs_capacity_providers(a: Attributes) -> Properties:
    props = _fields(a, {"Cluster": "cluster_name", "CapacityProviders": _from("capacity_providers", convert=_sorted)})
    props["DefaultCapacityProviderStrategy"] = sorted(
        (
            {"CapacityProvider": s["capacity_provider"], "Weight": s.get("weight", 0), "Base": s.get("base", 0)}
            for s in a.get("default_capacity_provider_strategy") or []
        ),
        key=lambda s: str(s["CapacityProvider"]),
    )
    return props


def _load_balancer(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "Name": "name",
            "Type": "load_balancer_type",
            "IpAddressType": "ip_address_type",
            "Subnets": _from("subnets", convert=_sorted),
            "SecurityGroups": _from("security_groups", convert=_sorted),
        },
    )
    if isinstance(a.get("internal"), bool):
        props["Scheme"] = "internal" if a["internal"] else "internet-facing"
    # The load balancer attributes our templates set, as CloudFormation's key/value strings.
    logs = _block(a, "access_logs")
    settings = {
        "deletion_protection.enabled": a.get("enable_deletion_protection"),
        "idle_timeout.timeout_seconds": a.get("idle_timeout"),
        "routing.http.drop_invalid_header_fields.enabled": a.get("drop_invalid_header_fields"),
        "access_logs.s3.enabled": logs.get("enabled"),
        "access_logs.s3.bucket": logs.get("bucket"),
        "access_logs.s3.prefix": logs.get("prefix"),
    }
    pairs = [{"Key": k, "Value": _attribute_text(v)} for k, v in sorted(settings.items()) if _is_set(v)]
    if pairs:
        props["LoadBalancerAttributes"] = pairs
    return props


def _target_group(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "Name": "name",
            "Port": "port",
            "Protocol": "protocol",
            "ProtocolVersion": "protocol_version",
            "TargetType": "target_type",
            "VpcId": "vpc_id",
        },
    )
    health = _block(a, "health_check")
    health_spec = {
        "HealthCheckEnabled": "enabled",
        "HealthCheckPath": "path",
        "HealthCheckIntervalSeconds": "interval",
        "HealthCheckTimeoutSeconds": "timeout",
        "HealthyThresholdCount": "healthy_threshold",
        "UnhealthyThresholdCount": "unhealthy_threshold",
    }
    props.update(_fields(health, health_spec))
    if _is_set(health.get("matcher")):
        props["Matcher"] = {"HttpCode": health["matcher"]}
    if _is_set(a.get("deregistration_delay")):
        delay = _attribute_text(a["deregistration_delay"])
        props["TargetGroupAttributes"] = [{"Key": "deregistration_delay.timeout_seconds", "Value": delay}]
    return props


def _listener(a: Attributes) -> Properties:
    spec = {"LoadBalancerArn": "load_balancer_arn", "Port": "port", "Protocol": "protocol", "SslPolicy": "ssl_policy"}
    props = _fields(a, spec)
    if _is_set(a.get("certificate_arn")):
        props["Certificates"] = [{"CertificateArn": a["certificate_arn"]}]
    return props


def _ssm_parameter(a: Attributes) -> Properties:
    props = _fields(a, {"Name": "name", "Type": "type", "Description": "description", "Tier": "tier"})
    # A SecureString's value is a secret, and CloudFormation cannot manage one anyway.
    if a.get("type") != "SecureString":
        props.update(_fields(a, {"Value": _from("insecure_value", "value")}))
    return props


def _discovery_service(a: Attributes) -> Properties:
    props = _fields(a, {"Name": "name", "Description": "description", "NamespaceId": "namespace_id"})
    dns = _block(a, "dns_config")
    if dns:
        records = [{"Type": r["type"], "TTL": r["ttl"]} for r in dns.get("dns_records") or []]
        props["DnsConfig"] = {**_fields(dns, {"RoutingPolicy": "routing_policy"}), "DnsRecords": records}
    custom = _block(a, "health_check_custom_config")
    if custom:
        props["HealthCheckCustomConfig"] = _fields(custom, {"FailureThreshold": "failure_threshold"})
    return props


def _dimensions(value: Any, key: str = "Name") -> list[Properties]:
    """A metric's dimensions, a map in Terraform, as CloudFormation's list of pairs sorted by name."""
    if not isinstance(value, Mapping):
        return []
    return [{key: name, "Value": value[name]} for name in sorted(value)]


def _metric_query(q: Attributes) -> Properties:
    """One metric-math query of an alarm (``metric_query``) as an entry of the alarm's ``Metrics``."""
    query = _fields(
        q,
        {
            "Id": "id",
            "Expression": "expression",
            "Label": "label",
            "ReturnData": "return_data",
            "Period": _from("period", convert=_positive),
            "AccountId": "account_id",
        },
    )
    metric = _block(q, "metric")
    if metric:
        named = _fields(metric, {"MetricName": "metric_name", "Namespace": "namespace"})
        if _dimensions(metric.get("dimensions")):
            named["Dimensions"] = _dimensions(metric.get("dimensions"))
        query["MetricStat"] = {"Metric": named, **_fields(metric, {"Period": "period", "Stat": "stat", "Unit": "unit"})}
    return query


def _metric_alarm(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "AlarmName": "alarm_name",
            "AlarmDescription": "alarm_description",
            "ComparisonOperator": "comparison_operator",
            "EvaluationPeriods": "evaluation_periods",
            # 0 is "every evaluation period", which a template says by leaving DatapointsToAlarm out.
            "DatapointsToAlarm": _from("datapoints_to_alarm", convert=_positive),
            "Threshold": "threshold",
            "ThresholdMetricId": "threshold_metric_id",
            "TreatMissingData": "treat_missing_data",
            "ActionsEnabled": "actions_enabled",
            "AlarmActions": _from("alarm_actions", convert=_sorted),
            "OKActions": _from("ok_actions", convert=_sorted),
            "InsufficientDataActions": _from("insufficient_data_actions", convert=_sorted),
            "Namespace": "namespace",
            "MetricName": "metric_name",
            # An alarm on metric math has its periods in its queries; Terraform writes 0 here.
            "Period": _from("period", convert=_positive),
            "Statistic": "statistic",
            "ExtendedStatistic": "extended_statistic",
            "Unit": "unit",
            "EvaluateLowSampleCountPercentile": "evaluate_low_sample_count_percentiles",
        },
    )
    if _dimensions(a.get("dimensions")):
        props["Dimensions"] = _dimensions(a.get("dimensions"))
    queries = a.get("metric_query") or []
    if queries:
        # A Terraform set: sorted by id, as no order of its own survives a refresh.
        props["Metrics"] = [_metric_query(q) for q in sorted(queries, key=lambda q: str(q.get("id")))]
    return props


def _true_only(value: Any) -> Any:
    # Terraform writes false for a feature that is off, where a template leaves the property out.
    return True if value is True else None


def _event_rule(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            "Name": "name",
            "Description": "description",
            "EventPattern": _from("event_pattern", convert=_document),
            "ScheduleExpression": "schedule_expression",
            "EventBusName": "event_bus_name",
            "RoleArn": "role_arn",
            "State": "state",
        },
    )
    # Provider versions before 5.x said is_enabled instead of state.
    if "State" not in props and isinstance(a.get("is_enabled"), bool):
        props["State"] = "ENABLED" if a["is_enabled"] else "DISABLED"
    return props


def _event_target_part(a: Attributes) -> Properties:
    target = _fields(a, {"Id": "target_id", "Arn": "arn", "RoleArn": "role_arn", "Input": "input"})
    return {"Targets": [target]} if target else {}


def _metric_filter(a: Attributes) -> Properties:
    props = _fields(a, {"FilterName": "name", "LogGroupName": "log_group_name", "FilterPattern": "pattern"})
    transformations = []
    for t in a.get("metric_transformation") or []:
        transformation = _fields(
            t,
            {
                "MetricName": "name",
                "MetricNamespace": "namespace",
                "MetricValue": "value",
                # Terraform keeps the default value as text ("0"); CloudFormation's is a number.
                "DefaultValue": _from("default_value", convert=float),
                "Unit": "unit",
            },
        )
        if _dimensions(t.get("dimensions"), "Key"):
            transformation["Dimensions"] = _dimensions(t.get("dimensions"), "Key")
        transformations.append(transformation)
    if transformations:
        props["MetricTransformations"] = transformations
    return props


def _route53_record(a: Attributes) -> Properties:
    props = _fields(
        a,
        {
            # fqdn is the full name whatever the configuration wrote (a name relative to the zone, or not).
            "Name": _from("fqdn", "name"),
            "HostedZoneId": "zone_id",
            "Type": "type",
            # An alias record has no TTL of its own; Terraform writes 0 for it.
            "TTL": _from("ttl", convert=lambda ttl: _text(ttl) if _positive(ttl) else None),
            "ResourceRecords": _from("records", convert=_sorted),
            "SetIdentifier": "set_identifier",
        },
    )
    weight = _block(a, "weighted_routing_policy").get("weight")
    if isinstance(weight, int):
        props["Weight"] = weight
    alias = _block(a, "alias")
    if alias:
        props["AliasTarget"] = _fields(
            alias, {"DNSName": "name", "HostedZoneId": "zone_id", "EvaluateTargetHealth": "evaluate_target_health"}
        )
    return props


# --------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Fixed:
    """An identifier value the Terraform type implies rather than stores."""

    value: str


@dataclass(frozen=True)
class IfSet:
    """An identifier key that only some resources of the type have, sent only when the attribute is
    set: a Route 53 record's SetIdentifier exists for weighted, failover and other routing policies,
    and a simple record has none."""

    attribute: str


@dataclass(frozen=True)
class Translation:
    """One Terraform type as CloudFormation sees it."""

    cloudformation_type: str
    # CloudFormation primary identifier key -> the Terraform attribute holding its value.
    identifier: Mapping[str, str | Fixed | IfSet]
    properties: Recipe
    # The CloudFormation property holding the physical name, when the type has one.
    name: str | None = None
    # Further property paths (dotted into nested objects, or NAME_TAG) that together single the
    # resource out among those of its type, for types whose name does not.
    match: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """A Terraform type that configures part of another resource (its whole)."""

    whole: str  # the Terraform type of the whole
    key: str  # the part's attribute naming its whole
    whole_keys: tuple[str, ...]  # the whole's attributes that attribute may hold
    properties: Recipe


_ID = {"Id": "id"}
_SORTED_SUBNETS = _from("subnet_ids", convert=_sorted)
# A security group rule of provider v5 (aws_vpc_security_group_{ingress,egress}_rule).
_RULE: Spec = {
    "GroupId": "security_group_id",
    "IpProtocol": "ip_protocol",
    "FromPort": "from_port",
    "ToPort": "to_port",
    "CidrIp": "cidr_ipv4",
    "CidrIpv6": "cidr_ipv6",
    "Description": "description",
}
_RULE_MATCH = ("GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp")

_BY_TYPE: Mapping[str, Translation] = {
    # network
    "aws_vpc": Translation(
        "AWS::EC2::VPC",
        {"VpcId": "id"},
        {
            "CidrBlock": "cidr_block",
            "EnableDnsHostnames": "enable_dns_hostnames",
            "EnableDnsSupport": "enable_dns_support",
            "InstanceTenancy": "instance_tenancy",
        },
        match=("CidrBlock",),
    ),
    "aws_subnet": Translation(
        "AWS::EC2::Subnet",
        {"SubnetId": "id"},
        {
            "CidrBlock": "cidr_block",
            "AvailabilityZone": "availability_zone",
            "VpcId": "vpc_id",
            "MapPublicIpOnLaunch": "map_public_ip_on_launch",
        },
        match=("CidrBlock",),
    ),
    # Tags only; its vpc_id is an attachment, a resource of its own to CloudFormation (see expand()).
    "aws_internet_gateway": Translation(
        "AWS::EC2::InternetGateway", {"InternetGatewayId": "id"}, {}, match=(NAME_TAG,)
    ),
    # AttachmentType is read-only and no Terraform attribute: "IGW" is the value a successful
    # import used (aws-cloudformation/cloudformation-coverage-roadmap#1869); not yet tried by us.
    "aws_internet_gateway_attachment": Translation(
        "AWS::EC2::VPCGatewayAttachment",
        {"AttachmentType": Fixed("IGW"), "VpcId": "vpc_id"},
        {"VpcId": "vpc_id", "InternetGatewayId": "internet_gateway_id"},
        match=("VpcId",),
    ),
    "aws_eip": Translation(
        "AWS::EC2::EIP",
        {"PublicIp": "public_ip", "AllocationId": "allocation_id"},
        {"Domain": "domain"},
        match=(NAME_TAG,),
    ),
    "aws_nat_gateway": Translation(
        "AWS::EC2::NatGateway",
        {"NatGatewayId": "id"},
        {"AllocationId": "allocation_id", "SubnetId": "subnet_id", "ConnectivityType": "connectivity_type"},
        match=("SubnetId",),
    ),
    # Its `route` attribute lists every route, those of separate aws_route resources too: routes
    # are AWS::EC2::Route resources of their own and are not repeated here.
    "aws_route_table": Translation(
        "AWS::EC2::RouteTable", {"RouteTableId": "id"}, {"VpcId": "vpc_id"}, match=(NAME_TAG,)
    ),
    "aws_route": Translation(
        "AWS::EC2::Route",
        {"RouteTableId": "route_table_id", "CidrBlock": "destination_cidr_block"},
        {
            "RouteTableId": "route_table_id",
            "DestinationCidrBlock": "destination_cidr_block",
            "GatewayId": "gateway_id",
            "NatGatewayId": "nat_gateway_id",
            "VpcEndpointId": "vpc_endpoint_id",
        },
        match=("RouteTableId", "DestinationCidrBlock"),
    ),
    "aws_route_table_association": Translation(
        "AWS::EC2::SubnetRouteTableAssociation",
        _ID,
        {"SubnetId": "subnet_id", "RouteTableId": "route_table_id"},
        match=("SubnetId",),
    ),
    "aws_security_group": Translation(
        "AWS::EC2::SecurityGroup",
        _ID,
        {"GroupName": "name", "GroupDescription": "description", "VpcId": "vpc_id"},
        name="GroupName",
        match=(NAME_TAG,),
    ),
    # The rule's AWS id (sgr-...), which CloudFormation calls Id.
    "aws_vpc_security_group_ingress_rule": Translation(
        "AWS::EC2::SecurityGroupIngress",
        {"Id": "security_group_rule_id"},
        {**_RULE, "SourceSecurityGroupId": "referenced_security_group_id", "SourcePrefixListId": "prefix_list_id"},
        match=(*_RULE_MATCH, "SourceSecurityGroupId"),
    ),
    "aws_vpc_security_group_egress_rule": Translation(
        "AWS::EC2::SecurityGroupEgress",
        {"Id": "security_group_rule_id"},
        {
            **_RULE,
            "DestinationSecurityGroupId": "referenced_security_group_id",
            "DestinationPrefixListId": "prefix_list_id",
        },
        match=(*_RULE_MATCH, "DestinationSecurityGroupId"),
    ),
    "aws_vpc_endpoint": Translation("AWS::EC2::VPCEndpoint", _ID, _vpc_endpoint, match=("ServiceName",)),
    "aws_flow_log": Translation("AWS::EC2::FlowLog", _ID, _flow_log, match=("ResourceId", "TrafficType")),
    "aws_service_discovery_private_dns_namespace": Translation(
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        _ID,
        {"Name": "name", "Vpc": "vpc", "Description": "description"},
        name="Name",
    ),
    "aws_service_discovery_service": Translation(
        "AWS::ServiceDiscovery::Service", _ID, _discovery_service, name="Name"
    ),
    # keys, logs, roles
    "aws_kms_key": Translation(
        "AWS::KMS::Key",
        {"KeyId": "key_id"},
        {
            "Description": "description",
            "EnableKeyRotation": "enable_key_rotation",
            "Enabled": "is_enabled",
            "KeySpec": "customer_master_key_spec",
            "KeyUsage": "key_usage",
            "MultiRegion": "multi_region",
            "RotationPeriodInDays": _from("rotation_period_in_days", convert=_positive),
            "KeyPolicy": _from("policy", convert=_document),
        },
    ),
    "aws_kms_alias": Translation(
        "AWS::KMS::Alias",
        {"AliasName": "name"},
        {"AliasName": "name", "TargetKeyId": "target_key_id"},
        name="AliasName",
    ),
    "aws_cloudwatch_log_group": Translation(
        "AWS::Logs::LogGroup",
        {"LogGroupName": "name"},
        {
            "LogGroupName": "name",
            # 0 is "never expire", which a template says by leaving RetentionInDays out.
            "RetentionInDays": _from("retention_in_days", convert=_positive),
            "KmsKeyId": "kms_key_id",
            "LogGroupClass": "log_group_class",
        },
        name="LogGroupName",
    ),
    "aws_iam_role": Translation("AWS::IAM::Role", {"RoleName": "name"}, _iam_role, name="RoleName"),
    # data
    # Since provider v5 the id of aws_db_instance is the DbiResourceId (db-...), not the identifier.
    "aws_db_instance": Translation(
        "AWS::RDS::DBInstance", {"DBInstanceIdentifier": "identifier"}, _db_instance, name="DBInstanceIdentifier"
    ),
    "aws_db_subnet_group": Translation(
        "AWS::RDS::DBSubnetGroup",
        {"DBSubnetGroupName": "name"},
        {"DBSubnetGroupName": "name", "DBSubnetGroupDescription": "description", "SubnetIds": _SORTED_SUBNETS},
        name="DBSubnetGroupName",
    ),
    "aws_db_parameter_group": Translation(
        "AWS::RDS::DBParameterGroup",
        {"DBParameterGroupName": "name"},
        _db_parameter_group,
        name="DBParameterGroupName",
    ),
    "aws_elasticache_subnet_group": Translation(
        "AWS::ElastiCache::SubnetGroup",
        {"CacheSubnetGroupName": "name"},
        {"CacheSubnetGroupName": "name", "Description": "description", "SubnetIds": _SORTED_SUBNETS},
        name="CacheSubnetGroupName",
    ),
    "aws_elasticache_replication_group": Translation(
        "AWS::ElastiCache::ReplicationGroup",
        {"ReplicationGroupId": "replication_group_id"},
        {
            "ReplicationGroupId": "replication_group_id",
            # description since provider v4, replication_group_description before.
            "ReplicationGroupDescription": _from("description", "replication_group_description"),
            "Engine": "engine",
            "EngineVersion": _from("engine_version_actual", "engine_version"),
            "CacheNodeType": "node_type",
            # num_cache_clusters since provider v4, number_cache_clusters before.
            "NumCacheClusters": _from("num_cache_clusters", "number_cache_clusters"),
            "AutomaticFailoverEnabled": "automatic_failover_enabled",
            "MultiAZEnabled": "multi_az_enabled",
            "Port": "port",
            "CacheSubnetGroupName": "subnet_group_name",
            "CacheParameterGroupName": "parameter_group_name",
            "SecurityGroupIds": _from("security_group_ids", convert=_sorted),
            "AtRestEncryptionEnabled": _from("at_rest_encryption_enabled", convert=_flag),
            "TransitEncryptionEnabled": _from("transit_encryption_enabled", convert=_flag),
            "KmsKeyId": "kms_key_id",
            "SnapshotRetentionLimit": "snapshot_retention_limit",
            "AutoMinorVersionUpgrade": _from("auto_minor_version_upgrade", convert=_flag),
        },
        name="ReplicationGroupId",
    ),
    "aws_efs_file_system": Translation("AWS::EFS::FileSystem", {"FileSystemId": "id"}, _efs_file_system),
    "aws_efs_mount_target": Translation(
        "AWS::EFS::MountTarget",
        _ID,
        {
            "FileSystemId": "file_system_id",
            "SubnetId": "subnet_id",
            "SecurityGroups": _from("security_groups", convert=_sorted),
        },
        match=("FileSystemId", "SubnetId"),
    ),
    "aws_efs_access_point": Translation(
        "AWS::EFS::AccessPoint",
        {"AccessPointId": "id"},
        _efs_access_point,
        match=("FileSystemId", "RootDirectory.Path"),
    ),
    "aws_s3_bucket": Translation("AWS::S3::Bucket", {"BucketName": "bucket"}, _s3_bucket, name="BucketName"),
    "aws_s3_bucket_policy": Translation(
        "AWS::S3::BucketPolicy",
        {"Bucket": "bucket"},
        {"Bucket": "bucket", "PolicyDocument": _from("policy", convert=_document)},
        match=("Bucket",),
    ),
    "aws_dynamodb_table": Translation("AWS::DynamoDB::Table", {"TableName": "name"}, _dynamodb_table, name="TableName"),
    # The secret's id is its ARN as well; arn says what CloudFormation's Id holds. kms_key_id ""
    # is the AWS managed key aws/secretsmanager, which a template states by leaving KmsKeyId out.
    "aws_secretsmanager_secret": Translation(
        "AWS::SecretsManager::Secret",
        {"Id": "arn"},
        {"Name": "name", "Description": "description", "KmsKeyId": "kms_key_id"},
        name="Name",
    ),
    # platform
    "aws_ecs_cluster": Translation("AWS::ECS::Cluster", {"ClusterName": "name"}, _ecs_cluster, name="ClusterName"),
    "aws_ecs_cluster_capacity_providers": Translation(
        "AWS::ECS::ClusterCapacityProviderAssociations",
        {"Cluster": "cluster_name"},
        _ecs_capacity_providers,
        match=("Cluster",),
    ),
    # The service's id is its ARN; cluster holds the cluster's ARN.
    "aws_ecs_service": Translation(
        "AWS::ECS::Service",
        {"ServiceArn": "id", "Cluster": "cluster"},
        {
            "ServiceName": "name",
            "Cluster": "cluster",
            "TaskDefinition": "task_definition",
            "DesiredCount": "desired_count",
            "LaunchType": "launch_type",
            "EnableExecuteCommand": "enable_execute_command",
        },
        name="ServiceName",
    ),
    # container_definitions is left out: the provider keeps it as normalized JSON text.
    "aws_ecs_task_definition": Translation(
        "AWS::ECS::TaskDefinition",
        {"TaskDefinitionArn": "arn"},
        {
            "Family": "family",
            "Cpu": "cpu",
            "Memory": "memory",
            "NetworkMode": "network_mode",
            "RequiresCompatibilities": _from("requires_compatibilities", convert=_sorted),
            "ExecutionRoleArn": "execution_role_arn",
            "TaskRoleArn": "task_role_arn",
        },
        match=("Family",),
    ),
    "aws_lb": Translation(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"LoadBalancerArn": "arn"}, _load_balancer, name="Name"
    ),
    "aws_lb_target_group": Translation(
        "AWS::ElasticLoadBalancingV2::TargetGroup", {"TargetGroupArn": "arn"}, _target_group, name="Name"
    ),
    "aws_lb_listener": Translation(
        "AWS::ElasticLoadBalancingV2::Listener", {"ListenerArn": "arn"}, _listener, match=("LoadBalancerArn", "Port")
    ),
    "aws_lb_listener_rule": Translation(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {"RuleArn": "arn"},
        {"ListenerArn": "listener_arn", "Priority": "priority"},
        match=("ListenerArn", "Priority"),
    ),
    "aws_acm_certificate": Translation(
        "AWS::CertificateManager::Certificate",
        {"CertificateArn": "arn"},
        {
            "DomainName": "domain_name",
            "SubjectAlternativeNames": _from("subject_alternative_names", convert=_sorted),
            "ValidationMethod": "validation_method",
        },
        match=("DomainName",),
    ),
    # monitoring: alarms, the topic they notify and what else sends to it (none is stateful)
    "aws_cloudwatch_metric_alarm": Translation(
        "AWS::CloudWatch::Alarm", {"AlarmName": "alarm_name"}, _metric_alarm, name="AlarmName"
    ),
    # The templates leave the topic's name to CloudFormation: its display name tells it apart.
    "aws_sns_topic": Translation(
        "AWS::SNS::Topic",
        {"TopicArn": "arn"},
        {
            "TopicName": "name",
            "DisplayName": "display_name",
            "KmsMasterKeyId": "kms_master_key_id",
            "FifoTopic": _from("fifo_topic", convert=_true_only),
        },
        name="TopicName",
        match=("DisplayName",),
    ),
    # Its id is the topic's ARN. CloudFormation cannot import a topic policy (its registry schema has
    # no read handler): a matched one is set by the converge deploy, see templates.registry.importable.
    "aws_sns_topic_policy": Translation(
        "AWS::SNS::TopicPolicy",
        {"Id": "id"},
        {"Topics": _from("arn", convert=lambda arn: [arn]), "PolicyDocument": _from("policy", convert=_document)},
        match=("Topics",),
    ),
    "aws_sns_topic_subscription": Translation(
        "AWS::SNS::Subscription",
        {"Arn": "arn"},
        {
            "TopicArn": "topic_arn",
            "Protocol": "protocol",
            "Endpoint": "endpoint",
            "RawMessageDelivery": _from("raw_message_delivery", convert=_true_only),
            "FilterPolicy": _from("filter_policy", convert=_document),
        },
        match=("TopicArn", "Protocol", "Endpoint"),
    ),
    "aws_db_event_subscription": Translation(
        "AWS::RDS::EventSubscription",
        {"SubscriptionName": "name"},
        {
            "SubscriptionName": "name",
            "SnsTopicArn": "sns_topic",
            "SourceType": "source_type",
            "SourceIds": _from("source_ids", convert=_sorted),
            "EventCategories": _from("event_categories", convert=_sorted),
            "Enabled": "enabled",
        },
        name="SubscriptionName",
    ),
    # Its targets are aws_cloudwatch_event_target resources of their own (see PARTS).
    "aws_cloudwatch_event_rule": Translation(
        "AWS::Events::Rule", {"Arn": "arn"}, _event_rule, name="Name", match=("Description",)
    ),
    "aws_cloudwatch_dashboard": Translation(
        "AWS::CloudWatch::Dashboard",
        {"DashboardName": "dashboard_name"},
        {"DashboardName": "dashboard_name", "DashboardBody": "dashboard_body"},
        name="DashboardName",
    ),
    "aws_cloudwatch_log_metric_filter": Translation(
        "AWS::Logs::MetricFilter",
        {"LogGroupName": "log_group_name", "FilterName": "name"},
        _metric_filter,
        name="FilterName",
        match=("LogGroupName", "FilterPattern"),
    ),
    "aws_route53_record": Translation(
        "AWS::Route53::RecordSet",
        {"Name": "fqdn", "HostedZoneId": "zone_id", "Type": "type", "SetIdentifier": IfSet("set_identifier")},
        _route53_record,
        match=("HostedZoneId", "Name", "Type", "SetIdentifier"),
    ),
    "aws_ssm_parameter": Translation("AWS::SSM::Parameter", {"Name": "name"}, _ssm_parameter, name="Name"),
}

# Every translated Terraform type; the aws_lb_* types also under the older aws_alb_* names the provider accepts.
TRANSLATIONS: Mapping[str, Translation] = {
    **_BY_TYPE,
    **{f"aws_alb{t.removeprefix('aws_lb')}": _BY_TYPE[t] for t in _BY_TYPE if t.startswith("aws_lb")},
}

_BUCKET = ("aws_s3_bucket", "bucket", ("bucket",))

PARTS: Mapping[str, Part] = {
    "aws_s3_bucket_server_side_encryption_configuration": Part(*_BUCKET, _bucket_encryption_part),
    "aws_s3_bucket_versioning": Part(*_BUCKET, _bucket_versioning_part),
    "aws_s3_bucket_public_access_block": Part(*_BUCKET, _bucket_public_access_part),
    "aws_s3_bucket_ownership_controls": Part(*_BUCKET, _bucket_ownership_part),
    "aws_s3_bucket_logging": Part(*_BUCKET, _bucket_logging_part),
    # Not translated (the rule language differs too much to compare safely), still part of the bucket.
    "aws_s3_bucket_lifecycle_configuration": Part(*_BUCKET, {}),
    "aws_efs_backup_policy": Part("aws_efs_file_system", "file_system_id", ("id",), _efs_backup_part),
    # The secret's value: never copied anywhere; the secret keeps it when Terraform lets go.
    "aws_secretsmanager_secret_version": Part("aws_secretsmanager_secret", "secret_id", ("arn", "name"), {}),
    # The role already reads back its inline and attached policies (inline_policy, managed_policy_arns).
    "aws_iam_role_policy": Part("aws_iam_role", "role", ("name",), {}),
    "aws_iam_role_policy_attachment": Part("aws_iam_role", "role", ("name",), {}),
    # A rule's targets: CloudFormation keeps them in the rule's Targets, one entry per target.
    "aws_cloudwatch_event_target": Part("aws_cloudwatch_event_rule", "rule", ("name",), _event_target_part),
}

# Types that look adoptable but are not, and why: said instead of the generic refusal.
_REFUSED: Mapping[str, str] = {
    "aws_security_group_rule": (
        "one aws_security_group_rule can stand for several AWS rules (one per CIDR block), and CloudFormation "
        "needs one rule id per resource; replace it with aws_vpc_security_group_ingress_rule or "
        "aws_vpc_security_group_egress_rule resources (one per source) first"
    ),
}


# --------------------------------------------------------------------------- public functions


def cloudformation_type(terraform_type: str) -> str | None:
    """The CloudFormation type a Terraform type becomes, or None (a part, or not adopted at all)."""
    translation = TRANSLATIONS.get(terraform_type)
    return translation.cloudformation_type if translation else None


def not_adopted_reason(instance: Instance) -> str | None:
    """Why ``instance``'s type is not adopted, or None when it is (as a resource or as a part)."""
    if instance.type in TRANSLATIONS or instance.type in PARTS:
        return None
    reason = _REFUSED.get(instance.type)
    if reason:
        return f"{instance.address}: {reason}."
    provider = instance.type.split("_", 1)[0]
    owner = "" if provider == "aws" else f" (it belongs to the {provider} provider)"
    return f"{instance.address}: {instance.type} is not a type cfncompiler adopts{owner}; it stays in Terraform."


def expand(instance: Instance) -> list[Instance]:
    """``instance`` as CloudFormation resources: itself, and for an internet gateway with a
    ``vpc_id`` also its attachment, a resource of its own in CloudFormation (same address, type
    ``aws_internet_gateway_attachment``, so releasing the address from Terraform covers both)."""
    if instance.type == "aws_internet_gateway" and _is_set(instance.attributes.get("vpc_id")):
        attachment = Instance(
            instance.address,
            "aws_internet_gateway_attachment",
            {"internet_gateway_id": instance.attributes.get("id"), "vpc_id": instance.attributes["vpc_id"]},
            instance.tainted,
            instance.deposed,
        )
        return [instance, attachment]
    return [instance]


def identifier_value(instance: Instance, key: str) -> str:
    """The value of CloudFormation primary identifier ``key`` for ``instance`` (e.g. ``DBInstanceIdentifier``
    from ``identifier``, never the ``db-...`` resource id). A key the type does not have is a ValueError;
    an attribute the state leaves empty is a :class:`BadInput` naming the address."""
    translation = _translation(instance)
    source = translation.identifier.get(key)
    if source is None:
        raise ValueError(
            f"{translation.cloudformation_type} has no identifier key {key!r} here "
            f"(known: {', '.join(translation.identifier)})"
        )
    if isinstance(source, Fixed):
        return source.value
    if isinstance(source, IfSet):
        source = source.attribute
    value = instance.attributes.get(source)
    if not _is_set(value) or not isinstance(value, (str, int)) or isinstance(value, bool):
        raise BadInput(
            f"{instance.address} has no {source} in the Terraform state, and CloudFormation needs it as "
            f"{key} to import the {translation.cloudformation_type}: run `terraform apply -refresh-only` "
            "so Terraform reads it back, then pull the state again."
        )
    return str(value)


def resource_identifier(instance: Instance, keys: Iterable[str] | None = None) -> dict[str, str]:
    """``keys`` (default: every key of ``instance``'s primary identifier) with their values: an
    import's ``ResourceIdentifier``. A key only some resources of the type have (:class:`IfSet`) is
    left out when this one has no value for it."""
    identifier = _translation(instance).identifier
    return {
        key: identifier_value(instance, key)
        for key in (identifier if keys is None else keys)
        if not _unset_optional(identifier.get(key), instance.attributes)
    }


def _unset_optional(source: str | Fixed | IfSet | None, attributes: Attributes) -> bool:
    return isinstance(source, IfSet) and not _is_set(attributes.get(source.attribute))


def physical_name(instance: Instance) -> str | None:
    """The name AWS knows the resource by (bucket, table, secret, DB identifier...), or None for a nameless type."""
    name = _translation(instance).name
    value = live_properties(instance).get(name) if name else None
    return str(value) if _is_set(value) else None


def match_attributes(instance: Instance) -> dict[str, Any]:
    """Live values, keyed by CloudFormation property path, that single ``instance`` out among the
    resources of its type: its name when it has one, else e.g. a VPC's ``CidrBlock``, a mount
    target's ``FileSystemId`` and ``SubnetId``, a route table's :data:`NAME_TAG`. A template resource
    matches when every one of these it states agrees; unset values are left out."""
    translation = _translation(instance)
    properties = live_properties(instance)
    out: dict[str, Any] = {}
    paths = ((translation.name,) if translation.name else ()) + translation.match
    for path in paths:
        value = _name_tag(instance.attributes) if path == NAME_TAG else _at(properties, path)
        if _is_set(value):
            out[path] = value
    return out


def live_properties(instance: Instance, parts: Iterable[Instance] = ()) -> Properties:
    """``instance``'s live values as CloudFormation properties, for the properties that matter for a
    safe adoption. Instances among ``parts`` that configure this one (see :data:`PARTS`) add theirs;
    any others are ignored, so the whole state can be passed."""
    properties = _cook(_translation(instance).properties, instance.attributes)
    for part in parts:
        if belongs_to(part, instance):
            for name, value in _cook(PARTS[part.type].properties, part.attributes).items():
                # Several parts can each add entries to one list (a rule's targets).
                earlier = properties.get(name)
                properties[name] = earlier + value if isinstance(earlier, list) and isinstance(value, list) else value
    return properties


def belongs_to(part: Instance, whole: Instance) -> bool:
    """Whether ``part`` (an instance of a :data:`PARTS` type) configures ``whole``."""
    spec = PARTS.get(part.type)
    if spec is None or spec.whole != whole.type or part.deposed is not None or whole.deposed is not None:
        return False
    named = part.attributes.get(spec.key)
    return _is_set(named) and any(whole.attributes.get(k) == named for k in spec.whole_keys)


# --------------------------------------------------------------------------- internals


def _translation(instance: Instance) -> Translation:
    translation = TRANSLATIONS.get(instance.type)
    if translation is None:
        part = PARTS.get(instance.type)
        reason = (
            f"{instance.address} is part of a {part.whole}, not a CloudFormation resource of its own"
            if part
            else not_adopted_reason(instance)
        )
        raise ValueError(reason)
    return translation


def _name_tag(attributes: Attributes) -> Any:
    # tags_all holds the tags the resource really has, provider default_tags included.
    for key in ("tags_all", "tags"):
        tags = attributes.get(key)
        if isinstance(tags, Mapping) and _is_set(tags.get("Name")):
            return tags["Name"]
    return None


def _at(properties: Mapping[str, Any], path: str) -> Any:
    value: Any = properties
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value
