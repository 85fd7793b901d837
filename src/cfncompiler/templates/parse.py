"""Read a template back as data: the files synth writes, and what CloudFormation's GetTemplate returns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml
from cfn_tools.yaml_loader import multi_constructor

from cfncompiler.errors import BadInput


class _TemplateLoader(yaml.CSafeLoader):
    """YAML templates on libyaml's parser, short-form intrinsics (``!Ref``, ``!GetAtt``) read into long
    form by cfn-flip's own constructor. ``cfn_flip.load`` does the same on the pure-Python parser, with a
    mapping type that defines a class per key: ten times slower on a template of 70 kB, which deploy,
    status, diff and cost each read several times."""


def _intrinsic(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    return dict(multi_constructor(loader, suffix, node))


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def parse_template(body: str | Mapping[str, Any]) -> dict[str, Any]:
    """A template as data, intrinsic functions in long form, whichever syntax it was written in.

    GetTemplate hands back JSON templates already decoded, hence the Mapping case.
    """
    if isinstance(body, Mapping):
        return dict(body)
    try:
        document = json.loads(body)
    except ValueError:
        try:
            document = yaml.load(body, Loader=_TemplateLoader)
        except yaml.YAMLError as exc:
            raise BadInput(f"a template that is neither JSON nor YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(document, Mapping):
        raise BadInput("a template must be a mapping of sections (Resources, Outputs, ...)")
    return dict(document)
