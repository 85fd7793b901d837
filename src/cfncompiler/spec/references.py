"""``${...}`` references in spec strings: the words a spec uses to name infrastructure.

A service's env value such as ``postgres://${database.username}@${database.host}/coder``
names things in the spec's own vocabulary. This module knows that vocabulary:
it says what each reference means (a value known now, a value from a layer
above, or an AWS pseudo parameter) or why it does not exist. The builders turn
the meaning into CloudFormation; the checks turn the "why not" into an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cfncompiler import contract
from cfncompiler.contract import Value
from cfncompiler.naming import WORKSPACE_PRIORITIES

if TYPE_CHECKING:
    from cfncompiler.spec.model import Spec

PATTERN = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Known:
    """A value the compiler knows now; it is written into the template as text."""

    text: str
    is_list: bool = False  # comma-separated items (an SSM StringList when published on the bridge)


@dataclass(frozen=True)
class CrossLayer:
    """A value another layer publishes (or this one, when it is the producer)."""

    value: Value


@dataclass(frozen=True)
class Pseudo:
    """A CloudFormation pseudo parameter such as AWS::AccountId."""

    name: str


Meaning = Known | CrossLayer | Pseudo


class UnknownReference(ValueError):
    pass


def references(text: str) -> list[str]:
    return PATTERN.findall(text)


def meaning(spec: Spec, reference: str) -> Meaning:
    """What ``${reference}`` stands for, or UnknownReference saying what would be valid."""
    parts = reference.split(".")
    head, rest = parts[0], parts[1:]
    resolver = _RESOLVERS.get(head)
    if resolver is None:
        raise UnknownReference(f"unknown reference '${{{reference}}}' (known: {', '.join(sorted(_RESOLVERS))})")
    return resolver(spec, rest, reference)


def _one(rest: list[str], reference: str, choices: dict[str, Meaning]) -> Meaning:
    if len(rest) == 1 and rest[0] in choices:
        return choices[rest[0]]
    raise UnknownReference(f"unknown reference '${{{reference}}}' (choose from: {', '.join(sorted(choices))})")


def _named(rest: list[str], reference: str, kind: str, names: list[str]) -> str:
    if len(rest) == 1 and rest[0] in names:
        return rest[0]
    raise UnknownReference(f"'${{{reference}}}' names no {kind} (known: {', '.join(names)})")


def _database(spec: Spec, rest: list[str], reference: str) -> Meaning:
    db = spec.data.database
    if len(rest) == 2:
        # An application's own database: ${database.NAME.name} and the login it owns, ${database.NAME.username}.
        name = rest[0]
        if name not in db.databases:
            raise UnknownReference(
                f"unknown reference '${{{reference}}}' (databases under data.database.databases: "
                f"{', '.join(db.databases) or 'none'})"
            )
        return _one(rest[1:], reference, {"name": Known(name), "username": Known(db.databases[name].login)})
    return _one(
        rest,
        reference,
        {
            "host": CrossLayer(contract.database_endpoint()),
            "port": Known(str(db.port)),
            "name": Known(db.name),
            "username": Known(db.username),
        },
    )


def _cache(spec: Spec, rest: list[str], reference: str) -> Meaning:
    return _one(
        rest, reference, {"host": CrossLayer(contract.cache_endpoint()), "port": Known(str(spec.data.cache.port))}
    )


def _bucket(spec: Spec, rest: list[str], reference: str) -> Meaning:
    return CrossLayer(contract.bucket_name(_named(rest, reference, "bucket", list(spec.data.buckets))))


def _security_group(spec: Spec, rest: list[str], reference: str) -> Meaning:
    groups = list(spec.network.security_groups)
    return CrossLayer(contract.security_group_id(_named(rest, reference, "security group", groups)))


def _subnets(spec: Spec, rest: list[str], reference: str) -> Meaning:
    return CrossLayer(contract.subnet_ids(_named(rest, reference, "tier", list(spec.network.tiers))))


def _service(spec: Spec, rest: list[str], reference: str) -> Meaning:
    services = {name: service for _, name, service in spec.services()}
    if len(rest) != 2 or rest[0] not in services or rest[1] not in ("host", "port"):
        raise UnknownReference(
            f"'${{{reference}}}' must be ${{service.NAME.host}} or ${{service.NAME.port}} "
            f"with NAME one of: {', '.join(services)}"
        )
    service = services[rest[0]]
    if rest[1] == "port":
        return Known(str(service.port))
    if service.discovery is None:
        raise UnknownReference(f"service '{rest[0]}' has no discovery name, so it has no host")
    return Known(f"{service.discovery}.{spec.network.service_discovery.namespace}")


def _direct_path(spec: Spec, rest: list[str], reference: str) -> Meaning:
    direct = spec.platform.direct_path
    if direct is None:
        raise UnknownReference(f"'${{{reference}}}' names the direct path, but the spec has no platform.direct_path")
    oidc = direct.oidc
    return _one(
        rest,
        reference,
        {
            "hosts": Known(",".join(direct.hosts), is_list=True),
            "issuer": Known(oidc.issuer),
            "authorization_endpoint": Known(oidc.authorization_endpoint),
            "token_endpoint": Known(oidc.token_endpoint),
            "user_info_endpoint": Known(oidc.user_info_endpoint),
            "scope": Known(oidc.scope),
            "session_timeout_seconds": Known(str(oidc.session_timeout_seconds)),
            "secret_arn": CrossLayer(contract.secret_arn(oidc.client.secret)),
            "client_id_key": Known(oidc.client.id_key),
            "client_secret_key": Known(oidc.client.secret_key),
        },
    )


Resolver = Callable[["Spec", list[str], str], Meaning]


def _fixed(meanings: dict[str, Meaning]) -> Resolver:
    def resolve(spec: Spec, rest: list[str], reference: str) -> Meaning:
        return _one(rest, reference, meanings)

    return resolve


def _scalar(pick: Callable[[Spec], Meaning]) -> Resolver:
    def resolve(spec: Spec, rest: list[str], reference: str) -> Meaning:
        if rest:
            raise UnknownReference(f"'${{{reference}}}' takes no '.{'.'.join(rest)}'")
        return pick(spec)

    return resolve


_RESOLVERS: dict[str, Resolver] = {
    "database": _database,
    "cache": _cache,
    "bucket": _bucket,
    "security_group": _security_group,
    "subnets": _subnets,
    "service": _service,
    "file_system": _fixed({"id": CrossLayer(contract.file_system_id())}),
    "cluster": _fixed({"arn": CrossLayer(contract.cluster_arn()), "name": CrossLayer(contract.cluster_name())}),
    "execution_role": _fixed({"arn": CrossLayer(contract.execution_role_arn())}),
    "workspace_role": _fixed({"arn": CrossLayer(contract.workspace_role_arn())}),
    "listener": _fixed(
        {
            "arn": CrossLayer(contract.listener_arn()),
            # The block of priorities workspace templates' own rules take (naming.WORKSPACE_PRIORITIES).
            "workspace_priority_first": Known(str(WORKSPACE_PRIORITIES[0])),
            "workspace_priority_last": Known(str(WORKSPACE_PRIORITIES[-1])),
        }
    ),
    "direct_path": _direct_path,
    "workspaces": _fixed({"log_group": CrossLayer(contract.workspace_log_group())}),
    "project": _scalar(lambda spec: Known(spec.project)),
    "region": _scalar(lambda spec: Known(spec.region)),
    "account": _scalar(lambda spec: Pseudo("AWS::AccountId")),
}
