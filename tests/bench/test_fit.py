"""bench/fit.py: a straight-line fit of compile cost against the number of services, and its verdict."""

from __future__ import annotations

import pytest
from bench.fit import R2_MIN, fits, linearity

from tests.bench.known import size

SIZES = (5, 20, 50, 100)


def test_a_straight_line_gives_back_its_slope_and_intercept() -> None:
    fit = linearity([(n, 0.4 + 0.015 * n) for n in SIZES])

    assert fit.slope == pytest.approx(0.015)
    assert fit.intercept == pytest.approx(0.4)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.marginal == pytest.approx([0.015, 0.015, 0.015])
    assert fit.verdict == "linear"


def test_a_cost_growing_with_the_square_of_n_is_not_linear() -> None:
    # Over 20 -> 50 -> 100 the cost per added service of N² climbs 70/30 = 2.1 times in the last step.
    fit = linearity([(n, 0.5 + 0.0002 * n * n) for n in SIZES])

    assert not fit.linear
    assert fit.marginal == pytest.approx([0.005, 0.014, 0.030])
    assert fit.verdict == "NOT linear: the last step costs 2.1 times per service what the step before did"


def test_a_larger_size_measured_faster_is_inconclusive() -> None:
    fit = linearity([(5, 1.0), (20, 1.3), (50, 1.25), (100, 2.0)])

    assert not fit.linear
    assert fit.verdict.startswith("inconclusive")
    assert "noise exceeds the signal" in fit.verdict


def test_a_curve_that_flattens_is_not_linear_by_r2() -> None:
    fit = linearity([(5, 1.0), (20, 2.0), (50, 2.1), (100, 2.2)])

    assert fit.r2 < R2_MIN
    assert fit.verdict == f"NOT linear: a straight line explains only R² = {fit.r2:.3f} of it"


def test_fits_reports_three_bases_over_the_sizes_that_compiled() -> None:
    sizes = [size(n, [0.9 + 0.01 * n, 1.0 + 0.01 * n, 1.2 + 0.01 * n]) for n in SIZES]
    failed = size(200, [9.0])
    failed.layers = {}  # compile_only printed nothing: no point on the curve

    found = fits([*sizes, failed])

    assert list(found) == ["whole-process medians", "whole-process minimums", "in-process load + compile medians"]
    assert found["whole-process medians"].slope == pytest.approx(0.01)
    assert found["whole-process minimums"].intercept == pytest.approx(0.9)
    assert found["in-process load + compile medians"].slope == pytest.approx(0.02)
    assert all(fit.verdict == "linear" for fit in found.values())


def test_one_size_is_not_a_curve() -> None:
    assert fits([size(5, [1.0])]) == {}
