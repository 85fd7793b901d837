"""An estimate of a set of compiled templates, and the comparison of two such sets.

The templates are read from a directory as `synth` wrote them (``templates_out/``, another
environment's, another commit's); the deploy diff hands in the deployed and the new template instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfncompiler.cost.pricing import NOT_PRICED, LayerCost, ResourceCost, layer_assumptions, price_template
from cfncompiler.cost.snapshot import Snapshot
from cfncompiler.errors import PricesUnavailable
from cfncompiler.naming import template_file
from cfncompiler.spec.model import Usage
from cfncompiler.templates.parse import parse_template


@dataclass(frozen=True)
class Assumption:
    name: str
    value: float
    description: str

    def __str__(self) -> str:
        return f"{self.name} = {self.value:g}: {self.description}"


@dataclass(frozen=True)
class Estimate:
    region: str
    snapshot: Snapshot
    layers: tuple[LayerCost, ...]
    assumptions: tuple[Assumption, ...]

    @property
    def monthly(self) -> float:
        return sum(layer.monthly for layer in self.layers)

    def layer(self, name: str) -> LayerCost | None:
        return next((layer for layer in self.layers if layer.layer == name), None)


def read_templates(directory: Path, layers: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """Each layer's template in ``directory``; a missing one is one paragraph naming what to run."""
    missing = [
        str(directory / template_file(layer)) for layer in layers if not (directory / template_file(layer)).is_file()
    ]
    if missing:
        raise PricesUnavailable(
            f"{', '.join(missing)} missing: the estimate prices compiled templates, so compile them first "
            "(`make synth`, or `cfncompiler synth --out DIR` for another directory)."
        )
    return [(layer, parse_template((directory / template_file(layer)).read_text(encoding="utf-8"))) for layer in layers]


def estimate(
    documents: Sequence[tuple[str, Mapping[str, Any]]], region: str, usage: Usage, snapshot: Snapshot
) -> Estimate:
    prices = snapshot.region(region)
    costs = tuple(price_template(layer, document, prices, usage) for layer, document in documents)
    return Estimate(region, snapshot, costs, assumptions(usage, layer_assumptions(costs)))


def assumptions(usage: Usage, names: Sequence[str]) -> tuple[Assumption, ...]:
    fields = Usage.model_fields
    return tuple(Assumption(n, float(getattr(usage, n)), fields[n].description or "") for n in names)


# --------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class ResourceChange:
    logical_id: str
    resource_type: str
    before: float | None  # None: not in the old template
    after: float | None  # None: not in the new one
    note: str = ""

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


@dataclass(frozen=True)
class LayerChange:
    layer: str
    before: float
    after: float
    resources: tuple[ResourceChange, ...]

    @property
    def delta(self) -> float:
        return self.after - self.before


def compare_layer(layer: str, before: LayerCost | None, after: LayerCost) -> LayerChange:
    """What differs, resource by resource; a resource not priced on either side is listed with why."""
    old = {r.logical_id: r for r in (before.resources if before else ())}
    new = {r.logical_id: r for r in after.resources}
    changes = []
    for logical_id in [*new, *(lid for lid in old if lid not in new)]:
        was, now = old.get(logical_id), new.get(logical_id)
        if was is not None and now is not None and not _differs(was, now):
            continue
        either = now or was
        assert either is not None
        unpriced = next((r for r in (now, was) if r is not None and r.state == NOT_PRICED), None)
        changes.append(
            ResourceChange(
                logical_id,
                either.resource_type,
                was.monthly if was else None,
                now.monthly if now else None,
                f"not priced: {unpriced.note}" if unpriced else "",
            )
        )
    changes.sort(key=lambda c: (-abs(c.delta), c.logical_id))
    return LayerChange(layer, before.monthly if before else 0.0, after.monthly, tuple(changes))


def _differs(was: ResourceCost, now: ResourceCost) -> bool:
    return (
        was.state != now.state
        or round(was.monthly, 6) != round(now.monthly, 6)
        or (now.state == NOT_PRICED and was.resource_type != now.resource_type)
    )


def compare(before: Estimate, after: Estimate) -> list[LayerChange]:
    return [compare_layer(layer.layer, before.layer(layer.layer), layer) for layer in after.layers]
