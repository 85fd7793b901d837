"""Least privilege in every IAM policy of every template, and the ``allow`` gate that enforces it."""

from __future__ import annotations

from typing import Any

import pytest
from awacs import bedrock, ecr, s3
from awacs.aws import Action, Condition, StringEquals

from cfncompiler import contract
from cfncompiler.layers import ORDER
from cfncompiler.layers.iam import UNSCOPED_ACTIONS, UnscopedGrant, allow
from cfncompiler.naming import logical_id
from cfncompiler.spec.model import DATABASE_SECRET
from tests.spec_edit import (
    Compiled,
    TemplateDict,
    actions_of,
    as_list,
    get_att,
    policy_statements,
    ref,
    resources_of_type,
    role_statements,
)


def all_statements(compiled: Compiled) -> list[tuple[str, str, TemplateDict]]:
    return [
        (layer, role, statement) for layer in ORDER for role, statement in policy_statements(compiled.templates[layer])
    ]


def test_the_scan_sees_the_policies_of_every_layer_with_roles(compiled: Compiled) -> None:
    layers = {layer for layer, _, _ in all_statements(compiled)}
    assert {"network", "platform", "observability"} <= layers
    assert len(all_statements(compiled)) > 20


def test_no_iam_policy_grants_a_wildcard_action(compiled: Compiled) -> None:
    wildcards = [
        (layer, role, action)
        for layer, role, statement in all_statements(compiled)
        for action in actions_of(statement)
        if action == "*" or action.endswith(":*")
    ]
    assert wildcards == []


def test_no_trust_policy_allows_a_wildcard_action(compiled: Compiled) -> None:
    for layer in ORDER:
        for name, body in resources_of_type(compiled.templates[layer], "AWS::IAM::Role").items():
            for statement in body["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                assert actions_of(statement) == ["sts:AssumeRole"], f"{layer}.{name}"


def test_iam_policies_grant_with_allow_statements_only(compiled: Compiled) -> None:
    assert {statement["Effect"] for _, _, statement in all_statements(compiled)} == {"Allow"}


def test_resource_star_only_for_actions_without_a_resource_level_form(compiled: Compiled) -> None:
    unscoped = [
        (layer, role, action)
        for layer, role, statement in all_statements(compiled)
        if "*" in as_list(statement["Resource"])
        for action in actions_of(statement)
        if action not in UNSCOPED_ACTIONS
    ]
    assert unscoped == []


def test_unscoped_actions_are_exact_actions_each_with_a_reason() -> None:
    for action, reason in UNSCOPED_ACTIONS.items():
        service, _, name = action.partition(":")
        assert service and name and "*" not in action, action
        assert len(reason) > 10, f"{action} needs a reason"


def test_a_key_policy_is_the_only_place_with_kms_star(compiled: Compiled) -> None:
    """AWS's default key policy lets the account administer its key; that is a key policy, not an IAM grant."""
    for layer in ORDER:
        for name, body in resources_of_type(compiled.templates[layer], "AWS::KMS::Key").items():
            for statement in body["Properties"]["KeyPolicy"]["Statement"]:
                if "kms:*" in actions_of(statement):
                    assert statement["Sid"] == "AccountUsesIam", f"{layer}.{name}"
                    assert statement["Principal"] == {
                        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
                    }


@pytest.mark.parametrize("layer", ["platform", "observability"])
def test_task_roles_trust_ecs_tasks_of_this_account_only(compiled: Compiled, layer: str) -> None:
    roles = resources_of_type(compiled.templates[layer], "AWS::IAM::Role")
    task_roles = {name: body for name, body in roles.items() if name.endswith("TaskRole")}
    assert task_roles
    for name, body in task_roles.items():
        (trust,) = body["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}, name
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Fn::Sub": "${AWS::AccountId}"}}}, name


# --------------------------------------------------------------------------- per-service grants


def test_litellm_may_invoke_bedrock_foundation_models_only(compiled: Compiled) -> None:
    platform = compiled.templates["platform"]
    (grant,) = [s for s in role_statements(platform, "LitellmTaskRole") if any("bedrock:" in a for a in s["Action"])]
    assert sorted(grant["Action"]) == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    models = compiled.spec.platform.services["litellm"].access.bedrock_models
    assert grant["Resource"] == [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:bedrock:*::foundation-model/{model}"} for model in models
    ]
    assert models


def test_no_other_role_may_call_bedrock(compiled: Compiled) -> None:
    callers = {
        (layer, role)
        for layer, role, statement in all_statements(compiled)
        if any(action.startswith("bedrock:") for action in actions_of(statement))
    }
    assert callers == {("platform", "LitellmTaskRole")}


def s3_bucket_parameters(statements: list[TemplateDict]) -> set[str]:
    buckets = set()
    for statement in statements:
        if not any(a.startswith("s3:") for a in actions_of(statement)):
            continue
        for resource in as_list(statement["Resource"]):
            text, variables = resource["Fn::Sub"]
            assert text.startswith("arn:${AWS::Partition}:s3:::${Bucket}")
            buckets.add(variables["Bucket"]["Ref"])
    return buckets


@pytest.mark.parametrize("role", ["LangfuseWebTaskRole", "LangfuseWorkerTaskRole"])
def test_langfuse_reaches_the_events_and_media_buckets_and_nothing_else(compiled: Compiled, role: str) -> None:
    statements = role_statements(compiled.templates["observability"], role)
    assert s3_bucket_parameters(statements) == {"LangfuseEventsBucketName", "LangfuseMediaBucketName"}
    others = [s for s in statements if not any(a.startswith("s3:") for a in actions_of(s))]
    assert others == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [ref("DataKeyArn")]}
    ]


