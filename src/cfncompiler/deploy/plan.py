"""Which layers a command acts on, and in what order: the dependency order of :data:`cfncompiler.layers.ORDER`."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from cfncompiler.errors import BadInput
from cfncompiler.layers import ORDER


def select(layers: Sequence[str], order: Sequence[str] = ORDER) -> list[str]:
    """The named layers in dependency order (every layer when none is named); unknown names are refused."""
    for layer in layers:
        if layer not in order:
            hint = difflib.get_close_matches(layer, order, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            raise BadInput(f"unknown layer '{layer}' (layers: {', '.join(order)}){suggestion}")
    return [layer for layer in order if not layers or layer in layers]


def above(layer: str, order: Sequence[str] = ORDER) -> list[str]:
    """The layers ``layer`` reads Outputs from: every one before it."""
    return list(order[: order.index(layer)])


def below(layer: str, order: Sequence[str] = ORDER) -> list[str]:
    """The layers that read ``layer``'s Outputs: every one after it."""
    return list(order[order.index(layer) + 1 :])
