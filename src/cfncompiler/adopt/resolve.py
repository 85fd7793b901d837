"""Template values as they will be on the account: pseudo parameters, Parameters and Sub filled in.

Adoption compares a compiled template with the live estate, so ``!Sub coder-${AWS::AccountId}``
must become the bucket name it will be. What cannot be known before deploy (an attribute of a
resource that does not exist yet) stays :data:`UNKNOWN`, and is never compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

UNKNOWN: Any = object()
_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class Context:
    account: str
    region: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    # logical id -> what Ref gives for a resource that already exists (an adopted one)
    refs: Mapping[str, str] = field(default_factory=dict)
    # logical id -> the ARN of such a resource (what GetAtt X.Arn gives)
    arns: Mapping[str, str] = field(default_factory=dict)

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }


def resolve(value: Any, context: Context) -> Any:
    """``value`` with every intrinsic it can resolve resolved; UNKNOWN where one cannot be."""
    if isinstance(value, list):
        items = [resolve(v, context) for v in value]
        return UNKNOWN if any(i is UNKNOWN for i in items) else items
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, argument), *_ = value.items()
        if key == "Ref":
            return _ref(str(argument), context)
        if key == "Fn::Sub":
            return _sub(argument, context)
        if key == "Fn::GetAtt":
            name, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return _attribute(str(name), str(attribute), context)
        if key == "Fn::Join":
            parts = resolve(argument[1], context)
            return UNKNOWN if parts is UNKNOWN else str(argument[0]).join(str(p) for p in parts)
        if key == "Fn::Select":
            items = resolve(argument[1], context)
            index = resolve(argument[0], context)
            return UNKNOWN if UNKNOWN in (items, index) else items[int(index)]
        if key.startswith("Fn::"):
            return UNKNOWN
    resolved = {k: resolve(v, context) for k, v in value.items()}
    return resolved


def _ref(name: str, context: Context) -> Any:
    if name in context.pseudo():
        return context.pseudo()[name]
    if name in context.parameters:
        raw = context.parameters[name]
        return raw.split(",") if "," in raw else raw
    return context.refs.get(name, UNKNOWN)


# Attributes that are the resource's Ref under another name (a security group's GroupId, a key's KeyId).
REF_ATTRIBUTES = frozenset({"GroupId", "Id", "KeyId"})


def _attribute(name: str, attribute: str, context: Context) -> Any:
    if attribute == "Arn":
        return context.arns.get(name, UNKNOWN)
    if attribute in REF_ATTRIBUTES:
        return context.refs.get(name, UNKNOWN)
    return UNKNOWN


def _sub(argument: Any, context: Context) -> Any:
    text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
    values = {k: resolve(v, context) for k, v in variables.items()}
    unknown = False

    def fill(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1)
        if name in values:
            value = values[name]
        elif "." in name:
            resource, attribute = name.split(".", 1)
            value = _attribute(resource, attribute, context)
        else:
            value = _ref(name, context)
        if value is UNKNOWN:
            unknown = True
            return ""
        return str(value)

    result = _VARIABLE.sub(fill, text)
    return UNKNOWN if unknown else result


def references(value: Any) -> set[str]:
    """Logical ids (and parameters) ``value`` refers to through Ref, GetAtt or Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref":
                found.add(str(argument))
            elif key == "Fn::GetAtt":
                found.add(str(argument[0] if isinstance(argument, list) else argument.split(".")[0]))
            elif key == "Fn::Sub":
                text = argument if isinstance(argument, str) else argument[0]
                local = set() if isinstance(argument, str) else set(argument[1])
                found |= {n.split(".")[0] for n in _VARIABLE.findall(text) if n not in local}
                if not isinstance(argument, str):
                    found |= references(argument[1])
            else:
                found |= references(argument)
    return {f for f in found if not f.startswith("AWS::")}