@pytest.mark.parametrize(
    ("layer", "role", "access_point"),
    [
        ("platform", "CoderTaskRole", "CoderAccessPoint0"),
        ("observability", "ClickhouseTaskRole", "ClickhouseAccessPoint0"),
    ],
)
def test_efs_clients_mount_and_write_only_through_their_access_point(
    compiled: Compiled, layer: str, role: str, access_point: str
) -> None:
    mounts = [
        s for s in role_statements(compiled.templates[layer], role) if "elasticfilesystem:ClientMount" in s["Action"]
    ]
    assert len(mounts) == 1
    assert mounts[0]["Action"] == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    assert mounts[0]["Condition"] == {
        "StringEquals": {"elasticfilesystem:AccessPointArn": get_att(access_point, "Arn")}
    }


@pytest.mark.parametrize(
    ("layer", "role"),
    [
        ("platform", "LitellmTaskRole"),
        ("platform", "KeyProvisionerTaskRole"),
        ("observability", "LangfuseWebTaskRole"),
        ("observability", "LangfuseWorkerTaskRole"),
    ],
)
def test_services_without_volumes_get_no_efs_client_access(compiled: Compiled, layer: str, role: str) -> None:
    actions = [a for s in role_statements(compiled.templates[layer], role) for a in actions_of(s)]
    assert not [a for a in actions if a.startswith("elasticfilesystem:Client")]


def secret_parameter(secret: str) -> str:
    return contract.database_secret_arn().name if secret == DATABASE_SECRET else contract.secret_arn(secret).name


def container_secret_parameters(template: TemplateDict) -> set[str]:
    """The secrets (as the Parameters holding their ARNs) every container of every task of a template gets."""
    found = set()
    for task in resources_of_type(template, "AWS::ECS::TaskDefinition").values():
        for container in task["Properties"]["ContainerDefinitions"]:
            for secret in container.get("Secrets", []):
                value = secret["ValueFrom"]
                found.add(value["Ref"] if "Ref" in value else value["Fn::Join"][1][0]["Ref"])
    return found


@pytest.mark.parametrize("layer", ["platform", "observability"])
def test_execution_role_reads_exactly_the_secrets_its_tasks_name(compiled: Compiled, layer: str) -> None:
    services = getattr(compiled.spec, layer).services.values()
    named = {secret_parameter(r.secret) for service in services for r in service.secrets.values()}
    # The database bootstrap's containers add the master secret, and nothing else the apps do not name.
    assert container_secret_parameters(compiled.templates[layer]) == named | {contract.database_secret_arn().name}
    named = container_secret_parameters(compiled.templates[layer])
    statements = role_statements(compiled.templates[layer], "TaskExecutionRole")
    (reads,) = [s for s in statements if "secretsmanager:GetSecretValue" in actions_of(s)]
    assert actions_of(reads) == ["secretsmanager:GetSecretValue"]
    granted = [resource["Ref"] for resource in reads["Resource"]]
    assert len(granted) == len(set(granted))
    assert set(granted) == named


def test_platform_execution_role_never_reads_observability_secrets(compiled: Compiled) -> None:
    (reads,) = [
        s
        for s in role_statements(compiled.templates["platform"], "TaskExecutionRole")
        if "secretsmanager:GetSecretValue" in actions_of(s)
    ]
    assert not [r for r in reads["Resource"] if r["Ref"].startswith("ProdLangfuse")]


