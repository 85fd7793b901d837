"""The synth pipeline: spec file -> validated model -> templates -> lint gate -> templates_out/.

Nothing is written unless every step before writing succeeded, so a bad spec
or a lint finding leaves the previous templates exactly as they were.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfncompiler.errors import LintFailed as LintFailed
from cfncompiler.errors import NameClash, OutputError, Problem, SpecError
from cfncompiler.gate.lint import Gate
from cfncompiler.layers import Inputs, build_all
from cfncompiler.naming import template_file
from cfncompiler.spec.assets import check_asset_configs
from cfncompiler.spec.load import LoadedSpec, load, rule_warnings
from cfncompiler.spec.model import Spec
from cfncompiler.templates import incremental, limits
from cfncompiler.templates.assets import asset_files, asset_prefix
from cfncompiler.templates.render import render
from cfncompiler.templates.write import write_all


@dataclass(frozen=True)
class CompiledLayer:
    layer: str
    file: str
    text: str
    template: dict[str, Any]

    @property
    def resources(self) -> int:
        return len(self.template.get("Resources", {}))

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))


@dataclass(frozen=True)
class SynthResult:
    layers: list[CompiledLayer]
    changed: list[str]
    linted: bool
    warnings: list[str]
    read_files: list[Path]  # every file the result depends on: the spec, what it extends, asset files
    read_directories: list[Path]  # asset directories, whose listing it depends on too


def gather_inputs(loaded: LoadedSpec) -> Inputs:
    """Read what the builders may not read themselves (asset files), checking it against the spec."""
    problems: list[Problem] = []
    prefixes: dict[str, str] = {}
    sources: dict[str, str] = {}
    for section, name, service in loaded.spec.services():
        if service.assets is None:
            continue
        directory = _asset_directory(loaded, section, name, service.assets.path)
        if not directory.is_dir():
            problems.append(
                loaded.problem(
                    (section, "services", name, "assets", "path"),
                    f"asset directory {directory} does not exist (paths are relative to the spec file)",
                )
            )
            continue
        if loaded.path.resolve().is_relative_to(directory.resolve()):
            problems.append(
                loaded.problem(
                    (section, "services", name, "assets", "path"),
                    f"asset directory {directory} holds the spec itself (and everything beside it); "
                    "point it at the directory of this service's files only",
                )
            )
            continue
        problems += check_asset_configs(directory, service, Path(os.path.relpath(directory)))
        prefixes[name] = asset_prefix(name, asset_files(directory))
        # The deployer finds the files from the spec it is given, whichever file named them.
        sources[name] = Path(os.path.relpath(directory, loaded.path.parent)).as_posix()
    if problems:
        raise SpecError(problems)
    return Inputs(asset_prefixes=prefixes, asset_sources=sources)


def _asset_directory(loaded: LoadedSpec, section: str, name: str, path: str) -> Path:
    """Asset paths are relative to the file that wrote them (a base spec may live elsewhere)."""
    return loaded.directory_of((section, "services", name, "assets", "path")) / path


def compile_spec(spec: Spec, inputs: Inputs) -> list[CompiledLayer]:
    compiled = []
    for layer, template in build_all(spec, inputs).items():
        text = render(template)
        compiled.append(CompiledLayer(layer, template_file(layer), text, template.to_dict()))
    return compiled


def synth(spec_path: Path, out_dir: Path, *, lint: bool = True) -> SynthResult:
    """Compile, lint, then write; raises SpecError or LintFailed before anything is written."""
    loaded = load(spec_path)
    try:
        layers = compile_spec(loaded.spec, gather_inputs(loaded))
    except NameClash as clash:
        raise SpecError([_clash_problem(loaded, clash)]) from None
    warnings = [str(warning) for warning in rule_warnings(loaded)]
    warnings += limits.check(loaded, {str(out_dir / c.file): (c.template, c.text) for c in layers})
    if lint:
        findings = Gate().lint([(str(out_dir / c.file), c.text) for c in layers], loaded.spec.region)
        if findings:
            raise LintFailed(findings)
    try:
        changed = write_all(out_dir, {c.file: c.text for c in layers})
    except OSError as exc:
        raise OutputError(
            f"cannot write the templates to {out_dir}: {exc.strerror or exc} ({exc.filename or out_dir}); "
            "nothing there was changed. Pass --out with a directory you can write to."
        ) from None
    directories = asset_directories(loaded)
    files = [*loaded.files(), *(p for d in directories for p in sorted(d.rglob("*")) if p.is_file())]
    return SynthResult(layers, changed, lint, warnings, files, directories)


def _clash_problem(loaded: LoadedSpec, clash: NameClash) -> Problem:
    first = ".".join(str(p) for p in clash.first) if clash.first else "another part of the spec"
    message = (
        f"this compiles to the CloudFormation name {clash.title}, which {first} already has "
        "(names are compared without hyphens and case, after a kind prefix); rename one of them"
    )
    return loaded.problem(clash.second or clash.first or (), message)


def asset_directories(loaded: LoadedSpec) -> list[Path]:
    return [
        _asset_directory(loaded, section, name, service.assets.path)
        for section, name, service in loaded.spec.services()
        if service.assets is not None
    ]


@dataclass(frozen=True)
class Outcome:
    """What `synth` reports: a layer summary each, the files it wrote, warnings, and whether it linted."""

    summaries: list[incremental.Summary]
    changed: list[str]
    warnings: list[str]
    linted: bool


def synth_incremental(spec_path: Path, out_dir: Path, *, lint: bool = True) -> Outcome:
    """``synth``, unless nothing it depends on changed since the last one (then its recorded result)."""
    record = incremental.reusable(spec_path, out_dir, lint)
    if record is not None:
        return Outcome(record.summaries, [], record.warnings, record.linted)
    result = synth(spec_path, out_dir, lint=lint)
    summaries = [incremental.Summary(c.layer, c.file, c.resources, c.size) for c in result.layers]
    incremental.remember(
        spec_path,
        out_dir,
        linted=lint,
        inputs=result.read_files,
        directories=result.read_directories,
        summaries=summaries,
        warnings=result.warnings,
    )
    return Outcome(summaries, result.changed, result.warnings, lint)


def stale_templates(spec_path: Path, out_dir: Path) -> list[str]:
    """The template files in ``out_dir`` that are not what the spec compiles to now ([] when all are).

    A forgotten `make synth` must never let a deploy say "up to date": the recorded synth answers
    at once when nothing changed; otherwise the spec is compiled in memory and compared.
    """
    if incremental.reusable(spec_path, out_dir, lint=False) is not None:
        return []
    loaded = load(spec_path)
    try:
        layers = compile_spec(loaded.spec, gather_inputs(loaded))
    except NameClash as clash:
        raise SpecError([_clash_problem(loaded, clash)]) from None
    return [c.file for c in layers if _text_of(out_dir / c.file) != c.text]


def _text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
