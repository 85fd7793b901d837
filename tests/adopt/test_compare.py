"""Comparing the template with the live values: equal as CloudFormation means it."""

from __future__ import annotations

from typing import Any

import pytest

from cfncompiler.adopt.compare import same


@pytest.mark.parametrize(
    ("wanted", "live"),
    [
        (80, 80.0),  # an alarm threshold: the template says 80, Terraform keeps 80.0
        (60.0, 60),
        ("100", 100),
        (True, "true"),
        ([0.01], [0.01]),
    ],
)
def test_the_same_value_written_another_way_is_the_same(wanted: Any, live: Any) -> None:
    assert same(wanted, live)


@pytest.mark.parametrize(("wanted", "live"), [(80, 80.5), (0.01, 0.1), ("80", 81), (True, False)])
def test_a_different_value_is_different(wanted: Any, live: Any) -> None:
    assert not same(wanted, live)
