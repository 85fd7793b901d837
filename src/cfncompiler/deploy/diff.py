"""What a change set would do, as rows a person can read and JSON a pipeline can parse."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cfncompiler.cost.estimate import LayerChange
from cfncompiler.cost.render import change_json, cost_line
from cfncompiler.deploy.parameters import ParameterChange
from cfncompiler.templates.stateful import is_stateful

# Layer states a diff can report.
NEW = "new stack"
CHANGES = "changes"
NO_CHANGES = "no changes"
UP_TO_DATE = "up to date"
BLOCKED = "cannot diff yet"

_ACTION_STYLE = {"Add": "green", "Modify": "yellow", "Remove": "red", "Dynamic": "magenta", "Import": "cyan"}
_REPLACEMENT_STYLE = {"True": "bold red", "Conditional": "yellow", "False": "dim"}


@dataclass(frozen=True)
class Row:
    action: str
    logical_id: str
    resource_type: str
    # "True", "Conditional" or "False" for a Modify; "" where CloudFormation gives none (Add, Remove).
    replacement: str
    properties: tuple[str, ...]

    @property
    def stateful(self) -> bool:
        return is_stateful(self.resource_type)

    @property
    def loses_data(self) -> bool:
        """A stateful resource that would be deleted, or replaced (a new one, empty, in its place)."""
        return self.stateful and (self.action == "Remove" or self.replacement in ("True", "Conditional"))


@dataclass(frozen=True)
class LayerDiff:
    layer: str
    stack_name: str
    state: str
    rows: Sequence[Row] = ()
    parameters: Sequence[ParameterChange] = ()
    note: str = ""
    refused: Sequence[str] = ()
    # What the deployed template costs a month, what the new one will (None: not estimated, see cost_note).
    cost: LayerChange | None = None
    cost_note: str = ""


def rows(changes: Iterable[Mapping[str, Any]]) -> list[Row]:
    """One row per resource change, in CloudFormation's order."""
    found = []
    for change in changes:
        if change.get("Type", "Resource") != "Resource":
            continue
        rc = change["ResourceChange"]
        names = {d["Target"].get("Name") for d in rc.get("Details", []) if d.get("Target", {}).get("Name")}
        found.append(
            Row(
                action=rc["Action"],
                logical_id=rc["LogicalResourceId"],
                resource_type=rc.get("ResourceType", ""),
                replacement=rc.get("Replacement", "") if rc["Action"] == "Modify" else "",
                properties=tuple(sorted(names)),
            )
        )
    return found


def to_json(diffs: Sequence[LayerDiff]) -> str:
    def layer(d: LayerDiff) -> dict[str, Any]:
        return {
            "layer": d.layer,
            "stack": d.stack_name,
            "state": d.state,
            "note": d.note,
            "changes": [{**asdict(r), "properties": list(r.properties), "loses_data": r.loses_data} for r in d.rows],
            "parameters": [asdict(p) for p in d.parameters],
            "refused": list(d.refused),
            "cost": _cost_json(d.cost),
            "cost_note": d.cost_note,
        }

    return json.dumps({"layers": [layer(d) for d in diffs]}, indent=2)


def _cost_json(change: LayerChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    shown = change_json(change)
    return {
        "deployed": shown["before"],
        "new": shown["after"],
        "delta": shown["delta"],
        "resources": shown["resources"],
    }


def table(diff: LayerDiff, *, terminal: bool) -> Table:
    """The change rows; boxed and coloured on a terminal, bare aligned columns when piped."""
    out = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False)
    for column in ("Action", "Logical ID", "Type", "Replacement", "Changed properties"):
        out.add_column(column, overflow="fold")
    for row in diff.rows:
        out.add_row(
            Text(row.action, style=_ACTION_STYLE.get(row.action, "")),
            Text(f"{row.logical_id} (data loss)", style="bold red") if row.loses_data else Text(row.logical_id),
            Text(row.resource_type),
            Text(row.replacement or "-", style=_REPLACEMENT_STYLE.get(row.replacement, "")),
            Text(", ".join(row.properties) or "-"),
        )
    return out


def render(console: Console, diff: LayerDiff) -> None:
    note = f" ({diff.note})" if diff.note else ""
    console.print(Text(f"{diff.layer}: {diff.stack_name}: {diff.state}{note}", style="bold"))
    if diff.cost is not None:
        console.print(Text(cost_line(diff.cost)))
    elif diff.cost_note:
        console.print(Text(f"  monthly cost: not estimated: {diff.cost_note}"))
    if diff.rows:
        console.print(table(diff, terminal=console.is_terminal))
    for change in diff.parameters:
        console.print(Text(f"  parameter {change.name}: {change.old or '(unset)'} -> {change.new}"))
