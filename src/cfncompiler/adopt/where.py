"""Which spec line decides a template property: a refused adoption names the line to change."""

from __future__ import annotations

from collections.abc import Mapping

from cfncompiler.naming import logical_id
from cfncompiler.spec.model import Spec

Loc = tuple[str | int, ...]

# (type, property) -> the field under the resource's spec section that gives the value; "" means
# the section itself (the spec has no field for it: the compiler always sets it, e.g. encryption).
FIELD: Mapping[tuple[str, str], str] = {
    ("AWS::RDS::DBInstance", "DBInstanceIdentifier"): "identifier",
    ("AWS::RDS::DBInstance", "DBName"): "name",
    ("AWS::RDS::DBInstance", "MasterUsername"): "username",
    ("AWS::RDS::DBInstance", "Engine"): "engine",
    ("AWS::RDS::DBInstance", "EngineVersion"): "version",
    ("AWS::RDS::DBInstance", "DBInstanceClass"): "instance_class",
    ("AWS::RDS::DBInstance", "AllocatedStorage"): "storage_gb",
    ("AWS::RDS::DBInstance", "Port"): "port",
    ("AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId"): "identifier",
    ("AWS::ElastiCache::ReplicationGroup", "Engine"): "engine",
    ("AWS::ElastiCache::ReplicationGroup", "EngineVersion"): "version",
    ("AWS::ElastiCache::ReplicationGroup", "CacheNodeType"): "node_type",
    ("AWS::ElastiCache::ReplicationGroup", "Port"): "port",
    ("AWS::EFS::FileSystem", "PerformanceMode"): "performance_mode",
    ("AWS::EFS::FileSystem", "ThroughputMode"): "throughput_mode",
    ("AWS::S3::Bucket", "BucketName"): "name",
    ("AWS::DynamoDB::Table", "KeySchema"): "hash_key",
    ("AWS::DynamoDB::Table", "AttributeDefinitions"): "hash_key_type",
}


def spec_location(spec: Spec, resource_type: str, logical: str, prop: str) -> Loc:
    """The spec path whose value becomes ``prop`` of ``logical``; () when no spec entry makes it."""
    section = _section(spec, resource_type, logical)
    if section is None:
        return ()
    field = FIELD.get((resource_type, prop), "")
    return (*section, field) if field else section


def _section(spec: Spec, resource_type: str, logical: str) -> Loc | None:
    singles: Mapping[str, Loc] = {
        "AWS::RDS::DBInstance": ("data", "database"),
        "AWS::ElastiCache::ReplicationGroup": ("data", "cache"),
        "AWS::EFS::FileSystem": ("data", "file_system"),
        "AWS::EC2::VPC": ("network", "cidr"),
    }
    if resource_type in singles:
        return singles[resource_type]
    named: Mapping[str, tuple[str, str, list[str]]] = {
        "AWS::S3::Bucket": ("buckets", "bucket", list(spec.data.buckets)),
        "AWS::DynamoDB::Table": ("tables", "table", list(spec.data.tables)),
        "AWS::SecretsManager::Secret": ("secrets", "secret", list(spec.data.secrets)),
    }
    if resource_type in named:
        key, kind, names = named[resource_type]
        found = next((n for n in names if logical_id(kind, n) == logical), None)
        return ("data", key, found) if found is not None else None
    if resource_type == "AWS::EC2::Subnet":
        found = next((n for n in spec.network.subnets if logical_id("subnet", n) == logical), None)
        return ("network", "subnets", found, "cidr") if found is not None else None
    return None
