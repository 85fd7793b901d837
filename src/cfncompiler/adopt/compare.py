"""Before anything is imported: what the next deploy would do to each adopted resource.

The template is compared with the live values Terraform recorded. A difference in a property
CloudFormation can update is left to the converge deploy; a difference in a create-only
property means that deploy would *replace* the resource, which for a database, cache, file
system, bucket, table, secret or key is its data gone. Those are refused here, before any
change set exists, naming the spec line that must say the live value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cfncompiler.adopt.match import Match
from cfncompiler.adopt.resolve import UNKNOWN
from cfncompiler.templates.registry import create_only
from cfncompiler.templates.stateful import is_stateful


@dataclass(frozen=True)
class Difference:
    logical_id: str
    resource_type: str
    address: str
    property_name: str
    template: Any
    live: Any
    replaces: bool

    @property
    def loses_data(self) -> bool:
        return self.replaces and is_stateful(self.resource_type)


def differences(
    matches: Sequence[Match], resources: Mapping[str, Mapping[str, Any]], resolve: Callable[[Any], Any]
) -> list[Difference]:
    """Every property both sides give a value to, where the values differ."""
    found: list[Difference] = []
    for item in matches:
        properties = resources[item.logical_id].get("Properties") or {}
        for name, live in sorted(item.candidate.properties.items()):
            if name not in properties:
                continue
            wanted = resolve(properties[name])
            if wanted is UNKNOWN or same(wanted, live):
                continue
            replaces = name in create_only(item.resource_type)
            found.append(
                Difference(item.logical_id, item.resource_type, item.candidate.address, name, wanted, live, replaces)
            )
    return found


def same(wanted: Any, live: Any) -> bool:
    """Equal as CloudFormation means it: "100", 100 and 100.0, "true" and True are the same value."""
    if isinstance(wanted, list) and isinstance(live, list):
        return len(wanted) == len(live) and all(same(w, v) for w, v in zip(wanted, live, strict=True))
    if isinstance(wanted, dict) and isinstance(live, dict):
        return all(k in live and same(v, live[k]) for k, v in wanted.items())
    return _scalar(wanted) == _scalar(live)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        # An alarm's threshold: the template says 80, Terraform keeps 80.0 (and the other way round).
        return str(int(value))
    return str(value)
