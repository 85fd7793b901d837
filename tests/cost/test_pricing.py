"""The arithmetic of every priced kind, checked against the committed snapshot's own prices."""

from __future__ import annotations

from typing import Any

import pytest

from cfncompiler.cost.pricing import NO_CHARGE, NOT_PRICED, PRICED, ResourceCost, price_template
from cfncompiler.cost.snapshot import load_snapshot
from cfncompiler.spec.model import Usage

PRICES = load_snapshot().region("us-west-2")
USAGE = Usage(
    nat_gb_per_month=200,
    endpoint_gb_per_month=30,
    alb_average_lcus=2.5,
    s3_gb_stored_per_bucket=40,
    efs_gb_stored=300,
    efs_infrequent_access_share=0.25,
    logs_gb_ingested_per_group_per_month=8,
    dynamodb_million_writes_per_table_per_month=3,
    dynamodb_million_reads_per_table_per_month=7,
    database_backup_gb_stored=250,
    enhanced_monitoring_kb_per_sample=12,
    dns_million_queries_per_zone_per_month=4,
)
HOURS = 730


def usd(key: str) -> float:
    price = PRICES.get(key)
    assert price is not None, key
    return price.usd


def priced(resources: dict[str, Any], logical_id: str = "It", usage: Usage = USAGE) -> ResourceCost:
    [found] = [
        r
        for r in price_template("layer", {"Resources": resources}, PRICES, usage).resources
        if r.logical_id == logical_id
    ]
    return found


def task(cpu: str, memory: str, arch: str = "X86_64") -> dict[str, Any]:
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {"Cpu": cpu, "Memory": memory, "RuntimePlatform": {"CpuArchitecture": arch}},
    }


def service(count: int, strategy: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"TaskDefinition": {"Ref": "Task"}, "DesiredCount": count}
    if strategy is not None:
        props["CapacityProviderStrategy"] = strategy
    return {"Type": "AWS::ECS::Service", "Properties": props}


def fargate(market: str, arch: str, vcpu: float, gb: float, tasks: float) -> float:
    return (vcpu * usd(f"{market}.{arch}.vcpu-hours") + gb * usd(f"{market}.{arch}.gb-hours")) * HOURS * tasks


# --------------------------------------------------------------------------- Fargate


def test_fargate_on_demand_is_rate_times_size_times_hours_times_tasks() -> None:
    cost = priced({"Task": task("512", "2048"), "It": service(3, [{"CapacityProvider": "FARGATE", "Weight": 1}])})
    assert cost.state == PRICED
    assert cost.monthly == pytest.approx(fargate("fargate", "x86", 0.5, 2, 3))


def test_fargate_spot_is_applied_by_weight() -> None:
    strategy = [{"CapacityProvider": "FARGATE", "Weight": 1}, {"CapacityProvider": "FARGATE_SPOT", "Weight": 3}]
    cost = priced({"Task": task("1024", "4096"), "It": service(4, strategy)})
    expected = fargate("fargate", "x86", 1, 4, 1) + fargate("fargate-spot", "x86", 1, 4, 3)
    assert cost.monthly == pytest.approx(expected)


def test_fargate_base_tasks_go_to_their_provider_before_the_weights_split_the_rest() -> None:
    strategy = [
        {"CapacityProvider": "FARGATE", "Base": 2, "Weight": 0},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
    ]
    cost = priced({"Task": task("256", "512"), "It": service(5, strategy)})
    expected = fargate("fargate", "x86", 0.25, 0.5, 2) + fargate("fargate-spot", "x86", 0.25, 0.5, 3)
    assert cost.monthly == pytest.approx(expected)


def test_fargate_arm_uses_the_arm_rates() -> None:
    cost = priced({"Task": task("1024", "2048", "ARM64"), "It": service(1)})
    assert cost.monthly == pytest.approx(fargate("fargate", "arm", 1, 2, 1))
    assert {c.price.usage_type for c in cost.charges} == {
        "USW2-Fargate-ARM-vCPU-Hours:perCPU",
        "USW2-Fargate-ARM-GB-Hours",
    }


