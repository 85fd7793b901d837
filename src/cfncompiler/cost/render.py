"""An estimate and a comparison as a person reads them (rich tables, bare columns when piped) and as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cfncompiler.cost.estimate import Estimate, LayerChange
from cfncompiler.cost.pricing import NO_CHARGE, NOT_PRICED, PRICED, ResourceCost

_STATE_STYLE = {PRICED: "", NO_CHARGE: "dim", NOT_PRICED: "yellow"}


def dollars(amount: float) -> str:
    return f"${amount:,.2f}"


def signed(amount: float) -> str:
    """A monthly difference: +$12.34, -$5.00, or $0.00."""
    if round(amount, 2) == 0:
        return "$0.00"
    return f"{'+' if amount > 0 else '-'}${abs(amount):,.2f}"


def _how(resource: ResourceCost) -> str:
    parts = [f"{c.what} ({c.price.usage_type})" for c in resource.charges]
    if resource.note:
        parts.append(resource.note)
    return "; ".join(parts) or "-"


def estimate_table(estimate: Estimate, *, terminal: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False)
    for column, justify in (("Layer", "left"), ("Resource", "left"), ("Type", "left"), ("Monthly", "right")):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    table.add_column("How", overflow="fold")
    for layer in estimate.layers:
        for resource in layer.resources:
            amount = dollars(resource.monthly) if resource.state == PRICED else resource.state
            table.add_row(
                layer.layer,
                resource.logical_id,
                resource.resource_type,
                Text(amount, style=_STATE_STYLE[resource.state]),
                Text(_how(resource), style="dim" if resource.state == NO_CHARGE else ""),
            )
    return table


def render_estimate(console: Console, estimate: Estimate) -> None:
    console.print(estimate_table(estimate, terminal=console.is_terminal))
    console.print()
    for layer in estimate.layers:
        unpriced = sum(1 for r in layer.resources if r.state == NOT_PRICED)
        tail = f"  ({unpriced} resource(s) not priced)" if unpriced else ""
        console.print(f"{layer.layer:<14} {dollars(layer.monthly):>12} a month{tail}")
    console.print(Text(f"{'total':<14} {dollars(estimate.monthly):>12} a month", style="bold"))
    _footer(console, estimate)


def _footer(console: Console, estimate: Estimate, *, both_sides: bool = False) -> None:
    console.print()
    console.print(f"{estimate.snapshot.line}; region {estimate.region}; 730 hours a month; data transfer not included")
    if estimate.assumptions:
        heading = "both sides priced with these usage assumptions" if both_sides else "usage assumptions used"
        console.print(f"{heading} (spec `usage:`):")
        for assumption in estimate.assumptions:
            console.print(f"  {assumption}")


def render_comparison(
    console: Console, changes: Sequence[LayerChange], after: Estimate, against: str, templates: str
) -> None:
    table = Table(box=box.SIMPLE_HEAD if console.is_terminal else None, show_edge=False, pad_edge=False)
    for column, justify in (("Layer", "left"), (against, "right"), (templates, "right"), ("Difference", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for change in changes:
        table.add_row(change.layer, dollars(change.before), dollars(change.after), signed(change.delta))
    before = sum(c.before for c in changes)
    now = sum(c.after for c in changes)
    table.add_row(Text("total", style="bold"), dollars(before), dollars(now), Text(signed(now - before), style="bold"))
    console.print(table)
    for change in changes:
        if not change.resources:
            continue
        console.print()
        console.print(Text(f"{change.layer}: what differs", style="bold"))
        for resource in change.resources:
            was = dollars(resource.before) if resource.before is not None else "absent"
            now_text = dollars(resource.after) if resource.after is not None else "absent"
            note = f"  {resource.note}" if resource.note else ""
            console.print(
                f"  {resource.logical_id:<34} {resource.resource_type:<38} {was:>10} -> {now_text:>10}"
                f"  {signed(resource.delta):>10}{note}"
            )
    _footer(console, after, both_sides=True)


def cost_line(change: LayerChange) -> str:
    """The diff's line for a layer: what the deployed template costs, what the new one will, the difference."""
    return (
        f"  monthly cost: {dollars(change.before)} deployed -> {dollars(change.after)} new "
        f"({signed(change.delta)} a month)"
    )


# --------------------------------------------------------------------------- JSON


def estimate_json(estimate: Estimate) -> dict[str, Any]:
    return {
        "region": estimate.region,
        "snapshot": {
            "date": estimate.snapshot.date,
            "method": estimate.snapshot.method,
            "file": str(estimate.snapshot.path),
        },
        "hours_per_month": 730,
        "monthly": round(estimate.monthly, 2),
        "layers": [
            {
                "layer": layer.layer,
                "monthly": round(layer.monthly, 2),
                "resources": [_resource_json(r) for r in layer.resources],
            }
            for layer in estimate.layers
        ],
        "assumptions": [{"name": a.name, "value": a.value, "description": a.description} for a in estimate.assumptions],
    }


def _resource_json(resource: ResourceCost) -> dict[str, Any]:
    return {
        "logical_id": resource.logical_id,
        "type": resource.resource_type,
        "state": resource.state,
        "monthly": round(resource.monthly, 2) if resource.state == PRICED else None,
        "charges": [
            {
                "what": c.what,
                "quantity": c.quantity,
                "unit": c.price.unit,
                "usd_per_unit": c.price.usd,
                "usage_type": c.price.usage_type,
                "monthly": round(c.monthly, 4),
            }
            for c in resource.charges
        ],
        "note": resource.note,
        "assumptions": list(resource.assumptions),
    }


def change_json(change: LayerChange) -> dict[str, Any]:
    return {
        "layer": change.layer,
        "before": round(change.before, 2),
        "after": round(change.after, 2),
        "delta": round(change.delta, 2),
        "resources": [
            {
                "logical_id": r.logical_id,
                "type": r.resource_type,
                "before": None if r.before is None else round(r.before, 2),
                "after": None if r.after is None else round(r.after, 2),
                "delta": round(r.delta, 2),
                "note": r.note,
            }
            for r in change.resources
        ],
    }
