"""boto3 clients for one region, with botocore's adaptive retries, and AWS failures told as one paragraph.

Credentials come from boto3's standard chain and the endpoint from botocore's
own configuration (``AWS_ENDPOINT_URL`` included): nothing here chooses where
requests go beyond the region, which the spec fixes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore import exceptions as bx
from botocore.config import Config
from botocore.parsers import ResponseParserError

from cfncompiler.deploy.advice import NAME_TAKEN_ADVICE, names_taken
from cfncompiler.errors import AwsUnavailable

# CloudFormation throttles busy accounts; more attempts than botocore's default of 3
# ride that out. AWS_MAX_ATTEMPTS or a profile's max_attempts still win, as in every AWS tool.
DEFAULT_MAX_ATTEMPTS = 10
# Chosen, not defaulted: an endpoint that does not answer a TCP connect in 5 s will not answer in
# 60 (botocore's default), and no call we make takes a minute to answer.
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 30
# The first request of every command (who is calling) is made once, without retries: a refused or
# silent endpoint is reported in seconds instead of after ten backed-off attempts.
PROBE = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    # GetCallerIdentity answers in milliseconds; five seconds of silence is an endpoint that is stuck.
    read_timeout=5,
    user_agent_extra="cfncompiler",
)

ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden"}
)
BAD_CREDENTIALS = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure"}
)
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})


@dataclass(frozen=True)
class Aws:
    """The clients a deploy uses, all for the spec's region."""

    region: str
    cloudformation: Any
    s3: Any
    sts: Any
    # Clients of the services only some commands ask (preflight, certificates), made on first use with the same
    # configuration; a test puts stubbed ones here.
    others: dict[str, Any] = field(default_factory=dict)
    session: boto3.Session | None = None
    config: Config | None = None

    def client(self, service: str) -> Any:
        """The client of ``service`` (e.g. "acm", "route53"), made once."""
        if service not in self.others:
            if self.session is None:
                raise LookupError(f"no {service} client was given, and no session to make one")
            self.others[service] = self.session.client(service, config=self.config)
        return self.others[service]

    def has_client(self, service: str) -> bool:
        """Whether ``client(service)`` answers (a test's stubbed Aws may hold only the three above)."""
        return service in self.others or self.session is not None


def client_config(session: botocore.session.Session) -> Config:
    attempts = session.get_config_variable("max_attempts") or DEFAULT_MAX_ATTEMPTS
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": int(attempts)},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        user_agent_extra="cfncompiler",
    )


def connect(region: str, account: str | None = None) -> Aws:
    """Clients for ``region``, after one call that proves the endpoint answers and, when the spec
    names its ``account``, that the credentials belong to it (else :class:`WrongAccount`, before any
    other request is made)."""
    core = botocore.session.get_session()
    session = boto3.Session(botocore_session=core, region_name=region)
    config = client_config(core)
    # Fail fast when the endpoint is not there, before any operation starts (a caller-identity
    # call needs no permission, so it tells "unreachable" from "not allowed" too).
    identity = session.client("sts", config=PROBE).get_caller_identity()
    if account is not None and identity["Account"] != account:
        raise WrongAccount(account, identity, credential_source(core))
    return Aws(
        region=region,
        cloudformation=session.client("cloudformation", config=config),
        s3=session.client("s3", config=config),
        sts=session.client("sts", config=config),
        session=session,
        config=config,
    )


def pricing_client(region: str) -> Any:
    """A Price List API client: no spec region, no account check (prices are public, the same for every account)."""
    core = botocore.session.get_session()
    return boto3.Session(botocore_session=core, region_name=region).client("pricing", config=client_config(core))


class WrongAccount(AwsUnavailable):
    """The credentials in use belong to another account than the one the spec is pinned to."""

    def __init__(self, wanted: str, identity: Mapping[str, Any], source: str) -> None:
        super().__init__(
            f"The spec is pinned to account {wanted}, but the credentials in use belong to account "
            f"{identity['Account']} ({identity.get('Arn', 'unknown caller')}; {source}). Nothing was read or "
            "changed. Switch to credentials for the spec's account (AWS_PROFILE, or `aws sso login` to its "
            "role), or correct `account:` in the spec if it is wrong."
        )


