"""The ``${...}`` vocabulary: what each reference means, why an unknown one is refused, and how it compiles."""

from __future__ import annotations

import re

import pytest
from troposphere import Ref

from cfncompiler import contract
from cfncompiler.layers.common import Layer
from cfncompiler.spec.model import Spec
from cfncompiler.spec.references import CrossLayer, Known, Meaning, Pseudo, UnknownReference, meaning, references
from tests.spec_edit import production


@pytest.fixture(scope="module")
def spec() -> Spec:
    return production().spec


MEANINGS: list[tuple[str, Meaning]] = [
    ("database.host", CrossLayer(contract.database_endpoint())),
    ("database.port", Known("5432")),
    ("database.name", Known("coder")),
    ("database.username", Known("coder_admin")),
    # An application's own database and login (data.database.databases).
    ("database.litellm.name", Known("litellm")),
    ("database.litellm.username", Known("litellm")),
    ("database.langfuse.username", Known("langfuse")),
    ("cache.host", CrossLayer(contract.cache_endpoint())),
    ("cache.port", Known("6379")),
    ("bucket.langfuse-events", CrossLayer(contract.bucket_name("langfuse-events"))),
    ("security_group.ecs-workspaces", CrossLayer(contract.security_group_id("ecs-workspaces"))),
    ("subnets.app", CrossLayer(contract.subnet_ids("app"))),
    ("service.litellm.host", Known("litellm.coder-production.local")),
    ("service.langfuse-web.host", Known("langfuse.coder-production.local")),
    ("service.clickhouse.port", Known("8123")),
    ("service.litellm.port", Known("4000")),
    ("file_system.id", CrossLayer(contract.file_system_id())),
    ("cluster.arn", CrossLayer(contract.cluster_arn())),
    ("cluster.name", CrossLayer(contract.cluster_name())),
    ("execution_role.arn", CrossLayer(contract.execution_role_arn())),
    ("workspace_role.arn", CrossLayer(contract.workspace_role_arn())),
    ("listener.arn", CrossLayer(contract.listener_arn())),
    ("listener.workspace_priority_first", Known("49000")),
    ("listener.workspace_priority_last", Known("49999")),
    ("direct_path.hosts", Known("ide.company.com", is_list=True)),
    ("direct_path.issuer", Known("https://login.microsoftonline.com/company.onmicrosoft.com/v2.0")),
    ("direct_path.user_info_endpoint", Known("https://graph.microsoft.com/oidc/userinfo")),
    ("direct_path.scope", Known("openid profile email")),
    ("direct_path.session_timeout_seconds", Known("28800")),
    ("direct_path.secret_arn", CrossLayer(contract.secret_arn("prod/alb/oidc"))),
    ("direct_path.client_id_key", Known("client_id")),
    ("direct_path.client_secret_key", Known("client_secret")),
    ("workspaces.log_group", CrossLayer(contract.workspace_log_group())),
    ("project", Known("coder-production")),
    ("region", Known("us-west-2")),
    ("account", Pseudo("AWS::AccountId")),
]


@pytest.mark.parametrize(("reference", "expected"), MEANINGS, ids=[r for r, _ in MEANINGS])
def test_each_reference_means_what_the_vocabulary_says(spec: Spec, reference: str, expected: Meaning) -> None:
    assert meaning(spec, reference) == expected


def test_every_kind_of_reference_has_a_meaning_case(spec: Spec) -> None:
    with pytest.raises(UnknownReference) as caught:
        meaning(spec, "nothing")
    listed = re.search(r"\(known: ([^)]*)\)", str(caught.value))
    assert listed is not None
    kinds = set(listed.group(1).split(", "))
    assert kinds == {reference.split(".")[0] for reference, _ in MEANINGS}


def test_subnet_references_are_lists(spec: Spec) -> None:
    target = meaning(spec, "subnets.app")
    assert isinstance(target, CrossLayer)
    assert target.value.type == "List<AWS::EC2::Subnet::Id>"


UNKNOWN = [
    ("nothing", "unknown reference '${nothing}' (known: account, bucket, cache,"),
    ("", "unknown reference '${}'"),
    ("database.password", "unknown reference '${database.password}' (choose from: host, name, port, username)"),
    ("database", "unknown reference '${database}' (choose from:"),
    ("database.host.name", "unknown reference '${database.host.name}'"),
    ("cache.password", "unknown reference '${cache.password}' (choose from: host, port)"),
    (
        "database.grafana.username",
        "unknown reference '${database.grafana.username}' (databases under data.database.databases: coder, litellm,",
    ),
    ("database.litellm.password", "unknown reference '${database.litellm.password}' (choose from: name, username)"),
    ("bucket.logs", "'${bucket.logs}' names no bucket (known: terraform-state, backups, artifacts,"),
    ("bucket", "'${bucket}' names no bucket"),
    ("security_group.web", "'${security_group.web}' names no security group (known: alb, ecs-services,"),
    ("subnets.private", "'${subnets.private}' names no tier (known: public, app, data)"),
    ("service.grafana.host", "must be ${service.NAME.host} or ${service.NAME.port} with NAME one of: coder, litellm,"),
    ("service.litellm.url", "must be ${service.NAME.host} or ${service.NAME.port}"),
    ("service.litellm", "must be ${service.NAME.host} or ${service.NAME.port}"),
    ("service.langfuse-worker.host", "service 'langfuse-worker' has no discovery name, so it has no host"),
    ("file_system.arn", "unknown reference '${file_system.arn}' (choose from: id)"),
    ("cluster.id", "unknown reference '${cluster.id}' (choose from: arn, name)"),
    ("listener", "unknown reference '${listener}' (choose from: arn, workspace_priority_first,"),
    (
        "direct_path.client_secret",
        "unknown reference '${direct_path.client_secret}' (choose from: authorization_endpoint,",
    ),
    ("project.name", "'${project.name}' takes no '.name'"),
    ("account.id", "'${account.id}' takes no '.id'"),
]


