"""Layer builders, in deployment order. Each is a pure function ``build(spec) -> Template``."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from troposphere import Template

from cfncompiler.model import Spec

# Deployment order: each layer reads only the Outputs of the layers before it.
ORDER: tuple[str, ...] = ("network", "data")

Builder = Callable[[Spec], Template]


def builder(layer: str) -> Builder:
    # Imported on demand: troposphere's resource modules are most of synth's start-up cost.
    module = import_module(f"cfncompiler.layers.{layer}")
    build: Builder = module.build
    return build


def build_all(spec: Spec) -> dict[str, Template]:
    return {layer: builder(layer)(spec) for layer in ORDER}