def credential_source(core: botocore.session.Session) -> str:
    """Where botocore found the credentials, as a person would name it."""
    credentials = core.get_credentials()
    method = getattr(credentials, "method", "") if credentials else ""
    profile = core.get_config_variable("profile")
    described = {
        "env": "from the environment (AWS_ACCESS_KEY_ID)",
        "shared-credentials-file": "from ~/.aws/credentials",
        "config-file": "from ~/.aws/config",
        "iam-role": "from the instance role",
        "container-role": "from the container role",
        "sso": "from an SSO session",
        "assume-role": "from an assumed role",
        "assume-role-with-web-identity": "from a web identity role",
    }.get(method, f"from {method or 'an unknown source'}")
    return f"credentials {described}" + (f", profile {profile}" if profile else "")


def region_note(region: str, environ: Mapping[str, str]) -> str | None:
    """A line when the shell names another region than the spec's (the spec's is used)."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        other = environ.get(name)
        if other and other != region:
            return f"note: {name} is {other}, but the spec says {region}; commands use the spec's region."
    return None


def _endpoint_hint() -> str:
    override = os.environ.get("AWS_ENDPOINT_URL")
    if override:
        return (
            f"AWS_ENDPOINT_URL is set to {override}, so every request goes there: start that endpoint "
            "(for the local sandbox, `make sandbox`) or unset the variable to use AWS."
        )
    return "Check the network path to AWS (proxy, VPN, firewall) and that the region in the spec exists."


def explain(exc: BaseException) -> str | None:
    """One paragraph saying what went wrong talking to AWS and what to do, or None if ``exc`` is not that."""
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return (
            "No AWS credentials were found. cfncompiler uses boto3's standard chain: AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, AWS_PROFILE with ~/.aws/config (for SSO run `aws sso login`), or the role "
            "of the machine or container. To deploy to the local sandbox, run `make sandbox` and export the "
            "lines it prints."
        )
    if isinstance(exc, (bx.SSOTokenLoadError, bx.TokenRetrievalError, bx.UnauthorizedSSOTokenError)):
        return f"The AWS SSO session cannot be used ({exc}). Run `aws sso login` and try again."
    if isinstance(exc, bx.ProfileNotFound):
        return f"{exc}. Set AWS_PROFILE to a profile in ~/.aws/config, or unset it."
    if isinstance(exc, bx.CredentialRetrievalError):
        return f"AWS credentials could not be obtained: {exc}."
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError)):
        return f"Could not reach AWS: {exc}. {_endpoint_hint()}"
    if isinstance(exc, bx.ReadTimeoutError):
        return f"AWS did not answer in time: {exc}. {_endpoint_hint()}"
    if isinstance(exc, bx.ClientError):
        return _explain_client_error(exc)
    if isinstance(exc, ResponseParserError):
        # An error the endpoint sent in a shape botocore cannot read: still the endpoint's refusal, not ours.
        text = " ".join(str(exc).split())
        paragraph = f"The endpoint refused the request, in a reply botocore could not parse: {text[:400]}."
        if names_taken(text):
            paragraph += f" {NAME_TAKEN_ADVICE}"
        return paragraph
    return None


def _explain_client_error(exc: bx.ClientError) -> str | None:
    error = exc.response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "")
    operation = exc.operation_name
    if code in ACCESS_DENIED:
        return (
            f"AWS denied {operation}: {message}. The credentials in use are not allowed to do this; "
            "deploy with a role that may manage CloudFormation stacks and the resources in them "
            "(`aws sts get-caller-identity` shows which identity is in use)."
        )
    if code in EXPIRED:
        return f"The AWS credentials have expired ({message}). Refresh them (for SSO, `aws sso login`) and try again."
    if code in BAD_CREDENTIALS:
        return (
            f"AWS does not accept these credentials ({code}: {message}). Check AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or the profile in use."
        )
    return None
