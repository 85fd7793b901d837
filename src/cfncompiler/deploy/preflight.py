"""Before a layer's change set: what would make the layer fail or its services crash-loop, found while it is cheap.

Each check reads AWS and yields a :class:`Problem` (one paragraph, ending in the command that fixes it) or,
when the caller may not ask or the service does not answer, a :class:`Skipped` note instead of failing the
deploy. Nothing here reads a secret's value or changes anything. ``deploy --skip-preflight`` goes on regardless.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cfncompiler import contract
from cfncompiler.deploy.session import ACCESS_DENIED, Aws
from cfncompiler.spec.model import Dns, Service, Spec

# Fargate On-Demand vCPU resource count: the account's ceiling of vCPUs in running on-demand Fargate tasks.
FARGATE_ON_DEMAND_VCPU = "L-3032A538"
# The direct path's listener rule (platform layer) reads its client secret when CloudFormation creates it.
DIRECT_PATH_LAYER = "platform"
# <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:<tag>][@<digest>]
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repository>[^:@]+)"
    r"(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


@dataclass(frozen=True)
class Problem:
    text: str


@dataclass(frozen=True)
class Skipped:
    text: str


Finding = Problem | Skipped


def check(aws: Aws, spec: Spec, layer: str, document: Mapping[str, Any], outputs: Mapping[str, str]) -> list[Finding]:
    """Every check that concerns ``layer`` (its template ``document``, the ``outputs`` of the layers above)."""
    return [
        *provided_secrets_have_values(aws, spec, layer),
        *images_exist(aws, spec, layer),
        *zones_hold_the_domain(aws, spec, document, outputs),
        *fargate_quota_suffices(aws, spec, layer),
    ]


def _code(exc: ClientError) -> str:
    code: str = exc.response.get("Error", {}).get("Code", "")
    return code


def _denied(exc: ClientError, what: str) -> Skipped:
    return Skipped(f"{what} was not checked: AWS denied {exc.operation_name} to the credentials in use")


def layer_services(spec: Spec, layer: str) -> list[Service]:
    return [service for section, _, service in spec.services() if section == layer]


# --------------------------------------------------------------------------- provided secrets


def provided_secrets(spec: Spec, layer: str) -> dict[str, str]:
    """The operator-filled secrets this layer's services (and, in its layer, the direct path) read, in spec order,
    each with what goes wrong without its value."""
    readers: dict[str, list[str]] = {}
    for section, name, service in spec.services():
        for ref in service.secrets.values():
            if section == layer:
                readers.setdefault(ref.secret, []).append(name)
    harm = {
        secret: f"service(s) {', '.join(dict.fromkeys(names))} read it at start-up and would crash-loop without it"
        for secret, names in readers.items()
    }
    if layer == DIRECT_PATH_LAYER and spec.platform.direct_path is not None:
        secret = spec.platform.direct_path.oidc.client.secret
        rule = "the direct path's listener rule reads it when CloudFormation creates the rule, so the deploy would fail"
        harm[secret] = f"{harm[secret]}; {rule}" if secret in harm else rule
    return {
        name: harm[name] for name, secret in spec.data.secrets.items() if name in harm and secret.provided is not None
    }


def fill_command(spec: Spec, name: str) -> str:
    keys = spec.data.secrets[name].keys
    value = json.dumps({key: "..." for key in keys}, separators=(",", ":")) if keys else "..."
    return f"aws secretsmanager put-secret-value --region {spec.region} --secret-id {name} --secret-string '{value}'"


def provided_secrets_have_values(aws: Aws, spec: Spec, layer: str) -> Iterator[Finding]:
    """A provided secret with no current version: DescribeSecret says so without reading any value."""
    harmed = provided_secrets(spec, layer)
    if not harmed:
        return
    client = aws.client("secretsmanager")
    for name, harm in harmed.items():
        try:
            described = client.describe_secret(SecretId=name)
        except ClientError as exc:
            if _code(exc) in ACCESS_DENIED:
                yield _denied(exc, "whether the provided secrets have values")
                return
            if _code(exc) != "ResourceNotFoundException":
                raise
            yield Problem(
                f"Secret {name} does not exist yet, and {harm}. The data layer creates it empty: deploy that "
                f"layer first, then fill it: {fill_command(spec, name)}"
            )
            continue
        stages = described.get("VersionIdsToStages") or {}
        if not any("AWSCURRENT" in labels for labels in stages.values()):
            yield Problem(
                f"Secret {name} has no value yet (it is `provided` in the spec: an operator fills it), and {harm}. "
                f"Fill it: {fill_command(spec, name)}"
            )


# --------------------------------------------------------------------------- images


def images(spec: Spec, layer: str, account: str) -> list[str]:
    """Every image the layer's tasks pull, with ${account} and ${region} filled in, once each."""
    found: list[str] = []
    for service in layer_services(spec, layer):
        found.append(service.image)
        if service.assets is not None:
            found.append(spec.platform.asset_fetcher_image)
    filled = (image.replace("${account}", account).replace("${region}", spec.region) for image in found)
    return list(dict.fromkeys(filled))


