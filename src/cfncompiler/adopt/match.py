"""Pair each resource of a compiled template with the Terraform resource instance it is on the account.

By physical name where the template names the resource (a bucket, a table, a secret...), by
unambiguous attributes where it does not (a VPC or subnet by CIDR, a mount target by subnet),
by type when exactly one of a kind is left on each side, and by the user's pins (``--map``)
for the rest. Two candidates that fit equally are never guessed between: that is an error
listing both and the pin that settles it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cfncompiler.adopt.resolve import UNKNOWN

# The tag that names an otherwise nameless resource (a route table), as Terraform's translation keys it.
NAME_TAG = "Tags.Name"


@dataclass(frozen=True)
class Candidate:
    """A Terraform resource instance as adoption sees it: its address, its CloudFormation type and
    its live values under CloudFormation's property names."""

    address: str
    resource_type: str
    properties: Mapping[str, Any]
    # property path -> live value that singles it out among its type (its name, a CIDR, a subnet...)
    identity: Mapping[str, Any] = field(default_factory=dict)
    # what Ref gives for it once it is in a stack (its primary identifier), for the resources that name it
    ref: str = ""
    arn: str = ""

    def is_named_by(self, live: str) -> bool:
        """Whether a live value that points at a resource (an id, a name or an ARN) points at this one."""
        known = [v for v in (self.ref, self.arn) if v]
        return live in known or (bool(self.ref) and live.endswith(("/" + self.ref, ":" + self.ref)))


@dataclass(frozen=True)
class Match:
    logical_id: str
    resource_type: str
    candidate: Candidate
    how: str  # "name", "attributes", "only one of its type", "--map"


@dataclass
class Matching:
    refs: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    matches: list[Match] = field(default_factory=list)
    template_only: list[tuple[str, str]] = field(default_factory=list)  # (logical id, type): the deploy creates
    terraform_only: list[Candidate] = field(default_factory=list)  # left in Terraform
    problems: list[str] = field(default_factory=list)

    def add(self, item: Match) -> None:
        self.matches.append(item)
        if item.candidate.ref:
            self.refs[item.logical_id] = item.candidate.ref
        if item.candidate.arn:
            self.arns[item.logical_id] = item.candidate.arn


Resolver = Callable[[Any], Any]


def match(
    resources: Mapping[str, Mapping[str, Any]],
    candidates: Sequence[Candidate],
    pins: Mapping[str, str],
    resolve: Resolver,
    refs: dict[str, str] | None = None,
    arns: dict[str, str] | None = None,
) -> Matching:
    """Match ``resources`` (logical id -> template resource) against ``candidates``.

    Resources are taken in template order, and each match's Ref value goes into ``refs`` (which
    ``resolve`` reads), so a bucket policy or a mount target is told apart by the bucket or file
    system matched before it.
    """
    result = Matching(refs=refs if refs is not None else {}, arns=arns if arns is not None else {})
    free = list(candidates)
    by_address = {c.address: c for c in candidates}
    pending: list[str] = []
    for logical_id, resource in resources.items():
        kind = str(resource["Type"])
        if logical_id not in pins:
            pending.append(logical_id)
            continue
        chosen = _pinned(logical_id, kind, pins[logical_id], by_address, result)
        if chosen is not None and chosen in free:
            free.remove(chosen)
            result.add(Match(logical_id, kind, chosen, "--map"))
    # Each match can make another resource's identity known (a policy names its bucket): go round
    # until nothing more is settled.
    progress = True
    while progress:
        progress = False
        for logical_id in list(pending):
            said, found = _by_identity(
                logical_id, str(resources[logical_id]["Type"]), resources[logical_id], free, resolve, result
            )
            if said:
                pending.remove(logical_id)
                progress = True
                if found is not None:
                    free.remove(found)
        progress |= _by_reference(resources, pending, free, result)
        for logical_id in list(pending):
            kind = str(resources[logical_id]["Type"])
            rivals = [lid for lid in pending if resources[lid]["Type"] == kind]
            options = [c for c in free if c.resource_type == kind]
            if len(options) == 1 and len(rivals) == 1:
                free.remove(options[0])
                pending.remove(logical_id)
                result.add(Match(logical_id, kind, options[0], "only one of its type"))
                progress = True
    for logical_id in pending:
        kind = str(resources[logical_id]["Type"])
        options = [c for c in free if c.resource_type == kind]
        if options:
            result.problems.append(_ambiguous(logical_id, kind, options))
        else:
            result.template_only.append((logical_id, kind))
    result.terraform_only = free
    return result