@pytest.mark.parametrize("layer", ["platform", "observability"])
def test_execution_role_writes_only_the_layer_log_groups(compiled: Compiled, layer: str) -> None:
    template = compiled.templates[layer]
    statements = role_statements(template, "TaskExecutionRole")
    (writes,) = [s for s in statements if "logs:PutLogEvents" in actions_of(s)]
    assert sorted(actions_of(writes)) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    log_groups = [get_att(name, "Arn") for name in resources_of_type(template, "AWS::Logs::LogGroup")]
    assert sorted(map(str, writes["Resource"])) == sorted(map(str, log_groups))


def test_execution_role_pulls_only_from_the_ecr_repositories_of_its_images(compiled: Compiled) -> None:
    statements = role_statements(compiled.templates["platform"], "TaskExecutionRole")
    (pull,) = [s for s in statements if "ecr:BatchGetImage" in actions_of(s)]
    assert pull["Resource"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:ecr:us-west-2:${AWS::AccountId}:repository/key-provisioner"}
    ]
    assert not [
        s for s in role_statements(compiled.templates["observability"], "TaskExecutionRole") if "ecr:" in str(s)
    ]


def secret_reads(statements: list[TemplateDict]) -> list[TemplateDict]:
    return [s for s in statements if any(a.startswith("secretsmanager:") for a in actions_of(s))]


def test_coders_task_role_reads_exactly_the_direct_path_client_secret(compiled: Compiled) -> None:
    """Workspace templates (run by Coder's provisioner) read prod/alb/oidc to sign their own rules in."""
    statements = role_statements(compiled.templates["platform"], "CoderTaskRole")
    assert secret_reads(statements) == [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [ref("ProdAlbOidcSecretArn")]}
    ]
    assert contract.secret_arn("prod/alb/oidc").name == "ProdAlbOidcSecretArn"
    (decrypt,) = [s for s in statements if "kms:Decrypt" in actions_of(s)]
    assert decrypt == {
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [ref("DataKeyArn")],
        "Condition": {
            "StringEquals": {
                "kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"},
                "kms:EncryptionContext:SecretARN": ref("ProdAlbOidcSecretArn"),
            }
        },
    }


def test_no_task_role_but_coders_reads_any_secret(compiled: Compiled) -> None:
    """Containers get their secrets through the execution role; a task role reading one is the exception."""
    readers = {
        (layer, role)
        for layer, role, statement in all_statements(compiled)
        if role != "TaskExecutionRole" and secret_reads([statement])
    }
    assert readers == {("platform", "CoderTaskRole")}


@pytest.mark.parametrize("name", ["key-provisioner"])
def test_roles_without_grants_have_no_policy_at_all(compiled: Compiled, name: str) -> None:
    role = compiled.templates["platform"]["Resources"][logical_id(name, "task-role")]["Properties"]
    assert "Policies" not in role


# --------------------------------------------------------------------------- allow()


def statement_dict(statement: Any) -> dict[str, Any]:
    result: dict[str, Any] = statement.JSONrepr()
    return result


@pytest.mark.parametrize(
    "action",
    [Action("*"), Action("s3", "*"), Action("ecs", "*")],
    ids=["star", "s3-star", "ecs-star"],
)
def test_allow_refuses_a_wildcard_action_whatever_the_resource(action: Action) -> None:
    with pytest.raises(UnscopedGrant, match="wildcard action"):
        allow([action], ["arn:aws:s3:::bucket/*"])


@pytest.mark.parametrize("action", [s3.GetObject, bedrock.InvokeModel, ecr.BatchGetImage])
def test_allow_refuses_an_unlisted_action_on_resource_star(action: Action) -> None:
    with pytest.raises(UnscopedGrant, match=action.JSONrepr()):
        allow([action], ["*"])


def test_allow_refuses_a_mix_that_hides_one_unlisted_action_on_star() -> None:
    with pytest.raises(UnscopedGrant, match="s3:GetObject"):
        allow([ecr.GetAuthorizationToken, s3.GetObject], ["*"])


def test_allow_grants_a_listed_action_on_resource_star() -> None:
    statement = statement_dict(allow([ecr.GetAuthorizationToken], ["*"]))
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == ["*"]


def test_allow_grants_any_exact_action_on_a_scoped_resource_and_keeps_the_condition() -> None:
    condition = Condition(StringEquals("aws:ResourceTag/team", "ai"))
    statement = allow([s3.GetObject], ["arn:aws:s3:::bucket/*"], condition)
    assert statement.Resource == ["arn:aws:s3:::bucket/*"]
    assert statement.Condition is condition
