"""Layer selection follows the dependency order, whatever order the layers are named in."""

from __future__ import annotations

import pytest

from cfncompiler.deploy.plan import above, below, select
from cfncompiler.errors import BadInput
from cfncompiler.layers import ORDER

LAYERS = ("network", "data", "platform", "observability")


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        ((), list(LAYERS)),
        (("platform",), ["platform"]),
        (("observability", "network"), ["network", "observability"]),
        (("data", "data"), ["data"]),
    ],
)
def test_selection_is_in_dependency_order(named: tuple[str, ...], expected: list[str]) -> None:
    assert select(named, LAYERS) == expected


def test_an_unknown_layer_is_refused_with_a_suggestion() -> None:
    with pytest.raises(BadInput, match=r"unknown layer 'plattform'.*did you mean 'platform'"):
        select(("plattform",), LAYERS)


def test_above_and_below_split_the_order_at_the_layer() -> None:
    assert above("platform", LAYERS) == ["network", "data"]
    assert below("platform", LAYERS) == ["observability"]
    assert above("network", LAYERS) == [] and below("observability", LAYERS) == []


def test_the_default_order_is_the_compilers() -> None:
    assert select(()) == list(ORDER)
