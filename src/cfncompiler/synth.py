"""The synth pipeline: spec file -> validated model -> templates -> lint gate -> templates_out/.

Nothing is written unless every step before writing succeeded, so a bad spec
or a lint finding leaves the previous templates exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cfncompiler.layers import build_all
from cfncompiler.linter import Finding, Linter
from cfncompiler.loader import load_spec
from cfncompiler.model import Spec
from cfncompiler.writer import render, write_all


@dataclass(frozen=True)
class CompiledLayer:
    layer: str
    file: str
    text: str
    resources: int

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))


@dataclass(frozen=True)
class SynthResult:
    layers: list[CompiledLayer]
    changed: list[str]
    linted: bool


class LintFailed(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(f) for f in findings))
        self.findings = findings


def template_file(layer: str) -> str:
    return f"{layer}.yaml"


def compile_spec(spec: Spec) -> list[CompiledLayer]:
    return [
        CompiledLayer(layer, template_file(layer), render(template), len(template.resources))
        for layer, template in build_all(spec).items()
    ]


def synth(spec_path: Path, out_dir: Path, *, lint: bool = True) -> SynthResult:
    """Compile, lint, then write; raises SpecError or LintFailed before anything is written."""
    spec = load_spec(spec_path)
    layers = compile_spec(spec)
    if lint:
        linter = Linter(spec.region)
        findings = [f for c in layers for f in linter.lint(str(out_dir / c.file), c.text)]
        if findings:
            raise LintFailed(findings)
    changed = write_all(out_dir, {c.file: c.text for c in layers})
    return SynthResult(layers, changed, lint)
