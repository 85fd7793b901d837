"""The values that cross from one layer to the next.

An upstream layer publishes each value as a stack Output; a downstream layer
declares a Parameter of the same name, which the deployer fills from that
Output at deploy time. Nothing here uses Fn::ImportValue: an export pins its
producer until every consumer lets go, which is the deadlock layered stacks
exist to avoid. Both sides call the same function, so a name or type can
never drift between them.
"""

from __future__ import annotations

from typing import NamedTuple

from cfncompiler.naming import logical_id


class Value(NamedTuple):
    name: str
    type: str
    description: str


def vpc_id() -> Value:
    return Value("VpcId", "AWS::EC2::VPC::Id", "ID of the VPC")


def vpc_cidr() -> Value:
    return Value("VpcCidr", "String", "CIDR block of the VPC")


def subnet_ids(tier: str) -> Value:
    return Value(f"{logical_id(tier)}SubnetIds", "List<AWS::EC2::Subnet::Id>", f"IDs of the {tier} subnets")


def security_group_id(group: str) -> Value:
    return Value(f"{logical_id(group)}SecurityGroupId", "AWS::EC2::SecurityGroup::Id", f"ID of security group {group}")


def namespace_id() -> Value:
    return Value("NamespaceId", "String", "ID of the CloudMap private DNS namespace")


def data_key_arn() -> Value:
    return Value("DataKeyArn", "String", "ARN of the data layer's KMS key")


def secret_arn(secret: str) -> Value:
    return Value(f"{logical_id(secret)}SecretArn", "String", f"ARN of secret {secret}")


def bucket_name(bucket: str) -> Value:
    return Value(f"{logical_id(bucket)}BucketName", "String", f"name of bucket {bucket}")


def table_name(table: str) -> Value:
    return Value(f"{logical_id(table)}TableName", "String", f"name of table {table}")


def database_endpoint() -> Value:
    return Value("DatabaseEndpoint", "String", "host name of the PostgreSQL instance")


def database_port() -> Value:
    return Value("DatabasePort", "String", "port of the PostgreSQL instance")


def database_secret_arn() -> Value:
    return Value("DatabaseSecretArn", "String", "ARN of the RDS-managed master user secret")


def cache_endpoint() -> Value:
    return Value("CacheEndpoint", "String", "primary endpoint host of the Redis replication group")


def cache_port() -> Value:
    return Value("CachePort", "String", "port of the Redis replication group")


def file_system_id() -> Value:
    return Value("FileSystemId", "String", "ID of the EFS file system")


def cluster_arn() -> Value:
    return Value("ClusterArn", "String", "ARN of the ECS cluster")


def cluster_name() -> Value:
    return Value("ClusterName", "String", "name of the ECS cluster")


def execution_role_arn() -> Value:
    return Value("TaskExecutionRoleArn", "String", "ARN of the shared ECS task execution role")


def workspace_role_arn() -> Value:
    return Value("WorkspaceTaskRoleArn", "String", "ARN of the task role Coder workspaces run with")


def listener_arn() -> Value:
    return Value("AlbListenerArn", "String", "ARN of the ALB's HTTPS listener")


def load_balancer_dns_name() -> Value:
    return Value("AlbDnsName", "String", "DNS name of the internal ALB, which every host's record points at")


def workspace_log_group() -> Value:
    return Value("WorkspaceLogGroupName", "String", "log group Coder workspaces write to")


def platform_outputs() -> tuple[Value, ...]:
    """Values the platform layer publishes under its own names (a bridge value may not reuse one)."""
    return (
        cluster_arn(),
        cluster_name(),
        execution_role_arn(),
        workspace_role_arn(),
        listener_arn(),
        load_balancer_dns_name(),
        workspace_log_group(),
    )


# --------------------------------------------------------------------------- alarms and the dashboard


def alarm_topic_arn() -> Value:
    return Value("AlarmTopicArn", "String", "ARN of the SNS topic every alarm sends to")


def nat_gateway_id() -> Value:
    return Value("NatGatewayId", "String", "ID of the NAT gateway")


def database_id() -> Value:
    return Value("DatabaseId", "String", "DB instance identifier of the PostgreSQL instance")


def cache_id() -> Value:
    return Value("CacheId", "String", "ID of the Redis replication group")


def load_balancer_full_name() -> Value:
    return Value("LoadBalancerFullName", "String", "the ALB's name in CloudWatch metrics (app/NAME/ID)")


def service_names() -> Value:
    return Value(
        "ServiceNames", "String", "ECS service names of the platform's services, in spec order, comma-separated"
    )


def target_group_full_names() -> Value:
    return Value(
        "TargetGroupFullNames",
        "String",
        "target group names in CloudWatch metrics of the platform's routed services, in spec order, comma-separated",
    )