def _by_identity(
    logical_id: str,
    kind: str,
    resource: Mapping[str, Any],
    free: list[Candidate],
    resolve: Resolver,
    result: Matching,
) -> tuple[bool, Candidate | None]:
    """Whether the template names the resource (or gives its identifying attributes), and the one
    candidate that fits; a template that does not say is matched by type later."""
    properties = resolve(resource.get("Properties") or {})
    options = [c for c in free if c.resource_type == kind]
    paths = {path for c in options for path in c.identity}
    wanted = {path: _at(properties, path) for path in paths}
    wanted = {path: value for path, value in wanted.items() if value is not None}
    if not wanted or any(v is UNKNOWN for v in wanted.values()):
        return False, None
    fits = [c for c in options if all(_same(c.identity.get(k), v) for k, v in wanted.items() if k in c.identity)]
    how = "identity: " + ", ".join(f"{k}={v}" for k, v in sorted(wanted.items()))
    if len(fits) == 1:
        result.add(Match(logical_id, kind, fits[0], how))
        return True, fits[0]
    if len(fits) > 1:
        result.problems.append(_ambiguous(logical_id, kind, fits))
    else:
        result.template_only.append((logical_id, kind))
    return True, None


def _by_reference(
    resources: Mapping[str, Mapping[str, Any]], pending: list[str], free: list[Candidate], result: Matching
) -> bool:
    """Match a resource that a matched one names: a KMS key by the alias that targets it, a role by
    the flow log that uses it. The matched resource's live value says which candidate it is."""
    progress = False
    for item in list(result.matches):
        properties = resources[item.logical_id].get("Properties") or {}
        for name, value in properties.items():
            target = _referenced(value)
            live = item.candidate.properties.get(name)
            if target not in pending or not isinstance(live, str):
                continue
            kind = str(resources[target]["Type"])
            fits = [c for c in free if c.resource_type == kind and c.is_named_by(live)]
            if len(fits) == 1:
                free.remove(fits[0])
                pending.remove(target)
                result.add(Match(target, kind, fits[0], f"named by {item.logical_id}.{name}"))
                progress = True
    return progress


def _referenced(value: Any) -> str | None:
    """The logical id a property value is a plain Ref or GetAtt of, if it is one."""
    if isinstance(value, dict) and len(value) == 1:
        (key, argument), *_ = value.items()
        if key == "Ref":
            return str(argument)
        if key == "Fn::GetAtt":
            return str(argument[0] if isinstance(argument, list) else str(argument).split(".", 1)[0])
    return None


def _pinned(
    logical_id: str, kind: str, address: str, by_address: Mapping[str, Candidate], result: Matching
) -> Candidate | None:
    chosen = by_address.get(address)
    if chosen is None:
        result.problems.append(f"--map {logical_id}={address}: the Terraform state has no resource {address}.")
    elif chosen.resource_type != kind:
        result.problems.append(
            f"--map {logical_id}={address}: {address} is a {chosen.resource_type}, but {logical_id} is a {kind}."
        )
    else:
        return chosen
    return None


def _ambiguous(logical_id: str, kind: str, options: Sequence[Candidate]) -> str:
    listed = ", ".join(c.address for c in options)
    return (
        f"{logical_id} ({kind}) could be any of {listed}; nothing tells them apart. "
        f"Pin the right one with --map {logical_id}={options[0].address} (or another of them)."
    )


def _at(properties: Any, path: str) -> Any:
    """The template's value at a property path; ``Tags.Name`` is the value of the tag named Name."""
    if path == NAME_TAG:
        tags = properties.get("Tags") if isinstance(properties, dict) else None
        if tags is UNKNOWN:
            return UNKNOWN
        return next((t.get("Value") for t in tags or [] if isinstance(t, dict) and t.get("Key") == "Name"), None)
    value = properties
    for part in path.split("."):
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _same(live: Any, wanted: Any) -> bool:
    return live is not None and str(live) == str(wanted)
