"""The data-loss guard, in two layers.

Before execution: a change set that would remove or replace a stateful
resource (:mod:`cfncompiler.templates.stateful`) is refused unless that resource was
named with ``--allow-replace``. During execution, should anything slip past:
the stack policy denies ``Update:Replace`` and ``Update:Delete`` on every
stateful resource, and an allowed replacement runs under a temporary policy
that lifts the denial for the named resources only. Termination protection
keeps the stack itself from a stray delete.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from awacs.aws import Action, Allow, Deny, PolicyDocument, Principal, Statement

from cfncompiler.deploy.diff import Row
from cfncompiler.errors import GuardRefused
from cfncompiler.templates.stateful import is_stateful


def at_risk(rows: Iterable[Row], allowed: Collection[str]) -> list[Row]:
    """Rows that would lose data and that nobody named with ``--allow-replace``."""
    return [row for row in rows if row.loses_data and row.logical_id not in allowed]


def check(stack_name: str, rows: Sequence[Row], allowed: Collection[str]) -> None:
    refused = at_risk(rows, allowed)
    if not refused:
        return
    lines = "\n".join(
        f"  {r.logical_id} ({r.resource_type}): "
        + ("removed" if r.action == "Remove" else f"replaced (Replacement: {r.replacement})")
        for r in refused
    )
    flags = " ".join(f"--allow-replace {r.logical_id}" for r in refused)
    raise GuardRefused(
        f"Refusing to change {stack_name}: the change set would delete the data held by\n{lines}\n"
        f"The change set was deleted and the stack left as it was. If losing that data is intended "
        f"(after a backup), run the deploy again with {flags}."
    )


def stateful_ids(document: Mapping[str, Any]) -> list[str]:
    resources: Mapping[str, Mapping[str, Any]] = document.get("Resources") or {}
    return [logical_id for logical_id, r in resources.items() if is_stateful(str(r.get("Type", "")))]


def stack_policy(protected: Iterable[str]) -> str:
    """Allow every update, except replacing or deleting the ``protected`` logical ids."""
    statements = [Statement(Effect=Allow, Action=[Action("Update", "*")], Principal=Principal("*"), Resource=["*"])]
    resources = [f"LogicalResourceId/{logical_id}" for logical_id in sorted(set(protected))]
    if resources:
        statements.append(
            Statement(
                Effect=Deny,
                Action=[Action("Update", "Replace"), Action("Update", "Delete")],
                Principal=Principal("*"),
                Resource=resources,
            )
        )
    text: str = PolicyDocument(Statement=statements).to_json(indent=2)
    return text


def set_policy(cloudformation: Any, stack_name: str, protected: Iterable[str]) -> None:
    cloudformation.set_stack_policy(StackName=stack_name, StackPolicyBody=stack_policy(protected))


def protect(cloudformation: Any, stack_name: str, *, enabled: bool = True) -> None:
    cloudformation.update_termination_protection(StackName=stack_name, EnableTerminationProtection=enabled)


def ensure_protected(cloudformation: Any, stack_name: str, protected: Iterable[str], *, terminates: bool) -> list[str]:
    """Put the stack policy and termination protection back if anything (a person, an interrupted deploy)
    changed them; return what had to be restored. Reads only, when all is in place."""
    restored = []
    current = cloudformation.get_stack_policy(StackName=stack_name).get("StackPolicyBody") or "{}"
    if json.loads(current) != json.loads(stack_policy(protected)):
        set_policy(cloudformation, stack_name, protected)
        restored.append("stack policy")
    if not terminates:
        protect(cloudformation, stack_name)
        restored.append("termination protection")
    return restored
