"""Without a DNS zone in the spec, the deploy does not wait blind (deploy/records.py): while the certificate is
pending it prints the validation records ACM waits for, after the layer with the ALB the hosts' records, and
`status` shows both. CloudFormation and ACM answer from a script (Stubber): the sandbox issues certificates
at once and never keeps a stack waiting on one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber

from cfncompiler.deploy.deployer import Options

from .stubs import ACCOUNT, CHANGE_SET_ID, REGION, STACK, STACK_ID, event, events, missing_stack, stack, stack_event
from .stubs import stubbed_deployer as stubbed_deployer

CERTIFICATE_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/7d3b1f2e-51c4-4d8e-9a6b-0c2e4f8a1b3d"
ALB = "internal-coder-production-1234567890.us-west-2.elb.amazonaws.com"
# A layer with the certificate and the ALB, standing in for the platform layer.
TEMPLATE = """\
Description: stub layer with the certificate and the ALB
Resources:
  Certificate:
    Type: AWS::CertificateManager::Certificate
    Properties:
      DomainName: coder.company.com
      SubjectAlternativeNames: ['*.company.com', ide.company.com]
      ValidationMethod: DNS
Outputs:
  AlbDnsName:
    Value: internal-coder-production-1234567890.us-west-2.elb.amazonaws.com
