"""The spec's rules, each with an id: `cfncompiler rules` lists them, every problem line ends with one.

S0xx are kept by the schema itself (YAML, unknown and missing keys, values of the wrong
kind); the others are the rules in this package, by section: S1xx network, S2xx data,
S3xx one service, S4xx across sections, S5xx alarms.
"""

from __future__ import annotations

from dataclasses import dataclass

from cfncompiler.spec.rules import alarms, cross_section, data, dns, network, services
from cfncompiler.spec.rules.base import Rule


@dataclass(frozen=True)
class SchemaRule:
    """A check the loader and the pydantic schema make; listed beside the rules so every id can be looked up."""

    id: str
    name: str
    description: str


SCHEMA_RULES: tuple[SchemaRule, ...] = (
    SchemaRule("S001", "readable-yaml", "the file exists, is YAML, and is a non-empty mapping of sections"),
    SchemaRule("S002", "known-keys", "every key is one the schema knows (a close match is suggested)"),
    SchemaRule("S003", "required-keys", "every required key is present"),
    SchemaRule("S004", "valid-values", "every value has the type, range and pattern the schema gives"),
    SchemaRule("S005", "extends", "`extends` names another spec file, without a cycle"),
)

RULES: tuple[Rule, ...] = (
    *network.RULES,
    *data.RULES,
    *services.RULES,
    *cross_section.RULES,
    *alarms.RULES,
    *dns.RULES,
)
