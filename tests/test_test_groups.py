"""The suite's xdist groups take effect: a grouped module's expensive module fixtures are built once.

pytest 9.2 with xdist 3.8 ignores ``xdist_group`` without a word (pytest-dev/pytest-xdist#1386): the
tests still pass, only slower, so this checks the mechanism itself: under ``--dist loadgroup`` a grouped
test's node id carries its group, which is what the scheduler keeps on one worker.
"""

from __future__ import annotations

import os

import pytest


@pytest.mark.xdist_group("probe")
def test_a_grouped_test_carries_its_group_when_the_suite_runs_on_workers(request: pytest.FixtureRequest) -> None:
    # xdist's workers see --dist as "no" and record loadgroup apart.
    if not os.environ.get("PYTEST_XDIST_WORKER") or not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by xdist workers under --dist loadgroup: there is nothing to group")
    assert request.node.nodeid.endswith("@probe"), request.node.nodeid
