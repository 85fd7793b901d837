"""What a spec rule is: an id, one sentence, the part of the spec it reads, and a check.

Rules are cfn-lint's idea applied to our own spec: each is small, named and
listed (`cfncompiler rules`), and every problem it finds carries its id. A
check reads one part of the spec (its *scope*: the whole spec, a section, or
every entry of a map such as each service) and yields ``(path, message)`` with
the path relative to that part; the loader turns the path into file:line:col.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cfncompiler.naming import logical_id

Loc = tuple[str | int, ...]
Violation = tuple[Loc, str]
Check = Callable[[Any], Iterator[Violation]]

# Scopes: a dotted path into the spec, "*" for every key of a map; "" is the whole spec.
SPEC = ""
NETWORK = "network"
ENDPOINTS = "network.endpoints"
SECURITY_GROUP = "network.security_groups.*"
DATA = "data"
DATABASE = "data.database"
BUCKET = "data.buckets.*"
SECRET = "data.secrets.*"
SERVICE = ("platform.services.*", "observability.services.*")


# Severities: an error stops synth (nothing is written); a warning is printed and synth goes on.
ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    scopes: tuple[str, ...]
    check: Check
    severity: str = ERROR

    @property
    def name(self) -> str:
        return self.check.__name__.replace("_", "-")


def rule(
    rule_id: str, description: str, scope: str | tuple[str, ...], *, severity: str = ERROR
) -> Callable[[Check], Rule]:
    """Declare a rule: ``@rule("S103", "subnets lie inside the VPC", NETWORK)`` over its check.

    A ``severity=WARNING`` rule reads only a spec that is valid, and what it finds never stops synth.
    """

    def declare(check: Check) -> Rule:
        return Rule(rule_id, description, (scope,) if isinstance(scope, str) else scope, check, severity)

    return declare


def duplicate_ids(kind: str, names: Iterable[str], where: Loc) -> Iterator[Violation]:
    """Names that differ in the spec but collapse to the same CloudFormation logical id."""
    seen: dict[str, str] = {}
    for name in names:
        key = logical_id(name)
        if key in seen:
            yield (*where, name), f"{kind} '{name}' clashes with '{seen[key]}' (both become '{key}'); rename one"
        else:
            seen[key] = name


def unknown_group(name: str, groups: Iterable[str]) -> str:
    return f"unknown security group '{name}' (groups: {', '.join(groups)})"


def unknown_tier(name: str, tiers: Iterable[str]) -> str:
    return f"unknown tier '{name}' (tiers: {', '.join(tiers)})"
