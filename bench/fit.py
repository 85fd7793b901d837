"""Does the compile cost grow linearly with the number of services? A least-squares line and a look at its top end.

A straight line fits a gently bending curve well too (R² near 1 over four
points), so the verdict also compares the cost per added service over the last
step with the step before. When a larger size measured no slower than a smaller
one, the noise exceeds the signal: the verdict says "inconclusive" rather than
calling the growth either way.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.measure import Size

R2_MIN = 0.98
# A cost growing with the square of N makes the last step over 20 -> 50 -> 100 cost about 2.1x the one before.
STEP_RATIO_MAX = 1.5


@dataclass
class Linearity:
    slope: float  # seconds per service, least squares
    intercept: float
    r2: float
    marginal: list[float]  # seconds per added service between consecutive sizes
    linear: bool

    @property
    def verdict(self) -> str:
        if self.linear:
            return "linear"
        if any(m <= 0 for m in self.marginal):
            return "inconclusive: a larger size measured no slower than a smaller one, so noise exceeds the signal"
        if len(self.marginal) >= 2 and self.marginal[-1] > STEP_RATIO_MAX * self.marginal[-2]:
            ratio = self.marginal[-1] / self.marginal[-2]
            return f"NOT linear: the last step costs {ratio:.1f} times per service what the step before did"
        return f"NOT linear: a straight line explains only R² = {self.r2:.3f} of it"


def linearity(points: Sequence[tuple[int, float]]) -> Linearity:
    """Fit seconds against services over ``points`` (ascending by services) and judge the growth."""
    xs, ys = [float(x) for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    total = sum((y - mean_y) ** 2 for y in ys)
    r2 = 1 - residual / total if total else 1.0
    marginal = [(y2 - y1) / (x2 - x1) for (x1, y1), (x2, y2) in itertools.pairwise(points)]
    # The first step (5 -> 20) is left out of the comparison: it adds few services, so noise dominates it.
    even = len(marginal) < 2 or (marginal[-2] > 0 and marginal[-1] <= STEP_RATIO_MAX * marginal[-2])
    return Linearity(slope, intercept, r2, marginal, r2 >= R2_MIN and even)


def fits(sizes: Sequence[Size]) -> dict[str, Linearity]:
    """Straight-line fits of compile cost against N, on three bases.

    The targets are judged on medians of whole processes. On a shared machine
    other processes only ever add time, so each size's fastest run is closer
    to the compiler's own cost; and the load + compile time measured inside
    compile_only leaves out the interpreter's start and the imports, which do
    not depend on N. All three are reported.
    """
    measured = [s for s in sizes if s.layers and s.in_process]
    if len(measured) < 2:
        return {}
    return {
        "whole-process medians": linearity([(s.services, s.compile.median) for s in measured]),
        "whole-process minimums": linearity([(s.services, min(s.compile.walls)) for s in measured]),
        "in-process load + compile medians": linearity(
            [(s.services, statistics.median(s.in_process)) for s in measured]
        ),
    }
