"""The spec's JSON Schema, generated from the pydantic model, for editors.

``spec/production.yaml`` starts with ``# yaml-language-server: $schema=schema.json``,
so VS Code (with the YAML extension) and other editors complete keys, show
each field's description and flag mistakes as you type.
"""

from __future__ import annotations

import json

from cfncompiler.spec.model import Spec

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> str:
    schema = Spec.model_json_schema(by_alias=True, mode="validation")
    schema = {"$schema": SCHEMA_URI, **schema, "title": "cfncompiler spec"}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
