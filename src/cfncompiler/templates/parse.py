"""Read a template back as data: the files synth writes, and what CloudFormation's GetTemplate returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cfncompiler.errors import BadInput


def parse_template(body: str | Mapping[str, Any]) -> dict[str, Any]:
    """A template as data, intrinsic functions in long form, whichever syntax it was written in.

    GetTemplate hands back JSON templates already decoded, hence the Mapping case.
    """
    if isinstance(body, Mapping):
        return dict(body)
    import cfn_flip

    document, _ = cfn_flip.load(body)
    if not isinstance(document, Mapping):
        raise BadInput("a template must be a mapping of sections (Resources, Outputs, ...)")
    return dict(document)