@pytest.mark.parametrize(("reference", "fragment"), UNKNOWN, ids=[r or "empty" for r, _ in UNKNOWN])
def test_unknown_reference_says_what_would_be_valid(spec: Spec, reference: str, fragment: str) -> None:
    with pytest.raises(UnknownReference) as caught:
        meaning(spec, reference)
    assert fragment in str(caught.value)


def test_the_direct_path_is_no_reference_in_a_spec_without_one(spec: Spec) -> None:
    without = spec.model_copy(update={"platform": spec.platform.model_copy(update={"direct_path": None})})
    with pytest.raises(UnknownReference, match=r"names the direct path, but the spec has no platform\.direct_path"):
        meaning(without, "direct_path.issuer")


def test_the_client_secret_itself_can_never_be_referenced(spec: Spec) -> None:
    """Only the secret's ARN and its key names are words of the spec; its values never are."""
    for reference in ("direct_path.client_secret", "direct_path.client_id", "direct_path.secret", "direct_path.oidc"):
        with pytest.raises(UnknownReference):
            meaning(spec, reference)


def test_the_database_password_can_never_be_referenced(spec: Spec) -> None:
    for reference in ("database.password", "database.secret", "database.url"):
        with pytest.raises(UnknownReference):
            meaning(spec, reference)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "postgres://${database.username}@${database.host}:${database.port}/x",
            ["database.username", "database.host", "database.port"],
        ),
        ("plain text, $HOME and {braces}", []),
        ("${region}-${region}", ["region", "region"]),
        ("${}", [""]),
    ],
)
def test_references_finds_every_dollar_brace_in_order(text: str, found: list[str]) -> None:
    assert references(text) == found


# --------------------------------------------------------------------------- as compiled (Layer.interpolate)


def compiled(spec: Spec, text: str) -> tuple[object, dict[str, object]]:
    """``text`` interpolated in a fresh layer, as template JSON, with the Parameters it declared."""
    layer = Layer(spec, "test", "interpolation")
    value = layer.interpolate(text)
    rendered = value.to_dict() if hasattr(value, "to_dict") else value
    parameters = layer.template.to_dict().get("Parameters", {})
    return rendered, parameters


def test_known_values_compile_to_plain_text(spec: Spec) -> None:
    assert compiled(spec, "http://${service.litellm.host}:${service.litellm.port}/${project}") == (
        "http://litellm.coder-production.local:4000/coder-production",
        {},
    )


def test_text_without_references_is_unchanged(spec: Spec) -> None:
    assert compiled(spec, "*.company.com") == ("*.company.com", {})


def test_a_whole_cross_layer_value_is_a_ref_to_its_parameter(spec: Spec) -> None:
    value, parameters = compiled(spec, "${cache.host}")
    assert value == {"Ref": "CacheEndpoint"}
    assert parameters == {"CacheEndpoint": {"Type": "String", "Description": contract.cache_endpoint().description}}


def test_a_whole_list_value_is_joined_with_commas(spec: Spec) -> None:
    value, parameters = compiled(spec, "${subnets.app}")
    assert value == {"Fn::Join": [",", {"Ref": "AppSubnetIds"}]}
    assert parameters["AppSubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"


def test_mixed_text_is_a_sub_with_known_parts_inlined(spec: Spec) -> None:
    value, _ = compiled(spec, "postgres://${database.username}@${database.host}:${database.port}/${database.name}")
    assert value == {
        "Fn::Sub": [
            "postgres://coder_admin@${DatabaseEndpoint}:5432/coder",
            {"DatabaseEndpoint": {"Ref": "DatabaseEndpoint"}},
        ]
    }


def test_pseudo_parameters_compile_to_a_plain_sub(spec: Spec) -> None:
    value, parameters = compiled(spec, "${account}.dkr.ecr.${region}.amazonaws.com/app:1")
    assert value == {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.us-west-2.amazonaws.com/app:1"}
    assert parameters == {}


def test_a_value_this_layer_publishes_is_used_directly_not_taken_as_a_parameter(spec: Spec) -> None:
    layer = Layer(spec, "test", "interpolation")
    layer.publish(contract.cluster_name(), Ref("Cluster"))
    assert layer.interpolate("${cluster.name}").to_dict() == {"Ref": "Cluster"}
    assert "Parameters" not in layer.template.to_dict()
