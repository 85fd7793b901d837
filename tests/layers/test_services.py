"""Every Fargate service of the production spec, as its task definition and ECS service compile.

Sizes, ports and replica counts are the design's (infrastructure-design.md), written out here
so a spec edit that drifts from the design fails; the rest is checked against the spec entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cfncompiler import contract
from cfncompiler.layers.services import CAPACITY_PROVIDERS, capacity_strategy
from cfncompiler.naming import logical_id
from cfncompiler.spec.load import SpecError
from cfncompiler.spec.model import DATABASE_SECRET, Service
from tests.spec_edit import (
    Compiled,
    TemplateDict,
    compile_templates,
    container,
    edited_spec,
    get_att,
    props,
    ref,
    resources_of_type,
    role_statements,
)

# service -> (layer, cpu, memory, ports, replicas), from the design document.
DESIGN: dict[str, tuple[str, int, int, list[int], int]] = {
    "coder": ("platform", 1024, 4096, [7080], 1),
    "litellm": ("platform", 512, 2048, [4000], 2),
    "key-provisioner": ("platform", 256, 512, [8100], 1),
    "clickhouse": ("observability", 1024, 4096, [8123, 9000], 1),
    "langfuse-web": ("observability", 1024, 2048, [3000], 1),
    "langfuse-worker": ("observability", 512, 1024, [3030], 1),
}
SERVICES = list(DESIGN)
LAYER_OF = {name: entry[0] for name, entry in DESIGN.items()}

DISCOVERY = {
    "coder": "coder",
    "litellm": "litellm",
    "key-provisioner": "key-provisioner",
    "clickhouse": "clickhouse",
    "langfuse-web": "langfuse",
}


def spec_service(compiled: Compiled, name: str) -> Service:
    return {n: s for _, n, s in compiled.spec.services()}[name]


def template_of(compiled: Compiled, name: str) -> TemplateDict:
    return compiled.templates[LAYER_OF[name]]


def task(compiled: Compiled, name: str) -> TemplateDict:
    return props(template_of(compiled, name), logical_id(name, "task"))


def main_container(compiled: Compiled, name: str) -> TemplateDict:
    return container(template_of(compiled, name), logical_id(name, "task"), name)


def ecs_service(compiled: Compiled, name: str) -> TemplateDict:
    return props(template_of(compiled, name), logical_id(name, "service"))


def secret_value_from(secret: str, key: str | None) -> Any:
    name = contract.database_secret_arn().name if secret == DATABASE_SECRET else contract.secret_arn(secret).name
    return ref(name) if key is None else {"Fn::Join": ["", [ref(name), f":{key}::"]]}


def test_the_design_lists_every_service_the_spec_compiles(compiled: Compiled) -> None:
    assert sorted(name for _, name, _ in compiled.spec.services()) == sorted(DESIGN)
    for layer in ("platform", "observability"):
        compiled_services = resources_of_type(compiled.templates[layer], "AWS::ECS::Service")
        assert sorted(compiled_services) == sorted(logical_id(n, "service") for n in DESIGN if LAYER_OF[n] == layer)


# --------------------------------------------------------------------------- task definitions


@pytest.mark.parametrize("name", SERVICES)
def test_task_has_the_design_cpu_memory_and_ports(compiled: Compiled, name: str) -> None:
    _, cpu, memory, ports, _ = DESIGN[name]
    definition = task(compiled, name)
    assert (definition["Cpu"], definition["Memory"]) == (str(cpu), str(memory))
    assert definition["RequiresCompatibilities"] == ["FARGATE"]
    assert definition["NetworkMode"] == "awsvpc"
    assert main_container(compiled, name)["PortMappings"] == [
        {"ContainerPort": port, "Protocol": "tcp"} for port in ports
    ]


@pytest.mark.parametrize("name", SERVICES)
def test_service_runs_the_design_replica_count(compiled: Compiled, name: str) -> None:
    assert ecs_service(compiled, name)["DesiredCount"] == DESIGN[name][4]


@pytest.mark.parametrize("name", [n for n in SERVICES if n != "key-provisioner"])
def test_main_container_is_essential_and_runs_the_spec_image(compiled: Compiled, name: str) -> None:
    main = main_container(compiled, name)
    assert main["Essential"] is True
    assert main["Image"] == spec_service(compiled, name).image


def test_ecr_image_resolves_account_and_region(compiled: Compiled) -> None:
    assert main_container(compiled, "key-provisioner")["Image"] == {
        "Fn::Sub": "${AWS::AccountId}.dkr.ecr.us-west-2.amazonaws.com/key-provisioner:1.4.0"
    }


@pytest.mark.parametrize("name", SERVICES)
def test_environment_has_exactly_the_spec_env_names(compiled: Compiled, name: str) -> None:
    environment = main_container(compiled, name)["Environment"]
    assert [variable["Name"] for variable in environment] == list(spec_service(compiled, name).env)


@pytest.mark.parametrize("name", SERVICES)
def test_secrets_are_read_from_the_named_secret_with_json_keys_as_arn_key_suffix(compiled: Compiled, name: str) -> None:
    service = spec_service(compiled, name)
    assert main_container(compiled, name)["Secrets"] == [
        {"Name": env, "ValueFrom": secret_value_from(r.secret, r.key)} for env, r in service.secrets.items()
    ]


@pytest.mark.parametrize("name", SERVICES)
def test_no_secret_is_passed_as_plain_environment(compiled: Compiled, name: str) -> None:
    names = {variable["Name"] for variable in main_container(compiled, name)["Environment"]}
    secrets = {secret["Name"] for secret in main_container(compiled, name)["Secrets"]}
    assert not names & secrets
    assert not {n for n in names if "PASSWORD" in n or n.endswith("_SECRET") or n.endswith("MASTER_KEY")}


@pytest.mark.parametrize("name", SERVICES)
def test_log_group_has_spec_retention_and_the_layer_key(compiled: Compiled, name: str) -> None:
    log_group = props(template_of(compiled, name), logical_id(name, "logs"))
    assert log_group == {
        "RetentionInDays": compiled.spec.logs.retention_days,
        "KmsKeyId": get_att("EncryptionKey", "Arn"),
    }
    assert compiled.spec.logs.retention_days == 365


@pytest.mark.parametrize("name", SERVICES)
def test_every_container_logs_through_awslogs_to_the_service_log_group(compiled: Compiled, name: str) -> None:
    for definition in task(compiled, name)["ContainerDefinitions"]:
        assert definition["LogConfiguration"] == {
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": ref(logical_id(name, "logs")),
                "awslogs-region": ref("AWS::Region"),
                "awslogs-stream-prefix": definition["Name"],
            },
        }


@pytest.mark.parametrize("name", SERVICES)
def test_task_uses_the_layer_execution_role_and_its_own_task_role(compiled: Compiled, name: str) -> None:
    definition = task(compiled, name)
    assert definition["ExecutionRoleArn"] == get_att("TaskExecutionRole", "Arn")
    assert definition["TaskRoleArn"] == get_att(logical_id(name, "task-role"), "Arn")


@pytest.mark.parametrize("name", SERVICES)
def test_service_has_no_public_ip_and_runs_in_app_subnets_in_ecs_services(compiled: Compiled, name: str) -> None:
    assert ecs_service(compiled, name)["NetworkConfiguration"] == {
        "AwsvpcConfiguration": {
            "AssignPublicIp": "DISABLED",
            "Subnets": ref("AppSubnetIds"),
            "SecurityGroups": [ref("EcsServicesSecurityGroupId")],
        }
    }


@pytest.mark.parametrize("name", SERVICES)
def test_deployment_circuit_breaker_rolls_back(compiled: Compiled, name: str) -> None:
    deployment = ecs_service(compiled, name)["DeploymentConfiguration"]
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert deployment["MinimumHealthyPercent"] == 100


@pytest.mark.parametrize("name", SERVICES)
def test_service_runs_the_current_task_definition(compiled: Compiled, name: str) -> None:
    assert ecs_service(compiled, name)["TaskDefinition"] == ref(logical_id(name, "task"))


@pytest.mark.parametrize("name", SERVICES)
def test_capacity_strategy_is_the_one_the_spec_picks(compiled: Compiled, name: str) -> None:
    capacity = spec_service(compiled, name).capacity
    weights = {capacity: 1} if isinstance(capacity, str) else capacity
    assert ecs_service(compiled, name)["CapacityProviderStrategy"] == [
        {"CapacityProvider": CAPACITY_PROVIDERS[provider], "Weight": weight} for provider, weight in weights.items()
    ]


def test_litellm_spreads_over_fargate_and_spot_while_coder_stays_on_fargate(compiled: Compiled) -> None:
    assert ecs_service(compiled, "litellm")["CapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE", "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
    ]
    assert ecs_service(compiled, "coder")["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE", "Weight": 1}]


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        ("fargate", [("FARGATE", 1)]),
        ("fargate-spot", [("FARGATE_SPOT", 1)]),
        ({"fargate": 1, "fargate-spot": 3}, [("FARGATE", 1), ("FARGATE_SPOT", 3)]),
    ],
)
def test_capacity_strategy_maps_spec_words_to_ecs_providers(
    compiled: Compiled, capacity: Any, expected: list[tuple[str, int]]
) -> None:
    service = spec_service(compiled, "coder").model_copy(update={"capacity": capacity})
    assert [(item.CapacityProvider, item.Weight) for item in capacity_strategy(service)] == expected


# --------------------------------------------------------------------------- service discovery


@pytest.mark.parametrize(("name", "discovery"), DISCOVERY.items())
def test_service_registers_its_discovery_name_in_the_namespace(compiled: Compiled, name: str, discovery: str) -> None:
    template = template_of(compiled, name)
    registry = props(template, logical_id(name, "discovery"))
    assert registry["Name"] == discovery
    assert registry["NamespaceId"] == ref("NamespaceId")
    assert registry["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 10}]
    assert ecs_service(compiled, name)["ServiceRegistries"] == [
        {"RegistryArn": get_att(logical_id(name, "discovery"), "Arn")}
    ]


def test_langfuse_worker_is_not_registered_in_service_discovery(compiled: Compiled) -> None:
    assert "ServiceRegistries" not in ecs_service(compiled, "langfuse-worker")
    assert logical_id("langfuse-worker", "discovery") not in compiled.templates["observability"]["Resources"]


def test_discovery_names_are_unique_across_layers(compiled: Compiled) -> None:
    names = [
        body["Properties"]["Name"]
        for layer in ("platform", "observability")
        for body in resources_of_type(compiled.templates[layer], "AWS::ServiceDiscovery::Service").values()
    ]
    assert sorted(names) == sorted(DISCOVERY.values())


# --------------------------------------------------------------------------- EFS


def efs_volume(compiled: Compiled, name: str) -> TemplateDict:
    volumes = task(compiled, name)["Volumes"]
    efs = [v for v in volumes if "EFSVolumeConfiguration" in v]
    assert len(efs) == 1, f"{name} should have one EFS volume, has {volumes}"
    return efs[0]


@pytest.mark.parametrize(
    ("name", "path", "directory", "uid"),
    [
        ("coder", "/home/coder/.config/coderv2", "/coder", "1000"),
        ("clickhouse", "/var/lib/clickhouse", "/clickhouse", "101"),
    ],
)
def test_efs_mount_goes_through_its_access_point_with_tls_and_iam(
    compiled: Compiled, name: str, path: str, directory: str, uid: str
) -> None:
    volume = efs_volume(compiled, name)
    point = logical_id(name, "access-point", "0")
    assert volume["EFSVolumeConfiguration"] == {
        "FilesystemId": ref("FileSystemId"),
        "TransitEncryption": "ENABLED",
        "AuthorizationConfig": {"AccessPointId": ref(point), "IAM": "ENABLED"},
    }
    assert main_container(compiled, name)["MountPoints"] == [
        {"SourceVolume": volume["Name"], "ContainerPath": path, "ReadOnly": False}
    ]
    access_point = props(template_of(compiled, name), point)
    assert access_point["FileSystemId"] == ref("FileSystemId")
    assert access_point["PosixUser"] == {"Uid": uid, "Gid": uid}
    assert access_point["RootDirectory"]["Path"] == directory


@pytest.mark.parametrize("name", ["litellm", "key-provisioner", "langfuse-web", "langfuse-worker"])
def test_services_without_volumes_mount_no_efs(compiled: Compiled, name: str) -> None:
    volumes = task(compiled, name).get("Volumes", [])
    assert not [v for v in volumes if "EFSVolumeConfiguration" in v]


# --------------------------------------------------------------------------- what each service is given


def env_of(compiled: Compiled, name: str) -> dict[str, Any]:
    return {v["Name"]: v["Value"] for v in main_container(compiled, name)["Environment"]}


def secret_names(compiled: Compiled, name: str) -> set[str]:
    return {s["Name"] for s in main_container(compiled, name)["Secrets"]}


def test_coder_gets_the_design_env_and_its_oidc_and_database_secrets(compiled: Compiled) -> None:
    env = env_of(compiled, "coder")
    assert env["CODER_ACCESS_URL"] == "https://coder.company.com"
    assert env["CODER_SECURE_AUTH_COOKIE"] == "true"
    assert {"CODER_OIDC_ISSUER_URL", "CODER_OIDC_EMAIL_DOMAIN"} <= set(env)
    assert {"PGPASSWORD", "CODER_OIDC_CLIENT_ID", "CODER_OIDC_CLIENT_SECRET"} <= secret_names(compiled, "coder")


def test_coder_connection_url_names_the_database_without_a_password(compiled: Compiled) -> None:
    url = env_of(compiled, "coder")["CODER_PG_CONNECTION_URL"]
    assert url == {
        "Fn::Sub": [
            "postgres://coder@${DatabaseEndpoint}:5432/coder?sslmode=require",
            {"DatabaseEndpoint": ref("DatabaseEndpoint")},
        ]
    }
    # Coder's own login (not the master user's), its password from its own secret.
    password = next(s for s in main_container(compiled, "coder")["Secrets"] if s["Name"] == "PGPASSWORD")
    assert password["ValueFrom"] == {"Fn::Join": ["", [ref("ProdCoderDatabaseSecretArn"), ":password::"]]}


def test_litellm_gets_its_master_key_anthropic_key_and_corporate_proxy_settings_as_secrets(compiled: Compiled) -> None:
    assert {
        "LITELLM_MASTER_KEY",
        "ANTHROPIC_API_KEY",
        "CUSTOM_LLM_API_KEY",
        "CUSTOM_LLM_API_BASE",
        "CUSTOM_LLM_CLAUDE_API_BASE",
    } <= secret_names(compiled, "litellm")
    assert env_of(compiled, "litellm")["AWS_REGION_NAME"] == "us-west-2"


def test_key_provisioner_reaches_litellm_through_service_discovery(compiled: Compiled) -> None:
    assert env_of(compiled, "key-provisioner")["LITELLM_URL"] == "http://litellm.coder-production.local:4000"


@pytest.mark.parametrize("name", ["langfuse-web", "langfuse-worker"])
def test_langfuse_gets_database_redis_with_tls_clickhouse_buckets_and_auth(compiled: Compiled, name: str) -> None:
    env = env_of(compiled, name)
    assert env["DATABASE_HOST"] == ref("DatabaseEndpoint")
    assert env["REDIS_HOST"] == ref("CacheEndpoint")
    assert env["REDIS_TLS_ENABLED"] == "true"
    assert env["CLICKHOUSE_URL"] == "http://clickhouse.coder-production.local:8123"
    assert env["CLICKHOUSE_MIGRATION_URL"] == "clickhouse://clickhouse.coder-production.local:9000"
    assert env["LANGFUSE_S3_EVENT_UPLOAD_BUCKET"] == ref("LangfuseEventsBucketName")
    assert env["LANGFUSE_S3_MEDIA_UPLOAD_BUCKET"] == ref("LangfuseMediaBucketName")
    assert {"DATABASE_PASSWORD", "NEXTAUTH_SECRET", "SALT", "ENCRYPTION_KEY", "CLICKHOUSE_PASSWORD"} <= secret_names(
        compiled, name
    )


def test_clickhouse_has_a_container_health_check_on_its_http_port(compiled: Compiled) -> None:
    check = main_container(compiled, "clickhouse")["HealthCheck"]
    assert check["Command"][0] == "CMD-SHELL"
    assert "8123" in check["Command"][1]


# --------------------------------------------------------------------------- load balancing


@pytest.mark.parametrize("name", ["coder", "litellm", "key-provisioner", "langfuse-web"])
def test_routed_service_registers_its_first_port_with_its_target_group(compiled: Compiled, name: str) -> None:
    service = ecs_service(compiled, name)
    assert service["LoadBalancers"] == [
        {
            "ContainerName": name,
            "ContainerPort": DESIGN[name][3][0],
            "TargetGroupArn": ref(logical_id(name, "target-group")),
        }
    ]
    # ECS refuses a target group no listener rule forwards to yet.
    assert (
        logical_id(name, "route") in template_of(compiled, name)["Resources"][logical_id(name, "service")]["DependsOn"]
    )


@pytest.mark.parametrize("name", ["clickhouse", "langfuse-worker"])
def test_unrouted_service_has_no_load_balancer_target_group_or_rule(compiled: Compiled, name: str) -> None:
    template = template_of(compiled, name)
    assert "LoadBalancers" not in ecs_service(compiled, name)
    assert logical_id(name, "target-group") not in template["Resources"]
    assert logical_id(name, "route") not in template["Resources"]


# --------------------------------------------------------------------------- the asset fetcher image

FETCHER = "asset_fetcher_image: public.ecr.aws/aws-cli/aws-cli:2.22.35"


def test_asset_fetcher_image_references_are_resolved_or_refused(tmp_path: Path) -> None:
    """Service images may say ${account} and ${region}; the fetcher image must not pass them through verbatim."""
    templated = "asset_fetcher_image: ${account}.dkr.ecr.${region}.amazonaws.com/aws-cli:2.22.35"
    spec = edited_spec(tmp_path, (FETCHER, templated))
    try:
        platform = compile_templates(spec)["platform"]
    except SpecError as refused:
        assert [p.path for p in refused.problems] == ["platform.asset_fetcher_image"]
        return
    image = container(platform, "LitellmTask", "fetch-assets")["Image"]
    assert image == {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.us-west-2.amazonaws.com/aws-cli:2.22.35"}


def test_execution_role_may_pull_a_private_ecr_asset_fetcher_image(tmp_path: Path) -> None:
    private = "asset_fetcher_image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/aws-cli:2.22.35"
    platform = compile_templates(edited_spec(tmp_path, (FETCHER, private)))["platform"]
    (pull,) = [s for s in role_statements(platform, "TaskExecutionRole") if "ecr:BatchGetImage" in s["Action"]]
    assert {"Fn::Sub": "arn:${AWS::Partition}:ecr:us-west-2:123456789012:repository/aws-cli"} in pull["Resource"]