"""
# What ACM asks for (names and values as ACM writes them: a wildcard shares its apex's record).
RECORDS = {
    "coder.company.com": (
        "_3f2a9c1d7e6b5a4f8c0d1e2f3a4b5c6d.coder.company.com.",
        "_9e8d7c6b.xlfgrmvvlj.acm-validations.aws.",
    ),
    "*.company.com": ("_5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d.company.com.", "_1a2b3c4d.xlfgrmvvlj.acm-validations.aws."),
    "ide.company.com": (
        "_7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f.ide.company.com.",
        "_4d3c2b1a.xlfgrmvvlj.acm-validations.aws.",
    ),
}
NAMES = ("coder.company.com", "*.company.com", "ide.company.com")


def certificate(*, with_records: bool, status: str = "PENDING_VALIDATION") -> dict[str, Any]:
    options = []
    for name in NAMES:
        option: dict[str, Any] = {
            "DomainName": name,
            "ValidationDomain": name,
            "ValidationStatus": status if status != "ISSUED" else "SUCCESS",
            "ValidationMethod": "DNS",
        }
        if with_records:
            record, value = RECORDS[name]
            option["ResourceRecord"] = {"Name": record, "Type": "CNAME", "Value": value}
        options.append(option)
    return {
        "Certificate": {
            "CertificateArn": CERTIFICATE_ARN,
            "DomainName": "coder.company.com",
            "SubjectAlternativeNames": list(NAMES),
            "DomainValidationOptions": options,
            "Status": status,
            "Type": "AMAZON_ISSUED",
            "KeyAlgorithm": "RSA_2048",
            "CreatedAt": datetime(2025, 3, 4, 10, 0, 5, tzinfo=UTC),
            "InUseBy": [],
        }
    }


def acm_stub(aws: Any) -> Stubber:
    client = boto3.client("acm", region_name=REGION)
    aws.others["acm"] = client
    stubber = Stubber(client)
    stubber.activate()
    return stubber


def lines_of(notes: list[tuple[str, str]]) -> list[str]:
    return [message for _, message in notes]


def test_a_pending_certificates_validation_records_are_printed_while_the_stack_waits_then_the_host_records(
    tmp_path: Path,
) -> None:
    review = stack_event("REVIEW_IN_PROGRESS", "User Initiated", second=1)
    started = stack_event("CREATE_IN_PROGRESS", "User Initiated", second=2)
    requested = event("Certificate", "AWS::CertificateManager::Certificate", "CREATE_IN_PROGRESS", second=3)
    initiated = {
        **event(
            "Certificate",
            "AWS::CertificateManager::Certificate",
            "CREATE_IN_PROGRESS",
            "Resource creation Initiated",
            second=4,
        ),
        "PhysicalResourceId": CERTIFICATE_ARN,
    }
    issued = {
        **event("Certificate", "AWS::CertificateManager::Certificate", "CREATE_COMPLETE", second=900),
        "PhysicalResourceId": CERTIFICATE_ARN,
    }
    done = stack_event("CREATE_COMPLETE", second=901)
    outputs = {"Outputs": [{"OutputKey": "AlbDnsName", "OutputValue": ALB}]}
    with stubbed_deployer(tmp_path) as s:
        s.deployer.project.template_path("network").write_text(TEMPLATE, encoding="utf-8")
        acm = acm_stub(s.aws)
        arn = {"CertificateArn": CERTIFICATE_ARN}
        s.fail("describe_stacks", missing_stack())
        s.expect_create_change_set()
        s.expect("describe_stack_events", events(review))
        s.expect("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
        # The certificate is requested: no ARN in its first event yet, so nothing to ask ACM.
        s.expect("describe_stacks", stack("CREATE_IN_PROGRESS"))
        s.expect("describe_stack_events", events(requested, started, review))
        # Its ARN arrives; ACM has not made the records yet (it takes a few seconds).
        s.expect("describe_stacks", stack("CREATE_IN_PROGRESS"))
        s.expect("describe_stack_events", events(initiated, requested, started, review))
        acm.add_response("describe_certificate", certificate(with_records=False), arn)
        # Now it has: they are shown, once.
        s.expect("describe_stacks", stack("CREATE_IN_PROGRESS"))
        s.expect("describe_stack_events", events(initiated, requested, started, review))
        acm.add_response("describe_certificate", certificate(with_records=True), arn)
        # The stack waits on (ACM is not asked again) until someone creates the records.
        s.expect("describe_stacks", stack("CREATE_IN_PROGRESS"))
        s.expect("describe_stack_events", events(initiated, requested, started, review))
        s.expect("describe_stacks", stack("CREATE_COMPLETE"))
        s.expect("describe_stack_events", events(done, issued, initiated, requested, started, review))
        s.expect("describe_stacks", stack("CREATE_COMPLETE", **outputs))
        s.expect("set_stack_policy", {})
        s.expect(
            "update_termination_protection",
            {"StackId": STACK_ID},
            {"StackName": STACK, "EnableTerminationProtection": True},
        )

        outcome = s.deployer.deploy(["network"], Options(skip_preflight=True))
        acm.assert_no_pending_responses()

    assert outcome == {"network": "CREATE_COMPLETE"}
    lines = lines_of(s.recorder.notes)
    shown = lines.index(
        f"certificate {CERTIFICATE_ARN} is PENDING_VALIDATION: ACM issues it once these DNS records "
        "exist (CloudFormation waits for it until then):"
    )
    assert lines[shown + 1 : shown + 4] == [
        f"  {RECORDS['coder.company.com'][0]}  CNAME  {RECORDS['coder.company.com'][1]}",
        f"  {RECORDS['*.company.com'][0]}  CNAME  {RECORDS['*.company.com'][1]}",
        f"  {RECORDS['ide.company.com'][0]}  CNAME  {RECORDS['ide.company.com'][1]}",
    ]
    assert lines.count(lines[shown]) == 1
    hosts = lines.index(
        "the spec names no DNS zone (platform.dns), so create these records for the hosts to reach the internal ALB "
        "(a CNAME each, or in Route 53 an alias A record to the ALB):"
    )
    assert hosts > shown
    routed = ("coder.company.com", "ai.company.com", "admin.company.com", "langfuse.company.com", "ide.company.com")
    assert lines[hosts + 1 :] == [f"  {host}  CNAME  {ALB}" for host in (*routed, "*.company.com")]


def test_status_shows_the_records_still_to_create(tmp_path: Path) -> None:
    with stubbed_deployer(tmp_path) as s:
        acm = acm_stub(s.aws)
        s.expect(
            "describe_stacks", stack("CREATE_IN_PROGRESS", Outputs=[{"OutputKey": "AlbDnsName", "OutputValue": ALB}])
        )
        s.expect(
            "list_stack_resources",
            {
                "StackResourceSummaries": [
                    {
                        "LogicalResourceId": "Certificate",
                        "PhysicalResourceId": CERTIFICATE_ARN,
                        "ResourceType": "AWS::CertificateManager::Certificate",
                        "LastUpdatedTimestamp": datetime(2025, 3, 4, 10, 0, 5, tzinfo=UTC),
                        "ResourceStatus": "CREATE_IN_PROGRESS",
                    }
                ]
            },
            {"StackName": STACK_ID},
        )
        acm.add_response("describe_certificate", certificate(with_records=True), {"CertificateArn": CERTIFICATE_ARN})
        for _ in ("data", "platform", "observability"):
            s.fail("describe_stacks", missing_stack())

        lines, notes = s.deployer.records_to_create()
        acm.assert_no_pending_responses()

    assert notes == []
    assert lines[0].startswith(f"certificate {CERTIFICATE_ARN} is PENDING_VALIDATION")
    assert f"  {RECORDS['ide.company.com'][0]}  CNAME  {RECORDS['ide.company.com'][1]}" in lines
    assert f"  *.company.com  CNAME  {ALB}" in lines and f"  coder.company.com  CNAME  {ALB}" in lines


def test_an_issued_certificate_asks_for_nothing(tmp_path: Path) -> None:
    from cfncompiler.deploy.records import validation

    with stubbed_deployer(tmp_path) as s:
        acm = acm_stub(s.aws)
        acm.add_response("describe_certificate", certificate(with_records=True, status="ISSUED"))
        found = validation(s.aws.client("acm"), CERTIFICATE_ARN)
    assert not found.pending and found.records == ()