def images_exist(aws: Aws, spec: Spec, layer: str) -> Iterator[Finding]:
    """An image in this account's ECR (in the spec's region) that is not there: the tasks could never start."""
    if not any(".dkr.ecr." in image for image in images(spec, layer, "${account}")):
        return
    account = spec.account or aws.sts.get_caller_identity()["Account"]
    client = aws.client("ecr")
    for image in images(spec, layer, account):
        match = ECR_IMAGE.match(image)
        if match is None or match["account"] != account or match["region"] != spec.region:
            continue
        repository = match["repository"]
        image_id = {"imageDigest": match["digest"]} if match["digest"] else {"imageTag": match["tag"] or "latest"}
        try:
            client.describe_images(repositoryName=repository, imageIds=[image_id])
        except ClientError as exc:
            code = _code(exc)
            if code in ACCESS_DENIED:
                yield _denied(exc, "whether the images exist in ECR")
                return
            login = (
                f"aws ecr get-login-password --region {spec.region} | docker login --username AWS "
                f"--password-stdin {image.split('/')[0]}"
            )
            if code == "RepositoryNotFoundException":
                yield Problem(
                    f"Image {image} cannot be pulled: this account has no ECR repository {repository} in "
                    f"{spec.region}. Create it and push the image: aws ecr create-repository --region {spec.region} "
                    f"--repository-name {repository}; {login}; docker push {image}"
                )
            elif code == "ImageNotFoundException":
                yield Problem(
                    f"Image {image} cannot be pulled: ECR repository {repository} has no such image, so the "
                    f"{layer} layer's tasks would never start. Push it: {login}; docker push {image}"
                )
            else:
                raise


# --------------------------------------------------------------------------- Route 53 zones


def template_zones(document: Mapping[str, Any]) -> set[str]:
    """The hosted zones a template writes into: its records' zones and its certificates' validation zones."""
    zones: set[Any] = set()
    for body in (document.get("Resources") or {}).values():
        properties = body.get("Properties") or {}
        if body.get("Type") == "AWS::Route53::RecordSet":
            zones.add(properties.get("HostedZoneId"))
        elif body.get("Type") == "AWS::CertificateManager::Certificate":
            zones |= {option.get("HostedZoneId") for option in properties.get("DomainValidationOptions") or []}
    return {zone for zone in zones if isinstance(zone, str)}


def _wanted(dns: Dns, zone: str) -> tuple[str, bool]:
    """What the spec says zone ``zone`` is: (what for, private?)."""
    if zone == dns.zone_id:
        return "platform.dns.zone_id, which gets the hosts' records", dns.private
    return "platform.dns.validation_zone_id, which gets the certificate's validation records", False


