"""boto3 clients: region from the spec, the endpoint from the environment, adaptive retries, errors as sentences."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from cfncompiler.deploy.session import DEFAULT_MAX_ATTEMPTS, connect, explain
from tests.deploy.conftest import Workspace
from tests.deploy.test_cli import assert_one_paragraph, run


def client_error(code: str, message: str, operation: str = "DescribeStacks", status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
    )


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (NoCredentialsError(), "No AWS credentials were found"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"), "Could not reach AWS"),
        (
            client_error(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStacks",
                status=403,
            ),
            "AWS denied DescribeStacks: User: arn:aws:iam::123456789012:user/dev is not authorized",
        ),
        (client_error("ExpiredToken", "The security token included in the request is expired"), "have expired"),
        (
            client_error("InvalidClientTokenId", "The security token included in the request is invalid."),
            "does not accept these credentials",
        ),
    ],
)
def test_aws_trouble_is_one_paragraph_saying_what_to_do(exc: BaseException, expected: str) -> None:
    paragraph = explain(exc)
    assert paragraph is not None
    assert expected in paragraph
    assert "\n" not in paragraph


@pytest.mark.parametrize(
    "exc", [client_error("ValidationError", "Template format error"), ValueError("not an AWS problem")]
)
def test_other_errors_are_not_dressed_up_as_access_problems(exc: BaseException) -> None:
    assert explain(exc) is None


def test_an_unreachable_endpoint_names_aws_endpoint_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    paragraph = explain(EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"))
    assert paragraph is not None and "AWS_ENDPOINT_URL is set to http://127.0.0.1:9" in paragraph


def test_clients_use_the_region_given_and_the_endpoint_from_the_environment(sandbox_url: str) -> None:
    aws = connect("eu-west-1")
    assert aws.cloudformation.meta.region_name == "eu-west-1"
    assert aws.cloudformation.meta.endpoint_url == sandbox_url
    assert aws.s3.meta.endpoint_url == sandbox_url


def test_retries_are_adaptive_and_aws_max_attempts_still_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    retries = connect("us-west-2").cloudformation.meta.config.retries
    assert retries == {"mode": "adaptive", "total_max_attempts": DEFAULT_MAX_ATTEMPTS}
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "4")
    assert connect("us-west-2").cloudformation.meta.config.retries["total_max_attempts"] == 4


THROTTLED = (
    b'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>'
    b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    b"<RequestId>2a4c6e80-1b3d-4f5a-8c7e-9d0f1a2b3c4d</RequestId></ErrorResponse>"
)


class RawBody:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


def test_throttling_is_retried_by_botocore_until_the_call_succeeds() -> None:
    aws = connect("us-west-2")
    attempts: list[str] = []

    def throttle_once(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append(request.url)
        if len(attempts) == 1:
            return AWSResponse(request.url, 400, {"Content-Type": "text/xml"}, RawBody(THROTTLED))
        return None  # the retry goes to the endpoint for real

    aws.cloudformation.meta.events.register("before-send.cloudformation.ListStacks", throttle_once)

    summaries = aws.cloudformation.list_stacks()["StackSummaries"]

    assert isinstance(summaries, list)
    assert len(attempts) == 2


def test_throttling_beyond_the_attempts_allowed_surfaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    aws = connect("us-west-2")

    def always_throttle(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 400, {"Content-Type": "text/xml"}, RawBody(THROTTLED))

    aws.cloudformation.meta.events.register("before-send.cloudformation.ListStacks", always_throttle)
    with pytest.raises(ClientError, match="Throttling") as raised:
        aws.cloudformation.list_stacks()
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 1


# --------------------------------------------------------------------------- endpoints that are not there


def closed_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_refused_connection_fails_the_deploy_within_seconds_in_one_paragraph(
    monkeypatch: pytest.MonkeyPatch, workspace: Workspace
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    result = run(workspace, "deploy", "--yes")
    elapsed = time.monotonic() - started
    assert_one_paragraph(result, 1, "Could not reach AWS", "AWS_ENDPOINT_URL is set to")
    assert elapsed < 5, f"took {elapsed:.1f} s"  # ten backed-off attempts took 15-19 s


def test_an_endpoint_that_accepts_and_never_answers_is_given_up_on_with_a_bound(
    monkeypatch: pytest.MonkeyPatch, workspace: Workspace
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        result = run(workspace, "status")
        elapsed = time.monotonic() - started
    assert_one_paragraph(result, 1, "AWS did not answer in time")
    assert elapsed < 15, f"took {elapsed:.1f} s"  # the probe's 5 s read timeout, not ten attempts of sixty seconds
