"""DNS records a person must create when the spec names no Route 53 zone (platform.dns).

Without a zone, CloudFormation waits on the certificate until its validation records exist, and nothing
points the hosts at the ALB. So the deploy prints the validation records as soon as ACM has made them
(found through the stack's events, read with DescribeCertificate), and after the platform layer the host
records (host -> the ALB's DNS name); `status` shows both while they are needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from cfncompiler import contract
from cfncompiler.deploy.events import Event
from cfncompiler.deploy.session import ACCESS_DENIED
from cfncompiler.spec.model import Spec

CERTIFICATE_TYPE = "AWS::CertificateManager::Certificate"
PENDING = "PENDING_VALIDATION"


@dataclass(frozen=True)
class Record:
    name: str
    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.name}  {self.type}  {self.value}"


@dataclass(frozen=True)
class Validation:
    """A certificate's status and, while it is pending, the records ACM waits for (one per distinct name)."""

    arn: str
    status: str
    records: tuple[Record, ...]

    @property
    def pending(self) -> bool:
        return self.status == PENDING


def validation(acm: Any, arn: str) -> Validation:
    """DescribeCertificate, read: a wildcard and its apex share one record, so each is listed once."""
    certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    records: dict[Record, None] = {}
    for option in certificate.get("DomainValidationOptions", []):
        found = option.get("ResourceRecord")
        if found and option.get("ValidationStatus", PENDING) == PENDING:
            records[Record(found["Name"], found["Type"], found["Value"])] = None
    return Validation(arn, certificate.get("Status", ""), tuple(records))


def host_records(spec: Spec, alb_dns_name: str) -> list[Record]:
    """What to create for every host that leads to the ALB (a CNAME, or in Route 53 an alias A record)."""
    return [Record(host, "CNAME", alb_dns_name) for host in spec.alb_hosts()]


def alb_dns_name(outputs: Mapping[str, str]) -> str | None:
    return outputs.get(contract.load_balancer_dns_name().name)


class CertificateWatch:
    """Called after every poll of the platform stack while it deploys: once a certificate's CREATE event names
    its ARN, asks ACM for the validation records until they exist, and hands them to ``show`` once."""

    def __init__(self, acm: Any, show: Callable[[Validation], None], denied: Callable[[str], None]) -> None:
        self._acm = acm
        self._show = show
        self._denied = denied
        self._waiting: dict[str, str] = {}  # logical id -> ARN, until its records are shown or it is done
        self._done: set[str] = set()

    def __call__(self, fresh: list[Event]) -> None:
        for event in fresh:
            if event.resource_type != CERTIFICATE_TYPE or event.logical_id in self._done:
                continue
            if event.status.endswith(("_COMPLETE", "_FAILED")):
                self._finish(event.logical_id)
            elif event.physical_id.startswith("arn:"):
                self._waiting[event.logical_id] = event.physical_id
        for logical_id, arn in list(self._waiting.items()):
            try:
                found = validation(self._acm, arn)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ACCESS_DENIED:
                    raise
                self._denied(
                    f"acm:DescribeCertificate was denied, so the validation records of {arn} cannot be shown here; "
                    'the stack events name them ("Content of DNS Record is: ...")'
                )
                self._finish(logical_id)
                continue
            if not found.pending:
                self._finish(logical_id)
            elif found.records:
                self._show(found)
                self._finish(logical_id)

    def _finish(self, logical_id: str) -> None:
        self._waiting.pop(logical_id, None)
        self._done.add(logical_id)


def certificate_arns(cloudformation: Any, stack: str) -> list[str]:
    """The ARNs of the certificates a deployed stack holds, found through its resources."""
    pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack)
    return [
        resource["PhysicalResourceId"]
        for page in pages
        for resource in page.get("StackResourceSummaries", [])
        if resource["ResourceType"] == CERTIFICATE_TYPE and resource.get("PhysicalResourceId", "").startswith("arn:")
    ]


def validation_lines(found: Validation) -> list[str]:
    return [
        f"certificate {found.arn} is {found.status}: ACM issues it once these DNS records exist "
        "(CloudFormation waits for it until then):",
        *(f"  {record}" for record in found.records),
    ]


def host_lines(records: list[Record]) -> list[str]:
    return [
        "the spec names no DNS zone (platform.dns), so create these records for the hosts to reach the internal ALB "
        "(a CNAME each, or in Route 53 an alias A record to the ALB):",
        *(f"  {record}" for record in records),
    ]