def zones_hold_the_domain(
    aws: Aws, spec: Spec, document: Mapping[str, Any], outputs: Mapping[str, str]
) -> Iterator[Finding]:
    """Every zone the template writes into exists, is the spec's domain, public or private as the spec says,
    and (private) is associated with the VPC, whose resolver is the only one that answers from it."""
    dns = spec.platform.dns
    zones = template_zones(document)
    if dns is None or not zones:
        return
    client = aws.client("route53")
    vpc = outputs.get(contract.vpc_id().name)
    for zone in sorted(zones, key=lambda z: z != dns.zone_id):
        role, private = _wanted(dns, zone)
        kind = "private" if private else "public"
        try:
            found = client.get_hosted_zone(Id=zone)
        except ClientError as exc:
            if _code(exc) in ACCESS_DENIED:
                yield _denied(exc, "the Route 53 zones")
                return
            if _code(exc) != "NoSuchHostedZone":
                raise
            create = f"aws route53 create-hosted-zone --name {dns.domain} --caller-reference {spec.project}-{zone}"
            if private:
                create += f" --vpc VPCRegion={spec.region},VPCId={vpc or '<the VPC id>'}"
            yield Problem(
                f"Route 53 zone {zone} ({role}) does not exist in this account. Correct the id in the spec (`aws "
                f"route53 list-hosted-zones-by-name --dns-name {dns.domain}` lists the zones of {dns.domain}), or "
                f"create the {kind} zone and put its id in the spec: {create}"
            )
            continue
        name = found["HostedZone"]["Name"].rstrip(".")
        is_private = bool(found["HostedZone"].get("Config", {}).get("PrivateZone", False))
        if name != dns.domain:
            yield Problem(
                f"Route 53 zone {zone} ({role}) is the zone of {name}, not of {dns.domain} (platform.dns.domain), so "
                f"it cannot hold the hosts' names. Name the zone of {dns.domain} in the spec: `aws route53 "
                f"list-hosted-zones-by-name --dns-name {dns.domain}` lists them"
            )
        elif is_private != private:
            yield Problem(
                f"Route 53 zone {zone} ({role}) is {'private' if is_private else 'public'}, but the spec needs a "
                f"{kind} one there. Name a {kind} zone of {dns.domain}, or correct platform.dns.private: `aws "
                f"route53 list-hosted-zones-by-name --dns-name {dns.domain}` lists the zones"
            )
        elif private and vpc and vpc not in {v.get("VPCId") for v in found.get("VPCs", [])}:
            yield Problem(
                f"Route 53 zone {zone} is private and not associated with the VPC {vpc}, so nothing in the VPC "
                f"resolves the hosts. Associate it: aws route53 associate-vpc-with-hosted-zone --hosted-zone-id "
                f"{zone} --vpc VPCRegion={spec.region},VPCId={vpc}"
            )


# --------------------------------------------------------------------------- Fargate quota


def on_demand_vcpus(spec: Spec) -> float:
    """vCPUs of every task of the spec that may run on on-demand Fargate (all layers: the quota is the account's)."""
    total = 0.0
    for _, _, service in spec.services():
        capacity = service.capacity
        on_demand = capacity == "fargate" if isinstance(capacity, str) else capacity.get("fargate", 0) > 0
        if on_demand:
            total += service.cpu / 1024 * service.replicas
    return total


def fargate_quota_suffices(aws: Aws, spec: Spec, layer: str) -> Iterator[Finding]:
    if not layer_services(spec, layer):
        return
    needed = on_demand_vcpus(spec)
    try:
        quota = aws.client("service-quotas").get_service_quota(ServiceCode="fargate", QuotaCode=FARGATE_ON_DEMAND_VCPU)[
            "Quota"
        ]
    except ClientError as exc:
        if _code(exc) in ACCESS_DENIED:
            yield _denied(exc, "the Fargate vCPU quota")
        else:
            yield Skipped(f"the Fargate vCPU quota was not checked: service-quotas answered {_code(exc)}")
        return
    except BotoCoreError as exc:
        yield Skipped(f"the Fargate vCPU quota was not checked: service-quotas did not answer ({exc})")
        return
    value = float(quota.get("Value", 0))
    if value < needed:
        yield Problem(
            f"The account's Fargate On-Demand vCPU quota in {spec.region} is {value:g}, and the spec's services need "
            f"{needed:g} vCPUs at their replica counts (on-demand capacity, all layers), so some tasks would never "
            f"be placed. Ask for more: aws service-quotas request-service-quota-increase --region {spec.region} "
            f"--service-code fargate --quota-code {FARGATE_ON_DEMAND_VCPU} --desired-value {math.ceil(needed)}"
        )
