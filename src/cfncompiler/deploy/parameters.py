"""A layer's Parameters, filled from the Outputs of the stacks above it (see :mod:`cfncompiler.contract`).

Values are read at deploy time, so a layer always gets what its upstream
stacks publish now; nothing is exported or imported between stacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cfncompiler.errors import Refused


@dataclass(frozen=True)
class ParameterChange:
    name: str
    old: str | None
    new: str


def fill(layer: str, declared: Mapping[str, Mapping[str, Any]], outputs: Mapping[str, str]) -> dict[str, str]:
    """The values to send: each Parameter from the Output of the same name, or left to its Default."""
    missing = [name for name, decl in declared.items() if name not in outputs and "Default" not in decl]
    if missing:
        raise Refused(
            f"layer {layer} needs {', '.join(sorted(missing))} from the layers above it, and none of their "
            "stacks outputs it. Deploy the layers above first (`cfncompiler deploy`), or run `make synth` "
            "if templates_out is older than the spec."
        )
    return {name: outputs[name] for name in declared if name in outputs}


def effective(declared: Mapping[str, Mapping[str, Any]], sent: Mapping[str, str]) -> dict[str, str]:
    """What DescribeStacks will report once ``sent`` is deployed: sent values, and Defaults for the rest."""
    return {name: sent[name] if name in sent else str(decl.get("Default", "")) for name, decl in declared.items()}


def changes(deployed: Mapping[str, str], wanted: Mapping[str, str]) -> list[ParameterChange]:
    """Parameters whose value would change, in the template's order."""
    return [
        ParameterChange(name, deployed.get(name), value)
        for name, value in wanted.items()
        if deployed.get(name) != value
    ]


def as_request(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": name, "ParameterValue": value} for name, value in values.items()]
