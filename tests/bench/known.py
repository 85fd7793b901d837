"""Benchmark results made from known numbers, for the fit and report tests."""

from __future__ import annotations

from pathlib import Path

from bench.measure import Figure, Run, Size

# Every synthetic service adds this many bytes to the platform template (as the real ones do).
BYTES_PER_SERVICE = 3862


def figure(key: str, walls: list[float], *, returncode: int = 0, stderr: str = "", mb: int = 50) -> Figure:
    """A figure whose runs took ``walls`` seconds, each with a peak of ``mb`` MB and a 1-min load of 1.00."""
    runs = [Run(wall, mb * 1024, returncode, "", stderr, 1.0) for wall in walls]
    return Figure(key, f"the {key} figure", f"cfncompiler {key}", runs)


def size(services: int, compile_walls: list[float], *, synth_stderr: str = "", synth_returncode: int = 0) -> Size:
    """A scaling size that compiled: its template sizes, its compile_only runs and its synth runs."""
    platform = {"resources": 7 * services, "bytes": 20_000 + BYTES_PER_SERVICE * services}
    return Size(
        services,
        Path(f"spec-{services}.yaml"),
        synth=figure("scale_synth", [w + 0.2 for w in compile_walls], returncode=synth_returncode, stderr=synth_stderr),
        compile=figure("scale_compile", compile_walls),
        layers={"network": {"resources": 61, "bytes": 19_951}, "platform": platform},
        steps={"import": 0.4, "load": 0.01 * services, "compile": 0.012 * services},
        in_process=[0.3 + 0.02 * services],
    )
