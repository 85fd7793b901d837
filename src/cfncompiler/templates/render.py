"""Render a troposphere Template to canonical YAML: same template, same bytes."""

from __future__ import annotations

import cfn_flip
import yaml
from cfn_flip import yaml_dumper
from troposphere import Template

# Sections in the order a reader wants them; troposphere emits Outputs before Resources.
SECTION_ORDER = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
)


class _TemplateDumper(yaml.CDumper):
    """libyaml's emitter (4x faster than the pure-Python one) with cfn-flip's CloudFormation
    representers: ``{"Ref": x}`` becomes ``!Ref x``, ``Fn::GetAtt`` becomes ``!GetAtt a.b``."""


_TemplateDumper.add_representer(dict, yaml_dumper.map_representer)
_TemplateDumper.add_representer(str, yaml_dumper.string_representer)


def render(template: Template) -> str:
    """Canonical YAML: same template, same bytes (key order is the builder's, short-form intrinsics)."""
    body = template.to_dict()
    ordered = {section: body[section] for section in SECTION_ORDER if section in body}
    text = yaml.dump(
        ordered,
        Dumper=_TemplateDumper,
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=False,
        width=cfn_flip.config.max_col_width,
    )
    return str(text)
