"""Where the sandbox finds an existing resource of each type it can import, and how it deletes the few moto cannot.

One small function per type reads moto's own backend, so an import records only what is there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cfncompiler.sandbox.patches._common import backend

# Finds a live resource in moto: (account id, region, identifier values in the order of the type's
# primaryIdentifier) -> moto's object for it, or None when there is no such resource.
Lookup = Callable[[str, str, tuple[str, ...]], Any]
# Deletes an imported resource of a type moto's CloudFormation cannot delete: (account, region, physical id).
DeleteById = Callable[[str, str, str], None]


@dataclass(frozen=True)
class Importable:
    """How the sandbox finds a resource of one type, and deletes it when moto's CloudFormation cannot.

    With ``remove`` the stack records a ``resource_import.ImportedResource`` (moto has no CloudFormation
    model of what ``find`` returns); without it, the stack records moto's own object, so Ref,
    GetAtt, updates and deletes behave as for a resource the template created.
    """

    find: Lookup
    remove: DeleteById | None = None


def _bucket(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    bucket = backend("s3", account_id, region).buckets.get(ids[0])
    # S3 names are global, but a stack can only import a bucket of its own region.
    return bucket if bucket is not None and bucket.region_name == region else None


def _bucket_policy(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    bucket = _bucket(account_id, region, ids)
    return bucket if bucket is not None and bucket.policy else None


def _remove_bucket_policy(account_id: str, region: str, bucket_name: str) -> None:
    backend("s3", account_id, region).delete_bucket_policy(bucket_name)


def _table(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("dynamodb", account_id, region).tables.get(ids[0])


def _secret(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    secrets = backend("secretsmanager", account_id, region).secrets
    if ids[0] not in secrets:  # moto's store also matches partial ARNs, which dict.get would not
        return None
    secret = secrets[ids[0]]
    # The identifier is the ARN; moto would also answer to the name, CloudFormation does not.
    return secret if secret.arn == ids[0] and not secret.is_deleted() else None


def _remove_secret(account_id: str, region: str, arn: str) -> None:
    backend("secretsmanager", account_id, region).delete_secret(arn, None, True)


def _kms_key(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    key = backend("kms", account_id, region).keys.get(ids[0])
    return key if key is not None and key.key_state != "PendingDeletion" else None


def _kms_alias(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    keys = backend("kms", account_id, region).keys.values()
    return next((key.aliases[ids[0]] for key in keys if ids[0] in key.aliases), None)


def _db_instance(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("rds", account_id, region).databases.get(ids[0])


def _db_subnet_group(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("rds", account_id, region).subnet_groups.get(ids[0])


def _db_parameter_group(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("rds", account_id, region).db_parameter_groups.get(ids[0])


def _replication_group(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("elasticache", account_id, region).replication_groups.get(ids[0])


def _remove_replication_group(account_id: str, region: str, group_id: str) -> None:
    backend("elasticache", account_id, region).delete_replication_group(group_id, retain_primary_cluster=False)


def _cache_subnet_group(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("elasticache", account_id, region).cache_subnet_groups.get(ids[0])


def _remove_cache_subnet_group(account_id: str, region: str, name: str) -> None:
    # moto's ElastiCache has no DeleteCacheSubnetGroup.
    backend("elasticache", account_id, region).cache_subnet_groups.pop(name, None)


def _file_system(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("efs", account_id, region).file_systems_by_id.get(ids[0])


def _mount_target(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("efs", account_id, region).mount_targets_by_id.get(ids[0])


def _access_point(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("efs", account_id, region).access_points.get(ids[0])


def _role(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    roles = backend("iam", account_id, region).roles.values()
    return next((role for role in roles if role.name == ids[0]), None)


def _log_group(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("logs", account_id, region).groups.get(ids[0])


def _vpc(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("ec2", account_id, region).vpcs.get(ids[0])


def _subnet(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    zones = backend("ec2", account_id, region).subnets.values()
    return next((subnet for zone in zones for subnet in zone.values() if subnet.id == ids[0]), None)


def _security_group(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("ec2", account_id, region).get_security_group_from_id(ids[0])


def _security_groups(account_id: str, region: str) -> Iterator[Any]:
    return itertools.chain.from_iterable(
        groups.values() for groups in backend("ec2", account_id, region).groups.values()
    )


def _ingress_rule(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    rules = (rule for group in _security_groups(account_id, region) for rule in group.ingress_rules)
    return next((rule for rule in rules if rule.id == ids[0]), None)


def _egress_rule(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    rules = (rule for group in _security_groups(account_id, region) for rule in group.egress_rules)
    return next((rule for rule in rules if rule.id == ids[0]), None)


def _remove_ingress_rule(account_id: str, region: str, rule_id: str) -> None:
    rule = _ingress_rule(account_id, region, (rule_id,))
    if rule is not None:
        backend("ec2", account_id, region).revoke_security_group_ingress(
            rule.group_id, None, None, None, [], security_rule_ids=[rule_id]
        )


def _remove_egress_rule(account_id: str, region: str, rule_id: str) -> None:
    rule = _egress_rule(account_id, region, (rule_id,))
    if rule is not None:
        backend("ec2", account_id, region).revoke_security_group_egress(
            rule.group_id, None, None, None, [], security_rule_ids=[rule_id]
        )


def _route_table(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("ec2", account_id, region).route_tables.get(ids[0])


def _route(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    table = _route_table(account_id, region, ids[:1])
    routes = table.routes if table is not None else []
    return next((route for route in routes if route.destination_cidr_block == ids[1]), None)


def _route_table_association(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    from moto.ec2.models.subnets import SubnetRouteTableAssociation

    for table in backend("ec2", account_id, region).route_tables.values():
        if ids[0] in table._associations:
            return SubnetRouteTableAssociation(table.id, table._associations[ids[0]])  # type: ignore[abstract]
    return None


def _internet_gateway(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("ec2", account_id, region).internet_gateways.get(ids[0])


def _gateway_attachment(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    from moto.ec2.models.vpn_gateway import VPCGatewayAttachment

    # AttachmentType names the gateway kind; it is reported both as "igw" and as "IGW" (AWS documents
    # no enum), so the sandbox takes either. moto keeps an internet gateway's VPC on the gateway itself.
    if ids[0].lower() != "igw":
        return None
    gateways = backend("ec2", account_id, region).internet_gateways.values()
    found = next((gw for gw in gateways if gw.vpc is not None and gw.vpc.id == ids[1]), None)
    if found is None:
        return None
    return VPCGatewayAttachment(vpc_id=ids[1], gateway_id=found.id, state="available")  # type: ignore[abstract]


def _nat_gateway(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    nat = backend("ec2", account_id, region).nat_gateways.get(ids[0])
    return nat if nat is not None and nat.state != "deleted" else None


def _elastic_ip(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    addresses = backend("ec2", account_id, region).addresses
    return next((a for a in addresses if a.public_ip == ids[0] and a.allocation_id == ids[1]), None)


def _vpc_endpoint(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    endpoint = backend("ec2", account_id, region).vpc_end_points.get(ids[0])
    return endpoint if endpoint is not None and endpoint.state != "deleted" else None


def _flow_log(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("ec2", account_id, region).flow_logs.get(ids[0])


def _dns_namespace(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("servicediscovery", account_id, region).namespaces.get(ids[0])


def _remove_dns_namespace(account_id: str, region: str, namespace_id: str) -> None:
    backend("servicediscovery", account_id, region).delete_namespace(namespace_id)


def _ecs_cluster(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    cluster = backend("ecs", account_id, region).clusters.get(ids[0])
    return cluster if cluster is not None and cluster.status == "ACTIVE" else None


def _ssm_parameter(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("ssm", account_id, region).get_parameter(ids[0])


def _load_balancer(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("elbv2", account_id, region).load_balancers.get(ids[0])


def _target_group(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("elbv2", account_id, region).target_groups.get(ids[0])


# Every type of templates_out/data.yaml and network.yaml, and a few of the platform layer's. A type
# missing here is refused by name: the sandbox never records a resource it could not find.
def _alarm(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("cloudwatch", account_id, region).alarms.get(ids[0])


def _remove_alarm(account_id: str, region: str, name: str) -> None:
    backend("cloudwatch", account_id, region).delete_alarms([name])


def _topic(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("sns", account_id, region).topics.get(ids[0])


def _subscription(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("sns", account_id, region).subscriptions.get(ids[0])


def _remove_subscription(account_id: str, region: str, arn: str) -> None:
    sns = backend("sns", account_id, region)
    if arn in sns.subscriptions:
        sns.unsubscribe(arn)


def _event_subscription(account_id: str, region: str, ids: tuple[str, ...]) -> Any:
    return backend("rds", account_id, region).event_subscriptions.get(ids[0])


def _remove_event_subscription(account_id: str, region: str, name: str) -> None:
    backend("rds", account_id, region).delete_event_subscription(name)


IMPORTABLE: dict[str, Importable] = {
    "AWS::S3::Bucket": Importable(_bucket),
    "AWS::S3::BucketPolicy": Importable(_bucket_policy, _remove_bucket_policy),
    "AWS::DynamoDB::Table": Importable(_table),
    "AWS::SecretsManager::Secret": Importable(_secret, _remove_secret),
    "AWS::KMS::Key": Importable(_kms_key),
    "AWS::KMS::Alias": Importable(_kms_alias),
    "AWS::RDS::DBInstance": Importable(_db_instance),
    "AWS::RDS::DBSubnetGroup": Importable(_db_subnet_group),
    "AWS::RDS::DBParameterGroup": Importable(_db_parameter_group),
    "AWS::ElastiCache::ReplicationGroup": Importable(_replication_group, _remove_replication_group),
    "AWS::ElastiCache::SubnetGroup": Importable(_cache_subnet_group, _remove_cache_subnet_group),
    "AWS::EFS::FileSystem": Importable(_file_system),
    "AWS::EFS::MountTarget": Importable(_mount_target),
    "AWS::EFS::AccessPoint": Importable(_access_point),
    "AWS::IAM::Role": Importable(_role),
    "AWS::Logs::LogGroup": Importable(_log_group),
    "AWS::EC2::VPC": Importable(_vpc),
    "AWS::EC2::Subnet": Importable(_subnet),
    "AWS::EC2::SecurityGroup": Importable(_security_group),
    "AWS::EC2::SecurityGroupIngress": Importable(_ingress_rule, _remove_ingress_rule),
    "AWS::EC2::SecurityGroupEgress": Importable(_egress_rule, _remove_egress_rule),
    "AWS::EC2::RouteTable": Importable(_route_table),
    "AWS::EC2::Route": Importable(_route),
    "AWS::EC2::SubnetRouteTableAssociation": Importable(_route_table_association),
    "AWS::EC2::InternetGateway": Importable(_internet_gateway),
    "AWS::EC2::VPCGatewayAttachment": Importable(_gateway_attachment),
    "AWS::EC2::NatGateway": Importable(_nat_gateway),
    "AWS::EC2::EIP": Importable(_elastic_ip),
    "AWS::EC2::VPCEndpoint": Importable(_vpc_endpoint),
    "AWS::EC2::FlowLog": Importable(_flow_log),
    "AWS::CloudWatch::Alarm": Importable(_alarm, _remove_alarm),
    "AWS::SNS::Topic": Importable(_topic),
    "AWS::SNS::Subscription": Importable(_subscription, _remove_subscription),
    "AWS::RDS::EventSubscription": Importable(_event_subscription, _remove_event_subscription),
    "AWS::ServiceDiscovery::PrivateDnsNamespace": Importable(_dns_namespace, _remove_dns_namespace),
    "AWS::ECS::Cluster": Importable(_ecs_cluster),
    "AWS::SSM::Parameter": Importable(_ssm_parameter),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": Importable(_load_balancer),
    "AWS::ElasticLoadBalancingV2::TargetGroup": Importable(_target_group),
}
