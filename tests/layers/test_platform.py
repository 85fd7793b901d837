"""The platform layer: cluster, certificate, internal ALB and its routes, the Terraform bridge, and assets."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from cfncompiler.naming import (
    DIRECT_PATH_PRIORITY,
    ROUTE_PRIORITIES,
    WILDCARD_PRIORITY,
    WORKSPACE_PRIORITIES,
    listener_priority,
    logical_id,
)
from cfncompiler.spec.load import load_spec
from cfncompiler.spec.rules.cross_section import alb_matches
from cfncompiler.templates.assets import asset_files, asset_prefix
from tests.spec_edit import (
    LITELLM_DIR,
    ROOT,
    Compiled,
    TemplateDict,
    compile_templates,
    container,
    get_att,
    production_text,
    props,
    ref,
    resources_of_type,
    role_statements,
    write_project,
)

# --------------------------------------------------------------------------- cluster


def test_cluster_has_container_insights(compiled_platform: TemplateDict) -> None:
    assert props(compiled_platform, "Cluster")["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]


def test_cluster_offers_fargate_and_fargate_spot(compiled_platform: TemplateDict) -> None:
    association = props(compiled_platform, "ClusterCapacityProviders")
    assert association["Cluster"] == ref("Cluster")
    assert association["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]


@pytest.mark.parametrize("name", ["coder", "litellm", "key-provisioner"])
def test_platform_services_wait_for_the_capacity_providers(compiled_platform: TemplateDict, name: str) -> None:
    service = compiled_platform["Resources"][logical_id(name, "service")]
    assert service["Properties"]["Cluster"] == ref("Cluster")
    assert "ClusterCapacityProviders" in service["DependsOn"]


# --------------------------------------------------------------------------- certificate and load balancer


def test_certificate_covers_the_design_names_with_dns_validation(compiled_platform: TemplateDict) -> None:
    certificate = props(compiled_platform, "Certificate")
    assert certificate["DomainName"] == "coder.company.com"
    assert certificate["SubjectAlternativeNames"] == ["*.company.com", "ide.company.com"]
    assert certificate["ValidationMethod"] == "DNS"


def test_load_balancer_is_internal_in_the_app_subnets_behind_the_alb_group(compiled_platform: TemplateDict) -> None:
    balancer = props(compiled_platform, "LoadBalancer")
    assert balancer["Type"] == "application"
    assert balancer["Scheme"] == "internal"
    assert balancer["Subnets"] == ref("AppSubnetIds")
    assert balancer["SecurityGroups"] == [ref("AlbSecurityGroupId")]
    attributes = {a["Key"]: a["Value"] for a in balancer["LoadBalancerAttributes"]}
    assert attributes["idle_timeout.timeout_seconds"] == "3600"


def test_listener_is_https_443_with_the_certificate_and_a_tls12_plus_policy(compiled_platform: TemplateDict) -> None:
    listener = props(compiled_platform, "HttpsListener")
    assert listener["LoadBalancerArn"] == ref("LoadBalancer")
    assert (listener["Protocol"], listener["Port"]) == ("HTTPS", 443)
    assert listener["Certificates"] == [{"CertificateArn": ref("Certificate")}]
    # TLS13-1-2-* allows TLS 1.2 and 1.3; TLS13-1-3-* allows 1.3 only. Nothing older.
    assert listener["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"


def test_listener_answers_unrouted_hosts_with_a_plain_404(compiled_platform: TemplateDict) -> None:
    (action,) = props(compiled_platform, "HttpsListener")["DefaultActions"]
    assert action["Type"] == "fixed-response"
    assert action["FixedResponseConfig"]["StatusCode"] == "404"


def test_only_the_https_listener_exists(compiled_platform: TemplateDict) -> None:
    assert list(resources_of_type(compiled_platform, "AWS::ElasticLoadBalancingV2::Listener")) == ["HttpsListener"]


# --------------------------------------------------------------------------- routes

# Priorities the production and staging routes had before the reserved blocks existed.
DEPLOYED_PRIORITIES = [
    ("coder.company.com", 10212),
    ("ai.company.com", 21200),
    ("admin.company.com", 37863),
    ("langfuse.company.com", 22283),
    ("coder.staging.company.com", 35603),
    ("ai.staging.company.com", 41968),
    ("admin.staging.company.com", 16964),
    ("langfuse.staging.company.com", 12941),
]

PLATFORM_ROUTES = [
    ("coder", "coder.company.com", 7080, "/healthz"),
    ("litellm", "ai.company.com", 4000, "/health/liveliness"),
    ("key-provisioner", "admin.company.com", 8100, "/health"),
]


@pytest.mark.parametrize(("name", "host", "port", "health_path"), PLATFORM_ROUTES)
def test_host_is_forwarded_to_the_service_port_with_a_fitting_health_check(
    compiled_platform: TemplateDict, name: str, host: str, port: int, health_path: str
) -> None:
    target_group = logical_id(name, "target-group")
    rule = props(compiled_platform, logical_id(name, "route"))
    assert rule["ListenerArn"] == ref("HttpsListener")
    assert rule["Conditions"] == [{"Field": "host-header", "HostHeaderConfig": {"Values": [host]}}]
    assert rule["Actions"] == [{"Type": "forward", "TargetGroupArn": ref(target_group)}]
    assert rule["Priority"] == listener_priority(host, None)
    group = props(compiled_platform, target_group)
    assert (group["TargetType"], group["Protocol"], group["Port"]) == ("ip", "HTTP", port)
    assert group["VpcId"] == ref("VpcId")
    assert group["HealthCheckPath"] == health_path
    service = props(compiled_platform, logical_id(name, "service"))
    assert service["LoadBalancers"] == [
        {"ContainerName": name, "ContainerPort": port, "TargetGroupArn": ref(target_group)}
    ]


def listener_rules(compiled: Compiled) -> dict[str, TemplateDict]:
    return {
        name: body["Properties"]
        for layer in ("platform", "observability")
        for name, body in resources_of_type(
            compiled.templates[layer], "AWS::ElasticLoadBalancingV2::ListenerRule"
        ).items()
    }


def test_listener_rule_priorities_are_distinct_across_layers(compiled: Compiled) -> None:
    priorities = [rule["Priority"] for rule in listener_rules(compiled).values()]
    assert len(priorities) == 6, "four routes, Coder's wildcard hosts and the direct path"
    assert len(set(priorities)) == len(priorities)
    assert all(1 <= p <= 50000 for p in priorities)


def test_routes_take_priorities_of_the_route_block_and_the_direct_path_the_last_number(compiled: Compiled) -> None:
    rules = listener_rules(compiled)
    assert rules.pop("DirectPathRule")["Priority"] == DIRECT_PATH_PRIORITY == 50000
    assert rules.pop("CoderWildcardRoute")["Priority"] == WILDCARD_PRIORITY == 48999
    assert all(rule["Priority"] in ROUTE_PRIORITIES for rule in rules.values()), rules
    assert not [r for r in rules.values() if r["Priority"] in WORKSPACE_PRIORITIES]


def test_listener_priority_is_stable_and_explicit_priority_wins() -> None:
    assert listener_priority("coder.company.com", None) == listener_priority("coder.company.com", None)
    assert listener_priority("coder.company.com", None) != listener_priority("ai.company.com", None)
    assert listener_priority("coder.company.com", 7) == 7


def test_the_deployed_routes_keep_the_priorities_their_rules_already_have() -> None:
    """Moving the reserved blocks out of the route block must not renumber a deployed rule: CloudFormation
    updates rules one at a time, and two rules trading numbers would collide (PriorityInUse)."""
    assert [listener_priority(host, None) for host, _ in DEPLOYED_PRIORITIES] == [p for _, p in DEPLOYED_PRIORITIES]


def test_a_derived_priority_never_falls_in_the_blocks_kept_for_the_direct_path() -> None:
    hosts = [f"ws{i}.company.com" for i in range(2000)]
    landed_in_reserved = [h for h in hosts if 1 + zlib.crc32(h.encode()) % 49999 >= WORKSPACE_PRIORITIES.start]
    assert landed_in_reserved, "the check needs hosts whose plain hash lands in the reserved blocks"
    assert all(listener_priority(h, None) in ROUTE_PRIORITIES for h in hosts)
    assert set(ROUTE_PRIORITIES).isdisjoint(WORKSPACE_PRIORITIES)
    assert DIRECT_PATH_PRIORITY not in ROUTE_PRIORITIES and DIRECT_PATH_PRIORITY not in WORKSPACE_PRIORITIES
    assert WORKSPACE_PRIORITIES[-1] < DIRECT_PATH_PRIORITY, "workspace rules are evaluated before the catch-all"
    assert WILDCARD_PRIORITY not in ROUTE_PRIORITIES and WILDCARD_PRIORITY not in WORKSPACE_PRIORITIES
    assert ROUTE_PRIORITIES[-1] < WILDCARD_PRIORITY, "the wildcard rule is evaluated after every exact route"


def before_the_wildcard_rule(host: str) -> int:
    """The derivation as it was while the route block was 1-48999."""
    digest = zlib.crc32(host.encode())
    derived = 1 + digest % 49999
    return derived if derived < WORKSPACE_PRIORITIES.start else 1 + digest % 48999


def test_reserving_the_wildcard_number_moves_only_the_hosts_that_had_it() -> None:
    hosts = [f"ws{i}.company.com" for i in range(200000)]
    had_it = [h for h in hosts if before_the_wildcard_rule(h) == WILDCARD_PRIORITY]
    assert had_it, "the check needs a host whose old number is the wildcard rule's"
    assert all(listener_priority(h, None) in ROUTE_PRIORITIES for h in had_it)
    assert all(listener_priority(h, None) == before_the_wildcard_rule(h) for h in hosts if h not in had_it)


# --------------------------------------------------------------------------- wildcard hosts


def test_coders_wildcard_hosts_forward_to_its_target_group_after_every_exact_route(compiled: Compiled) -> None:
    rules = listener_rules(compiled)
    wildcard = rules.pop("CoderWildcardRoute")
    assert wildcard["ListenerArn"] == ref("HttpsListener")
    assert wildcard["Conditions"] == [{"Field": "host-header", "HostHeaderConfig": {"Values": ["*--*.company.com"]}}]
    assert wildcard["Actions"] == props(compiled.templates["platform"], "CoderRoute")["Actions"]
    assert wildcard["Actions"] == [{"Type": "forward", "TargetGroupArn": ref("CoderTargetGroup")}]
    direct = rules.pop("DirectPathRule")
    assert all(rule["Priority"] < wildcard["Priority"] for rule in rules.values()), "after every exact route"
    # The direct path's rule comes after (50000 is the last number), so the pattern must not match its hosts.
    (pattern,) = wildcard["Conditions"][0]["HostHeaderConfig"]["Values"]
    assert not any(alb_matches(pattern, host) for host in direct["Conditions"][0]["HostHeaderConfig"]["Values"])
    assert alb_matches(pattern, "8080--main--ws--alice.company.com")


def test_the_wildcard_hosts_keep_their_dns_name_without_extra_hosts() -> None:
    spec = load_spec(ROOT / "spec" / "production.yaml")
    assert spec.platform.load_balancer.extra_hosts == []
    assert spec.alb_hosts() == [
        "coder.company.com",
        "ai.company.com",
        "admin.company.com",
        "langfuse.company.com",
        "ide.company.com",
        "*.company.com",
    ]


# --------------------------------------------------------------------------- the workspaces' direct path


def direct_path_actions(template: TemplateDict) -> list[TemplateDict]:
    return sorted(props(template, "DirectPathRule")["Actions"], key=lambda action: action["Order"])


def test_the_direct_path_rule_matches_its_hosts_on_the_https_listener_last(compiled_platform: TemplateDict) -> None:
    rule = props(compiled_platform, "DirectPathRule")
    assert rule["ListenerArn"] == ref("HttpsListener")
    assert rule["Priority"] == DIRECT_PATH_PRIORITY
    assert rule["Conditions"] == [{"Field": "host-header", "HostHeaderConfig": {"Values": ["ide.company.com"]}}]


def test_the_direct_path_authenticates_with_oidc_before_any_other_action(compiled_platform: TemplateDict) -> None:
    actions = props(compiled_platform, "DirectPathRule")["Actions"]
    orders = [action["Order"] for action in actions]
    assert len(set(orders)) == len(orders), "the ALB runs actions by Order; two with one Order are ambiguous"
    first, *rest = direct_path_actions(compiled_platform)
    assert first["Type"] == "authenticate-oidc"
    assert first["AuthenticateOidcConfig"]["OnUnauthenticatedRequest"] == "authenticate"
    assert [action["Type"] for action in rest] == ["fixed-response"]
    assert all(action["Order"] > first["Order"] for action in rest)


def test_the_direct_path_answers_404_after_sign_in_and_forwards_nowhere(compiled_platform: TemplateDict) -> None:
    last = direct_path_actions(compiled_platform)[-1]
    assert last == {
        "Type": "fixed-response",
        "Order": 2,
        "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
    }


def test_the_direct_path_signs_in_with_the_providers_settings_from_the_spec(
    compiled: Compiled, compiled_platform: TemplateDict
) -> None:
    direct = compiled.spec.platform.direct_path
    assert direct is not None
    config = direct_path_actions(compiled_platform)[0]["AuthenticateOidcConfig"]
    assert {key: config[key] for key in ("Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint")} == {
        "Issuer": direct.oidc.issuer,
        "AuthorizationEndpoint": direct.oidc.authorization_endpoint,
        "TokenEndpoint": direct.oidc.token_endpoint,
        "UserInfoEndpoint": direct.oidc.user_info_endpoint,
    }
    assert (config["Scope"], config["SessionTimeout"]) == ("openid profile email", 28800)


@pytest.mark.parametrize(("field", "key"), [("ClientId", "client_id"), ("ClientSecret", "client_secret")])
def test_the_client_id_and_secret_are_dynamic_references_to_prod_alb_oidc(
    compiled: Compiled, compiled_platform: TemplateDict, field: str, key: str
) -> None:
    config = direct_path_actions(compiled_platform)[0]["AuthenticateOidcConfig"]
    assert config[field] == {
        "Fn::Sub": [
            f"{{{{resolve:secretsmanager:${{Secret}}:SecretString:{key}}}}}",
            {"Secret": ref("ProdAlbOidcSecretArn")},
        ]
    }
    # The parameter is filled from the data layer's Output of the same name: the secret named prod/alb/oidc.
    assert "ProdAlbOidcSecretArn" in compiled_platform["Parameters"]
    data = compiled.templates["data"]
    assert data["Outputs"]["ProdAlbOidcSecretArn"]["Value"] == ref("SecretProdAlbOidc")
    assert props(data, "SecretProdAlbOidc")["Name"] == "prod/alb/oidc"


def test_no_platform_rule_forwards_a_direct_path_host(compiled: Compiled) -> None:
    forwarding = {
        name
        for name, rule in listener_rules(compiled).items()
        if any(a["Type"] == "forward" for a in rule["Actions"]) and "ide.company.com" in str(rule["Conditions"])
    }
    assert forwarding == set()


def test_without_a_direct_path_there_is_no_rule_and_no_client_secret_parameter(tmp_path: Path) -> None:
    text = production_text()
    start = text.index("  direct_path:\n")
    end = text.index("  # workspaceOutputs of the design")
    bridge = "\n".join(
        line for line in text[end:].splitlines() if "${direct_path." not in line and "${listener.workspace" not in line
    )
    platform = compile_templates(write_project(tmp_path, text[:start] + bridge + "\n"))["platform"]
    assert "DirectPathRule" not in platform["Resources"]
    assert "ProdAlbOidcSecretArn" not in platform["Parameters"]


# --------------------------------------------------------------------------- IAM roles of the layer


def test_one_execution_role_and_a_task_role_per_service_plus_workspaces(compiled_platform: TemplateDict) -> None:
    assert sorted(resources_of_type(compiled_platform, "AWS::IAM::Role")) == sorted(
        ["TaskExecutionRole", "CoderTaskRole", "LitellmTaskRole", "KeyProvisionerTaskRole", "WorkspaceTaskRole"]
    )


# --------------------------------------------------------------------------- Terraform bridge

# design's workspaceOutputs: Output name, SSM name, value.
BRIDGE = [
    ("ClusterArn", "cluster-arn", get_att("Cluster", "Arn")),
    ("TaskExecutionRoleArn", "task-execution-role-arn", get_att("TaskExecutionRole", "Arn")),
    ("WorkspaceTaskRoleArn", "workspace-task-role-arn", get_att("WorkspaceTaskRole", "Arn")),
    ("WorkspaceSecurityGroupId", "workspace-security-group-id", ref("EcsWorkspacesSecurityGroupId")),
    ("PrivateSubnetIds", "private-subnet-ids", {"Fn::Join": [",", ref("AppSubnetIds")]}),
    ("EfsFileSystemId", "efs-file-system-id", ref("FileSystemId")),
    ("AlbListenerArn", "alb-listener-arn", ref("HttpsListener")),
    # What a workspace template's own rule on the direct path needs.
    ("DirectPathHosts", "direct-path-hosts", "ide.company.com"),
    (
        "DirectPathOidcIssuer",
        "direct-path-oidc-issuer",
        "https://login.microsoftonline.com/company.onmicrosoft.com/v2.0",
    ),
    (
        "DirectPathOidcUserInfoEndpoint",
        "direct-path-oidc-user-info-endpoint",
        "https://graph.microsoft.com/oidc/userinfo",
    ),
    ("DirectPathOidcScope", "direct-path-oidc-scope", "openid profile email"),
    ("DirectPathOidcSessionTimeout", "direct-path-oidc-session-timeout", "28800"),
    ("DirectPathOidcSecretArn", "direct-path-oidc-secret-arn", ref("ProdAlbOidcSecretArn")),
    ("DirectPathOidcClientIdKey", "direct-path-oidc-client-id-key", "client_id"),
    ("DirectPathOidcClientSecretKey", "direct-path-oidc-client-secret-key", "client_secret"),
    ("WorkspaceRulePriorityFirst", "workspace-rule-priority-first", str(WORKSPACE_PRIORITIES[0])),
    ("WorkspaceRulePriorityLast", "workspace-rule-priority-last", str(WORKSPACE_PRIORITIES[-1])),
]
LIST_PARAMETERS = {"private-subnet-ids", "direct-path-hosts"}


@pytest.mark.parametrize(("output", "parameter", "value"), BRIDGE)
def test_bridge_value_is_a_stack_output(
    compiled_platform: TemplateDict, output: str, parameter: str, value: object
) -> None:
    assert compiled_platform["Outputs"][output]["Value"] == value


@pytest.mark.parametrize(("output", "parameter", "value"), BRIDGE)
def test_bridge_value_is_an_ssm_parameter_under_the_project_prefix(
    compiled_platform: TemplateDict, output: str, parameter: str, value: object
) -> None:
    found = [
        body["Properties"]
        for body in resources_of_type(compiled_platform, "AWS::SSM::Parameter").values()
        if body["Properties"]["Name"] == f"/coder-production/{parameter}"
    ]
    assert len(found) == 1, f"expected one SSM parameter /coder-production/{parameter}"
    assert found[0]["Value"] == value
    assert found[0]["Type"] == ("StringList" if parameter in LIST_PARAMETERS else "String")


def bridge_parameters(template: TemplateDict) -> dict[str, TemplateDict]:
    """SSM parameter name -> its properties, for every parameter the platform publishes."""
    return {
        body["Properties"]["Name"]: body["Properties"]
        for body in resources_of_type(template, "AWS::SSM::Parameter").values()
    }


README_TABLE_ROW = re.compile(
    r"^\| `(?P<parameter>/coder-production/[a-z0-9-]+)` \| `(?P<output>\w+)` \|", re.MULTILINE
)
README_HCL_READ = re.compile(
    r'^data "aws_ssm_parameter" "(?P<label>\w+)"\s+\{ name = "(?P<parameter>[^"]+)" \}$', re.MULTILINE
)
README_HCL_USE = re.compile(r"data\.aws_ssm_parameter\.(?P<label>\w+)\.value")


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_bridge_table_is_every_parameter_the_platform_publishes_with_its_output(
    compiled_platform: TemplateDict,
) -> None:
    rows = {m["parameter"]: m["output"] for m in README_TABLE_ROW.finditer(readme())}
    published = bridge_parameters(compiled_platform)
    assert sorted(rows) == sorted(published)
    for parameter, output in rows.items():
        assert compiled_platform["Outputs"][output]["Value"] == published[parameter]["Value"], parameter


def test_the_readme_hcl_reads_parameters_that_exist_and_holds_the_values_the_table_says(
    compiled_platform: TemplateDict,
) -> None:
    reads = {m["label"]: m["parameter"] for m in README_HCL_READ.finditer(readme())}
    published = bridge_parameters(compiled_platform)
    assert sorted(reads.values()) == sorted(published), "one data source per published parameter"
    for label, parameter in reads.items():
        # The data source is named after the parameter, so the HCL says which value it reads.
        assert label == parameter.rsplit("/", 1)[1].replace("-", "_"), label
    used = {m["label"] for m in README_HCL_USE.finditer(readme())}
    assert used <= set(reads), f"the HCL uses data sources it never declares: {used - set(reads)}"
    direct_path = {label for label in reads if label.startswith(("direct_path_", "workspace_rule_priority_"))}
    assert direct_path <= used, f"the direct-path example leaves out {direct_path - used}"


def test_workspace_role_the_bridge_hands_out_is_assumable_by_ecs_tasks_only(compiled_platform: TemplateDict) -> None:
    (trust,) = props(compiled_platform, "WorkspaceTaskRole")["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert trust["Action"] == ["sts:AssumeRole"]


# --------------------------------------------------------------------------- assets


def litellm_assets(template: TemplateDict) -> list[dict[str, str]]:
    return [a for a in template["Metadata"]["cfncompiler"]["assets"] if a["name"] == "litellm"]


def test_metadata_lists_the_litellm_asset_under_its_content_address(compiled_platform: TemplateDict) -> None:
    expected = asset_prefix("litellm", asset_files(LITELLM_DIR))
    assert litellm_assets(compiled_platform) == [
        {"name": "litellm", "source": "../litellm", "prefix": expected, "bucket_parameter": "ArtifactsBucketName"}
    ]
    assert expected.startswith("assets/litellm/")
    assert expected.endswith("/")


def test_litellm_task_fetches_its_asset_prefix_before_starting(compiled_platform: TemplateDict) -> None:
    prefix = litellm_assets(compiled_platform)[0]["prefix"]
    fetcher = container(compiled_platform, "LitellmTask", "fetch-assets")
    assert fetcher["Essential"] is False
    assert fetcher["Command"][-2:] == [
        {"Fn::Sub": [f"s3://${{Bucket}}/{prefix}", {"Bucket": ref("ArtifactsBucketName")}]},
        "/assets",
    ]
    main = container(compiled_platform, "LitellmTask", "litellm")
    assert {"ContainerName": "fetch-assets", "Condition": "SUCCESS"} in main["DependsOn"]
    assert {"SourceVolume": "assets", "ContainerPath": "/app/assets", "ReadOnly": True} in main["MountPoints"]
    assert main["Command"][:2] == ["--config", "/app/assets/config.yaml"]


def test_litellm_task_role_reads_only_under_its_asset_prefix(compiled_platform: TemplateDict) -> None:
    prefix = litellm_assets(compiled_platform)[0]["prefix"]
    reads = [s for s in role_statements(compiled_platform, "LitellmTaskRole") if "s3:GetObject" in s["Action"]]
    assert reads == [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [
                {
                    "Fn::Sub": [
                        f"arn:${{AWS::Partition}}:s3:::${{Bucket}}/{prefix}*",
                        {"Bucket": ref("ArtifactsBucketName")},
                    ]
                }
            ],
        }
    ]
    (listing,) = [s for s in role_statements(compiled_platform, "LitellmTaskRole") if "s3:ListBucket" in s["Action"]]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": f"{prefix}*"}}


@pytest.fixture(scope="module")
def changed_litellm(tmp_path_factory: pytest.TempPathFactory) -> tuple[TemplateDict, TemplateDict]:
    """The platform template compiled from a project copy, before and after one comment line in config.yaml."""
    root = tmp_path_factory.mktemp("assets")
    spec = write_project(root)
    before = compile_templates(spec)["platform"]
    config = root / "litellm" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# tuned\n", encoding="utf-8")
    after = compile_templates(spec)["platform"]
    return before, after


def test_an_unchanged_copy_of_the_assets_has_the_same_prefix(
    changed_litellm: tuple[TemplateDict, TemplateDict], compiled_platform: TemplateDict
) -> None:
    before, _ = changed_litellm
    assert litellm_assets(before) == litellm_assets(compiled_platform)
    assert props(before, "LitellmTask") == props(compiled_platform, "LitellmTask")


def test_changing_a_litellm_file_changes_the_prefix_and_the_task_definition(
    changed_litellm: tuple[TemplateDict, TemplateDict],
) -> None:
    before, after = changed_litellm
    old, new = litellm_assets(before)[0]["prefix"], litellm_assets(after)[0]["prefix"]
    assert old != new
    assert props(before, "LitellmTask") != props(after, "LitellmTask")
    assert new in str(props(after, "LitellmTask")["ContainerDefinitions"])
    assert old not in str(props(after, "LitellmTask")["ContainerDefinitions"])
    assert new in str(props(after, "LitellmTaskRole"))
    # Nothing else in the layer moves: only LiteLLM rolls.
    assert props(before, "CoderTask") == props(after, "CoderTask")


def test_interpreter_droppings_do_not_change_the_prefix(tmp_path: Path) -> None:
    copy = tmp_path / "litellm"
    write_project(tmp_path)
    before = asset_prefix("litellm", asset_files(copy))
    (copy / "hooks" / "__pycache__").mkdir()
    (copy / "hooks" / "__pycache__" / "request_tags.cpython-311.pyc").write_bytes(b"\0compiled")
    (copy / "stray.pyc").write_bytes(b"\0")
    assert asset_prefix("litellm", asset_files(copy)) == before


def test_a_new_hook_file_changes_the_prefix(tmp_path: Path) -> None:
    copy = tmp_path / "litellm"
    write_project(tmp_path)
    before = asset_prefix("litellm", asset_files(copy))
    (copy / "hooks" / "extra.py").write_text("x = 1\n", encoding="utf-8")
    assert asset_prefix("litellm", asset_files(copy)) != before