def test_fargate_without_a_strategy_takes_the_clusters_default() -> None:
    resources = {
        "Task": task("1024", "2048"),
        "It": service(2),
        "Providers": {
            "Type": "AWS::ECS::ClusterCapacityProviderAssociations",
            "Properties": {"DefaultCapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]},
        },
    }
    assert priced(resources).monthly == pytest.approx(fargate("fargate-spot", "x86", 1, 2, 2))


def test_a_service_whose_task_is_in_another_template_is_not_priced() -> None:
    cost = priced({"It": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": {"Ref": "TaskArn"}}}})
    assert cost.state == NOT_PRICED and "task definition" in cost.note


# --------------------------------------------------------------------------- data


def database(**props: Any) -> dict[str, Any]:
    base = {"Engine": "postgres", "DBInstanceClass": "db.r6g.large", "AllocatedStorage": "100", "StorageType": "gp3"}
    return {"Type": "AWS::RDS::DBInstance", "Properties": {**base, **props}}


def test_rds_single_az_instance_storage_and_backup_beyond_the_free_allowance() -> None:
    cost = priced({"It": database(MultiAZ=False)})
    expected = (
        usd("rds.postgres.single-az.db.r6g.large") * HOURS
        + usd("rds.storage.gp3.single-az") * 100
        + usd("rds.backup") * (250 - 100)
    )
    assert cost.monthly == pytest.approx(expected)


def test_rds_multi_az_doubles_through_its_own_prices_and_provisioned_iops_and_throughput_count() -> None:
    cost = priced({"It": database(MultiAZ=True, AllocatedStorage="500", Iops=15000, StorageThroughput=600)})
    expected = (
        usd("rds.postgres.multi-az.db.r6g.large") * HOURS
        + usd("rds.storage.gp3.multi-az") * 500
        + usd("rds.gp3.iops.multi-az") * (15000 - 12000)
        + usd("rds.gp3.throughput.multi-az") * (600 - 500)
    )  # 250 GB of backups is within the 500 GB allowance
    assert cost.monthly == pytest.approx(expected)


def test_rds_enhanced_monitoring_exports_and_master_secret() -> None:
    cost = priced(
        {
            "It": database(
                MonitoringInterval=60,
                EnableCloudwatchLogsExports=["postgresql", "upgrade"],
                ManageMasterUserPassword=True,
            )
        }
    )
    monitoring_gb = HOURS * 3600 / 60 * 12 / 1024 / 1024
    extras = (monitoring_gb + 2 * 8) * usd("logs.ingested.gb") + usd("secretsmanager.secret-months")
    plain = priced({"It": database()})
    assert cost.monthly - plain.monthly == pytest.approx(extras)
    assert "enhanced_monitoring_kb_per_sample" in cost.assumptions


def test_an_instance_class_the_snapshot_lacks_is_not_priced_and_says_so() -> None:
    cost = priced({"It": database(DBInstanceClass="db.x2iedn.32xlarge")})
    assert cost.state == NOT_PRICED and "rds.postgres.single-az.db.x2iedn.32xlarge" in cost.note
    assert cost.monthly == 0 and cost.charges == ()


@pytest.mark.parametrize(
    ("props", "nodes", "key"),
    [
        ({"Engine": "redis", "CacheNodeType": "cache.r6g.large", "NumCacheClusters": 2}, 2, "redis"),
        (
            {"Engine": "valkey", "CacheNodeType": "cache.t4g.small", "NumNodeGroups": 2, "ReplicasPerNodeGroup": 2},
            6,
            "valkey",
        ),
    ],
)
def test_elasticache_is_node_hours_times_nodes(props: dict[str, Any], nodes: int, key: str) -> None:
    cost = priced({"It": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": props}})
    assert cost.monthly == pytest.approx(usd(f"elasticache.{key}.{props['CacheNodeType']}") * HOURS * nodes)


def test_efs_splits_storage_by_the_infrequent_access_share_only_with_a_lifecycle_rule() -> None:
    with_rule = priced(
        {
            "It": {
                "Type": "AWS::EFS::FileSystem",
                "Properties": {"LifecyclePolicies": [{"TransitionToIA": "AFTER_30_DAYS"}]},
            }
        }
    )
    without = priced({"It": {"Type": "AWS::EFS::FileSystem", "Properties": {}}})
    assert with_rule.monthly == pytest.approx(
        300 * 0.75 * usd("efs.standard.gb-month") + 300 * 0.25 * usd("efs.infrequent-access.gb-month")
    )
    assert without.monthly == pytest.approx(300 * usd("efs.standard.gb-month"))


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ({"Type": "AWS::S3::Bucket"}, lambda: 40 * usd("s3.standard.gb-month")),
        (
            {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PAY_PER_REQUEST"}},
            lambda: 3e6 * usd("dynamodb.write-request-units") + 7e6 * usd("dynamodb.read-request-units"),
        ),
        ({"Type": "AWS::KMS::Key"}, lambda: usd("kms.key-months")),
        ({"Type": "AWS::SecretsManager::Secret"}, lambda: usd("secretsmanager.secret-months")),
        (
            {"Type": "AWS::EC2::NatGateway"},
            lambda: HOURS * usd("nat.hours") + 200 * usd("nat.gb"),
        ),
        ({"Type": "AWS::EC2::EIP"}, lambda: HOURS * usd("public-ipv4.hours")),
        (
            {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {"VpcEndpointType": "Interface", "SubnetIds": ["a", "b", "c"]},
            },
            lambda: 3 * HOURS * usd("endpoint.az-hours") + 30 * usd("endpoint.gb"),
        ),
        (
            {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
            lambda: HOURS * usd("alb.hours") + 2.5 * HOURS * usd("alb.lcu-hours"),
        ),
        (
            {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 90}},
            lambda: 8 * usd("logs.ingested.gb") + 8 * (90 / (365 / 12)) * usd("logs.stored.gb-month"),
        ),
        (
            {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "CPUUtilization", "Period": 60}},
            lambda: usd("cloudwatch.alarm-months"),
        ),
        (
            {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "CPUUtilization", "Period": 10}},
            lambda: usd("cloudwatch.high-resolution-alarm-months"),
        ),
        ({"Type": "AWS::CloudWatch::Dashboard"}, lambda: usd("cloudwatch.dashboard-months")),
        (
            {"Type": "AWS::Route53::HostedZone"},
            lambda: usd("route53.hosted-zone-months") + 4e6 * usd("route53.queries"),
        ),
        ({"Type": "AWS::ServiceDiscovery::PrivateDnsNamespace"}, lambda: usd("route53.hosted-zone-months")),
        (
            {"Type": "AWS::SSM::Parameter", "Properties": {"Tier": "Advanced"}},
            lambda: usd("ssm.advanced-parameter-months"),
        ),
    ],
)
def test_each_priced_kind_is_its_quantity_times_the_snapshot_price(resource: dict[str, Any], expected: Any) -> None:
    cost = priced({"It": resource})
    assert cost.state == PRICED
    assert cost.monthly == pytest.approx(expected())


@pytest.mark.parametrize(
    "resource",
    [
        {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}},
        {"Type": "AWS::IAM::Role"},
        {"Type": "AWS::ECS::TaskDefinition"},
        {"Type": "AWS::SSM::Parameter", "Properties": {"Tier": "Standard"}},
        {"Type": "AWS::Route53::RecordSet"},
    ],
)
def test_free_resources_are_listed_as_no_charge_with_a_reason(resource: dict[str, Any]) -> None:
    cost = priced({"It": resource})
    assert cost.state == NO_CHARGE and cost.monthly == 0 and cost.note


@pytest.mark.parametrize(
    "resource",
    [
        {"Type": "AWS::Lambda::Function"},
        {"Type": "AWS::ServiceDiscovery::Service"},
        {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PROVISIONED"}},
        {
            "Type": "AWS::ECS::Cluster",
            "Properties": {"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
        },
    ],
)
def test_what_cannot_be_priced_is_listed_as_not_priced_never_as_zero(resource: dict[str, Any]) -> None:
    cost = priced({"It": resource})
    assert cost.state == NOT_PRICED and cost.note and cost.charges == ()


def test_the_assumptions_a_resource_rests_on_are_named() -> None:
    assert priced({"It": {"Type": "AWS::EC2::NatGateway"}}).assumptions == ("nat_gb_per_month",)
    assert priced({"It": {"Type": "AWS::KMS::Key"}}).assumptions == ()
