"""Preflight (deploy/preflight.py): a layer that would fail or crash-loop is refused before its change set, with
the command that fixes each problem; `--skip-preflight` goes on. Against the sandbox for what moto serves (secrets,
ECR, Route 53), with botocore's Stubber for what it does not (Fargate quotas, denied permissions)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cfncompiler.deploy import preflight
from cfncompiler.deploy.deployer import Options
from cfncompiler.deploy.session import Aws
from cfncompiler.errors import PreflightFailed
from cfncompiler.spec.load import load_spec
from tests.spec_edit import compile_templates

from .conftest import PRODUCTION_SPEC, Recorder, Workspace, count_calls
from .test_cli import run

PROVIDED = ("prod/coder/oidc", "prod/alb/oidc", "prod/litellm/anthropic-api-key", "prod/litellm/custom-llm")
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"})


def stacks_of(workspace: Workspace) -> set[str]:
    summaries = workspace.aws.cloudformation.list_stacks()["StackSummaries"]
    return {s["StackName"] for s in summaries if s["StackStatus"] != "DELETE_COMPLETE"}


def create_provided_secrets_empty(workspace: Workspace) -> None:
    """What the data layer leaves on AWS: the provided secrets, with no value. (moto's CloudFormation stands in
    for AWS::SecretsManager::Secret without creating the secret, so the test creates them as it would.)"""
    spec = load_spec(workspace.spec_path)
    client = workspace.aws.client("secretsmanager")
    for name in PROVIDED:
        client.create_secret(Name=name, Description=spec.data.secrets[name].description)


def fill_provided_secrets(workspace: Workspace) -> None:
    spec = load_spec(workspace.spec_path)
    client = workspace.aws.client("secretsmanager")
    for name in PROVIDED:
        value = {key: "filled" for key in spec.data.secrets[name].keys}
        client.put_secret_value(SecretId=name, SecretString=json.dumps(value))


def push_key_provisioner(workspace: Workspace) -> None:
    ecr = workspace.aws.client("ecr")
    ecr.create_repository(repositoryName="key-provisioner")
    ecr.put_image(repositoryName="key-provisioner", imageManifest=MANIFEST, imageTag="1.4.0")


def zone_section(private: str, public: str) -> Any:
    def change(document: Any) -> None:
        document["platform"]["dns"] = {
            "domain": "company.com",
            "zone_id": private,
            "private": True,
            "validation_zone_id": public,
        }

    return change


def test_preflight_stops_the_platform_before_its_change_set_until_secrets_and_image_are_there(
    workspace: Workspace,
) -> None:
    workspace.deploy("network", "data")
    create_provided_secrets_empty(workspace)
    platform = workspace.project.stack_name("platform")
    image = f"123456789012.dkr.ecr.{workspace.project.region}.amazonaws.com/key-provisioner:1.4.0"

    refused = run(workspace, "deploy", "--layer", "platform", "--yes")
    assert refused.exit_code == 1, refused.output
    assert "Traceback" not in refused.output
    assert "error: Preflight stopped the platform layer before its change set" in refused.stderr
    assert refused.stderr.count("has no value yet") == len(PROVIDED)
    for name in PROVIDED:
        assert f"aws secretsmanager put-secret-value --region {workspace.project.region} --secret-id {name}" in (
            refused.stderr
        )
    assert '--secret-string \'{"client_id":"...","client_secret":"..."}\'' in refused.stderr
    assert "prod/litellm/master-key" not in refused.stderr  # generated: it has its value
    assert f"aws ecr create-repository --region {workspace.project.region} --repository-name key-provisioner" in (
        refused.stderr
    )
    assert f"docker push {image}" in refused.stderr
    assert platform not in stacks_of(workspace)  # no change set: a CREATE one would have made the stack

    fill_provided_secrets(workspace)
    with pytest.raises(PreflightFailed) as only_the_image:
        workspace.deployer().deploy(["platform"], Options())
    assert len(only_the_image.value.problems) == 1
    assert "has no ECR repository key-provisioner" in only_the_image.value.problems[0]
    assert platform not in stacks_of(workspace)

    went_on = run(workspace, "deploy", "--layer", "platform", "--yes", "--skip-preflight")
    assert went_on.exit_code == 0, went_on.output
    assert "preflight skipped (--skip-preflight)" in went_on.stderr
    assert workspace.stack("platform")["StackStatus"] == "CREATE_COMPLETE"
    # No zone in the production spec: the hosts' records to create, each to the ALB's DNS name.
    alb = next(o["OutputValue"] for o in workspace.stack("platform")["Outputs"] if o["OutputKey"] == "AlbDnsName")
    for host in ("coder.company.com", "ai.company.com", "langfuse.company.com", "ide.company.com", "*.company.com"):
        assert f"  {host}  CNAME  {alb}\n" in went_on.stderr


def test_a_dns_zone_that_does_not_exist_stops_the_deploy_and_the_real_ones_get_every_record(
    workspace: Workspace,
) -> None:
    workspace.deploy("network", "data")
    create_provided_secrets_empty(workspace)
    fill_provided_secrets(workspace)
    push_key_provisioner(workspace)
    workspace.edit(zone_section("Z0NOSUCHZONE000000001", "Z0NOSUCHZONE000000002"))
    creates = count_calls(workspace.aws, "CreateChangeSet")
    with pytest.raises(PreflightFailed) as missing:
        workspace.deployer().deploy(["platform"], Options())
    assert creates == []
    assert [p.split(" (")[0] for p in missing.value.problems] == [
        "Route 53 zone Z0NOSUCHZONE000000001",
        "Route 53 zone Z0NOSUCHZONE000000002",
    ]
    assert "aws route53 create-hosted-zone --name company.com" in missing.value.problems[0]
    vpc = next(o["OutputValue"] for o in workspace.stack("network")["Outputs"] if o["OutputKey"] == "VpcId")
    assert f"--vpc VPCRegion={workspace.project.region},VPCId={vpc}" in missing.value.problems[0]

    route53 = workspace.aws.client("route53")
    private = route53.create_hosted_zone(
        Name="company.com",
        CallerReference=f"{workspace.project.name}-private",
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": workspace.project.region, "VPCId": vpc},
    )["HostedZone"]["Id"].split("/")[-1]
    public = route53.create_hosted_zone(Name="company.com", CallerReference=f"{workspace.project.name}-public")[
        "HostedZone"
    ]["Id"].split("/")[-1]
    workspace.edit(zone_section(private, public))
    recorder = Recorder()
    assert workspace.deployer(recorder).deploy(["platform"], Options()) == {"platform": "CREATE_COMPLETE"}
    assert any("Fargate vCPU quota was not checked" in message for _, message in recorder.notes)
    assert not any("CNAME" in message for _, message in recorder.notes)  # the zone has them: nothing to print

    alb = next(o["OutputValue"] for o in workspace.stack("platform")["Outputs"] if o["OutputKey"] == "AlbDnsName")
    found = route53.list_resource_record_sets(HostedZoneId=private)["ResourceRecordSets"]
    aliases = {r["Name"].rstrip("."): r["AliasTarget"]["DNSName"] for r in found if r["Type"] == "A"}
    assert aliases == {host: alb for host in load_spec(workspace.spec_path).alb_hosts()}
    assert "*.company.com" in aliases


# --------------------------------------------------------------------------- what the sandbox cannot answer


@pytest.fixture
def stubbed() -> tuple[Aws, dict[str, Stubber]]:
    names = ("cloudformation", "s3", "sts", "secretsmanager", "ecr", "route53", "service-quotas")
    clients = {name: boto3.client(name, region_name="us-west-2") for name in names}
    stubbers = {name: Stubber(client) for name, client in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    others = {name: clients[name] for name in names[3:]}
    return Aws("us-west-2", clients["cloudformation"], clients["s3"], clients["sts"], others), stubbers


def quota(value: float) -> dict[str, Any]:
    return {
        "Quota": {
            "ServiceCode": "fargate",
            "QuotaCode": preflight.FARGATE_ON_DEMAND_VCPU,
            "QuotaName": "Fargate On-Demand vCPU resource count",
            "Value": value,
            "Unit": "None",
            "Adjustable": True,
            "GlobalQuota": False,
        }
    }


def test_a_fargate_quota_below_what_the_services_need_is_a_problem_with_the_increase_to_ask_for(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubbers = stubbed
    spec = load_spec(PRODUCTION_SPEC)
    needed = preflight.on_demand_vcpus(spec)
    assert needed == 1 * 1 + 0.5 * 2 + 0.25 * 1 + 1 * 1 + 1 * 1 + 0.5 * 1  # every production service on demand
    params = {"ServiceCode": "fargate", "QuotaCode": "L-3032A538"}
    stubbers["service-quotas"].add_response("get_service_quota", quota(4), params)
    [problem] = preflight.fargate_quota_suffices(aws, spec, "observability")
    assert isinstance(problem, preflight.Problem)
    assert "quota in us-west-2 is 4, and the spec's services need 4.75 vCPUs" in problem.text
    assert "--quota-code L-3032A538 --desired-value 5" in problem.text
    stubbers["service-quotas"].add_response("get_service_quota", quota(4.75), params)
    assert list(preflight.fargate_quota_suffices(aws, spec, "observability")) == []


@pytest.mark.parametrize(
    ("service", "operation", "check"),
    [
        (
            "secretsmanager",
            "describe_secret",
            lambda aws, spec: preflight.provided_secrets_have_values(aws, spec, "platform"),
        ),
        ("ecr", "describe_images", lambda aws, spec: preflight.images_exist(aws, spec, "platform")),
        (
            "service-quotas",
            "get_service_quota",
            lambda aws, spec: preflight.fargate_quota_suffices(aws, spec, "platform"),
        ),
    ],
    ids=["secrets", "images", "quota"],
)
def test_a_check_the_caller_may_not_make_is_skipped_with_a_note_not_failed(
    stubbed: tuple[Aws, dict[str, Stubber]], service: str, operation: str, check: Any
) -> None:
    aws, stubbers = stubbed
    stubbers[service].add_client_error(
        operation,
        service_error_code="AccessDeniedException",
        service_message=f"User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: {operation}",
        http_status_code=400,
    )
    findings = list(check(aws, load_spec(PRODUCTION_SPEC)))
    assert len(findings) == 1 and isinstance(findings[0], preflight.Skipped), findings
    assert "was not checked: AWS denied" in findings[0].text
    stubbers[service].assert_no_pending_responses()


def test_the_data_and_network_layers_have_nothing_to_check_and_ask_aws_nothing(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, _ = stubbed  # every stubber is empty: any call would fail
    spec = load_spec(PRODUCTION_SPEC)
    for layer in ("network", "data"):
        assert preflight.check(aws, spec, layer, {"Resources": {}}, {}) == []


STAGING_SPEC = PRODUCTION_SPEC.parent / "staging.yaml"
PRIVATE, PUBLIC = "Z0000STAGINGPRIVATE00", "Z0000STAGINGPUBLIC000"
VPC = "vpc-0a1b2c3d4e5f60718"


def hosted_zone(zone: str, name: str, *, private: bool, vpcs: tuple[str, ...] = ()) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "HostedZone": {
            "Id": f"/hostedzone/{zone}",
            "Name": f"{name}.",
            "CallerReference": "coder-staging",
            "Config": {"PrivateZone": private},
            "ResourceRecordSetCount": 2,
        },
        "DelegationSet": {"NameServers": ["ns-1.awsdns-01.org"]} if not private else {"NameServers": []},
    }
    if private:
        answer.pop("DelegationSet")
        answer["VPCs"] = [{"VPCRegion": "us-west-2", "VPCId": vpc} for vpc in vpcs]
    return answer


@pytest.mark.parametrize(
    ("private_zone", "public_zone", "fragment"),
    [
        (
            hosted_zone(PRIVATE, "staging.company.com", private=True, vpcs=("vpc-0ffffffffffffffff",)),
            hosted_zone(PUBLIC, "staging.company.com", private=False),
            f"aws route53 associate-vpc-with-hosted-zone --hosted-zone-id {PRIVATE} --vpc VPCRegion=us-west-2,"
            f"VPCId={VPC}",
        ),
        (
            hosted_zone(PRIVATE, "staging.company.com", private=True, vpcs=(VPC,)),
            hosted_zone(PUBLIC, "staging.company.com", private=True, vpcs=(VPC,)),
            f"Route 53 zone {PUBLIC} (platform.dns.validation_zone_id, which gets the certificate's validation "
            "records) is private, but the spec needs a public one there",
        ),
        (
            hosted_zone(PRIVATE, "company.com", private=True, vpcs=(VPC,)),
            hosted_zone(PUBLIC, "staging.company.com", private=False),
            f"Route 53 zone {PRIVATE} (platform.dns.zone_id, which gets the hosts' records) is the zone of "
            "company.com, not of staging.company.com",
        ),
    ],
    ids=["private-zone-not-on-the-vpc", "validation-zone-private", "zone-of-another-domain"],
)
def test_a_zone_that_is_not_what_the_spec_says_is_one_problem_with_its_fix(
    stubbed: tuple[Aws, dict[str, Stubber]], private_zone: Any, public_zone: Any, fragment: str
) -> None:
    aws, stubbers = stubbed
    spec = load_spec(STAGING_SPEC)
    document = compile_templates(STAGING_SPEC)["platform"]
    stubbers["route53"].add_response("get_hosted_zone", private_zone, {"Id": PRIVATE})
    stubbers["route53"].add_response("get_hosted_zone", public_zone, {"Id": PUBLIC})
    findings = list(preflight.zones_hold_the_domain(aws, spec, document, {"VpcId": VPC}))
    assert len(findings) == 1 and isinstance(findings[0], preflight.Problem), findings
    assert fragment in findings[0].text
    stubbers["route53"].assert_no_pending_responses()
