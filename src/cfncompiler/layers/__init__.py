"""Layer builders, in deployment order. Each is a pure function ``build(spec, inputs) -> Template``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module

from troposphere import Template

from cfncompiler.spec.model import Spec

# Deployment order: each layer reads only the Outputs of the layers before it.
ORDER: tuple[str, ...] = ("network", "data", "platform", "observability")


@dataclass(frozen=True)
class Inputs:
    """What the builders need beyond the spec, gathered by the caller so that builders do no I/O."""

    # service name -> content-addressed S3 prefix of its assets
    asset_prefixes: Mapping[str, str] = field(default_factory=dict)
    # service name -> its asset directory, relative to the spec file's directory
    asset_sources: Mapping[str, str] = field(default_factory=dict)


Builder = Callable[[Spec, Inputs], Template]


def builder(layer: str) -> Builder:
    # Imported on demand: troposphere's resource modules are most of synth's start-up cost.
    module = import_module(f"cfncompiler.layers.{layer}")
    build: Builder = module.build
    return build


def build_all(spec: Spec, inputs: Inputs) -> dict[str, Template]:
    return {layer: builder(layer)(spec, inputs) for layer in ORDER}
